package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * Cold start: the first {@code MultiRegionConfig} of a process (its builder and validation) spins no lambda class of
 * Meridian's and, built with the defaults, loads no class of the settings catalogue (before: five, and the
 * catalogue's static initializer declaring every setting), of the built-in routing strategies only the default one
 * (before: all four, and the class holding them), and not the built-in country table (before: built by the default
 * residency policy; now when a subject's country is first looked up). Each lambda is a hidden class generated at its first
 * call, and this path runs in every application's start-up; 35 were spun here before (22 by the settings catalogue's
 * static initializer). Checked with JFR's class-load events, in a class loader of its own so that nothing was linked
 * before.
 */
class ConfigColdStartTest {

    /** Runs inside the fresh class loader: what every application does first. */
    public static final class Probe implements Supplier<String> {
        @Override
        public String get() {
            return MultiRegionConfig.builder()
                    .region(RegionSpec.of(Region.EU_WEST_1))
                    .region(RegionSpec.of(Region.EU_CENTRAL_1))
                    .region(RegionSpec.of(Region.US_EAST_1))
                    .localRegion(Region.EU_WEST_1)
                    .build()
                    .regionsByPriority()
                    .toString();
        }
    }

    @Test
    void buildingTheFirstConfigSpinsNoLambdaClass() throws Exception {
        ColdClassLoads run = ColdClassLoads.of(Probe.class);
        String built = run.first();
        List<String> meridianLoaded = new ArrayList<>();
        List<String> lambdas = new ArrayList<>();
        for (String name : run.loaded()) {
            if (name.startsWith("dev.meridian.core.")) {
                meridianLoaded.add(name);
                if (name.contains("$$Lambda")) {
                    lambdas.add(name);
                }
            }
        }

        assertThat(built).isEqualTo("[eu-west-1, eu-central-1, us-east-1]");
        assertThat(meridianLoaded).as("the probe's classes were loaded afresh").contains(
                "dev.meridian.core.MultiRegionConfig", "dev.meridian.core.health.HealthConfig");
        assertThat(lambdas).as("lambda classes spun by the first config").isEmpty();
        assertThat(meridianLoaded).as("the settings catalogue, which a config built with its defaults does not read")
                .noneMatch(name -> name.startsWith("dev.meridian.core.settings."));
        assertThat(meridianLoaded).as("the built-in country table, read only for a subject's country")
                .doesNotContain("dev.meridian.core.residency.CountryJurisdictions");
        List<String> strategies = new ArrayList<>();
        for (String name : meridianLoaded) {
            if (name.startsWith("dev.meridian.core.routing.Strategies")) {
                strategies.add(name);
            }
        }
        assertThat(strategies).as("the built-in strategies loaded: the default one only (before: all four)")
                .containsExactlyInAnyOrder("dev.meridian.core.routing.Strategies$LocalFirst",
                        "dev.meridian.core.routing.Strategies$Named");
    }
}
