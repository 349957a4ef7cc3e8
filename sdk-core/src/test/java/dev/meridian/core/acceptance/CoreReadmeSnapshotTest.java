package dev.meridian.core.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.SnapshotHooks;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Resource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

/**
 * sdk-core/README.md's "Snapshots (CRaC, Lambda SnapStart)": before a checkpoint the priming runs, then every
 * per-region client built so far (here a wrapped client's) is closed and rebuilt on first use after the restore;
 * after a restore the clock gets a new node id, breakers reset, drains stay, and the application's hooks run.
 */
class CoreReadmeSnapshotTest {

    /** A user's client interface, wrapped like any SDK client (one method, closeable). */
    public interface Echo extends AutoCloseable {
        String echo(String text);

        @Override
        void close();
    }

    /** The CRaC context the runtime would pass: the hooks are called directly, as the SnapshotHooks Javadoc says. */
    private static final Context<Resource> CRAC = new Context<>() {
        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) {
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) {
        }

        @Override
        public void register(Resource resource) {
        }
    };

    @Test
    void aCheckpointClosesTheClientsAfterPrimingAndARestoreStartsAfresh() {
        List<String> events = new CopyOnWriteArrayList<>();
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1)).region(RegionSpec.of(Region.EU_CENTRAL_1))
                .region(RegionSpec.of(Region.US_EAST_1)).localRegion(Region.EU_WEST_1)
                .hedging(HedgingConfig.disabled())
                .health(HealthConfig.builder().slidingWindowSize(2).minimumNumberOfCalls(2)
                        .waitInOpenState(Duration.ofMinutes(5)).build())
                .build();
        try (MultiRegion runtime = MultiRegion.builder(config).build()) {
            Echo echo = runtime.wrapClient(Echo.class, region -> {
                events.add("built " + region.id());
                return new Echo() {
                    @Override
                    public String echo(String text) {
                        events.add(text + " in " + region.id());
                        if (text.equals("fail") && region == Region.EU_CENTRAL_1) {
                            throw SdkClientException.create("refused", new java.net.ConnectException("refused"));
                        }
                        return region.id();
                    }

                    @Override
                    public void close() {
                        events.add("closed " + region.id());
                    }
                };
            }, (method, args) -> Operation.of(method.getName(), OperationKind.READ));

            // eu-central-1's breaker open, us-east-1 drained.
            runtime.drain(Region.EU_WEST_1);
            for (int i = 0; i < 2; i++) {
                echo.echo("fail");
            }
            runtime.undrain(Region.EU_WEST_1);
            runtime.drain(Region.US_EAST_1);
            assertThat(runtime.status(Region.EU_CENTRAL_1).breaker()).isEqualTo(RegionStatus.BreakerState.OPEN);
            String nodeId = runtime.clock().nodeId();
            List<String> restored = new CopyOnWriteArrayList<>();
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).priming(() -> echo.echo("priming"))
                    .afterRestore(() -> restored.add("hook")).build();

            events.clear();
            hooks.beforeCheckpoint(CRAC);
            assertThat(events).filteredOn(e -> !e.startsWith("built")).first().isEqualTo("priming in eu-west-1");
            assertThat(events).contains("closed eu-west-1", "closed eu-central-1", "closed us-east-1");

            hooks.afterRestore(CRAC);
            assertThat(restored).containsExactly("hook");
            assertThat(runtime.clock().nodeId()).isNotEqualTo(nodeId);
            assertThat(runtime.status(Region.EU_CENTRAL_1).breaker()).isEqualTo(RegionStatus.BreakerState.CLOSED);
            assertThat(runtime.status(Region.US_EAST_1).drained()).as("drains stay").isTrue();

            events.clear();
            assertThat(echo.echo("after")).isEqualTo("eu-west-1");
            assertThat(events).containsExactly("built eu-west-1", "after in eu-west-1");
            assertThatThrownBy(() -> runtime.status(Region.AP_SOUTH_1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
