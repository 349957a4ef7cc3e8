package dev.meridian.core;

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
 * variable {@code MERIDIAN_A_B_C}; errors name whichever one supplied the value. The list lives in
 * docs/configuration.md.
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
        return "MERIDIAN_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    static String propName(String key) {
        return "meridian." + key;
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
        String regions = get("regions");
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
        String local = get("local-region");
        if (local != null) {
            b.localRegion(Region.of(local.toLowerCase(Locale.ROOT)));
        }
        String home = get("home-region");
        if (home != null) {
            b.homeRegion(Region.of(home.toLowerCase(Locale.ROOT)));
        }
        String routing = get("routing");
        if (routing != null) {
            try {
                b.routing(RoutingStrategy.named(routing));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replace("meridian.routing", name("routing")), e);
            }
        }
        String max = get("max-regions-per-call");
        if (max != null) {
            b.maxRegionsPerCall(intValue("max-regions-per-call", max, 1, 100));
        }
        String defaultDataClass = get("default-data-class");
        if (defaultDataClass != null) {
            try {
                b.defaultDataClass(DataClass.of(defaultDataClass));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name("default-data-class") + " '" + defaultDataClass
                        + "' is not a data class name: " + e.getMessage(), e);
            }
        }
        String requireContext = get("require-context");
        if (requireContext != null) {
            b.requireContext(booleanValue("require-context", requireContext));
        }
        b.hedging(hedging());
        b.health(health());
        b.residency(residency());
        return b.build();
    }

    private RegionSpec regionSpec(String id) {
        Region region = Region.of(id);
        String prefix = "region." + id + '.';
        RegionSpec spec = RegionSpec.of(region);
        String jurisdiction = get(prefix + "jurisdiction");
        if (jurisdiction != null) {
            spec = spec.jurisdiction(Jurisdiction.of(jurisdiction));
        }
        String priority = get(prefix + "priority");
        if (priority != null) {
            spec = spec.priority(intValue(prefix + "priority", priority, 0, Integer.MAX_VALUE));
        }
        String weight = get(prefix + "weight");
        if (weight != null) {
            spec = spec.weight(intValue(prefix + "weight", weight, 0, 100));
        }
        String endpoint = get(prefix + "endpoint");
        if (endpoint != null) {
            try {
                URI uri = URI.create(endpoint);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("no scheme or host");
                }
                spec = spec.endpoint(uri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name(prefix + "endpoint") + " '" + endpoint
                        + "' is not an absolute URI (e.g. https://dynamodb.eu-west-1.amazonaws.com)", e);
            }
        }
        return spec;
    }

    private HedgingConfig hedging() {
        String delay = get("hedge.delay");
        String mode = get("hedge.mode");
        if (delay == null) {
            if (mode != null && !mode.equalsIgnoreCase("off")) {
                throw new IllegalArgumentException(name("hedge.mode") + " '" + mode + "' needs "
                        + name("hedge.delay"));
            }
            return HedgingConfig.disabled();
        }
        Duration d = duration("hedge.delay", delay);
        if (mode == null || mode.equalsIgnoreCase("fixed")) {
            return HedgingConfig.fixed(d);
        }
        if (mode.equalsIgnoreCase("adaptive")) {
            return HedgingConfig.adaptive(d);
        }
        if (mode.equalsIgnoreCase("off")) {
            return HedgingConfig.disabled();
        }
        throw new IllegalArgumentException(name("hedge.mode") + " '" + mode + "' is not one of [fixed, adaptive, off]");
    }

    private HealthConfig health() {
        HealthConfig.Builder h = HealthConfig.builder();
        String v;
        if ((v = get("breaker.failure-rate-threshold")) != null) {
            h.failureRateThreshold(floatValue("breaker.failure-rate-threshold", v));
        }
        if ((v = get("breaker.sliding-window-size")) != null) {
            h.slidingWindowSize(intValue("breaker.sliding-window-size", v, 1, Integer.MAX_VALUE));
        }
        if ((v = get("breaker.minimum-calls")) != null) {
            h.minimumNumberOfCalls(intValue("breaker.minimum-calls", v, 1, Integer.MAX_VALUE));
        }
        if ((v = get("breaker.wait-in-open")) != null) {
            h.waitInOpenState(positive("breaker.wait-in-open", v));
        }
        if ((v = get("breaker.half-open-calls")) != null) {
            h.permittedCallsInHalfOpenState(intValue("breaker.half-open-calls", v, 1, Integer.MAX_VALUE));
        }
        if ((v = get("breaker.slow-call-rate-threshold")) != null) {
            h.slowCallRateThreshold(floatValue("breaker.slow-call-rate-threshold", v));
        }
        if ((v = get("breaker.slow-call-duration")) != null) {
            h.slowCallDuration(positive("breaker.slow-call-duration", v));
        }
        if ((v = get("breaker.per-resource")) != null) {
            h.perResourceBreakers(booleanValue("breaker.per-resource", v));
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
