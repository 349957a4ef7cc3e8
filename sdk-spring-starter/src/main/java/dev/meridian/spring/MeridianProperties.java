package dev.meridian.spring;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.settings.MeridianSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code meridian.*} properties. The topology, routing, breaker, hedging and residency properties are sdk-core's
 * settings, declared in {@link MeridianSettings} (key, type, default, rule, doc line): Spring binds them typed, and the
 * starter applies the bound values through those declarations ({@code MultiRegionConfig.fromSettings}), so they
 * take the same defaults, rules and messages as {@code MultiRegionConfig.fromEnvironment()}; their doc comments here
 * are the declarations' doc lines (a test holds them together). Unset values mean the core's default, which is why
 * the core settings have no initialisers here. {@code meridian.dynamodb.tables.<table>.*} are sdk-dynamodb's table
 * settings ({@code DynamoDbSettings}); the other {@code meridian.dynamodb.*}, {@code meridian.aurora.*},
 * {@code meridian.web.*}, {@code meridian.health.*}, {@code meridian.flags.*}, {@code meridian.control.*} and
 * {@code meridian.context-propagation.*} configure the starter's beans and are declared in the starter's own
 * registry the same way (checked through it when the beans are built).
 */
@API(status = STABLE, since = "0.1")
@ConfigurationProperties("meridian")
public class MeridianProperties {
    /** Whether the Meridian auto-configuration is on. */
    private boolean enabled = true;
    @NestedConfigurationProperty
    private final ControlProperties control = new ControlProperties();
    /** Comma-separated AWS region ids, e.g. eu-west-1,eu-central-1,us-east-1 (required; known AWS regions, no duplicates). */
    private List<String> regions = new ArrayList<>();
    /**
     * Per region, by region id: jurisdiction (EU, US, APAC or any name; inferred when unset), priority (>= 0, lower
     * is preferred; default: position in regions), weight (0..100, all must add up to 100 when any is set) and
     * endpoint (absolute URI for the region's clients), e.g. meridian.region.eu-west-1.weight=90.
     */
    private Map<String, RegionProperties> region = new LinkedHashMap<>();
    /** The local region, one of the configured regions; defaults to AWS_REGION, else AWS_DEFAULT_REGION, else the home region. */
    private @Nullable String localRegion;
    /** The home (primary) region, one of the configured regions; defaults to the highest-priority region. */
    private @Nullable String homeRegion;
    /** Routing strategy: local-first, failover, weighted, geo, latency or home-by-key. */
    private @Nullable String routing;
    /** Cross-region attempt budget per call, 1..100. */
    private @Nullable Integer maxRegionsPerCall;
    /**
     * Time budget of the first attempt through a region's newly built client (client start-up: class loading,
     * credentials, connection, TLS), used instead of shorter client timeouts and, for an async client, for its first
     * connection (an acquire timeout is asked again within it); its time counts neither as slow nor in the region's
     * latency (positive duration).
     */
    private @Nullable Duration firstAttemptTimeout;
    /**
     * Data class of a call made without a context (no RoutingContext open, or one declaring neither data class nor
     * subject): PUBLIC, INTERNAL, RESTRICTED or a custom class; RESTRICTED fails closed.
     */
    private @Nullable String defaultDataClass;
    /**
     * true or false: refuse every call made without a context (no RoutingContext open, or one declaring neither data
     * class nor subject).
     */
    private @Nullable Boolean requireContext;
    private final Hedge hedge = new Hedge();
    private final Breaker breaker = new Breaker();
    private final Residency residency = new Residency();
    private final DynamoDb dynamodb = new DynamoDb();
    private final FeatureFlags flags = new FeatureFlags();
    private final Aurora aurora = new Aurora();
    private final Web web = new Web();
    private final Health health = new Health();
    private final ContextPropagation contextPropagation = new ContextPropagation();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public List<String> getRegions() {
        return regions;
    }

    public void setRegions(List<String> regions) {
        this.regions = regions;
    }

    /** {@code meridian.control.*}: the fleet's region controls (source, poll interval, table, ARC, mirror). */
    public ControlProperties getControl() {
        return control;
    }

    public Map<String, RegionProperties> getRegion() {
        return region;
    }

    public void setRegion(Map<String, RegionProperties> region) {
        this.region = region;
    }

    public @Nullable String getLocalRegion() {
        return localRegion;
    }

    public void setLocalRegion(@Nullable String localRegion) {
        this.localRegion = localRegion;
    }

    public @Nullable String getHomeRegion() {
        return homeRegion;
    }

    public void setHomeRegion(@Nullable String homeRegion) {
        this.homeRegion = homeRegion;
    }

    public @Nullable String getRouting() {
        return routing;
    }

    public void setRouting(@Nullable String routing) {
        this.routing = routing;
    }

    public @Nullable Integer getMaxRegionsPerCall() {
        return maxRegionsPerCall;
    }

    public void setMaxRegionsPerCall(@Nullable Integer maxRegionsPerCall) {
        this.maxRegionsPerCall = maxRegionsPerCall;
    }

    public @Nullable Duration getFirstAttemptTimeout() {
        return firstAttemptTimeout;
    }

    public void setFirstAttemptTimeout(@Nullable Duration firstAttemptTimeout) {
        this.firstAttemptTimeout = firstAttemptTimeout;
    }

    public @Nullable String getDefaultDataClass() {
        return defaultDataClass;
    }

    public void setDefaultDataClass(@Nullable String defaultDataClass) {
        this.defaultDataClass = defaultDataClass;
    }

    public @Nullable Boolean getRequireContext() {
        return requireContext;
    }

    public void setRequireContext(@Nullable Boolean requireContext) {
        this.requireContext = requireContext;
    }

    public Hedge getHedge() {
        return hedge;
    }

    public Breaker getBreaker() {
        return breaker;
    }

    public Residency getResidency() {
        return residency;
    }

    public DynamoDb getDynamodb() {
        return dynamodb;
    }

    public Aurora getAurora() {
        return aurora;
    }

    public FeatureFlags getFlags() {
        return flags;
    }

    public Web getWeb() {
        return web;
    }

    public Health getHealth() {
        return health;
    }

    public ContextPropagation getContextPropagation() {
        return contextPropagation;
    }

    /** One region of the topology ({@code meridian.region.<region>.*}). */
    public static class RegionProperties {
        /** Jurisdiction of the region (EU, US, APAC or any name); inferred from the country the region is in when unset. */
        private @Nullable String jurisdiction;
        /** Priority of the region, an integer >= 0, lower is preferred; defaults to its position in regions. */
        private @Nullable Integer priority;
        /** Weight of the region for weighted routing, 0..100; when any region has a weight, all must add up to 100. */
        private @Nullable Integer weight;
        /** Absolute endpoint URI handed to the region's client factory (RegionSpec.endpoint()). */
        private @Nullable URI endpoint;

        public @Nullable String getJurisdiction() {
            return jurisdiction;
        }

        public void setJurisdiction(@Nullable String jurisdiction) {
            this.jurisdiction = jurisdiction;
        }

        public @Nullable Integer getPriority() {
            return priority;
        }

        public void setPriority(@Nullable Integer priority) {
            this.priority = priority;
        }

        public @Nullable Integer getWeight() {
            return weight;
        }

        public void setWeight(@Nullable Integer weight) {
            this.weight = weight;
        }

        public @Nullable URI getEndpoint() {
            return endpoint;
        }

        public void setEndpoint(@Nullable URI endpoint) {
            this.endpoint = endpoint;
        }
    }

    /** Hedged reads ({@code meridian.hedge.*}). */
    public static class Hedge {
        /**
         * Delay before a hedged read is sent to the next region (fixed mode), or its floor (adaptive mode): 50ms, 2s
         * or ISO-8601. Reads are hedged by default; writes never are.
         */
        private @Nullable Duration delay;
        /** Hedging mode: adaptive (after the operation's p99 latency in the first region, or the next region's when the first is over twice that; never sooner than the delay), fixed (after the delay) or off. */
        private @Nullable String mode;
        /** Percent (0, 100] of reads that may be hedged in the long run (a token bucket). */
        private @Nullable Float budgetPercent;
        /** Most hedges the hedge budget lets out at once, >= 1. */
        private @Nullable Integer budgetBurst;

        public @Nullable Float getBudgetPercent() {
            return budgetPercent;
        }

        public void setBudgetPercent(@Nullable Float budgetPercent) {
            this.budgetPercent = budgetPercent;
        }

        public @Nullable Integer getBudgetBurst() {
            return budgetBurst;
        }

        public void setBudgetBurst(@Nullable Integer budgetBurst) {
            this.budgetBurst = budgetBurst;
        }

        public @Nullable Duration getDelay() {
            return delay;
        }

        public void setDelay(@Nullable Duration delay) {
            this.delay = delay;
        }

        public @Nullable String getMode() {
            return mode;
        }

        public void setMode(@Nullable String mode) {
            this.mode = mode;
        }
    }

    /** The per-region circuit breakers ({@code meridian.breaker.*}). */
    public static class Breaker {
        /** Percent (0, 100] of regional failures that opens a region's circuit breaker. */
        private @Nullable Float failureRateThreshold;
        /** Calls in the circuit breaker's count-based window, >= 1. */
        private @Nullable Integer slidingWindowSize;
        /** Calls before the circuit breaker's failure rate is evaluated, >= 1. */
        private @Nullable Integer minimumCalls;
        /** How long an open circuit breaker waits before letting trial calls through (positive duration). */
        private @Nullable Duration waitInOpen;
        /** Trial calls in the circuit breaker's half-open state, >= 1. */
        private @Nullable Integer halfOpenCalls;
        /** Percent (0, 100] of slow calls that opens a region's circuit breaker. */
        private @Nullable Float slowCallRateThreshold;
        /** Duration above which a call counts as slow (positive duration). */
        private @Nullable Duration slowCallDuration;
        /** true or false: calls naming a resource (a DynamoDB table) use a breaker per region x resource. */
        private @Nullable Boolean perResource;
        /** Attempts in a row that timed out, after which a region's breaker opens at once; as many hedge losers in a row left unanswered while the hedge answered make the region suspect (reads start in the next region until a detached trial answers within the hedge delay; trials left unanswered open the breaker), >= 0 (0: off). */
        private @Nullable Integer ejectAfterStalls;

        public @Nullable Integer getEjectAfterStalls() {
            return ejectAfterStalls;
        }

        public void setEjectAfterStalls(@Nullable Integer ejectAfterStalls) {
            this.ejectAfterStalls = ejectAfterStalls;
        }

        public @Nullable Float getFailureRateThreshold() {
            return failureRateThreshold;
        }

        public void setFailureRateThreshold(@Nullable Float failureRateThreshold) {
            this.failureRateThreshold = failureRateThreshold;
        }

        public @Nullable Integer getSlidingWindowSize() {
            return slidingWindowSize;
        }

        public void setSlidingWindowSize(@Nullable Integer slidingWindowSize) {
            this.slidingWindowSize = slidingWindowSize;
        }

        public @Nullable Integer getMinimumCalls() {
            return minimumCalls;
        }

        public void setMinimumCalls(@Nullable Integer minimumCalls) {
            this.minimumCalls = minimumCalls;
        }

        public @Nullable Duration getWaitInOpen() {
            return waitInOpen;
        }

        public void setWaitInOpen(@Nullable Duration waitInOpen) {
            this.waitInOpen = waitInOpen;
        }

        public @Nullable Integer getHalfOpenCalls() {
            return halfOpenCalls;
        }

        public void setHalfOpenCalls(@Nullable Integer halfOpenCalls) {
            this.halfOpenCalls = halfOpenCalls;
        }

        public @Nullable Float getSlowCallRateThreshold() {
            return slowCallRateThreshold;
        }

        public void setSlowCallRateThreshold(@Nullable Float slowCallRateThreshold) {
            this.slowCallRateThreshold = slowCallRateThreshold;
        }

        public @Nullable Duration getSlowCallDuration() {
            return slowCallDuration;
        }

        public void setSlowCallDuration(@Nullable Duration slowCallDuration) {
            this.slowCallDuration = slowCallDuration;
        }

        public @Nullable Boolean getPerResource() {
            return perResource;
        }

        public void setPerResource(@Nullable Boolean perResource) {
            this.perResource = perResource;
        }
    }

    /** Residency overrides ({@code meridian.residency.*}). */
    public static class Residency {
        /** Jurisdiction of data subjects by ISO-3166 alpha-2 country, e.g. meridian.residency.country.GB=UK; overrides the built-in table. */
        private Map<String, String> country = new LinkedHashMap<>();

        public Map<String, String> getCountry() {
            return country;
        }

        public void setCountry(Map<String, String> country) {
            this.country = country;
        }
    }

    /** The DynamoDB clients ({@code meridian.dynamodb.*}). */
    public static class DynamoDb {
        /** Whether the application's DynamoDbClient / DynamoDbAsyncClient beans are made multi-region. */
        private boolean wrapBeans = true;
        /** Names of DynamoDbClient / DynamoDbAsyncClient beans to leave single-region. */
        private List<String> excludeBeans = new ArrayList<>();
        /**
         * Per table, by table name: partition-key, write-mode, replica-regions, default-data-class, version-attribute,
         * consistent-reads-at-home (sdk-dynamodb's table settings, docs/configuration.md).
         */
        private Map<String, Table> tables = new LinkedHashMap<>();
        private final IdempotencyStore idempotency = new IdempotencyStore();
        private final LagProbe replicationLagProbe = new LagProbe();

        public boolean isWrapBeans() {
            return wrapBeans;
        }

        public void setWrapBeans(boolean wrapBeans) {
            this.wrapBeans = wrapBeans;
        }

        public List<String> getExcludeBeans() {
            return excludeBeans;
        }

        public void setExcludeBeans(List<String> excludeBeans) {
            this.excludeBeans = excludeBeans;
        }

        public Map<String, Table> getTables() {
            return tables;
        }

        public void setTables(Map<String, Table> tables) {
            this.tables = tables;
        }

        public IdempotencyStore getIdempotency() {
            return idempotency;
        }

        public LagProbe getReplicationLagProbe() {
            return replicationLagProbe;
        }
    }

    /**
     * The replication-lag probe of the DynamoDB clients the starter builds
     * ({@code meridian.dynamodb.replication-lag-probe.*}); off until a heartbeat table is set.
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static class LagProbe {
        /**
         * Heartbeat table (a global table in every region, string partition key); setting it runs sdk-dynamodb's
         * ReplicationLagProbe in each routed DynamoDbClient the starter builds, so reads under a session token may be
         * served by a region known to have replicated the write.
         */
        private @Nullable String table;
        /** The heartbeat table's string partition key attribute. */
        private String partitionKey = "pk";
        /** Time between two rounds of heartbeats (at least 10ms). */
        private Duration interval = Duration.ofSeconds(1);

        public @Nullable String getTable() {
            return table;
        }

        public void setTable(@Nullable String table) {
            this.table = table;
        }

        public String getPartitionKey() {
            return partitionKey;
        }

        public void setPartitionKey(String partitionKey) {
            this.partitionKey = partitionKey;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }
    }

    /** One DynamoDB table ({@code meridian.dynamodb.tables.<name>.*}). */
    public static class Table {
        /** The partition key attribute name (saves a DescribeTable call). */
        private @Nullable String partitionKey;
        /** How writes are spread: read-local-write-local (default) or write-home-by-key. */
        private @Nullable String writeMode;
        /** The regions holding a replica of the table; RESTRICTED data is refused when any lies outside its jurisdiction. */
        private List<String> replicaRegions = new ArrayList<>();
        /** Data class of the table's calls made while no RoutingContext is open; default meridian.default-data-class. */
        private @Nullable String defaultDataClass;
        /** Numeric version or stamp attribute of the table's items (read-your-writes notices replication with it). */
        private @Nullable String versionAttribute;
        /** true or false: strongly consistent reads of a write-home-by-key table go to the key's home region. */
        private @Nullable Boolean consistentReadsAtHome;

        public @Nullable String getPartitionKey() {
            return partitionKey;
        }

        public void setPartitionKey(@Nullable String partitionKey) {
            this.partitionKey = partitionKey;
        }

        public @Nullable String getWriteMode() {
            return writeMode;
        }

        public void setWriteMode(@Nullable String writeMode) {
            this.writeMode = writeMode;
        }

        public List<String> getReplicaRegions() {
            return replicaRegions;
        }

        public void setReplicaRegions(List<String> replicaRegions) {
            this.replicaRegions = replicaRegions;
        }

        public @Nullable String getDefaultDataClass() {
            return defaultDataClass;
        }

        public void setDefaultDataClass(@Nullable String defaultDataClass) {
            this.defaultDataClass = defaultDataClass;
        }

        public @Nullable String getVersionAttribute() {
            return versionAttribute;
        }

        public void setVersionAttribute(@Nullable String versionAttribute) {
            this.versionAttribute = versionAttribute;
        }

        public @Nullable Boolean getConsistentReadsAtHome() {
            return consistentReadsAtHome;
        }

        public void setConsistentReadsAtHome(@Nullable Boolean consistentReadsAtHome) {
            this.consistentReadsAtHome = consistentReadsAtHome;
        }
    }

    /** The DynamoDB idempotency store ({@code meridian.dynamodb.idempotency.*}); built only when a table is set. */
    public static class IdempotencyStore {
        /** Name of the idempotency table (Powertools schema); setting it creates the DynamoDbIdempotencyStore. */
        private @Nullable String table;
        /** The regions the idempotency table replicates to; keys are homed over them. */
        private List<String> replicaRegions = new ArrayList<>();
        /** STRICT (a key's home region only) or AVAILABLE (moves on when the home is down). */
        private String mode = "STRICT";
        /** How long a completed record is kept. */
        private Duration ttl = Duration.ofHours(1);

        public @Nullable String getTable() {
            return table;
        }

        public void setTable(@Nullable String table) {
            this.table = table;
        }

        public List<String> getReplicaRegions() {
            return replicaRegions;
        }

        public void setReplicaRegions(List<String> replicaRegions) {
            this.replicaRegions = replicaRegions;
        }

        public String getMode() {
            return mode;
        }

        public void setMode(String mode) {
            this.mode = mode;
        }

        public Duration getTtl() {
            return ttl;
        }

        public void setTtl(Duration ttl) {
            this.ttl = ttl;
        }
    }

    /** The Aurora routing data source ({@code meridian.aurora.*}); built only when endpoints are set. */
    public static class Aurora {
        /** How the writer is found: static (meridian.aurora.writer-region) or postgres (pg_is_in_recovery() on each endpoint). */
        private String discovery = "static";
        /** The region of the writer, for static discovery. */
        private @Nullable String writerRegion;
        /** Per region, by region id: writer-url and reader-url (JDBC URLs). */
        private Map<String, AuroraRegion> region = new LinkedHashMap<>();
        /**
         * Skip readers lagging more than this; unset means lag is not measured. Also the bound of replicaLagExceeded
         * in the health details and the meridian endpoint.
         */
        private @Nullable Duration maxReplicaLag;
        /** After a commit on the writer, the same session reads from the writer for this long; unset means off. */
        private @Nullable Duration readYourWritesWindow;
        /** How long a region's measured replica lag is reused. */
        private Duration lagCheckInterval = Duration.ofSeconds(1);
        private final Pool pool = new Pool();

        public String getDiscovery() {
            return discovery;
        }

        public void setDiscovery(String discovery) {
            this.discovery = discovery;
        }

        public @Nullable String getWriterRegion() {
            return writerRegion;
        }

        public void setWriterRegion(@Nullable String writerRegion) {
            this.writerRegion = writerRegion;
        }

        public Map<String, AuroraRegion> getRegion() {
            return region;
        }

        public void setRegion(Map<String, AuroraRegion> region) {
            this.region = region;
        }

        public @Nullable Duration getMaxReplicaLag() {
            return maxReplicaLag;
        }

        public void setMaxReplicaLag(@Nullable Duration maxReplicaLag) {
            this.maxReplicaLag = maxReplicaLag;
        }

        public @Nullable Duration getReadYourWritesWindow() {
            return readYourWritesWindow;
        }

        public void setReadYourWritesWindow(@Nullable Duration readYourWritesWindow) {
            this.readYourWritesWindow = readYourWritesWindow;
        }

        public Duration getLagCheckInterval() {
            return lagCheckInterval;
        }

        public void setLagCheckInterval(Duration lagCheckInterval) {
            this.lagCheckInterval = lagCheckInterval;
        }

        public Pool getPool() {
            return pool;
        }
    }

    /** One region's Aurora endpoints ({@code meridian.aurora.region.<region>.*}). */
    public static class AuroraRegion {
        /** JDBC URL of the region's writer (cluster) endpoint. */
        private @Nullable String writerUrl;
        /** JDBC URL of the region's reader endpoint. */
        private @Nullable String readerUrl;

        public @Nullable String getWriterUrl() {
            return writerUrl;
        }

        public void setWriterUrl(@Nullable String writerUrl) {
            this.writerUrl = writerUrl;
        }

        public @Nullable String getReaderUrl() {
            return readerUrl;
        }

        public void setReaderUrl(@Nullable String readerUrl) {
            this.readerUrl = readerUrl;
        }
    }

    /** Settings of every endpoint's pool, on top of spring.datasource.username/password and spring.datasource.hikari.*. */
    public static class Pool {
        /** Maximum connections per endpoint pool; unset keeps spring.datasource.hikari.maximum-pool-size or HikariCP's 10. */
        private @Nullable Integer maximumPoolSize;
        /** How long a connection request waits, which also bounds how long a refusing reader delays a read. */
        private @Nullable Duration connectionTimeout;

        public @Nullable Integer getMaximumPoolSize() {
            return maximumPoolSize;
        }

        public void setMaximumPoolSize(@Nullable Integer maximumPoolSize) {
            this.maximumPoolSize = maximumPoolSize;
        }

        public @Nullable Duration getConnectionTimeout() {
            return connectionTimeout;
        }

        public void setConnectionTimeout(@Nullable Duration connectionTimeout) {
            this.connectionTimeout = connectionTimeout;
        }
    }

    /** The request filter ({@code meridian.web.*}) opening a RoutingContext per request. */
    public static class Web {
        /** Whether the request filter (servlet filter or WebFlux WebFilter) opening a RoutingContext per request is registered. */
        private boolean enabled = true;
        /** Header carrying the data subject's ISO-3166 alpha-2 country. */
        private String subjectCountryHeader = "X-Subject-Country";
        /** Header carrying the data class of the request (PUBLIC, INTERNAL, RESTRICTED or a custom class). */
        private String dataClassHeader = "X-Data-Class";
        /** Header carrying the correlation id; generated when absent and echoed in the response. */
        private String correlationIdHeader = "X-Correlation-Id";
        /** Header carrying the IETF idempotency key. */
        private String idempotencyKeyHeader = "Idempotency-Key";
        /** Header carrying the session's region (sticky sessions): tried first when residency and health allow. */
        private String regionHeader = "X-Meridian-Region";
        /**
         * Header carrying the caller's session token (read-your-writes across services): accepted on requests,
         * returned on responses after a write, forwarded by RestClient and WebClient calls.
         */
        private String sessionHeader = "Meridian-Session";

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getSubjectCountryHeader() {
            return subjectCountryHeader;
        }

        public void setSubjectCountryHeader(String subjectCountryHeader) {
            this.subjectCountryHeader = subjectCountryHeader;
        }

        public String getDataClassHeader() {
            return dataClassHeader;
        }

        public void setDataClassHeader(String dataClassHeader) {
            this.dataClassHeader = dataClassHeader;
        }

        public String getCorrelationIdHeader() {
            return correlationIdHeader;
        }

        public void setCorrelationIdHeader(String correlationIdHeader) {
            this.correlationIdHeader = correlationIdHeader;
        }

        public String getIdempotencyKeyHeader() {
            return idempotencyKeyHeader;
        }

        public void setIdempotencyKeyHeader(String idempotencyKeyHeader) {
            this.idempotencyKeyHeader = idempotencyKeyHeader;
        }

        public String getRegionHeader() {
            return regionHeader;
        }

        public void setRegionHeader(String regionHeader) {
            this.regionHeader = regionHeader;
        }

        public String getSessionHeader() {
            return sessionHeader;
        }

        public void setSessionHeader(String sessionHeader) {
            this.sessionHeader = sessionHeader;
        }
    }

    /** What the health indicator and the endpoint report ({@code meridian.health.*}). */
    public static class Health {
        /**
         * Replication lag above which a region is reported as lagging (replicationLagExceeded) in the health details
         * and the meridian endpoint, when the application runs a DynamoDB replication-lag probe; unset reports lag
         * without a bound. Aurora readers are held to meridian.aurora.max-replica-lag instead. Lag never changes the
         * health status.
         */
        private @Nullable Duration maxReplicationLag;

        public @Nullable Duration getMaxReplicationLag() {
            return maxReplicationLag;
        }

        public void setMaxReplicationLag(@Nullable Duration maxReplicationLag) {
            this.maxReplicationLag = maxReplicationLag;
        }
    }

    /** How the request's RoutingContext follows the request across threads ({@code meridian.context-propagation.*}). */
    public static class ContextPropagation {
        /**
         * Whether the RoutingContext follows thread hops with Micrometer Context Propagation (when
         * io.micrometer:context-propagation is on the class path): Spring's task executors and @Async, Spring MVC's
         * Callable and WebAsyncTask, and Reactor's automatic context propagation.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /**
     * Regional feature flags read from the control table ({@code meridian.flags.*}); the table is
     * {@code meridian.control.table-name} (default meridian-control).
     */
    public static class FeatureFlags {
        /** Whether to provide a Flags bean (sdk-dynamodb) reading the control table through the DynamoDbClient bean. */
        private boolean enabled;

        /** Time between two reads of the flags from the control table. */
        private Duration refreshInterval = Duration.ofSeconds(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getRefreshInterval() {
            return refreshInterval;
        }

        public void setRefreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
        }
    }
}
