package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.InMemoryIdempotencyStore;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.residency.ResidencyPolicy;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * Every configuration error of sdk-core has one shape: {@code <setting> <rule>, was <value>; <fix>}, naming the
 * setting as the user wrote it (builder method, environment variable or property).
 */
class ConfigurationErrorShapeTest {
    /** The setting, a rule, the value after {@code , was }, and a fix after {@code ; }. */
    private static final Pattern SHAPE = Pattern.compile("\\S.* (must|is required)[^;]*, was [^;]+; \\S.+");

    private record Mistake(String setting, String value, ThrowingCallable call) {
    }

    private static Mistake env(String variable, String value) {
        Map<String, String> env = new HashMap<>(Map.of("MERIDIAN_REGIONS", "eu-west-1,us-east-1"));
        env.put(variable, value);
        return new Mistake(variable, value, () -> MultiRegionConfig.fromEnvironment(env, new Properties()));
    }

    private static Mistake property(String property, String value) {
        Properties props = new Properties();
        props.setProperty("meridian.regions", "eu-west-1,us-east-1");
        props.setProperty(property, value);
        return new Mistake(property, value, () -> MultiRegionConfig.fromEnvironment(Map.of(), props));
    }

    @Test
    void everyBadSettingIsNamedWithItsValueAndAFix() {
        Mistake[] mistakes = {
            new Mistake("MERIDIAN_REGIONS", "unset", () -> MultiRegionConfig.fromEnvironment(Map.of(),
                    new Properties())),
            env("MERIDIAN_LOCAL_REGION", "ap-south-1"),
            env("MERIDIAN_HOME_REGION", "us-west-2"),
            env("MERIDIAN_ROUTING", "nearest"),
            env("MERIDIAN_MAX_REGIONS_PER_CALL", "0"),
            env("MERIDIAN_MAX_REGIONS_PER_CALL", "three"),
            env("MERIDIAN_REGION_EU_WEST_1_PRIORITY", "-1"),
            env("MERIDIAN_REGION_EU_WEST_1_WEIGHT", "101"),
            env("MERIDIAN_REGION_EU_WEST_1_ENDPOINT", "localhost:8000"),
            env("MERIDIAN_HEDGE_DELAY", "soon"),
            env("MERIDIAN_HEDGE_DELAY", "-PT1S"),
            env("MERIDIAN_HEDGE_BUDGET_PERCENT", "150"),
            env("MERIDIAN_HEDGE_BUDGET_BURST", "0"),
            env("MERIDIAN_BREAKER_EJECT_AFTER_STALLS", "-1"),
            env("MERIDIAN_BREAKER_FAILURE_RATE_THRESHOLD", "0"),
            env("MERIDIAN_BREAKER_SLOW_CALL_RATE_THRESHOLD", "half"),
            env("MERIDIAN_BREAKER_SLIDING_WINDOW_SIZE", "0"),
            env("MERIDIAN_BREAKER_WAIT_IN_OPEN", "0s"),
            env("MERIDIAN_BREAKER_PER_RESOURCE", "yes"),
            env("MERIDIAN_REQUIRE_CONTEXT", "ture"),
            property("meridian.local-region", "ap-south-1"),
            property("meridian.hedge.mode", "sometimes"),
            property("meridian.breaker.minimum-calls", "-3"),
            new Mistake("MultiRegionConfig.regions", "none", () -> MultiRegionConfig.builder().build()),
            new Mistake("MultiRegionConfig.regions", "'eu-wset-1'",
                    () -> MultiRegionConfig.builder().region(Region.of("eu-wset-1")).build()),
            new Mistake("MultiRegionConfig.localRegion", "'ap-south-1'",
                    () -> TestTopology.threeRegions().localRegion(Region.AP_SOUTH_1).build()),
            new Mistake("MultiRegionConfig.maxRegionsPerCall", "0",
                    () -> TestTopology.threeRegions().maxRegionsPerCall(0)),
            new Mistake("RegionSpec.weight of the regions", "90", () -> MultiRegionConfig.builder()
                    .region(RegionSpec.of(EU_WEST).weight(90)).build()),
            new Mistake("MultiRegionConfig.residency", "rule", () -> TestTopology.threeRegions()
                    .residency(ResidencyPolicy.builder().allowRegions(DataClass.RESTRICTED, Jurisdiction.EU,
                            Region.AP_SOUTH_1).build()).build()),
            new Mistake("RegionSpec.priority of eu-west-1", "-1", () -> RegionSpec.of(EU_WEST).priority(-1)),
            new Mistake("RegionSpec.weight of eu-west-1", "101", () -> RegionSpec.of(EU_WEST).weight(101)),
            new Mistake("HealthConfig.failureRateThreshold", "0.0",
                    () -> HealthConfig.builder().failureRateThreshold(0)),
            new Mistake("HealthConfig.minimumNumberOfCalls", "0", () -> HealthConfig.builder().minimumNumberOfCalls(0)),
            new Mistake("HealthConfig.waitInOpenState", "PT0S",
                    () -> HealthConfig.builder().waitInOpenState(Duration.ZERO)),
            new Mistake("HealthConfig.slowCallDuration", "null", () -> HealthConfig.builder().slowCallDuration(null)),
            new Mistake("HedgingConfig.fixed delay", "PT-1S", () -> HedgingConfig.fixed(Duration.ofSeconds(-1))),
            new Mistake("HedgingConfig.withMaxWorkers", "0",
                    () -> HedgingConfig.fixed(Duration.ofMillis(50)).withMaxWorkers(0)),
            new Mistake("ResidencyPolicy rule allow(RESTRICTED, EU)", "none",
                    () -> ResidencyPolicy.builder().allow(DataClass.RESTRICTED, Jurisdiction.EU)),
            new Mistake("jurisdiction name", "' '", () -> Jurisdiction.of(" ")),
            new Mistake("data class name", "''", () -> DataClass.of("")),
            new Mistake("country", "'DEU'", () -> ResidencyPolicy.builder().country("DEU", Jurisdiction.EU)),
            new Mistake("Operation.maxRegions of GetItem", "0",
                    () -> Operation.builder("GetItem", OperationKind.READ).maxRegions(0)),
            new Mistake("Operation.within of GetItem", "[]",
                    () -> Operation.builder("GetItem", OperationKind.READ).within(Set.of())),
            new Mistake("Operation.resource of PutItem", "null", () -> Operation.builder("PutItem",
                    OperationKind.WRITE).breakerPerResource().build()),
            new Mistake("LatencyTracker smoothing factor", "0.0", () -> new LatencyTracker(0)),
            new Mistake("HybridLogicalClock.maxDrift", "PT-1S", () -> HybridLogicalClock.builder()
                    .maxDrift(Duration.ofSeconds(-1), HybridLogicalClock.DriftPolicy.REJECT)),
            new Mistake("HybridLogicalClock.nodeId", "'has space'",
                    () -> HybridLogicalClock.builder().nodeId("has space")),
            new Mistake("Idempotency.store", "null", () -> Idempotency.builder().build()),
            new Mistake("Idempotency.ttl", "PT0S", () -> Idempotency.builder().ttl(Duration.ZERO)),
            new Mistake("Idempotency.maxResultBytes", "0", () -> Idempotency.builder().maxResultBytes(0)),
            new Mistake("Idempotency.localCache maximumSize", "-1", () -> Idempotency.builder().localCache(-1)),
            new Mistake("InMemoryIdempotencyStore maximumSize", "0",
                    () -> new InMemoryIdempotencyStore(InstantSource.system(), 0)),
            new Mistake("maxAttempts", "0", () -> RegionalClientDefaults.retryStrategy(0)),
            new Mistake("attemptTimeout", "PT0S", () -> RegionalClientDefaults.overrideConfiguration(2,
                    Duration.ZERO)),
        };
        for (Mistake m : mistakes) {
            Throwable thrown = catchThrowable(m.call());
            assertThat(thrown).as(m.setting()).isInstanceOfAny(IllegalArgumentException.class,
                    NullPointerException.class);
            assertThat(thrown.getMessage()).as(m.setting()).matches(SHAPE).startsWith(m.setting() + " ")
                    .containsAnyOf(", was " + m.value(), ", was '" + m.value() + "'");
        }
    }
}
