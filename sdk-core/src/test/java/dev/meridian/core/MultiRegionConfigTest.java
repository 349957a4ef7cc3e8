package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
                .hasMessage("meridian.local-region 'ap-south-1' is not one of the configured regions "
                        + "[eu-west-1, eu-central-1, us-east-1]");
    }

    @Test
    void homeRegionOutsideTheTopologyIsRejected() {
        assertThatThrownBy(() -> TestTopology.threeRegions().homeRegion(Region.US_WEST_2).build())
                .hasMessage("meridian.home-region 'us-west-2' is not one of the configured regions "
                        + "[eu-west-1, eu-central-1, us-east-1]");
    }

    @Test
    void duplicateAndUnknownRegionsAreRejected() {
        assertThatThrownBy(() -> TestTopology.threeRegions().region(Region.EU_WEST_1).build())
                .hasMessage("meridian.regions lists 'eu-west-1' more than once");
        assertThatThrownBy(() -> TestTopology.threeRegions().region(Region.of("eu-wset-1")).build())
                .hasMessage("meridian.regions 'eu-wset-1' is not a known AWS region");
        assertThatThrownBy(() -> MultiRegionConfig.builder().build())
                .hasMessage("meridian.regions must name at least one region");
    }

    @Test
    void weightsMustAddUpToOneHundredWhenAnyIsSet() {
        assertThatThrownBy(() -> MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST).weight(90))
                .region(RegionSpec.of(US_EAST).weight(5))
                .build())
                .hasMessage("RegionSpec weights (meridian.region.<region>.weight) must add up to 100 but add up to 95 (eu-west-1=90, us-east-1=5)");
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
                .hasMessageContaining("meridian.residency rule")
                .hasMessageContaining("names region 'ap-south-1' which is not one of the configured regions "
                        + "[eu-west-1, eu-central-1, us-east-1]");
        assertThatThrownBy(() -> TestTopology.threeRegions().residency(ResidencyPolicy.builder()
                .allow(DataClass.RESTRICTED, Jurisdiction.APAC, Jurisdiction.APAC).build()).build())
                .hasMessageContaining("names jurisdiction 'APAC' but no configured region is in it "
                        + "(configured [EU, US])");
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
                .hasMessage("meridian.region.eu-west-1.weight must be in 0..100 but was 101");
        assertThatThrownBy(() -> RegionSpec.of(EU_WEST).priority(-1))
                .hasMessage("meridian.region.eu-west-1.priority must be >= 0 but was -1");
        assertThatThrownBy(() -> TestTopology.threeRegions().maxRegionsPerCall(0))
                .hasMessage("meridian.max-regions-per-call must be >= 1 but was 0");
    }
}
