package dev.meridian.aurora.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class CachedDiscoveryTest {
    private static final AuroraTopology EU = AuroraTopology.builder().writerRegion(Region.EU_WEST_1)
            .region(RegionEndpoints.node(Region.EU_WEST_1, "jdbc:postgresql://eu/db")).build();

    /** A discovery whose look-ups return (or throw) what the test says, counting them. */
    private static final class Scripted extends CachedDiscovery {
        final AtomicInteger loads = new AtomicInteger();
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        /** When set, a look-up counts down {@link #entered} and then waits for this latch. */
        final AtomicReference<CountDownLatch> gate = new AtomicReference<>();
        final CountDownLatch entered = new CountDownLatch(1);

        Scripted(Duration refreshInterval, String threadName) {
            super(refreshInterval, threadName);
        }

        @Override
        AuroraTopology load() {
            loads.incrementAndGet();
            CountDownLatch g = gate.get();
            if (g != null) {
                entered.countDown();
                try {
                    g.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
            return EU;
        }

        @Override
        public String toString() {
            return "Scripted";
        }
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().equals(name));
    }

    @Test
    void backgroundRefreshStartsAtFirstUseNotAtConstructionAndStopsAtClose() {
        String thread = "test-discovery-" + UUID.randomUUID();
        Scripted discovery = new Scripted(Duration.ofMillis(20), thread);
        assertThat(threadAlive(thread)).isFalse();
        assertThat(discovery.loads).hasValue(0);

        discovery.topology();
        await().atMost(Duration.ofSeconds(5)).until(() -> discovery.loads.get() >= 3);
        assertThat(threadAlive(thread)).isTrue();

        discovery.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !threadAlive(thread));
        discovery.topology(); // a closed discovery still answers from its cache, without a thread
        assertThat(threadAlive(thread)).isFalse();
    }

    @Test
    void suspendingHoldsTheBackgroundRefreshAfterTheRoundInProgressAndResumingRunsItAgain() throws Exception {
        try (Scripted discovery = new Scripted(Duration.ofMillis(20), "test-discovery-" + UUID.randomUUID())) {
            discovery.topology();
            CountDownLatch release = new CountDownLatch(1);
            discovery.gate.set(release);
            assertThat(discovery.entered.await(5, TimeUnit.SECONDS)).as("a background round started").isTrue();

            Thread checkpoint = new Thread(discovery::suspendRefresh, "checkpoint");
            checkpoint.start();
            // Parked on the round's lock: had suspending not waited, the thread would have ended instead.
            await().atMost(Duration.ofSeconds(5)).until(() -> checkpoint.getState() == Thread.State.WAITING);
            discovery.gate.set(null);
            release.countDown();
            checkpoint.join(5_000);
            assertThat(checkpoint.isAlive()).isFalse();

            int held = discovery.loads.get();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> discovery.loads.get() == held);
            assertThat(discovery.refresh()).as("an explicit refresh still looks up").isSameAs(EU);
            assertThat(discovery.loads).hasValue(held + 1);

            discovery.resumeRefresh();
            await().atMost(Duration.ofSeconds(5)).until(() -> discovery.loads.get() >= held + 3);
        }
    }

    @Test
    void firstLookUpFailingForAnyReasonIsATopologyDiscoveryExceptionWithTheCause() {
        try (Scripted discovery = new Scripted(null, "unused")) {
            IllegalStateException apiFailure = new IllegalStateException("AccessDenied");
            discovery.failure.set(apiFailure);

            assertThatThrownBy(discovery::topology)
                    .isInstanceOf(TopologyDiscoveryException.class)
                    .hasMessageContaining("Scripted could not look the topology up")
                    .hasCause(apiFailure);
        }
    }

    @Test
    void failedRefreshKeepsTheLastKnownTopology() {
        try (Scripted discovery = new Scripted(null, "unused")) {
            discovery.topology();
            discovery.failure.set(new IllegalStateException("throttled"));

            assertThat(discovery.refresh()).isSameAs(EU);
            assertThat(discovery.topology()).isSameAs(EU);
        }
    }

    @Test
    void anInvalidatedTopologyIsLookedUpAgainAtNextUseAndKeptWhenThatFails() {
        try (Scripted discovery = new Scripted(null, "unused")) {
            discovery.topology();
            discovery.topology();
            assertThat(discovery.loads).hasValue(1);

            discovery.invalidate();
            assertThat(discovery.loads).as("invalidating looks nothing up").hasValue(1);
            assertThat(discovery.topology()).isSameAs(EU);
            discovery.topology();
            assertThat(discovery.loads).hasValue(2);

            discovery.invalidate();
            discovery.failure.set(new IllegalStateException("no network yet"));
            assertThat(discovery.topology()).isSameAs(EU);
            assertThat(discovery.loads).hasValue(3);
        }
    }
}
