package dev.meridian.spring;

import static dev.meridian.core.settings.Setting.REGION;
import static dev.meridian.core.settings.SettingTypes.bool;
import static dev.meridian.core.settings.SettingTypes.integer;
import static dev.meridian.core.settings.SettingTypes.oneOf;
import static dev.meridian.core.settings.SettingTypes.notNegativeDuration;
import static dev.meridian.core.settings.SettingTypes.positiveDuration;
import static dev.meridian.core.settings.SettingTypes.regionId;
import static dev.meridian.core.settings.SettingTypes.regionIds;
import static dev.meridian.core.settings.SettingTypes.text;

import dev.meridian.core.exception.InvalidSettingException;
import dev.meridian.core.settings.MeridianSettings;
import dev.meridian.core.settings.Setting;
import dev.meridian.dynamodb.client.DynamoDbSettings;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The registry of the starter's own {@code meridian.*} properties (those that configure its beans, not sdk-core's
 * or sdk-dynamodb's settings), declared as theirs are ({@link Setting}: key, type, default, rule, doc line). The
 * auto-configurations check the bound values through these declarations ({@link #check}), the field comments of
 * {@link MeridianProperties}, {@link ControlProperties} and {@link MeridianSessionProperties} are their doc lines, and
 * tests hold the IDE metadata and docs/configuration.md to {@link #all()} together with {@link MeridianSettings} and
 * {@link DynamoDbSettings}.
 */
final class StarterSettings {
    private static final Map<String, Setting<?>> ALL = new LinkedHashMap<>();
    private static final String HEADER_FIX = "name an HTTP header, e.g. X-Subject-Country";
    private static final String COUNTRY_FIX = "use an ISO-3166 alpha-2 code such as DE, or leave it unset";

    static final Setting<Boolean> ENABLED = add(bool("enabled", true)
            .doc("Whether the Meridian auto-configuration is on."));
    static final Setting<Boolean> CONTEXT_PROPAGATION_ENABLED = add(bool("context-propagation.enabled", true)
            .doc("Whether the RoutingContext follows thread hops with Micrometer Context Propagation (when"
                    + " io.micrometer:context-propagation is on the class path): Spring's task executors and @Async,"
                    + " Spring MVC's Callable and WebAsyncTask, and Reactor's automatic context propagation."));

    static final Setting<Boolean> DYNAMODB_WRAP_BEANS = add(bool("dynamodb.wrap-beans", true)
            .doc("Whether the application's DynamoDbClient / DynamoDbAsyncClient beans are made multi-region."));
    static final Setting<List<String>> DYNAMODB_EXCLUDE_BEANS = add(Setting.<List<String>>builder(
                    "dynamodb.exclude-beans", List.class, t -> List.of(t.split(",")))
            .derivedDefault("none")
            .doc("Names of DynamoDbClient / DynamoDbAsyncClient beans to leave single-region."));
    static final Setting<String> IDEMPOTENCY_TABLE = add(text("dynamodb.idempotency.table",
            "name a DynamoDB table of 3 to 255 characters")
            .doc("Name of the idempotency table (Powertools schema); setting it creates the DynamoDbIdempotencyStore."));
    static final Setting<List<String>> IDEMPOTENCY_REPLICA_REGIONS = add(
            regionIds("dynamodb.idempotency.replica-regions",
                    "list each region the idempotency table replicates to once, e.g. eu-west-1,eu-central-1")
            .derivedDefault("every configured region")
            .doc("The regions the idempotency table replicates to; keys are homed over them."));
    static final Setting<String> IDEMPOTENCY_MODE = add(oneOf("dynamodb.idempotency.mode",
            List.of("strict", "available"), "STRICT")
            .doc("STRICT (a key's home region only) or AVAILABLE (moves on when the home is down)."));
    static final Setting<Duration> IDEMPOTENCY_TTL = add(positiveDuration("dynamodb.idempotency.ttl")
            .defaultValue(Duration.ofHours(1), "1h")
            .doc("How long a completed record is kept."));

    static final Setting<String> LAG_PROBE_TABLE = add(text("dynamodb.replication-lag-probe.table",
            "name the heartbeat table: a global table in every region with a string partition key")
            .doc("Heartbeat table (a global table in every region, string partition key); setting it runs"
                    + " sdk-dynamodb's ReplicationLagProbe in each routed DynamoDbClient the starter builds, so reads"
                    + " under a session token may be served by a region known to have replicated the write."));
    static final Setting<String> LAG_PROBE_PARTITION_KEY = add(text("dynamodb.replication-lag-probe.partition-key",
            "name the heartbeat table's string partition key attribute")
            .defaultValue("pk", "pk")
            .doc("The heartbeat table's string partition key attribute."));
    static final Setting<Duration> LAG_PROBE_INTERVAL = add(positiveDuration("dynamodb.replication-lag-probe.interval")
            .rule(d -> d.compareTo(Duration.ofMillis(10)) >= 0, "must be at least 10 ms", "set at least 10ms, e.g. 1s")
            .defaultValue(Duration.ofSeconds(1), "1s")
            .doc("Time between two rounds of heartbeats (at least 10ms)."));

    static final Setting<Boolean> FLAGS_ENABLED = add(bool("flags.enabled", false)
            .doc("Whether to provide a Flags bean (sdk-dynamodb) reading the control table through the DynamoDbClient"
                    + " bean."));
    static final Setting<Duration> FLAGS_REFRESH_INTERVAL = add(positiveDuration("flags.refresh-interval")
            .rule(d -> d.compareTo(Duration.ofMillis(100)) >= 0, "must be at least 100ms", "set e.g. 1s")
            .defaultValue(Duration.ofSeconds(1), "1s")
            .doc("Time between two reads of the flags from the control table."));

    static final Setting<String> AURORA_DISCOVERY = add(oneOf("aurora.discovery", List.of("static", "postgres"),
            "static")
            .doc("How the writer is found: static (meridian.aurora.writer-region) or postgres (pg_is_in_recovery() on"
                    + " each endpoint)."));
    static final Setting<String> AURORA_WRITER_REGION = add(regionId("aurora.writer-region")
            .derivedDefault("required by static discovery")
            .doc("The region of the writer, for static discovery."));
    static final Setting<String> AURORA_WRITER_URL = add(text("aurora.region." + REGION + ".writer-url",
            "use the JDBC URL (jdbc:...) of the region's writer endpoint")
            .doc("JDBC URL of the region's writer (cluster) endpoint."));
    static final Setting<String> AURORA_READER_URL = add(text("aurora.region." + REGION + ".reader-url",
            "use the JDBC URL (jdbc:...) of the region's reader endpoint")
            .doc("JDBC URL of the region's reader endpoint."));
    static final Setting<Duration> AURORA_MAX_REPLICA_LAG = add(positiveDuration("aurora.max-replica-lag")
            .derivedDefault("unset (lag is not measured)")
            .doc("Skip readers lagging more than this; unset means lag is not measured. Also the bound of"
                    + " replicaLagExceeded in the health details and the meridian endpoint."));
    static final Setting<Duration> AURORA_READ_YOUR_WRITES_WINDOW = add(positiveDuration(
            "aurora.read-your-writes-window")
            .derivedDefault("unset (off)")
            .doc("After a commit on the writer, the same session reads from the writer for this long; unset means"
                    + " off."));
    static final Setting<Duration> AURORA_LAG_CHECK_INTERVAL = add(positiveDuration("aurora.lag-check-interval")
            .defaultValue(Duration.ofSeconds(1), "1s")
            .doc("How long a region's measured replica lag is reused."));
    static final Setting<Integer> AURORA_POOL_MAXIMUM_POOL_SIZE = add(integer("aurora.pool.maximum-pool-size", 1,
            Integer.MAX_VALUE)
            .derivedDefault("spring.datasource.hikari.maximum-pool-size, else HikariCP's 10")
            .doc("Maximum connections per endpoint pool; unset keeps spring.datasource.hikari.maximum-pool-size or"
                    + " HikariCP's 10."));
    static final Setting<Duration> AURORA_POOL_CONNECTION_TIMEOUT = add(positiveDuration(
            "aurora.pool.connection-timeout")
            .derivedDefault("spring.datasource.hikari.connection-timeout, else HikariCP's 30s")
            .doc("How long a connection request waits, which also bounds how long a refusing reader delays a read."));

    static final Setting<Boolean> WEB_ENABLED = add(bool("web.enabled", true)
            .doc("Whether the request filter (servlet filter or WebFlux WebFilter) opening a RoutingContext per"
                    + " request is registered."));
    static final Setting<String> WEB_SUBJECT_COUNTRY_HEADER = add(header("web.subject-country-header",
            "X-Subject-Country", "Header carrying the data subject's ISO-3166 alpha-2 country."));
    static final Setting<String> WEB_DATA_CLASS_HEADER = add(header("web.data-class-header", "X-Data-Class",
            "Header carrying the data class of the request (PUBLIC, INTERNAL, RESTRICTED or a custom class)."));
    static final Setting<String> WEB_CORRELATION_ID_HEADER = add(header("web.correlation-id-header",
            "X-Correlation-Id", "Header carrying the correlation id; generated when absent and echoed in the"
                    + " response."));
    static final Setting<String> WEB_IDEMPOTENCY_KEY_HEADER = add(header("web.idempotency-key-header",
            "Idempotency-Key", "Header carrying the IETF idempotency key."));
    static final Setting<String> WEB_REGION_HEADER = add(header("web.region-header", "X-Meridian-Region",
            "Header carrying the session's region (sticky sessions): tried first when residency and health"
                    + " allow."));
    static final Setting<String> WEB_SESSION_HEADER = add(header("web.session-header", "Meridian-Session",
            "Header carrying the caller's session token (read-your-writes across services): accepted on requests,"
                    + " returned on responses after a write, forwarded by RestClient and WebClient calls."));

    static final Setting<Duration> HEALTH_MAX_REPLICATION_LAG = add(positiveDuration("health.max-replication-lag")
            .derivedDefault("unset (lag is reported without a bound)")
            .doc("Replication lag above which a region is reported as lagging (replicationLagExceeded) in the health"
                    + " details and the meridian endpoint, when the application runs a DynamoDB replication-lag"
                    + " probe; unset reports lag without a bound. Aurora readers are held to"
                    + " meridian.aurora.max-replica-lag instead. Lag never changes the health status."));

    static final Setting<Boolean> SESSION_ENABLED = add(bool("session.enabled", false)
            .doc("Store Spring Session sessions in a DynamoDB global table through the routed client."));
    static final Setting<String> SESSION_TABLE_NAME = add(text("session.table-name", "name the sessions' global table")
            .defaultValue("meridian-sessions", "meridian-sessions")
            .doc("The sessions' global table (partition key id, string; TTL attribute expiresAt)."));
    static final Setting<String> SESSION_DATA_CLASS = add(text("session.data-class",
            "use PUBLIC, INTERNAL, RESTRICTED or a custom class name")
            .defaultValue("INTERNAL", "INTERNAL")
            .doc("The sessions' data class: decides the regions they may be stored in."));
    static final Setting<String> SESSION_SUBJECT_COUNTRY = add(text("session.subject-country", COUNTRY_FIX)
            .rule(StarterSettings::isCountryCode, "must be an ISO-3166 alpha-2 code", COUNTRY_FIX)
            .derivedDefault("the request's")
            .doc("The sessions' subject country (RESTRICTED keeps them in its jurisdiction); default the request's."));
    static final Setting<Duration> SESSION_READ_WAIT = add(notNegativeDuration("session.read-wait")
            .defaultValue(Duration.ofSeconds(2), "2s")
            .doc("How long a read outside the session's region waits for its last version before refusing."));
    static final Setting<Duration> SESSION_TIMEOUT = add(positiveDuration("session.timeout")
            .defaultValue(Duration.ofMinutes(30), "30m")
            .doc("A new session's idle timeout."));

    static final Setting<String> CONTROL_SOURCE = add(oneOf("control.source",
            List.of("none", "static", "table", "arc"), "none")
            .doc("The region control source: none, static, table or arc."));
    static final Setting<Duration> CONTROL_POLL_INTERVAL = add(positiveDuration("control.poll-interval")
            .defaultValue(Duration.ofSeconds(1), "1s")
            .doc("How often the source is read (each wait 80-100 % of it, jittered)."));
    static final Setting<String> CONTROL_STATIC_STATE = add(Setting.<String>builder("control.static-state",
                    String.class, t -> t)
            .defaultValue("", "")
            .doc("With source=static: comma-separated region=ON[:weight] or region=OFF, e.g. eu-west-1=OFF,eu-central-1=ON:100."));
    static final Setting<String> CONTROL_TABLE_NAME = add(text("control.table-name",
            "name the control table (3 to 255 characters)")
            .defaultValue("meridian-control", "meridian-control")
            .doc("The control table's name (source=table, or arc with mirror)."));
    static final Setting<List<String>> CONTROL_TABLE_REGIONS = add(Setting.<List<String>>builder(
                    "control.table-regions", List.class, t -> List.of(t.split(",")))
            .derivedDefault("the local region, then the others by priority")
            .doc("The regions the control table is read in, in order; empty: the local region, then the others by"
                    + " priority."));
    static final Setting<Boolean> CONTROL_MIRROR = add(bool("control.mirror", false)
            .doc("With source=arc: copy ARC's state into the control table (one lease holder per region) and read the"
                    + " table."));
    static final Setting<Duration> CONTROL_MIRROR_LEASE = add(positiveDuration("control.mirror-lease")
            .defaultValue(Duration.ofSeconds(10), "10s")
            .doc("How long a mirror that stops renewing keeps its region's lease."));
    static final Setting<URI> CONTROL_ARC_ENDPOINT = add(Setting.<URI>builder("control.arc.endpoints." + REGION,
                    URI.class, URI::create)
            .rule(u -> u.getScheme() != null && u.getHost() != null, "must be an absolute URI",
                    "use the cluster's regional endpoint, e.g. https://host-x.route53-recovery-cluster.us-east-1"
                            + ".amazonaws.com/v1")
            .doc("The cluster's regional endpoints by the region each signs for, e.g. us-east-1:"
                    + " https://host-x.route53-recovery-cluster.us-east-1.amazonaws.com/v1."));
    static final Setting<String> CONTROL_ARC_CONTROL = add(text("control.arc.controls." + REGION,
            "use the routing control's ARN")
            .doc("The routing control ARN of each Meridian region."));
    static final Setting<String> CONTROL_ARC_CONTROL_PANEL_ARN = add(text("control.arc.control-panel-arn",
            "use the control panel's ARN, or leave it unset to read each control")
            .doc("Reads every control with one ListRoutingControls of this control panel instead of one call per"
                    + " control."));
    static final Setting<Duration> CONTROL_ARC_TIMEOUT = add(positiveDuration("control.arc.timeout")
            .defaultValue(Duration.ofSeconds(1), "1s")
            .doc("The timeout of one endpoint's call; the next endpoint is the retry."));

    private StarterSettings() {
    }

    /** Every starter-only property, in documentation order. */
    static List<Setting<?>> all() {
        return List.copyOf(ALL.values());
    }

    /** The declaration of the starter-only property {@code meridian.<key>}, if any. */
    static Optional<Setting<?>> find(String key) {
        return Optional.ofNullable(ALL.get(key));
    }

    /**
     * {@code value} of {@code setting} as Spring bound it, checked by its declaration; a bad value is a
     * {@link MeridianConfigurationException} naming the property, with the doc line as what it takes.
     */
    static <T> T check(Setting<T> setting, @Nullable T value) {
        return check(setting, setting.propertyName(), value);
    }

    /** As {@link #check(Setting, Object)}, for the property {@code property} (a per-region or per-table one). */
    static <T> T check(Setting<T> declaration, String property, @Nullable T value) {
        try {
            return declaration.check(value, property);
        } catch (InvalidSettingException e) {
            throw new MeridianConfigurationException(property, Objects.requireNonNull(e.getMessage(), "message"),
                    e.fix() + " (expected " + declaration.doc() + ")", e);
        }
    }

    /**
     * The Spring property of a declared setting: {@code meridian.} + key, except sdk-dynamodb's table settings, which
     * the starter binds per table as {@code meridian.dynamodb.tables.<table>.*} ({@code meridian.dynamodb.tables}
     * is the map of tables, so the list {@link DynamoDbSettings#TABLES} has no Spring property: empty).
     */
    static Optional<String> springProperty(Setting<?> s) {
        if (s == DynamoDbSettings.TABLES) {
            return Optional.empty();
        }
        String dynamoDbTable = "dynamodb.table.";
        return Optional.of(MeridianSettings.propertyName(s.key().startsWith(dynamoDbTable)
                ? "dynamodb.tables." + s.key().substring(dynamoDbTable.length()) : s.key()));
    }

    /**
     * Two letters, as the request header's country must be: a name such as {@code Germany} would pass every session
     * on with no jurisdiction (refused when RESTRICTED) instead of failing start-up.
     */
    private static boolean isCountryCode(@Nullable String country) {
        String c = country == null ? "" : country.trim();
        return c.length() == 2 && Character.isLetter(c.charAt(0)) && Character.isLetter(c.charAt(1));
    }

    private static Setting<String> header(String key, String dflt, String doc) {
        return text(key, HEADER_FIX).defaultValue(dflt, dflt).doc(doc);
    }

    private static <T> Setting<T> add(Setting<T> setting) {
        ALL.put(setting.key(), setting);
        return setting;
    }
}
