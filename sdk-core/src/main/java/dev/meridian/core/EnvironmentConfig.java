package dev.meridian.core;

import static dev.meridian.core.MeridianSettings.BREAKER_FAILURE_RATE_THRESHOLD;
import static dev.meridian.core.MeridianSettings.BREAKER_HALF_OPEN_CALLS;
import static dev.meridian.core.MeridianSettings.BREAKER_MINIMUM_CALLS;
import static dev.meridian.core.MeridianSettings.BREAKER_PER_RESOURCE;
import static dev.meridian.core.MeridianSettings.BREAKER_SLIDING_WINDOW_SIZE;
import static dev.meridian.core.MeridianSettings.BREAKER_SLOW_CALL_DURATION;
import static dev.meridian.core.MeridianSettings.BREAKER_SLOW_CALL_RATE_THRESHOLD;
import static dev.meridian.core.MeridianSettings.BREAKER_WAIT_IN_OPEN;
import static dev.meridian.core.MeridianSettings.DEFAULT_DATA_CLASS;
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
 * variable {@code MERIDIAN_A_B_C}; errors name whichever one supplied the value. The keys and defaults are those of
 * {@link MeridianSettings}; the list lives in docs/configuration.md.
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
            throw new IllegalArgumentException("MERIDIAN_REGIONS (meridian.regions) must name at least one region,"
                    + " e.g. eu-west-1,eu-central-1,us-east-1");
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
            b.maxRegionsPerCall(intValue(MAX_REGIONS_PER_CALL.key(), max, 1, 100));
        }
        String defaultDataClass = get(DEFAULT_DATA_CLASS.key());
        if (defaultDataClass != null) {
            try {
                b.defaultDataClass(DataClass.of(defaultDataClass));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name(DEFAULT_DATA_CLASS.key()) + " '" + defaultDataClass
                        + "' is not a data class name: " + e.getMessage(), e);
            }
        }
        String requireContext = get(REQUIRE_CONTEXT.key());
        if (requireContext != null) {
            b.requireContext(booleanValue(REQUIRE_CONTEXT.key(), requireContext));
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
            spec = spec.priority(intValue(REGION_PRIORITY.key(id), priority, 0, Integer.MAX_VALUE));
        }
        String weight = get(REGION_WEIGHT.key(id));
        if (weight != null) {
            spec = spec.weight(intValue(REGION_WEIGHT.key(id), weight, 0, 100));
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
                throw new IllegalArgumentException(name(REGION_ENDPOINT.key(id)) + " '" + endpoint
                        + "' is not an absolute URI (e.g. https://dynamodb.eu-west-1.amazonaws.com)", e);
            }
        }
        return spec;
    }

    private HedgingConfig hedging() {
        String delay = get(HEDGE_DELAY.key());
        String mode = get(HEDGE_MODE.key());
        if (delay == null) {
            if (mode != null && !mode.equalsIgnoreCase("off")) {
                throw new IllegalArgumentException(name(HEDGE_MODE.key()) + " '" + mode + "' needs "
                        + name(HEDGE_DELAY.key()));
            }
            return HedgingConfig.disabled();
        }
        Duration d = duration(HEDGE_DELAY.key(), delay);
        if (mode == null || mode.equalsIgnoreCase("fixed")) {
            return HedgingConfig.fixed(d);
        }
        if (mode.equalsIgnoreCase("adaptive")) {
            return HedgingConfig.adaptive(d);
        }
        if (mode.equalsIgnoreCase("off")) {
            return HedgingConfig.disabled();
        }
        throw new IllegalArgumentException(name(HEDGE_MODE.key()) + " '" + mode
                + "' is not one of [fixed, adaptive, off]");
    }

    private HealthConfig health() {
        HealthConfig.Builder h = HealthConfig.builder();
        String v;
        if ((v = get(BREAKER_FAILURE_RATE_THRESHOLD.key())) != null) {
            h.failureRateThreshold(floatValue(BREAKER_FAILURE_RATE_THRESHOLD.key(), v));
        }
        if ((v = get(BREAKER_SLIDING_WINDOW_SIZE.key())) != null) {
            h.slidingWindowSize(intValue(BREAKER_SLIDING_WINDOW_SIZE.key(), v, 1, Integer.MAX_VALUE));
        }
        if ((v = get(BREAKER_MINIMUM_CALLS.key())) != null) {
            h.minimumNumberOfCalls(intValue(BREAKER_MINIMUM_CALLS.key(), v, 1, Integer.MAX_VALUE));
        }
        if ((v = get(BREAKER_WAIT_IN_OPEN.key())) != null) {
            h.waitInOpenState(positive(BREAKER_WAIT_IN_OPEN.key(), v));
        }
        if ((v = get(BREAKER_HALF_OPEN_CALLS.key())) != null) {
            h.permittedCallsInHalfOpenState(intValue(BREAKER_HALF_OPEN_CALLS.key(), v, 1, Integer.MAX_VALUE));
        }
        if ((v = get(BREAKER_SLOW_CALL_RATE_THRESHOLD.key())) != null) {
            h.slowCallRateThreshold(floatValue(BREAKER_SLOW_CALL_RATE_THRESHOLD.key(), v));
        }
        if ((v = get(BREAKER_SLOW_CALL_DURATION.key())) != null) {
            h.slowCallDuration(positive(BREAKER_SLOW_CALL_DURATION.key(), v));
        }
        if ((v = get(BREAKER_PER_RESOURCE.key())) != null) {
            h.perResourceBreakers(booleanValue(BREAKER_PER_RESOURCE.key(), v));
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

    private Duration positive(String key, String value) {
        Duration d = duration(key, value);
        if (d.isZero()) {
            throw new IllegalArgumentException(name(key) + " must be positive but was '" + value + "'");
        }
        return d;
    }

    /** ISO-8601 ({@code PT0.05S}) or a number with unit {@code ms}, {@code s}, {@code m}, {@code h}. */
    private Duration duration(String key, String value) {
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
        try {
            Duration d = Duration.parse(v.toUpperCase(Locale.ROOT));
            if (d.isNegative()) {
                throw new IllegalArgumentException(name(key) + " must not be negative but was '" + value + "'");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name(key) + " '" + value
                    + "' is not a duration (use e.g. 50ms, 2s or ISO-8601 PT0.05S)", e);
        }
    }

    private int intValue(String key, String value, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name(key) + " '" + value + "' is not an integer", e);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name(key) + " must be in " + min + ".." + max + " but was " + n);
        }
        return n;
    }

    /** Only {@code true} or {@code false} (any case): a typo such as {@code ture} must not silently mean false. */
    private boolean booleanValue(String key, String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(name(key) + " '" + value + "' is not true or false");
    }

    private float floatValue(String key, String value) {
        float f;
        try {
            f = Float.parseFloat(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name(key) + " '" + value + "' is not a number", e);
        }
        if (!(f > 0f && f <= 100f)) {
            throw new IllegalArgumentException(name(key) + " must be in (0, 100] but was " + value);
        }
        return f;
    }
}
