package dev.meridian.core.residency;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.TestTopology;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class ResidencyPolicyTest {
    private final MultiRegionConfig config = TestTopology.threeRegions().build();
    private final ResidencyPolicy defaults = ResidencyPolicy.defaults();

    @Test
    void publicAndInternalDataMayUseEveryConfiguredRegion() {
        assertThat(defaults.allowedRegions(DataClass.PUBLIC, Optional.of(Jurisdiction.EU), config.jurisdictions()))
                .containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
        assertThat(defaults.allowedRegions(DataClass.INTERNAL, Optional.empty(), config.jurisdictions()))
                .containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
    }

    @Test
    void restrictedDataStaysInTheSubjectsJurisdiction() {
        assertThat(defaults.allowedRegions(DataClass.RESTRICTED, Optional.of(Jurisdiction.EU), config.jurisdictions()))
                .containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(defaults.allowedRegions(DataClass.RESTRICTED, Optional.of(Jurisdiction.US), config.jurisdictions()))
                .containsExactly(US_EAST);
    }

    @Test
    void restrictedDataOfAnUnknownSubjectIsRefused() {
        assertThat(defaults.allowedRegions(DataClass.RESTRICTED, Optional.empty(), config.jurisdictions())).isEmpty();
        assertThat(defaults.allowedRegions(DataClass.RESTRICTED, Optional.of(Jurisdiction.APAC), config.jurisdictions()))
                .isEmpty();
    }

    @Test
    void customDataClassesAreRestrictedUnlessDeclaredUnrestricted() {
        DataClass health = DataClass.of("health");
        assertThat(defaults.allowedRegions(health, Optional.of(Jurisdiction.EU), config.jurisdictions()))
                .containsExactly(EU_WEST, EU_CENTRAL);
        ResidencyPolicy p = ResidencyPolicy.builder().unrestricted(DataClass.of("TELEMETRY")).build();
        assertThat(p.allowedRegions(DataClass.of("telemetry"), Optional.empty(), config.jurisdictions())).hasSize(3);
    }

    @Test
    void explicitRulesReplaceTheDefaultForTheirPair() {
        ResidencyPolicy p = ResidencyPolicy.builder()
                .allow(DataClass.RESTRICTED, Jurisdiction.of("CH"), Jurisdiction.EU)
                .allowRegions(DataClass.INTERNAL, Jurisdiction.EU, EU_CENTRAL)
                .build();
        assertThat(p.allowedRegions(DataClass.RESTRICTED, Optional.of(Jurisdiction.of("CH")), config.jurisdictions()))
                .containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(p.allowedRegions(DataClass.INTERNAL, Optional.of(Jurisdiction.EU), config.jurisdictions()))
                .containsExactly(EU_CENTRAL);
        assertThat(p.allowedRegions(DataClass.INTERNAL, Optional.of(Jurisdiction.US), config.jurisdictions())).hasSize(3);
    }

    @Test
    void subjectJurisdictionComesFromTheCountryUnlessGivenExplicitly() {
        assertThat(defaults.subjectJurisdiction(Optional.empty(), Optional.of("DE"))).contains(Jurisdiction.EU);
        assertThat(defaults.subjectJurisdiction(Optional.of(Jurisdiction.US), Optional.of("DE")))
                .contains(Jurisdiction.US);
        ResidencyPolicy p = ResidencyPolicy.builder().country("GB", Jurisdiction.of("UK")).build();
        assertThat(p.subjectJurisdiction(Optional.empty(), Optional.of("GB"))).contains(Jurisdiction.of("UK"));
    }

    @Test
    void rulesNamingNoOrANullRegionAreRejectedNamingTheRule() {
        assertThatThrownBy(() -> ResidencyPolicy.builder().allow(DataClass.RESTRICTED, Jurisdiction.EU))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ResidencyPolicy rule allow(RESTRICTED, EU) must name at least one region jurisdiction,"
                        + " was none; name the region jurisdictions the rule allows, e.g. Jurisdiction.EU");
        assertThatThrownBy(() -> ResidencyPolicy.builder()
                .allow(DataClass.RESTRICTED, Jurisdiction.EU, Jurisdiction.EU, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("region jurisdiction 1 of ResidencyPolicy rule allow(RESTRICTED, EU) is"
                        + " required, was null; ");
        assertThatThrownBy(() -> ResidencyPolicy.builder()
                .allowRegions(DataClass.INTERNAL, Jurisdiction.US, (Region) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("region 0 of ResidencyPolicy rule allowRegions(INTERNAL, US) is required, was null;"
                        + " name the regions the rule allows, e.g. Region.EU_WEST_1");
    }

    @Test
    void theRulesKeepWhatTheyAllowAndForWhom() {
        ResidencyPolicy p = ResidencyPolicy.builder()
                .allow(DataClass.RESTRICTED, Jurisdiction.of("CH"), Jurisdiction.EU)
                .allowRegions(DataClass.of("PII"), Jurisdiction.US, US_EAST)
                .build();
        assertThat(p.rules()).extracting(ResidencyPolicy.Rule::dataClass)
                .containsExactly(DataClass.RESTRICTED, DataClass.of("PII"));
        assertThat(p.rules()).extracting(ResidencyPolicy.Rule::subject)
                .containsExactly(Jurisdiction.of("CH"), Jurisdiction.US);
        assertThat(p.rules().get(0).regionJurisdictions()).containsExactly(Jurisdiction.EU);
        assertThat(p.rules().get(1).regions()).containsExactly(US_EAST);
    }

    @Test
    void anEmptyCountryTableLeavesEverySubjectCountryUnknownSoRestrictedDataIsRefused() {
        ResidencyPolicy p = ResidencyPolicy.builder().countries(CountryJurisdictions.empty()).build();
        assertThat(p.countries().countries()).isEmpty();
        Optional<Jurisdiction> subject = p.subjectJurisdiction(Optional.empty(), Optional.of("DE"));
        assertThat(subject).isEmpty();
        assertThat(p.allowedRegions(DataClass.RESTRICTED, subject, config.jurisdictions())).isEmpty();
    }
}
