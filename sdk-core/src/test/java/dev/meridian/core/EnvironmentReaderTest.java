package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.residency.Jurisdiction;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EnvironmentReaderTest {

    private static Map<String, String> baseEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("MERIDIAN_REGIONS", "eu-west-1, eu-central-1,us-east-1");
        env.put("MERIDIAN_LOCAL_REGION", "eu-west-1");
        return env;
    }

    @Test
    void buildsTheTopologyFromMeridianVariables() {
        Map<String, String> env = baseEnv();
        env.put("MERIDIAN_REGION_EU_WEST_1_WEIGHT", "90");
        env.put("MERIDIAN_REGION_EU_CENTRAL_1_WEIGHT", "10");
        env.put("MERIDIAN_REGION_US_EAST_1_PRIORITY", "0");
        env.put("MERIDIAN_REGION_EU_WEST_1_PRIORITY", "3");
        env.put("MERIDIAN_REGION_US_EAST_1_JURISDICTION", "us");
        env.put("MERIDIAN_REGION_EU_WEST_1_ENDPOINT", "http://localhost:8000");
        env.put("MERIDIAN_HOME_REGION", "us-east-1");
        env.put("MERIDIAN_ROUTING", "home-by-key");
        env.put("MERIDIAN_MAX_REGIONS_PER_CALL", "2");
        env.put("MERIDIAN_HEDGE_DELAY", "50ms");
        env.put("MERIDIAN_BREAKER_WAIT_IN_OPEN", "PT30S");
        env.put("MERIDIAN_BREAKER_FAILURE_RATE_THRESHOLD", "25");
        env.put("MERIDIAN_RESIDENCY_COUNTRY_GB", "EU");

        MultiRegionConfig c = MultiRegionConfig.fromEnvironment(env, new Properties());

        assertThat(c.regionList()).containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
        assertThat(c.localRegion()).isEqualTo(EU_WEST);
        assertThat(c.homeRegion()).isEqualTo(US_EAST);
        assertThat(c.weight(EU_WEST)).isEqualTo(90);
        assertThat(c.spec(EU_WEST).orElseThrow().endpoint()).contains(URI.create("http://localhost:8000"));
        assertThat(c.spec(US_EAST).orElseThrow().jurisdiction()).isEqualTo(Jurisdiction.US);
        assertThat(c.regionsByPriority().get(0)).isEqualTo(US_EAST);
        assertThat(c.routing().name()).isEqualTo("home-by-key");
        assertThat(c.maxRegionsPerCall()).isEqualTo(2);
        assertThat(c.hedging().delay()).contains(Duration.ofMillis(50));
        assertThat(c.health().waitInOpenState()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.health().failureRateThreshold()).isEqualTo(25f);
        assertThat(c.residency().countries().jurisdictionOf("GB")).contains(Jurisdiction.EU);
    }

    @Test
    void systemPropertyWinsOverEnvironmentVariable() {
        Properties props = new Properties();
        props.setProperty("meridian.local-region", "eu-central-1");
        props.setProperty("meridian.routing", "failover");
        MultiRegionConfig c = MultiRegionConfig.fromEnvironment(baseEnv(), props);
        assertThat(c.localRegion()).isEqualTo(EU_CENTRAL);
        assertThat(c.routing().name()).isEqualTo("failover");
    }

    @Test
    void errorsNameTheVariableThatSuppliedTheValue() {
        Map<String, String> env = baseEnv();
        env.put("MERIDIAN_LOCAL_REGION", "ap-south-1");
        assertThatThrownBy(() -> MultiRegionConfig.fromEnvironment(env, new Properties()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("MERIDIAN_LOCAL_REGION must be one of the configured regions "
                        + "[eu-west-1, eu-central-1, us-east-1], was 'ap-south-1'; name one of them, or add ap-south-1"
                        + " to the regions");

        Properties props = new Properties();
        props.setProperty("meridian.local-region", "ap-south-1");
        assertThatThrownBy(() -> MultiRegionConfig.fromEnvironment(baseEnv(), props))
                .hasMessageStartingWith("meridian.local-region must be one of the configured regions");
    }

    @Test
    void invalidValuesAreRejectedWithTheVariableName() {
        Map<String, String> env = baseEnv();
        env.put("MERIDIAN_ROUTING", "nearest");
        assertThatThrownBy(() -> MultiRegionConfig.fromEnvironment(env, new Properties()))
                .hasMessage("MERIDIAN_ROUTING must be one of "
                        + "[local-first, failover, weighted, geo, latency, home-by-key], was 'nearest';"
                        + " use one of them, or remove it to use the default local-first");

        Map<String, String> env2 = baseEnv();
        env2.put("MERIDIAN_HEDGE_DELAY", "soon");
        assertThatThrownBy(() -> MultiRegionConfig.fromEnvironment(env2, new Properties()))
                .hasMessage("MERIDIAN_HEDGE_DELAY must be a duration, was 'soon'; use e.g. 50ms, 2s or ISO-8601"
                        + " PT0.05S, or remove it to use the default 50ms");

        Map<String, String> env3 = baseEnv();
        env3.put("MERIDIAN_REGION_EU_WEST_1_WEIGHT", "80");
        assertThatThrownBy(() -> MultiRegionConfig.fromEnvironment(env3, new Properties()))
                .hasMessageStartingWith("MERIDIAN_REGION_<REGION>_WEIGHT (meridian.region.<region>.weight) must add"
                        + " up to 100, was 80 (");

        Map<String, String> env4 = baseEnv();
        env4.put("MERIDIAN_MAX_REGIONS_PER_CALL", "three");
        assertThatThrownBy(() -> MultiRegionConfig.fromEnvironment(env4, new Properties()))
                .hasMessage("MERIDIAN_MAX_REGIONS_PER_CALL must be an integer in 1..100, was 'three'; use a whole"
                        + " number in 1..100, or remove it to use the default 3");

        assertThatThrownBy(() -> MultiRegionConfig.fromEnvironment(Map.of(), new Properties()))
                .hasMessage("MERIDIAN_REGIONS (meridian.regions) must name at least one region, was unset; list the"
                        + " AWS regions to use, e.g. eu-west-1,eu-central-1,us-east-1");
    }

    @Test
    void perResourceBreakersAreOffByDefaultAndReadAsStrictBoolean() {
        assertThat(MultiRegionConfig.fromEnvironment(baseEnv(), new Properties()).health().perResourceBreakers())
                .isFalse();
        Map<String, String> env = baseEnv();
        env.put("MERIDIAN_BREAKER_PER_RESOURCE", "TRUE");
        assertThat(MultiRegionConfig.fromEnvironment(env, new Properties()).health().perResourceBreakers()).isTrue();
        env.put("MERIDIAN_BREAKER_PER_RESOURCE", "yes");
        assertThatThrownBy(() -> MultiRegionConfig.fromEnvironment(env, new Properties()))
                .hasMessage("MERIDIAN_BREAKER_PER_RESOURCE must be true or false, was 'yes'; use true or false, or"
                        + " remove it to use the default false");
    }

    @Test
    void awsRegionIsTheLocalRegionWhenMeridianDoesNotSayOtherwise() {
        Map<String, String> env = baseEnv();
        env.remove("MERIDIAN_LOCAL_REGION");
        env.put("AWS_REGION", "us-east-1");
        assertThat(MultiRegionConfig.fromEnvironment(env, new Properties()).localRegion()).isEqualTo(US_EAST);
    }
}
