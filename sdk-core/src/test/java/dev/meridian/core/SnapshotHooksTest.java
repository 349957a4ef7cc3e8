package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** The CRaC hooks driven directly, as a checkpoint and a restore would. */
class SnapshotHooksTest {

    /** A per-region client that records whether it was closed. */
    static final class Client implements AutoCloseable {
        final int generation;
        volatile boolean closed;

        Client(int generation) {
            this.generation = generation;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final MultiRegionConfig config = MultiRegionConfig.builder()
            .region(RegionSpec.of(Region.EU_WEST_1))
            .region(RegionSpec.of(Region.EU_CENTRAL_1))
            .localRegion(Region.EU_WEST_1)
            .build();

    @Test
    void beforeCheckpointPrimesThenClosesEveryBuiltClientAndTheNextCallBuildsANewOne() {
        AtomicInteger built = new AtomicInteger();
        List<String> events = new ArrayList<>();
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                RegionalClients<Client> clients = new RegionalClients<>("Client", config,
                        (region, spec) -> new Client(built.incrementAndGet()))) {
            Client before = clients.get(Region.EU_WEST_1);
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).clients(clients)
                    .priming(() -> events.add("primed while client open=" + !before.closed)).build();

            hooks.beforeCheckpoint(null);

            assertThat(events).containsExactly("primed while client open=true");
            assertThat(before.closed).isTrue();
            Client after = clients.get(Region.EU_WEST_1);
            assertThat(after.closed).isFalse();
            assertThat(after.generation).isEqualTo(2);
        }
    }

    @Test
    void afterRestoreRegeneratesTheNodeIdAdvancesTheClockResetsHealthAndRunsTheHooks() {
        try (MultiRegion runtime = MultiRegion.builder(config).build()) {
            runtime.execute(Operation.of("read", OperationKind.READ), region -> "ok");
            runtime.circuitBreakers().circuitBreaker(Region.EU_CENTRAL_1.id()).transitionToOpenState();
            runtime.drain(Region.EU_CENTRAL_1);
            String nodeId = runtime.clock().nodeId();
            long stampBefore = runtime.clock().latest();
            List<String> hooksRun = new ArrayList<>();
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).afterRestore(() -> hooksRun.add("topology")).build();
            assertThat(runtime.status(Region.EU_WEST_1).latencyAverage()).isPresent();

            hooks.afterRestore(null);

            assertThat(runtime.clock().nodeId()).isNotEqualTo(nodeId);
            assertThat(runtime.clock().latest()).isGreaterThan(stampBefore);
            RegionStatus central = runtime.status(Region.EU_CENTRAL_1);
            assertThat(central.breaker()).isEqualTo(RegionStatus.BreakerState.CLOSED);
            assertThat(central.drained()).as("a drain is an operator's decision, kept across a restore").isTrue();
            assertThat(runtime.status(Region.EU_WEST_1).latencyAverage()).isEmpty();
            assertThat(hooksRun).containsExactly("topology");
        }
    }

    @Test
    void aFailingPrimingOrHookDoesNotStopTheCheckpointOrTheRestore() {
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                RegionalClients<Client> clients = new RegionalClients<>("Client", config,
                        (region, spec) -> new Client(1))) {
            Client client = clients.get(Region.EU_WEST_1);
            String nodeId = runtime.clock().nodeId();
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).clients(clients)
                    .priming(() -> {
                        throw new IllegalStateException("no network at build time");
                    })
                    .afterRestore(() -> {
                        throw new IllegalStateException("topology unavailable");
                    })
                    .build();

            hooks.beforeCheckpoint(null);
            hooks.afterRestore(null);

            assertThat(client.closed).isTrue();
            assertThat(runtime.clock().nodeId()).isNotEqualTo(nodeId);
        }
    }
}
