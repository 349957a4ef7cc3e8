package dev.meridian.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** Great-circle distances the geo strategy orders by, and what it does not know. */
class GeoTableTest {

    @Test
    void distancesAreGreatCircleKilometres() {
        // Frankfurt to northern Virginia, the middle of the US to northern Virginia, Sydney to Frankfurt.
        assertThat(GeoTable.distanceKm("de", Region.US_EAST_1)).hasValueSatisfying(
                km -> assertThat(km).isCloseTo(6555.5, within(1.0)));
        assertThat(GeoTable.distanceKm("US", Region.US_EAST_1)).hasValueSatisfying(
                km -> assertThat(km).isCloseTo(1519.6, within(1.0)));
        assertThat(GeoTable.distanceKm("AU", Region.EU_CENTRAL_1)).hasValueSatisfying(
                km -> assertThat(km).isCloseTo(16483.7, within(1.0)));
        assertThat(GeoTable.distanceKm("DE", Region.EU_CENTRAL_1)).hasValueSatisfying(
                km -> assertThat(km).isCloseTo(0.0, within(0.001)));
    }

    @Test
    void anUnknownCountryOrRegionHasNoDistance() {
        assertThat(GeoTable.knowsCountry("de")).isTrue();
        assertThat(GeoTable.knowsCountry("ZZ")).isFalse();
        assertThat(GeoTable.knowsCountry(null)).isFalse();
        assertThat(GeoTable.knowsRegion(Region.EU_CENTRAL_1)).isTrue();
        assertThat(GeoTable.knowsRegion(Region.of("xx-nowhere-1"))).isFalse();
        assertThat(GeoTable.distanceKm("ZZ", Region.EU_CENTRAL_1)).isEmpty();
        assertThat(GeoTable.distanceKm(null, Region.EU_CENTRAL_1)).isEmpty();
        assertThat(GeoTable.distanceKm("DE", Region.of("xx-nowhere-1"))).isEmpty();
    }
}
