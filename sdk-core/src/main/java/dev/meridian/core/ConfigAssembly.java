package dev.meridian.core;

import static dev.meridian.core.settings.MeridianSettings.BREAKER_FAILURE_RATE_THRESHOLD;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_HALF_OPEN_CALLS;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_MINIMUM_CALLS;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_EJECT_AFTER_STALLS;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_PER_RESOURCE;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_SLIDING_WINDOW_SIZE;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_SLOW_CALL_DURATION;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_SLOW_CALL_RATE_THRESHOLD;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_WAIT_IN_OPEN;
import static dev.meridian.core.settings.MeridianSettings.DEFAULT_DATA_CLASS;
import static dev.meridian.core.settings.MeridianSettings.FIRST_ATTEMPT_TIMEOUT;
import static dev.meridian.core.settings.MeridianSettings.HEDGE_BUDGET_BURST;
import static dev.meridian.core.settings.MeridianSettings.HEDGE_BUDGET_PERCENT;
import static dev.meridian.core.settings.MeridianSettings.HEDGE_DELAY;
import static dev.meridian.core.settings.MeridianSettings.HEDGE_MODE;
import static dev.meridian.core.settings.MeridianSettings.HOME_REGION;
import static dev.meridian.core.settings.MeridianSettings.LOCAL_REGION;
import static dev.meridian.core.settings.MeridianSettings.MAX_REGIONS_PER_CALL;
import static dev.meridian.core.settings.MeridianSettings.REGIONS;
import static dev.meridian.core.settings.MeridianSettings.REGION_ENDPOINT;
import static dev.meridian.core.settings.MeridianSettings.REGION_JURISDICTION;
import static dev.meridian.core.settings.MeridianSettings.REGION_PRIORITY;
import static dev.meridian.core.settings.MeridianSettings.REGION_WEIGHT;
import static dev.meridian.core.settings.MeridianSettings.REQUIRE_CONTEXT;
import static dev.meridian.core.settings.MeridianSettings.RESIDENCY_COUNTRY;
import static dev.meridian.core.settings.MeridianSettings.ROUTING;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.residency.ResidencyPolicy;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.settings.SettingValues;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;

/**
 * Builds a {@link MultiRegionConfig} from checked {@link SettingValues}: the one place that maps the declared settings
 * onto the builders, whichever source (environment, Spring) supplied them. Rules between settings (the local region is
 * configured, weights add up to 100, a hedge mode needs a delay) name the settings as the source does.
 */
final class ConfigAssembly {
    private ConfigAssembly() {
    }

    static MultiRegionConfig build(SettingValues v, Function<String, String> env) {
        List<String> regions = v.get(REGIONS).orElseThrow(() -> SettingRules.invalid(v.name(REGIONS.key()),
                "must name at least one region", "unset",
                "list the AWS regions to use, e.g. eu-west-1,eu-central-1,us-east-1"));
        MultiRegionConfig.Builder b = MultiRegionConfig.builder().settingNames(v::name).environment(env);
        for (String id : regions) {
            b.region(regionSpec(v, id.trim().toLowerCase(Locale.ROOT)));
        }
        v.get(LOCAL_REGION).ifPresent(r -> b.localRegion(r.trim().toLowerCase(Locale.ROOT)));
        v.get(HOME_REGION).ifPresent(r -> b.homeRegion(r.trim().toLowerCase(Locale.ROOT)));
        v.get(ROUTING).ifPresent(r -> b.routing(RoutingStrategy.named(r)));
        v.get(MAX_REGIONS_PER_CALL).ifPresent(b::maxRegionsPerCall);
        v.get(FIRST_ATTEMPT_TIMEOUT).ifPresent(b::firstAttemptTimeout);
        v.get(DEFAULT_DATA_CLASS).ifPresent(d -> b.defaultDataClass(DataClass.of(d)));
        v.get(REQUIRE_CONTEXT).ifPresent(b::requireContext);
        b.hedging(hedging(v));
        b.health(health(v));
        b.residency(residency(v));
        return b.build();
    }

    private static RegionSpec regionSpec(SettingValues v, String id) {
        RegionSpec spec = RegionSpec.of(Region.of(id));
        Optional<String> jurisdiction = v.get(REGION_JURISDICTION, id);
        if (jurisdiction.isPresent()) {
            spec = spec.jurisdiction(Jurisdiction.of(jurisdiction.get()));
        }
        Optional<Integer> priority = v.get(REGION_PRIORITY, id);
        if (priority.isPresent()) {
            spec = spec.priority(priority.get());
        }
        Optional<Integer> weight = v.get(REGION_WEIGHT, id);
        if (weight.isPresent()) {
            spec = spec.weight(weight.get());
        }
        return v.get(REGION_ENDPOINT, id).map(spec::endpoint).orElse(spec);
    }

    private static HedgingConfig hedging(SettingValues v) {
        String mode = v.get(HEDGE_MODE).map(m -> m.trim().toLowerCase(Locale.ROOT)).orElse("adaptive");
        if (mode.equals("off")) {
            return HedgingConfig.disabled();
        }
        Duration delay = v.get(HEDGE_DELAY).orElse(HedgingConfig.DEFAULT_FLOOR);
        HedgingConfig h = mode.equals("fixed") ? HedgingConfig.fixed(delay) : HedgingConfig.adaptive(delay);
        Optional<Float> percent = v.get(HEDGE_BUDGET_PERCENT);
        Optional<Integer> burst = v.get(HEDGE_BUDGET_BURST);
        if (percent.isPresent() || burst.isPresent()) {
            h = h.withBudget(percent.map(pc -> pc / 100.0).orElse(h.budgetShare()), burst.orElse(h.budgetBurst()));
        }
        return h;
    }

    private static HealthConfig health(SettingValues v) {
        HealthConfig.Builder h = HealthConfig.builder();
        v.get(BREAKER_FAILURE_RATE_THRESHOLD).ifPresent(h::failureRateThreshold);
        v.get(BREAKER_SLIDING_WINDOW_SIZE).ifPresent(h::slidingWindowSize);
        v.get(BREAKER_MINIMUM_CALLS).ifPresent(h::minimumNumberOfCalls);
        v.get(BREAKER_WAIT_IN_OPEN).ifPresent(h::waitInOpenState);
        v.get(BREAKER_HALF_OPEN_CALLS).ifPresent(h::permittedCallsInHalfOpenState);
        v.get(BREAKER_SLOW_CALL_RATE_THRESHOLD).ifPresent(h::slowCallRateThreshold);
        v.get(BREAKER_SLOW_CALL_DURATION).ifPresent(h::slowCallDuration);
        v.get(BREAKER_PER_RESOURCE).ifPresent(h::perResourceBreakers);
        v.get(BREAKER_EJECT_AFTER_STALLS).ifPresent(h::ejectAfterStalls);
        return h.build();
    }

    private static ResidencyPolicy residency(SettingValues v) {
        ResidencyPolicy.Builder r = ResidencyPolicy.builder();
        for (String cc : v.filled(RESIDENCY_COUNTRY)) {
            r.country(cc, Jurisdiction.of(v.get(RESIDENCY_COUNTRY, cc).orElseThrow()));
        }
        return r.build();
    }
}
