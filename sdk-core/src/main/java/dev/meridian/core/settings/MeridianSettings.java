package dev.meridian.core.settings;

import static dev.meridian.core.settings.Setting.COUNTRY;
import static dev.meridian.core.settings.Setting.REGION;
import static dev.meridian.core.settings.SettingTypes.absoluteUri;
import static dev.meridian.core.settings.SettingTypes.bool;
import static dev.meridian.core.settings.SettingTypes.integer;
import static dev.meridian.core.settings.SettingTypes.notNegativeDuration;
import static dev.meridian.core.settings.SettingTypes.oneOf;
import static dev.meridian.core.settings.SettingTypes.percent;
import static dev.meridian.core.settings.SettingTypes.positiveDuration;
import static dev.meridian.core.settings.SettingTypes.regionId;
import static dev.meridian.core.settings.SettingTypes.regionList;
import static dev.meridian.core.settings.SettingTypes.text;
import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * The registry of sdk-core's settings: each {@link Setting} declared once, with its key, type, default, rule and doc
 * line. The declarations drive the validation of {@code MultiRegionConfig.Builder}, {@code HealthConfig.Builder} and
 * {@code RegionSpec}, what {@code MultiRegionConfig.fromEnvironment()} reads, the Spring Boot starter's
 * {@code meridian.*} binding, its IDE metadata and docs/configuration.md (tests hold the last two to this list).
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class MeridianSettings {
    private static final Map<String, Setting<?>> ALL = new LinkedHashMap<>();
    private static final List<String> ROUTINGS =
            List.of("local-first", "failover", "weighted", "geo", "latency", "home-by-key");
    private static final List<String> HEDGE_MODES = List.of("adaptive", "fixed", "off");

    /** The AWS regions Meridian routes over. */
    public static final Setting<List<String>> REGIONS = add(regionList("regions", "must name at least one region",
                    "list the AWS regions to use, e.g. eu-west-1,eu-central-1,us-east-1")
            .derivedDefault("required")
            .doc("Comma-separated AWS region ids, e.g. eu-west-1,eu-central-1,us-east-1 (required; known AWS regions,"
                    + " no duplicates)."));
    /** A region's jurisdiction. */
    public static final Setting<String> REGION_JURISDICTION = add(text("region." + REGION + ".jurisdiction",
            "use EU, US, APAC or another name")
            .derivedDefault("inferred from the country the region is in")
            .doc("Jurisdiction of the region (EU, US, APAC or any name); inferred from the country the region is in"
                    + " when unset."));
    /** A region's priority. */
    public static final Setting<Integer> REGION_PRIORITY = add(integer("region." + REGION + ".priority", 0,
            Integer.MAX_VALUE)
            .derivedDefault("its position in regions (0, 1, 2…)")
            .doc("Priority of the region, an integer >= 0, lower is preferred; defaults to its position in"
                    + " regions."));
    /** A region's weight for weighted routing. */
    public static final Setting<Integer> REGION_WEIGHT = add(integer("region." + REGION + ".weight", 0, 100)
            .derivedDefault("unset (equal chances)")
            .doc("Weight of the region for weighted routing, 0..100; when any region has a weight, all must add up to"
                    + " 100."));
    /** A region's endpoint override. */
    public static final Setting<URI> REGION_ENDPOINT = add(absoluteUri("region." + REGION + ".endpoint",
                    "use a URI with a scheme and a host, e.g. https://dynamodb.eu-west-1.amazonaws.com")
            .doc("Absolute endpoint URI handed to the region's client factory (RegionSpec.endpoint())."));
    /** The local region. */
    public static final Setting<String> LOCAL_REGION = add(regionId("local-region")
            .derivedDefault("AWS_REGION, else AWS_DEFAULT_REGION, else the home region")
            .doc("The local region, one of the configured regions; defaults to AWS_REGION, else AWS_DEFAULT_REGION,"
                    + " else the home region."));
    /** The home (primary) region. */
    public static final Setting<String> HOME_REGION = add(regionId("home-region")
            .derivedDefault("the highest-priority region")
            .doc("The home (primary) region, one of the configured regions; defaults to the highest-priority"
                    + " region."));
    /** The routing strategy. */
    public static final Setting<String> ROUTING = add(oneOf("routing", ROUTINGS, "local-first")
            .doc("Routing strategy: local-first, failover, weighted, geo, latency or home-by-key."));
    /** The cross-region attempt budget of one call. */
    public static final Setting<Integer> MAX_REGIONS_PER_CALL = add(integer("max-regions-per-call", 1, 100)
            .defaultValue(3, "3")
            .doc("Cross-region attempt budget per call, 1..100."));
    /** The first attempt's time budget on a region's new client. */
    public static final Setting<Duration> FIRST_ATTEMPT_TIMEOUT = add(positiveDuration("first-attempt-timeout")
            .defaultValue(Duration.ofSeconds(10), "10s")
            .doc("Time budget of the first attempt through a region's newly built client (client start-up: class"
                    + " loading, credentials, connection, TLS), used instead of shorter client timeouts and, for an async"
                    + " client, for its first connection (an acquire timeout is asked again within it); its time counts"
                    + " neither as slow nor in the region's latency (positive duration)."));
    /** The hedge delay (fixed mode) or its floor (adaptive mode). */
    public static final Setting<Duration> HEDGE_DELAY = add(notNegativeDuration("hedge.delay")
            .defaultValue(Duration.ofMillis(50), "50ms")
            .doc("Delay before a hedged read is sent to the next region (fixed mode), or its floor (adaptive mode):"
                    + " 50ms, 2s or ISO-8601. Reads are hedged by default; writes never are."));
    /** The hedging mode. */
    public static final Setting<String> HEDGE_MODE = add(oneOf("hedge.mode", HEDGE_MODES, "adaptive")
            .doc("Hedging mode: adaptive (after the operation's p99 latency in the first region, or the next"
                    + " region's when the first is over twice that; never sooner than the delay), fixed (after the"
                    + " delay) or off."));
    /** The hedge budget's long-run share of reads. */
    public static final Setting<Float> HEDGE_BUDGET_PERCENT = add(percent("hedge.budget-percent", 10f)
            .doc("Percent (0, 100] of reads that may be hedged in the long run (a token bucket)."));
    /** The hedge budget's burst. */
    public static final Setting<Integer> HEDGE_BUDGET_BURST = add(integer("hedge.budget-burst", 1, Integer.MAX_VALUE)
            .defaultValue(10, "10")
            .doc("Most hedges the hedge budget lets out at once, >= 1."));
    /** The breakers' failure-rate threshold. */
    public static final Setting<Float> BREAKER_FAILURE_RATE_THRESHOLD = add(percent(
            "breaker.failure-rate-threshold", 50f)
            .doc("Percent (0, 100] of regional failures that opens a region's circuit breaker."));
    /** The breakers' window. */
    public static final Setting<Integer> BREAKER_SLIDING_WINDOW_SIZE = add(integer("breaker.sliding-window-size", 1,
            Integer.MAX_VALUE)
            .defaultValue(20, "20")
            .doc("Calls in the circuit breaker's count-based window, >= 1."));
    /** The calls before a breaker's rate counts. */
    public static final Setting<Integer> BREAKER_MINIMUM_CALLS = add(integer("breaker.minimum-calls", 1,
            Integer.MAX_VALUE)
            .defaultValue(10, "10")
            .doc("Calls before the circuit breaker's failure rate is evaluated, >= 1."));
    /** How long a breaker stays open. */
    public static final Setting<Duration> BREAKER_WAIT_IN_OPEN = add(positiveDuration("breaker.wait-in-open")
            .defaultValue(Duration.ofSeconds(10), "10s")
            .doc("How long an open circuit breaker waits before letting trial calls through (positive duration)."));
    /** The trial calls of a half-open breaker. */
    public static final Setting<Integer> BREAKER_HALF_OPEN_CALLS = add(integer("breaker.half-open-calls", 1,
            Integer.MAX_VALUE)
            .defaultValue(3, "3")
            .doc("Trial calls in the circuit breaker's half-open state, >= 1."));
    /** The breakers' slow-call-rate threshold. */
    public static final Setting<Float> BREAKER_SLOW_CALL_RATE_THRESHOLD = add(percent(
            "breaker.slow-call-rate-threshold", 80f)
            .doc("Percent (0, 100] of slow calls that opens a region's circuit breaker."));
    /** What a slow call is. */
    public static final Setting<Duration> BREAKER_SLOW_CALL_DURATION = add(positiveDuration(
            "breaker.slow-call-duration")
            .defaultValue(Duration.ofSeconds(2), "2s")
            .doc("Duration above which a call counts as slow (positive duration)."));
    /** Breakers per region × resource. */
    public static final Setting<Boolean> BREAKER_PER_RESOURCE = add(bool("breaker.per-resource", false)
            .doc("true or false: calls naming a resource (a DynamoDB table) use a breaker per region x resource."));
    /** Fast ejection: stalled attempts in a row that open a region's breaker. */
    public static final Setting<Integer> BREAKER_EJECT_AFTER_STALLS = add(integer("breaker.eject-after-stalls", 0,
            Integer.MAX_VALUE)
            .defaultValue(5, "5")
            .doc("Attempts in a row that timed out, after which a region's breaker opens at once; as many hedge losers"
                    + " in a row left unanswered while the hedge answered make the region suspect (reads start in the"
                    + " next region until a detached trial answers within the hedge delay; trials left unanswered open"
                    + " the breaker), >= 0 (0: off)."));
    /** The data class of a call without a context. */
    public static final Setting<String> DEFAULT_DATA_CLASS = add(text("default-data-class", "must be a data class name",
                    "use PUBLIC, INTERNAL, RESTRICTED or a custom class name")
            .defaultValue("INTERNAL", "INTERNAL")
            .doc("Data class of a call made without a context (no RoutingContext open, or one declaring neither data"
                    + " class nor subject): PUBLIC, INTERNAL, RESTRICTED or a custom class; RESTRICTED fails closed."));
    /** Whether a call without a context is refused. */
    public static final Setting<Boolean> REQUIRE_CONTEXT = add(bool("require-context", false)
            .doc("true or false: refuse every call made without a context (no RoutingContext open, or one declaring"
                    + " neither data class nor subject)."));
    /** The jurisdiction of data subjects in a country. */
    public static final Setting<String> RESIDENCY_COUNTRY = add(text("residency.country." + COUNTRY,
            "use EU, US, APAC or another name")
            .derivedDefault("the built-in table")
            .doc("Jurisdiction of data subjects in the country the key names (ISO-3166 alpha-2 code), e.g. UK for"
                    + " GB; overrides the built-in country table."));

    private MeridianSettings() {
    }

    /** Every setting, in documentation order. */
    public static List<Setting<?>> all() {
        return List.copyOf(ALL.values());
    }

    /** The setting with this key (placeholders as in {@link Setting#key()}), if any. */
    public static Optional<Setting<?>> find(String key) {
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

    private static <T> Setting<T> add(Setting<T> setting) {
        ALL.put(setting.key(), setting);
        return setting;
    }
}
