package dev.meridian.core.residency;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.regions.Region;

class JurisdictionTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "eu-west-1, EU", "eu-west-3, EU", "eu-central-1, EU", "eu-north-1, EU", "eu-south-1, EU", "eu-south-2, EU",
        "eu-west-2, GB", "eu-central-2, CH",
        "us-east-1, US", "us-gov-west-1, US", "ap-southeast-2, APAC", "ca-central-1, CA", "sa-east-1, BR",
        "il-central-1, IL", "mx-central-1, MX", "af-south-1, ZA", "me-central-1, ME-CENTRAL-1", "eu-future-9, EU-FUTURE-9"
    })
    void regionsBelongToTheJurisdictionOfTheCountryTheyAreIn(String region, String jurisdiction) {
        assertThat(Jurisdiction.inferredFor(Region.of(region))).isEqualTo(Jurisdiction.of(jurisdiction));
    }

    @Test
    void builtInNamesResolveToTheBuiltInInstancesAndOthersKeepTheirUpperCaseName() {
        assertThat(Jurisdiction.of(" eu ")).isSameAs(Jurisdiction.EU);
        assertThat(Jurisdiction.of("us")).isSameAs(Jurisdiction.US);
        assertThat(Jurisdiction.of("Apac")).isSameAs(Jurisdiction.APAC);
        assertThat(Jurisdiction.of("gb").name()).isEqualTo("GB");
        assertThat(Jurisdiction.of("gb")).isEqualTo(Jurisdiction.of("GB")).isNotEqualTo(Jurisdiction.EU)
                .isNotEqualTo("GB");
    }
}
