package dev.meridian.core.residency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CountryJurisdictionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
            "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"})
    void everyEuAndEeaCountryMapsToEu(String country) {
        assertThat(CountryJurisdictions.defaults().jurisdictionOf(country)).contains(Jurisdiction.EU);
        assertThat(CountryJurisdictions.defaults().jurisdictionOf(country.toLowerCase())).contains(Jurisdiction.EU);
    }

    @Test
    void builtInTableHasExactlyThirtyEuEeaCountries() {
        assertThat(CountryJurisdictions.EU_EEA_COUNTRIES).hasSize(30);
        assertThat(CountryJurisdictions.defaults().countries().stream()
                .filter(c -> CountryJurisdictions.defaults().jurisdictionOf(c).orElseThrow() == Jurisdiction.EU))
                .hasSize(30);
    }

    @Test
    void usAndApacCountriesMapToTheirJurisdictions() {
        CountryJurisdictions t = CountryJurisdictions.defaults();
        assertThat(t.jurisdictionOf("US")).contains(Jurisdiction.US);
        assertThat(t.jurisdictionOf("PR")).contains(Jurisdiction.US);
        assertThat(t.jurisdictionOf("JP")).contains(Jurisdiction.APAC);
        assertThat(t.jurisdictionOf("SG")).contains(Jurisdiction.APAC);
        assertThat(t.jurisdictionOf("AU")).contains(Jurisdiction.APAC);
    }

    @Test
    void countriesOutsideTheTableAreUnknownUntilMapped() {
        assertThat(CountryJurisdictions.defaults().jurisdictionOf("GB")).isEmpty();
        assertThat(CountryJurisdictions.defaults().jurisdictionOf("CH")).isEmpty();
        assertThat(CountryJurisdictions.defaults().jurisdictionOf(null)).isEmpty();
        CountryJurisdictions custom = CountryJurisdictions.defaults().with("gb", Jurisdiction.of("UK"))
                .with("IN", Jurisdiction.of("IN"));
        assertThat(custom.jurisdictionOf("GB")).contains(Jurisdiction.of("uk"));
        assertThat(custom.jurisdictionOf("IN")).contains(Jurisdiction.of("IN"));
        assertThat(CountryJurisdictions.defaults().jurisdictionOf("IN")).contains(Jurisdiction.APAC);
    }

    @Test
    void overrideRejectsCodesThatAreNotAlpha2() {
        assertThatThrownBy(() -> CountryJurisdictions.defaults().with("DEU", Jurisdiction.EU))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'DEU'");
    }
}
