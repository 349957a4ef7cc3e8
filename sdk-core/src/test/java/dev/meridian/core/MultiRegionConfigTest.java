package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.exception.InvalidSettingException;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.residency.ResidencyPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class MultiRegionConfigTest {

    @Test
    void localRegionOutsideTheTopologyIsRejectedNamingSettingAndValue() {
        assertThatThrownBy(() -> TestTopology.threeRegions().localRegion(Region.AP_SOUTH_1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("MultiRegionConfig.localRegion must be one of the configured regions "
                        + "[eu-west-1, eu-central-1, us-east-1], was 'ap-south-1'; name one of them, or add ap-south-1"
                        + " to the regions");
    }

    @Test
    void homeRegionOutsideTheTopologyIsRejected() {
        assertThatThrownBy(() -> TestTopology.threeRegions().homeRegion(Region.US_WEST_2).build())
                .hasMessageStartingWith("MultiRegionConfig.homeRegion must be one of the configured regions "
                        + "[eu-west-1, eu-central-1, us-east-1], was 'us-west-2'; ");
    }

    @Test
    void duplicateAndUnknownRegionsAreRejected() {
        assertThatThrownBy(() -> TestTopology.threeRegions().region(Region.EU_WEST_1).build())
                .hasMessage("MultiRegionConfig.regions must name each region once, was 'eu-west-1' twice;"
                        + " remove the second eu-west-1");
        assertThatThrownBy(() -> TestTopology.threeRegions().region(Region.of("eu-wset-1")).build())
                .hasMessageStartingWith("MultiRegionConfig.regions must name known AWS regions, was 'eu-wset-1'; ");
        assertThatThrownBy(() -> MultiRegionConfig.builder().build())
                .hasMessageStartingWith("MultiRegionConfig.regions must name at least one region, was none; ");
    }

    @Test
    void weightsMustAddUpToOneHundredWhenAnyIsSet() {
        assertThatThrownBy(() -> MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST).weight(90))
                .region(RegionSpec.of(US_EAST).weight(5))
                .build())
                .hasMessage("RegionSpec.weight of the regions must add up to 100, was 95 (eu-west-1=90, us-east-1=5);"
                        + " give every region a weight so that they add up to 100, or set none for equal chances");
        MultiRegionConfig ok = MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST).weight(90)).region(RegionSpec.of(US_EAST).weight(10)).build();
        assertThat(ok.weight(EU_WEST)).isEqualTo(90);
        assertThat(ok.weight(US_EAST)).isEqualTo(10);
    }

    @Test
    void residencyRulesMustNameConfiguredRegionsAndJurisdictions() {
        assertThatThrownBy(() -> TestTopology.threeRegions().residency(ResidencyPolicy.builder()
                .allowRegions(DataClass.RESTRICTED, Jurisdiction.EU, Region.AP_SOUTH_1).build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("MultiRegionConfig.residency rules must name configured regions "
                        + "[eu-west-1, eu-central-1, us-east-1], was rule ")
                .hasMessageContaining(" naming region 'ap-south-1'; ");
        assertThatThrownBy(() -> TestTopology.threeRegions().residency(ResidencyPolicy.builder()
                .allow(DataClass.RESTRICTED, Jurisdiction.APAC, Jurisdiction.APAC).build()).build())
                .hasMessageStartingWith("MultiRegionConfig.residency rules must name jurisdictions of configured"
                        + " regions [EU, US], was rule ")
                .hasMessageContaining(" naming jurisdiction 'APAC'; configure a region in APAC");
    }

    @Test
    void prioritiesDefaultToDeclarationOrderAndHomeToTheHighestPriority() {
        MultiRegionConfig c = MultiRegionConfig.builder()
                .region(RegionSpec.of(US_EAST).priority(5))
                .region(RegionSpec.of(EU_WEST))
                .region(RegionSpec.of(EU_CENTRAL))
                .environment(n -> null)
                .build();
        assertThat(c.regionsByPriority()).containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
        assertThat(c.homeRegion()).isEqualTo(EU_WEST);
        assertThat(c.localRegion()).isEqualTo(EU_WEST);
        assertThat(c.spec(US_EAST).orElseThrow().jurisdiction()).isEqualTo(Jurisdiction.US);
    }

    @Test
    void localRegionDefaultsToAwsRegionAndExplicitSettingOverridesIt() {
        Map<String, String> env = Map.of("AWS_REGION", "eu-central-1", "AWS_DEFAULT_REGION", "us-east-1");
        MultiRegionConfig.Builder b = MultiRegionConfig.builder().region(EU_WEST).region(EU_CENTRAL).region(US_EAST)
                .environment(env::get);
        assertThat(b.build().localRegion()).isEqualTo(EU_CENTRAL);
        assertThat(b.localRegion(US_EAST).build().localRegion()).isEqualTo(US_EAST);
        MultiRegionConfig fallback = MultiRegionConfig.builder().region(EU_WEST).region(US_EAST)
                .environment(Map.of("AWS_DEFAULT_REGION", "us-east-1")::get).build();
        assertThat(fallback.localRegion()).isEqualTo(US_EAST);
    }

    @Test
    void unconfiguredAwsRegionFallsBackToHomeInsteadOfFailing() {
        MultiRegionConfig c = MultiRegionConfig.builder().region(EU_WEST).region(US_EAST)
                .environment(Map.of("AWS_REGION", "ap-south-1")::get).build();
        assertThat(c.localRegion()).isEqualTo(EU_WEST);
    }

    @Test
    void regionSettingsAreValidatedEagerly() {
        assertThatThrownBy(() -> RegionSpec.of(EU_WEST).weight(101))
                .hasMessageStartingWith("RegionSpec.weight of eu-west-1 must be an integer in 0..100, was 101; ");
        assertThatThrownBy(() -> RegionSpec.of(EU_WEST).priority(-1))
                .hasMessageStartingWith("RegionSpec.priority of eu-west-1 must be an integer >= 0, was -1; ");
        assertThatThrownBy(() -> TestTopology.threeRegions().maxRegionsPerCall(0))
                .hasMessage("MultiRegionConfig.maxRegionsPerCall must be an integer in 1..100, was 0; use a whole"
                        + " number in 1..100, or remove it to use the default 3");
    }

    /** One rule per setting: the builder takes what MERIDIAN_MAX_REGIONS_PER_CALL takes, 1..100, not more. */
    @Test
    void theBuilderKeepsTheDeclaredRangeOfEachSetting() {
        assertThatThrownBy(() -> TestTopology.threeRegions().maxRegionsPerCall(101))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("MultiRegionConfig.maxRegionsPerCall must be an integer in 1..100, was 101; ");
        assertThatThrownBy(() -> HealthConfig.builder().minimumNumberOfCalls(0))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("HealthConfig.minimumNumberOfCalls must be an integer >= 1, was 0; use a whole number"
                        + " >= 1, or remove it to use the default 10")
                .extracting(e -> ((InvalidSettingException) e).setting())
                .isEqualTo("HealthConfig.minimumNumberOfCalls");
    }
}
