package dev.meridian.dynamodb.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.spi.RegionalClients;
import dev.meridian.core.SnapshotHooks;
import dev.meridian.dynamodb.FakeRegionClient;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The probe's thread over in-memory region clients: it survives odd failures and is gone once closed. */
class ReplicationLagProbeTest {
    private final FakeRegionClient west = new FakeRegionClient(Region.EU_WEST_1);
    private final FakeRegionClient central = new FakeRegionClient(Region.EU_CENTRAL_1);

    private ReplicationLagProbe start() {
        return ReplicationLagProbe.builder()
                .config(ReplicationLagProbe.config("heartbeats").withInterval(Duration.ofMillis(20)))
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
                .config(ReplicationLagProbe.config("heartbeats").withInterval(Duration.ofMillis(20)))
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
                        .config(ReplicationLagProbe.config("heartbeats").withInterval(Duration.ofMillis(20)))
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
            // The resumed probe must not measure the pair again before the assertion (a slow JVM, e.g. under PIT's
            // coverage agent, let a round run first): central's reads fail from now on.
            central.failure = () -> SdkClientException.create("central unreachable after the restore");
            hooks.afterRestore(null);

            assertThat(probe.lag(Region.EU_WEST_1, Region.EU_CENTRAL_1))
                    .as("the restore forgot what was measured before the snapshot").isEmpty();
        }
    }

    /**
     * The real case: the routed client registers (its per-region clients) first, the application's lag probe over the
     * same clients after it. Closing the clients while a probe round is about to look one up reopened it, and it was
     * open when {@code beforeCheckpoint} returned: the probe must be held before any client is closed.
     */
    @Test
    void aProbeOverTheRoutedClientsClientsIsHeldBeforeTheyAreClosedSoNoneIsOpenInTheSnapshot() throws Exception {
        MultiRegionConfig config = MultiRegionConfig.builder().region(RegionSpec.of(Region.EU_WEST_1))
                .region(RegionSpec.of(Region.EU_CENTRAL_1)).localRegion(Region.EU_WEST_1).build();
        List<FakeRegionClient> built = new CopyOnWriteArrayList<>();
        CountDownLatch inRound = new CountDownLatch(1);
        CountDownLatch lookUp = new CountDownLatch(1);
        AtomicBoolean holdNextLookUp = new AtomicBoolean();
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                RegionalClients<DynamoDbClient> clients = new RegionalClients<>("DynamoDbClient", config,
                        (region, spec) -> {
                            FakeRegionClient c = new FakeRegionClient(region);
                            built.add(c);
                            return c;
                        });
                DynamoDbClient routed = MultiRegionDynamoDb.builder().multiRegion(runtime).regionalClients(clients)
                        .table(TableConfig.builder("heartbeats").partitionKey("pk")
                                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build())
                        .buildClient();
                ReplicationLagProbe probe = ReplicationLagProbe.builder()
                        .config(ReplicationLagProbe.config("heartbeats").withInterval(Duration.ofMillis(20)))
                        .clientSource(Region.EU_WEST_1, () -> {
                            if (holdNextLookUp.getAndSet(false)) {
                                // A round in progress, about to look the client up.
                                inRound.countDown();
                                awaitUninterruptibly(lookUp);
                            }
                            return clients.get(Region.EU_WEST_1);
                        })
                        .clientSource(Region.EU_CENTRAL_1, () -> clients.get(Region.EU_CENTRAL_1))
                        .snapshotsOf(runtime)
                        .start()) {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> probe.lag(Region.EU_WEST_1, Region.EU_CENTRAL_1).isPresent());
            holdNextLookUp.set(true);
            assertThat(inRound.await(5, TimeUnit.SECONDS)).as("a probe round is in progress").isTrue();
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).build();

            Thread checkpoint = new Thread(() -> hooks.beforeCheckpoint(null), "checkpoint");
            checkpoint.start();
            // The checkpoint holds the probe: it waits for the round in progress.
            await().atMost(Duration.ofSeconds(5)).until(() -> checkpoint.getState() == Thread.State.BLOCKED);
            lookUp.countDown();
            checkpoint.join(5_000);
            assertThat(checkpoint.isAlive()).isFalse();

            assertThat(built).as("every per-region client is closed when beforeCheckpoint returns")
                    .isNotEmpty().allSatisfy(c -> assertThat(c.closed).isTrue());
            hooks.afterRestore(null);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
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
