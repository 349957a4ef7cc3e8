package dev.meridian.dynamodb.acceptance.fleetconditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.RegionControlSource;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.control.StaticControlSource;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.RoutingStrategy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * docs/fleet-control.md "Fail static": a read that fails keeps the state in force and is metered
 * ({@code meridian.control.failures}). A custom source (the documented {@code RegionControlSource} SPI) whose read
 * fails with an Error — a class its client needs missing at run time ({@code NoClassDefFoundError}), an
 * {@code AssertionError} — is a read that fails like any other: the state stays and the failure is counted, so the
 * outage is visible. Pure logic on a hand-written source; no timings asserted.
 */
class ControlSourceErrorTest {
    @Test
    void aReadFailingWithAnErrorFailsStaticAndIsMetered() {
        AtomicBoolean broken = new AtomicBoolean();
        RegionControlSource source = new RegionControlSource() {
            @Override
            public String name() {
                return "custom";
            }

            @Override
            public RegionControlState read() {
                if (broken.get()) {
                    throw new NoClassDefFoundError("software/amazon/awssdk/services/example/ExampleClient");
                }
                return StaticControlSource.parseState("eu-west-1=OFF", "custom");
            }
        };
        MeterRegistry meters = new SimpleMeterRegistry();
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .localRegion(Region.EU_WEST_1).routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.disabled()).build();
        try (MultiRegion runtime = MultiRegion.builder(config).meterRegistry(meters)
                .control(ControlConfig.builder(source).pollInterval(Duration.ofMillis(50)).build()).build()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !runtime.status(Region.EU_WEST_1).available());
            broken.set(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> failures(meters) >= 2);
            assertThat(runtime.status(Region.EU_WEST_1).available()).as("the state in force stays").isFalse();
        }
    }

    private static double failures(MeterRegistry meters) {
        return meters.find("meridian.control.failures").tag("source", "custom").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
