package dev.meridian.dynamodb.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.SnapshotHooks;
import dev.meridian.dynamodb.FakeRegionClient;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The probe's thread over in-memory region clients: it survives odd failures and is gone once closed. */
class ReplicationLagProbeTest {
    private final FakeRegionClient west = new FakeRegionClient(Region.EU_WEST_1);
    private final FakeRegionClient central = new FakeRegionClient(Region.EU_CENTRAL_1);

    private ReplicationLagProbe start() {
        return ReplicationLagProbe.builder()
                .settings(ReplicationLagProbe.settings("heartbeats").withInterval(Duration.ofMillis(20)))
                .client(Region.EU_WEST_1, west)
                .client(Region.EU_CENTRAL_1, central)
                .start();
    }

    @Test
    void anUnexpectedExceptionInOneRoundDoesNotStopLaterRounds() {
        west.failure = () -> {
            west.failure = null;
            return new IllegalStateException("not an SdkException");
        };
        try (ReplicationLagProbe probe = start()) {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> probe.lag(Region.EU_WEST_1, Region.EU_CENTRAL_1).isPresent());
        }
    }

    @Test
    void afterARestoreTheTimeSpentInTheSnapshotIsNotReportedAsLag() {
        AtomicLong now = new AtomicLong(1_000);
        // West's heartbeat as replicated into central before the snapshot; nothing replicates here afterwards.
        central.items.put("meridian#heartbeat#eu-west-1", Map.of(
                "pk", AttributeValue.fromS("meridian#heartbeat#eu-west-1"),
                ReplicationLagProbe.STAMP_ATTRIBUTE, AttributeValue.fromN("1000")));
        try (ReplicationLagProbe probe = ReplicationLagProbe.builder()
                .settings(ReplicationLagProbe.settings("heartbeats").withInterval(Duration.ofMillis(20)))
                .client(Region.EU_WEST_1, west)
                .client(Region.EU_CENTRAL_1, central)
                .clock(now::get)
                .start()) {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> probe.lag(Region.EU_WEST_1, Region.EU_CENTRAL_1).isPresent());

            probe.suspend();
            now.addAndGet(Duration.ofHours(1).toMillis()); // the snapshot waited an hour before this restore
            probe.resumeAfterRestore();

            assertThat(probe.lag(Region.EU_WEST_1, Region.EU_CENTRAL_1)).as("nothing measured since the restore")
                    .isEmpty();
            now.addAndGet(250);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> probe.lag(Region.EU_WEST_1, Region.EU_CENTRAL_1).isPresent());
            assertThat(probe.lag(Region.EU_WEST_1, Region.EU_CENTRAL_1))
                    .as("at most the time since the restore, though only the snapshot's heartbeat is visible")
                    .contains(Duration.ofMillis(250));
        }
    }

    @Test
    void aProbeBuiltForARuntimeIsHeldAndRebasedByItsSnapshotHooks() {
        MultiRegionConfig config = MultiRegionConfig.builder().region(RegionSpec.of(Region.EU_WEST_1))
                .region(RegionSpec.of(Region.EU_CENTRAL_1)).localRegion(Region.EU_WEST_1).build();
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                ReplicationLagProbe probe = ReplicationLagProbe.builder()
                        .settings(ReplicationLagProbe.settings("heartbeats").withInterval(Duration.ofMillis(20)))
                        .client(Region.EU_WEST_1, west)
                        .client(Region.EU_CENTRAL_1, central)
                        .snapshotsOf(runtime)
                        .start()) {
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).build();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> probe.lag(Region.EU_WEST_1, Region.EU_CENTRAL_1).isPresent());

            hooks.beforeCheckpoint(null);
            int calls = west.received.size();
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)) // ten intervals of the probe
                    .until(() -> west.received.size() == calls);
            hooks.afterRestore(null);

            assertThat(probe.lag(Region.EU_WEST_1, Region.EU_CENTRAL_1))
                    .as("the restore forgot what was measured before the snapshot").isEmpty();
        }
    }

    @Test
    void closeReturnsOnlyOnceTheRoundInProgressHasEnded() throws InterruptedException {
        CountDownLatch callStarted = new CountDownLatch(1);
        AtomicBoolean callEnded = new AtomicBoolean();
        west.failure = () -> {
            callStarted.countDown();
            try {
                new CountDownLatch(1).await(); // a call that hangs until close() interrupts it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                callEnded.set(true);
            }
            return SdkClientException.create("aborted");
        };
        ReplicationLagProbe probe = start();
        assertThat(callStarted.await(5, TimeUnit.SECONDS)).isTrue();

        probe.close();

        assertThat(callEnded).isTrue();
    }
}
