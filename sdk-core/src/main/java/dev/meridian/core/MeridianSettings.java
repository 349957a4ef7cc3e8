package dev.meridian.core;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * The catalog of every setting {@link MultiRegionConfig#fromEnvironment()} reads: its key, its default and what it
 * means. One source of truth for the names and defaults that {@code fromEnvironment()}, the Spring Boot starter's
 * {@code meridian.*} properties and docs/configuration.md share (tests keep the three in step).
 *
 * <p>A key such as {@code breaker.wait-in-open} is the system property / Spring property {@code meridian.} + key and
 * the environment variable {@code MERIDIAN_} + the key upper-cased with {@code .} and {@code -} as {@code _}
 * ({@code MERIDIAN_BREAKER_WAIT_IN_OPEN}). Per-region keys hold the placeholder {@value #REGION} (the region id, e.g.
 * {@code region.eu-west-1.weight}); per-country keys hold {@value #COUNTRY} (an ISO-3166 alpha-2 code).
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class MeridianSettings {
    /** Placeholder of a region id in per-region keys. */
    public static final String REGION = "<region>";
    /** Placeholder of a country code in per-country keys. */
    public static final String COUNTRY = "<cc>";

    private static final Map<String, Setting> ALL = new LinkedHashMap<>();

    public static final Setting REGIONS = add("regions", null,
            "Comma-separated AWS region ids, e.g. eu-west-1,eu-central-1,us-east-1 (required; known AWS regions,"
                    + " no duplicates).");
    public static final Setting REGION_JURISDICTION = add("region." + REGION + ".jurisdiction", null,
            "Jurisdiction of the region (EU, US, APAC or any name); inferred from the country the region is in when"
                    + " unset.");
    public static final Setting REGION_PRIORITY = add("region." + REGION + ".priority", null,
            "Priority of the region, an integer >= 0, lower is preferred; defaults to its position in regions.");
    public static final Setting REGION_WEIGHT = add("region." + REGION + ".weight", null,
            "Weight of the region for weighted routing, 0..100; when any region has a weight, all must add up to"
                    + " 100.");
    public static final Setting REGION_ENDPOINT = add("region." + REGION + ".endpoint", null,
            "Absolute endpoint URI handed to the region's client factory (RegionSpec.endpoint()).");
    public static final Setting LOCAL_REGION = add("local-region", null,
            "The local region, one of the configured regions; defaults to AWS_REGION, else AWS_DEFAULT_REGION, else"
                    + " the home region.");
    public static final Setting HOME_REGION = add("home-region", null,
            "The home (primary) region, one of the configured regions; defaults to the highest-priority region.");
    public static final Setting ROUTING = add("routing", "local-first",
            "Routing strategy: local-first, failover, weighted, geo, latency or home-by-key.");
    public static final Setting MAX_REGIONS_PER_CALL = add("max-regions-per-call",
            String.valueOf(MultiRegionConfig.DEFAULT_MAX_REGIONS_PER_CALL),
            "Cross-region attempt budget per call, 1..100.");
    public static final Setting FIRST_ATTEMPT_TIMEOUT = add("first-attempt-timeout",
            MultiRegionConfig.DEFAULT_FIRST_ATTEMPT_TIMEOUT.toSeconds() + "s",
            "Time budget of the first attempt through a region's newly built client (client start-up: class loading,"
                    + " credentials, connection, TLS), used instead of shorter client timeouts; its time counts"
                    + " neither as slow nor in the region's latency (positive duration).");
    public static final Setting HEDGE_DELAY = add("hedge.delay", "50ms",
            "Delay before a hedged read is sent to the next region (fixed mode), or its floor (adaptive mode):"
                    + " 50ms, 2s or ISO-8601. Reads are hedged by default; writes never are.");
    public static final Setting HEDGE_MODE = add("hedge.mode", "adaptive",
            "Hedging mode: adaptive (after the first region's latency at the quantile 1 - budget share, never"
                    + " sooner than the delay), fixed (after the delay) or off.");
    public static final Setting HEDGE_BUDGET_PERCENT = add("hedge.budget-percent", "10",
            "Percent (0, 100] of reads that may be hedged in the long run (a token bucket); the adaptive delay"
                    + " targets the same share.");
    public static final Setting HEDGE_BUDGET_BURST = add("hedge.budget-burst", "10",
            "Most hedges the hedge budget lets out at once, >= 1.");
    public static final Setting BREAKER_FAILURE_RATE_THRESHOLD = add("breaker.failure-rate-threshold", "50",
            "Percent (0, 100] of regional failures that opens a region's circuit breaker.");
    public static final Setting BREAKER_SLIDING_WINDOW_SIZE = add("breaker.sliding-window-size", "20",
            "Calls in the circuit breaker's count-based window, >= 1.");
    public static final Setting BREAKER_MINIMUM_CALLS = add("breaker.minimum-calls", "10",
            "Calls before the circuit breaker's failure rate is evaluated, >= 1.");
    public static final Setting BREAKER_WAIT_IN_OPEN = add("breaker.wait-in-open", "10s",
            "How long an open circuit breaker waits before letting trial calls through (positive duration).");
    public static final Setting BREAKER_HALF_OPEN_CALLS = add("breaker.half-open-calls", "3",
            "Trial calls in the circuit breaker's half-open state, >= 1.");
    public static final Setting BREAKER_SLOW_CALL_RATE_THRESHOLD = add("breaker.slow-call-rate-threshold", "80",
            "Percent (0, 100] of slow calls that opens a region's circuit breaker.");
    public static final Setting BREAKER_SLOW_CALL_DURATION = add("breaker.slow-call-duration", "2s",
            "Duration above which a call counts as slow (positive duration).");
    public static final Setting BREAKER_PER_RESOURCE = add("breaker.per-resource", "false",
            "true or false: calls naming a resource (a DynamoDB table) use a breaker per region x resource.");
    public static final Setting BREAKER_EJECT_AFTER_STALLS = add("breaker.eject-after-stalls", "5",
            "Attempts in a row that timed out or stayed unanswered while a hedge to another region answered, after"
                    + " which a region's breaker opens at once, >= 0 (0: off).");
    public static final Setting DEFAULT_DATA_CLASS = add("default-data-class", "INTERNAL",
            "Data class of a call made while no RoutingContext is open: PUBLIC, INTERNAL, RESTRICTED or a custom"
                    + " class; RESTRICTED fails closed.");
    public static final Setting REQUIRE_CONTEXT = add("require-context", "false",
            "true or false: refuse every call made while no RoutingContext is open.");
    public static final Setting RESIDENCY_COUNTRY = add("residency.country." + COUNTRY, null,
            "Jurisdiction of data subjects in the ISO-3166 alpha-2 country <cc>, e.g. UK for GB; overrides the"
                    + " built-in country table.");

    private MeridianSettings() {
    }

    private static Setting add(String key, String defaultValue, String description) {
        Setting s = new Setting(key, defaultValue, description);
        ALL.put(key, s);
        return s;
    }

    /** Every setting, in documentation order. */
    public static List<Setting> all() {
        return List.copyOf(ALL.values());
    }

    /** The setting with this key (placeholders as in {@link Setting#key()}), if any. */
    public static Optional<Setting> find(String key) {
        return Optional.ofNullable(ALL.get(key));
    }

    /** {@code meridian.} + key: the system property and Spring property name. */
    public static String propertyName(String key) {
        return "meridian." + Objects.requireNonNull(key, "key");
    }

    /** {@code MERIDIAN_} + the key upper-cased, {@code .} and {@code -} as {@code _}: the environment variable. */
    public static String variableName(String key) {
        return "MERIDIAN_" + Objects.requireNonNull(key, "key").toUpperCase(Locale.ROOT).replace('.', '_')
                .replace('-', '_');
    }

    /** One setting of the catalog; immutable. */
    public static final class Setting {
        private final String key;
        private final String defaultValue;
        private final String description;

        private Setting(String key, String defaultValue, String description) {
            this.key = key;
            this.defaultValue = defaultValue;
            this.description = description;
        }

        /** The key below {@code meridian.}, e.g. {@code breaker.wait-in-open} or {@code region.<region>.weight}. */
        public String key() {
            return key;
        }

        /** The key with the placeholder filled in, e.g. {@code region.eu-west-1.weight}. */
        public String key(String regionOrCountry) {
            Objects.requireNonNull(regionOrCountry, "regionOrCountry");
            return key.replace(REGION, regionOrCountry).replace(COUNTRY, regionOrCountry);
        }

        /** {@code meridian.} + {@link #key()}. */
        public String propertyName() {
            return MeridianSettings.propertyName(key);
        }

        /** The environment variable, placeholders upper-cased ({@code MERIDIAN_REGION_<REGION>_WEIGHT}). */
        public String variableName() {
            return MeridianSettings.variableName(key);
        }

        /**
         * The default as it would be written in a property, empty when the setting has none or its default is
         * derived from other settings (see {@link #description()}).
         */
        public Optional<String> defaultValue() {
            return Optional.ofNullable(defaultValue);
        }

        /** What the setting means and which values it takes. */
        public String description() {
            return description;
        }

        /** Whether the key holds a region or country placeholder. */
        public boolean isTemplate() {
            return key.contains(REGION) || key.contains(COUNTRY);
        }

        @Override
        public String toString() {
            return propertyName();
        }
    }
}
