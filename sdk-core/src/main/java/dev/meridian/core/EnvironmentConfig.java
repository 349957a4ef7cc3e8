package dev.meridian.core;

import static dev.meridian.core.MeridianSettings.BREAKER_EJECT_AFTER_STALLS;
import static dev.meridian.core.MeridianSettings.BREAKER_FAILURE_RATE_THRESHOLD;
import static dev.meridian.core.MeridianSettings.BREAKER_HALF_OPEN_CALLS;
import static dev.meridian.core.MeridianSettings.BREAKER_MINIMUM_CALLS;
import static dev.meridian.core.MeridianSettings.BREAKER_PER_RESOURCE;
import static dev.meridian.core.MeridianSettings.BREAKER_SLIDING_WINDOW_SIZE;
import static dev.meridian.core.MeridianSettings.BREAKER_SLOW_CALL_DURATION;
import static dev.meridian.core.MeridianSettings.BREAKER_SLOW_CALL_RATE_THRESHOLD;
import static dev.meridian.core.MeridianSettings.BREAKER_WAIT_IN_OPEN;
import static dev.meridian.core.MeridianSettings.DEFAULT_DATA_CLASS;
import static dev.meridian.core.MeridianSettings.FIRST_ATTEMPT_TIMEOUT;
import static dev.meridian.core.MeridianSettings.HEDGE_BUDGET_BURST;
import static dev.meridian.core.MeridianSettings.HEDGE_BUDGET_PERCENT;
import static dev.meridian.core.MeridianSettings.HEDGE_DELAY;
import static dev.meridian.core.MeridianSettings.HEDGE_MODE;
import static dev.meridian.core.MeridianSettings.HOME_REGION;
import static dev.meridian.core.MeridianSettings.LOCAL_REGION;
import static dev.meridian.core.MeridianSettings.MAX_REGIONS_PER_CALL;
import static dev.meridian.core.MeridianSettings.REGIONS;
import static dev.meridian.core.MeridianSettings.REGION_ENDPOINT;
import static dev.meridian.core.MeridianSettings.REGION_JURISDICTION;
import static dev.meridian.core.MeridianSettings.REGION_PRIORITY;
import static dev.meridian.core.MeridianSettings.REGION_WEIGHT;
import static dev.meridian.core.MeridianSettings.REQUIRE_CONTEXT;
import static dev.meridian.core.MeridianSettings.ROUTING;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.internal.Settings;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.residency.ResidencyPolicy;
import dev.meridian.core.routing.RoutingStrategy;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * Reads {@link MultiRegionConfig} from {@code MERIDIAN_*} environment variables and {@code meridian.*} system
 * properties (a property wins over a variable). Each setting has a property key {@code meridian.a.b-c} and a
 * variable {@code MERIDIAN_A_B_C}; errors ({@link Settings}' shape) name whichever one supplied the value. The keys and
 * defaults are those of {@link MeridianSettings}; the list lives in docs/configuration.md.
 */
final class EnvironmentConfig {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern COUNTRY_ENV = Pattern.compile("MERIDIAN_RESIDENCY_COUNTRY_([A-Z]{2})");
    private static final Pattern COUNTRY_PROP = Pattern.compile("meridian\\.residency\\.country\\.([a-zA-Z]{2})");

    private final Map<String, String> env;
    private final Properties props;
    /** Setting key → the name (property or variable) its value came from. */
    private final Map<String, String> sources = new HashMap<>();

    private EnvironmentConfig(Map<String, String> env, Properties props) {
        this.env = Objects.requireNonNull(env, "env");
        this.props = Objects.requireNonNull(props, "props");
    }

    static MultiRegionConfig load(Map<String, String> env, Properties props) {
        return new EnvironmentConfig(env, props).load();
    }

    static String envName(String key) {
        return MeridianSettings.variableName(key);
    }

    static String propName(String key) {
        return MeridianSettings.propertyName(key);
    }

    private String get(String key) {
        String p = props.getProperty(propName(key));
        if (p != null && !p.isBlank()) {
            sources.put(key, propName(key));
            return p.trim();
        }
        String e = env.get(envName(key));
        if (e != null && !e.isBlank()) {
            sources.put(key, envName(key));
            return e.trim();
        }
        return null;
    }

    private String name(String key) {
        String s = sources.get(key);
        if (s != null) {
            return s;
        }
        if (key.equals("weights")) {
            return "MERIDIAN_REGION_<REGION>_WEIGHT (meridian.region.<region>.weight)";
        }
        return envName(key) + " (" + propName(key) + ")";
    }

    private MultiRegionConfig load() {
        String regions = get(REGIONS.key());
        if (regions == null) {
            throw Settings.invalid(name(REGIONS.key()), "must name at least one region", "unset",
                    "list the AWS regions to use, e.g. eu-west-1,eu-central-1,us-east-1");
        }
        MultiRegionConfig.Builder b = MultiRegionConfig.builder().settingNames(this::name).environment(env::get);
        for (String raw : regions.split(",")) {
            String id = raw.trim().toLowerCase(Locale.ROOT);
            if (id.isEmpty()) {
                continue;
            }
            b.region(regionSpec(id));
        }
        String local = get(LOCAL_REGION.key());
        if (local != null) {
            b.localRegion(Region.of(local.toLowerCase(Locale.ROOT)));
        }
        String home = get(HOME_REGION.key());
        if (home != null) {
            b.homeRegion(Region.of(home.toLowerCase(Locale.ROOT)));
        }
        String routing = get(ROUTING.key());
        if (routing != null) {
            try {
                b.routing(RoutingStrategy.named(routing));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        e.getMessage().replace(ROUTING.propertyName(), name(ROUTING.key())), e);
            }
        }
        String max = get(MAX_REGIONS_PER_CALL.key());
        if (max != null) {
            b.maxRegionsPerCall(intValue(MAX_REGIONS_PER_CALL, MAX_REGIONS_PER_CALL.key(), max, 1, 100));
        }
        String firstAttempt = get(FIRST_ATTEMPT_TIMEOUT.key());
        if (firstAttempt != null) {
            b.firstAttemptTimeout(positive(FIRST_ATTEMPT_TIMEOUT, firstAttempt));
        }
        String defaultDataClass = get(DEFAULT_DATA_CLASS.key());
        if (defaultDataClass != null) {
            try {
                b.defaultDataClass(DataClass.of(defaultDataClass));
            } catch (IllegalArgumentException e) {
                throw Settings.invalid(name(DEFAULT_DATA_CLASS.key()), "must be a data class name",
                        Settings.quoted(defaultDataClass), "use PUBLIC, INTERNAL, RESTRICTED or a custom class name"
                                + orDefault(DEFAULT_DATA_CLASS), e);
            }
        }
        String requireContext = get(REQUIRE_CONTEXT.key());
        if (requireContext != null) {
            b.requireContext(booleanValue(REQUIRE_CONTEXT, REQUIRE_CONTEXT.key(), requireContext));
        }
        b.hedging(hedging());
        b.health(health());
        b.residency(residency());
        return b.build();
    }

    private RegionSpec regionSpec(String id) {
        Region region = Region.of(id);
        RegionSpec spec = RegionSpec.of(region);
        String jurisdiction = get(REGION_JURISDICTION.key(id));
        if (jurisdiction != null) {
            spec = spec.jurisdiction(Jurisdiction.of(jurisdiction));
        }
        String priority = get(REGION_PRIORITY.key(id));
        if (priority != null) {
            spec = spec.priority(intValue(REGION_PRIORITY, REGION_PRIORITY.key(id), priority, 0, Integer.MAX_VALUE));
        }
        String weight = get(REGION_WEIGHT.key(id));
        if (weight != null) {
            spec = spec.weight(intValue(REGION_WEIGHT, REGION_WEIGHT.key(id), weight, 0, 100));
        }
        String endpoint = get(REGION_ENDPOINT.key(id));
        if (endpoint != null) {
            try {
                URI uri = URI.create(endpoint);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("no scheme or host");
                }
                spec = spec.endpoint(uri);
            } catch (IllegalArgumentException e) {
                throw Settings.invalid(name(REGION_ENDPOINT.key(id)), "must be an absolute URI",
                        Settings.quoted(endpoint), "use a URI with a scheme and a host, e.g."
                                + " https://dynamodb." + id + ".amazonaws.com", e);
            }
        }
        return spec;
    }

    private HedgingConfig hedging() {
        String delay = get(HEDGE_DELAY.key());
        String mode = get(HEDGE_MODE.key());
        String m = mode == null ? "adaptive" : mode.trim().toLowerCase(Locale.ROOT);
        if (m.equals("off")) {
            return HedgingConfig.disabled();
        }
        Duration d = delay == null ? HedgingConfig.DEFAULT_FLOOR : duration(HEDGE_DELAY, HEDGE_DELAY.key(), delay);
        HedgingConfig h;
        if (m.equals("adaptive")) {
            h = HedgingConfig.adaptive(d);
        } else if (m.equals("fixed")) {
            h = HedgingConfig.fixed(d);
        } else {
            throw Settings.invalid(name(HEDGE_MODE.key()), "must be one of [adaptive, fixed, off]",
                    Settings.quoted(mode), "use one of them" + orDefault(HEDGE_MODE));
        }
        String share = get(HEDGE_BUDGET_PERCENT.key());
        String burst = get(HEDGE_BUDGET_BURST.key());
        if (share != null || burst != null) {
            h = h.withBudget(share == null ? h.budgetShare() : percent(HEDGE_BUDGET_PERCENT, share) / 100.0,
                    burst == null ? h.budgetBurst() : count(HEDGE_BUDGET_BURST, burst));
        }
        return h;
    }

    private HealthConfig health() {
        HealthConfig.Builder h = HealthConfig.builder();
        String v;
        if ((v = get(BREAKER_FAILURE_RATE_THRESHOLD.key())) != null) {
            h.failureRateThreshold(percent(BREAKER_FAILURE_RATE_THRESHOLD, v));
        }
        if ((v = get(BREAKER_SLIDING_WINDOW_SIZE.key())) != null) {
            h.slidingWindowSize(count(BREAKER_SLIDING_WINDOW_SIZE, v));
        }
        if ((v = get(BREAKER_MINIMUM_CALLS.key())) != null) {
            h.minimumNumberOfCalls(count(BREAKER_MINIMUM_CALLS, v));
        }
        if ((v = get(BREAKER_WAIT_IN_OPEN.key())) != null) {
            h.waitInOpenState(positive(BREAKER_WAIT_IN_OPEN, v));
        }
        if ((v = get(BREAKER_HALF_OPEN_CALLS.key())) != null) {
            h.permittedCallsInHalfOpenState(count(BREAKER_HALF_OPEN_CALLS, v));
        }
        if ((v = get(BREAKER_SLOW_CALL_RATE_THRESHOLD.key())) != null) {
            h.slowCallRateThreshold(percent(BREAKER_SLOW_CALL_RATE_THRESHOLD, v));
        }
        if ((v = get(BREAKER_SLOW_CALL_DURATION.key())) != null) {
            h.slowCallDuration(positive(BREAKER_SLOW_CALL_DURATION, v));
        }
        if ((v = get(BREAKER_PER_RESOURCE.key())) != null) {
            h.perResourceBreakers(booleanValue(BREAKER_PER_RESOURCE, BREAKER_PER_RESOURCE.key(), v));
        }
        if ((v = get(BREAKER_EJECT_AFTER_STALLS.key())) != null) {
            h.ejectAfterStalls(intValue(BREAKER_EJECT_AFTER_STALLS, BREAKER_EJECT_AFTER_STALLS.key(), v, 0,
                    Integer.MAX_VALUE));
        }
        return h.build();
    }

    private ResidencyPolicy residency() {
        ResidencyPolicy.Builder r = ResidencyPolicy.builder();
        for (Map.Entry<String, String> e : env.entrySet()) {
            Matcher m = COUNTRY_ENV.matcher(e.getKey());
            if (m.matches() && e.getValue() != null && !e.getValue().isBlank()) {
                r.country(m.group(1), Jurisdiction.of(e.getValue()));
            }
        }
        for (String key : props.stringPropertyNames()) {
            Matcher m = COUNTRY_PROP.matcher(key);
            String value = props.getProperty(key);
            if (m.matches() && value != null && !value.isBlank()) {
                r.country(m.group(1), Jurisdiction.of(value));
            }
        }
        return r.build();
    }

    /** {@code ", or remove it to use the default x"} when the setting has a default, else nothing. */
    private static String orDefault(MeridianSettings.Setting setting) {
        return setting.defaultValue().map(d -> ", or remove it to use the default " + d).orElse("");
    }

    private Duration positive(MeridianSettings.Setting setting, String value) {
        Duration d = duration(setting, setting.key(), value);
        Settings.check(!d.isZero(), name(setting.key()), "must be positive", Settings.quoted(value),
                "use a duration such as 2s" + orDefault(setting));
        return d;
    }

    /** ISO-8601 ({@code PT0.05S}) or a number with unit {@code ms}, {@code s}, {@code m}, {@code h}. */
    private Duration duration(MeridianSettings.Setting setting, String key, String value) {
        String v = value.trim();
        Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms": return Duration.ofMillis(n);
                case "s": return Duration.ofSeconds(n);
                case "m": return Duration.ofMinutes(n);
                default: return Duration.ofHours(n);
            }
        }
        String fix = "use e.g. 50ms, 2s or ISO-8601 PT0.05S" + orDefault(setting);
        Duration d;
        try {
            d = Duration.parse(v.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw Settings.invalid(name(key), "must be a duration", Settings.quoted(value), fix, e);
        }
        Settings.check(!d.isNegative(), name(key), "must not be negative", Settings.quoted(value), fix);
        return d;
    }

    /** A count of calls: an integer of at least 1. */
    private int count(MeridianSettings.Setting setting, String value) {
        return intValue(setting, setting.key(), value, 1, Integer.MAX_VALUE);
    }

    private int intValue(MeridianSettings.Setting setting, String key, String value, int min, int max) {
        String range = max == Integer.MAX_VALUE ? ">= " + min : "in " + min + ".." + max;
        String rule = "must be an integer " + range;
        String fix = "use a whole number " + range + orDefault(setting);
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw Settings.invalid(name(key), rule, Settings.quoted(value), fix, e);
        }
        Settings.check(n >= min && n <= max, name(key), rule, n, fix);
        return n;
    }

    /** Only {@code true} or {@code false} (any case): a typo such as {@code ture} must not silently mean false. */
    private boolean booleanValue(MeridianSettings.Setting setting, String key, String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw Settings.invalid(name(key), "must be true or false", Settings.quoted(value),
                "use true or false" + orDefault(setting));
    }

    private float percent(MeridianSettings.Setting setting, String value) {
        String rule = "must be a percentage in (0, 100]";
        String fix = "use a number such as 50" + orDefault(setting);
        float f;
        try {
            f = Float.parseFloat(value.trim());
        } catch (NumberFormatException e) {
            throw Settings.invalid(name(setting.key()), rule, Settings.quoted(value), fix, e);
        }
        Settings.check(f > 0f && f <= 100f, name(setting.key()), rule, Settings.quoted(value), fix);
        return f;
    }
}
