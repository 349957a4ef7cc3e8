package dev.meridian.dynamodb.client;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.INTERNAL;
import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.RegionalClientFactory;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.core.spi.RegionalClients;
import dev.meridian.core.spi.SnapshotParticipant;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * Builds a multi-region {@link DynamoDbClient} or {@link DynamoDbAsyncClient}: a drop-in client (the Enhanced
 * Client, waiters and paginators work on top of it unchanged) whose every call is classified by
 * {@link DynamoDbOperationClassifier}, checked against its tables' residency footprint and executed by sdk-core's
 * {@code RegionalExecutor} (residency, health, order, failover and hedging are sdk-core's decisions).
 *
 * <pre>{@code
 * DynamoDbClient orders = MultiRegionDynamoDb.builder()
 *         .config(config)
 *         .clientFactory(region -> DynamoDbClient.builder().region(region)
 *                 .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build())
 *         .table(TableConfig.builder("orders").partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY)
 *                 .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build())
 *         .build();
 * }</pre>
 *
 * <p>Snapshots (CRaC, Lambda SnapStart): the client takes part in its runtime's sdk-core {@code SnapshotHooks}.
 * Before a checkpoint its per-region clients (its own or the {@link Builder#regionalClients shared} ones) are closed
 * and a {@linkplain Builder#replicationLagProbe lag probe} is suspended; after a restore every cached
 * {@code DescribeTable} result is forgotten (the first call that needs one describes the table again; configured
 * {@link TableConfig} stay), so are the {@linkplain Builder#readYourWrites read-your-writes} marks, and the probe
 * resumes from a new baseline ({@link ReplicationLagProbe#resumeAfterRestore()}), on clients rebuilt at first use.
 *
 * <p>Per-region clients are built on first use from the factory and closed with the routed client. Give them
 * capped SDK retries and short attempt timeouts (sdk-core's {@code RegionalClientDefaults}): the SDK's own retries
 * otherwise spend seconds on a failing region before Meridian can fail over. Without a factory, clients are built
 * that way from the region (and the {@code RegionSpec}'s endpoint override, if any) with the default credentials.
 *
 * <p>With {@link Builder#config}, each {@code build*()} call creates its own {@link MultiRegion} runtime (health,
 * metrics) that the client closes; pass {@link Builder#multiRegion} to share one runtime (and its circuit breakers)
 * between several clients — the caller then closes it. The builder is not thread-safe; the clients are.
 *
 * <p>Failures: a call refused by residency throws sdk-core's {@code ResidencyViolationException} before anything is
 * sent; a call that failed in every region it was allowed to try throws the last regional failure as the AWS SDK
 * raised it (earlier ones attached as suppressed), or {@code NoRegionAvailableException} when health left no region
 * to try; caller errors (validation, conditional check) are thrown at once, never retried elsewhere.
 * The async client completes its future exceptionally with the same exceptions instead of throwing.
 */
@API(status = STABLE, since = "0.1")
public final class MultiRegionDynamoDb {
    private static final Logger log = LoggerFactory.getLogger(MultiRegionDynamoDb.class);

    private MultiRegionDynamoDb() {
    }

    /** A new builder; {@link Builder#config} or {@link Builder#multiRegion} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What features built on a multi-region client share with it (the runtime, the per-region clients, what it knows
     * of each table), when {@code client} is one built here; empty for any other client. The idempotency store uses
     * it so that one set of per-region clients serves every feature. For Meridian's modules (its per-region clients
     * are sdk-core SPI).
     */
    @API(status = INTERNAL, since = "0.1")
    public static Optional<Shared> shared(DynamoDbClient client) {
        return client instanceof RoutedDynamoDbClient routed ? Optional.of(routed.model().shared()) : Optional.empty();
    }

    /** See {@link #shared(DynamoDbClient)}. Thread-safe. */
    @API(status = INTERNAL, since = "0.1")
    public static final class Shared {
        private final DynamoDbRouting routing;
        private final RegionalClients<DynamoDbClient> clients;
        private final Function<String, TableCatalog.Described> describe;

        Shared(DynamoDbRouting routing, RegionalClients<DynamoDbClient> clients,
                Function<String, TableCatalog.Described> describe) {
            this.routing = routing;
            this.clients = clients;
            this.describe = describe;
        }

        /** The runtime the client routes with. */
        public MultiRegion runtime() {
            return routing.runtime();
        }

        /** The client's per-region clients (built on first use, closed with the client). */
        public RegionalClients<DynamoDbClient> clients() {
            return clients;
        }

        /**
         * The regions {@code table} has replicas in: its {@link TableConfig#replicaRegions()}, else what a routed
         * {@code DescribeTable} (cached) reports, else every configured region (fail closed).
         */
        public Set<Region> replicaRegions(String table) {
            return routing.catalog().footprint(Objects.requireNonNull(table, "table"), describe);
        }

        /**
         * The context a call on {@code table} runs under, as for the client's own calls: {@code ctx}, or, when it sets
         * no data class, {@code ctx} with the table's {@link TableConfig#defaultDataClass()} (the configured default
         * then applies in sdk-core when the table has none).
         */
        public RoutingContext context(String table, RoutingContext ctx) {
            return ShapedRouting.contextFor(routing, Objects.requireNonNull(table, "table"),
                    Objects.requireNonNull(ctx, "ctx"));
        }
    }

    /** Closes each in order; a failure is logged and does not stop the others. */
    static void closeAll(List<AutoCloseable> closeables) {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("Closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** Builder of multi-region DynamoDB clients; not thread-safe. */
    public static final class Builder {
        /** Default of {@link #sessionReadWait}. */
        private static final Duration DEFAULT_SESSION_READ_WAIT = Duration.ofSeconds(2);

        private @Nullable MultiRegionConfig config;
        private @Nullable MultiRegion runtime;
        private @Nullable Function<Region, DynamoDbClient> clientFactory;
        private @Nullable Function<Region, DynamoDbAsyncClient> asyncClientFactory;
        private @Nullable RegionalClientFactory<DynamoDbClient> regionalFactory;
        private @Nullable RegionalClientFactory<DynamoDbAsyncClient> regionalAsyncFactory;
        private @Nullable RegionalClients<DynamoDbClient> sharedClients;
        private boolean ownsRuntime;
        private final Map<String, TableConfig> tables = new LinkedHashMap<>();
        private @Nullable MeterRegistry meterRegistry;
        private @Nullable ReadYourWrites readYourWrites;
        private ReplicationLagProbe.@Nullable Config lagProbe;
        private Duration sessionReadWait = DEFAULT_SESSION_READ_WAIT;

        private Builder() {
        }

        /** The topology and policies; a runtime is created per built client (see the class comment). */
        public Builder config(MultiRegionConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** A shared runtime (health, executor, metrics) owned and closed by the caller. */
        public Builder multiRegion(MultiRegion runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            return this;
        }

        /** Builds the sync client of one region; should cap SDK retries (see the class comment). */
        public Builder clientFactory(Function<Region, DynamoDbClient> clientFactory) {
            this.clientFactory = Objects.requireNonNull(clientFactory, "clientFactory");
            return this;
        }

        /** Builds the async client of one region; should cap SDK retries (see the class comment). */
        public Builder asyncClientFactory(Function<Region, DynamoDbAsyncClient> asyncClientFactory) {
            this.asyncClientFactory = Objects.requireNonNull(asyncClientFactory, "asyncClientFactory");
            return this;
        }

        /** As {@link #clientFactory(Function)}; the factory also sees the region's {@code RegionSpec}. */
        public Builder regionalClientFactory(RegionalClientFactory<DynamoDbClient> factory) {
            this.regionalFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** As {@link #asyncClientFactory(Function)}; the factory also sees the region's {@code RegionSpec}. */
        public Builder regionalAsyncClientFactory(RegionalClientFactory<DynamoDbAsyncClient> factory) {
            this.regionalAsyncFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Per-region sync clients shared with other users of the runtime (e.g. sdk-core's {@code SnapshotHooks}, or
         * the application's own code; features built on this client share them anyway), instead of clients of this routed client's
         * own: one connection pool per region for all of them. The caller closes them; the routed client does not.
         * {@link RegionalClients} is sdk-core SPI, hence this method's status.
         */
        @API(status = INTERNAL, since = "0.1")
        public Builder regionalClients(RegionalClients<DynamoDbClient> clients) {
            this.sharedClients = Objects.requireNonNull(clients, "clients");
            return this;
        }

        /** Settings of one table; a later call for the same table replaces the earlier one. */
        public Builder table(TableConfig table) {
            Objects.requireNonNull(table, "table");
            tables.put(table.tableName(), table);
            return this;
        }

        /** Settings of several tables, as {@link #table} for each. */
        public Builder tables(Collection<TableConfig> tables) {
            Objects.requireNonNull(tables, "tables");
            for (TableConfig table : tables) {
                table(table);
            }
            return this;
        }

        /** Where the runtime created from {@link #config} and the lag probe publish meters. */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /** Enables read-your-writes sessions (off by default). */
        public Builder readYourWrites(ReadYourWrites readYourWrites) {
            this.readYourWrites = Objects.requireNonNull(readYourWrites, "readYourWrites");
            return this;
        }

        /**
         * Enables the replication-lag probe (off by default) on the sync client: it starts a daemon thread when the
         * client is built and stops it when the client is closed.
         */
        public Builder replicationLagProbe(ReplicationLagProbe.Config settings) {
            this.lagProbe = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * How long a read under a session token ({@code RoutingContext.session()}: the caller's writes, e.g. from
         * a {@code Meridian-Session} header) waits for a region that holds those writes and can serve it, before it
         * is refused with {@link SessionWriteNotVisibleException} (default 2 s; zero refuses at once). Such a read is
         * served in a region where every write the token names is visible: its written region, or one the
         * {@link #replicationLagProbe} has seen replicate past the write; without a probe, a token of one region
         * is served in that region only, and one naming several regions is refused.
         */
        @API(status = EXPERIMENTAL, since = "0.1")
        public Builder sessionReadWait(Duration wait) {
            this.sessionReadWait = SettingChecks.sessionReadWait(wait);
            return this;
        }

        /** Same as {@link #buildClient()}. */
        public DynamoDbClient build() {
            return buildClient();
        }

        /**
         * The routed sync client; closing it closes the per-region clients, the probe and an owned runtime. If the
         * build fails, whatever it had created is closed before the exception propagates.
         */
        public DynamoDbClient buildClient() {
            List<AutoCloseable> closeables = new ArrayList<>();
            try {
                MultiRegion rt = runtime(closeables);
                RegionalClients<DynamoDbClient> clients;
                if (sharedClients != null) {
                    if (clientFactory != null || regionalFactory != null) {
                        // IllegalStateException as documented; the message has the shape of every setting's error.
                        throw new IllegalStateException(SettingRules.message("MultiRegionDynamoDb.regionalClients",
                                "must not be combined with a client factory", "both set",
                                "set either regionalClients(..) or a client factory"));
                    }
                    clients = sharedClients;
                } else {
                    clients = syncClients(rt);
                    closeables.add(0, clients);
                }
                ReplicationLagProbe probe = null;
                ReplicationLagProbe.Config lagSettings = lagProbe;
                if (lagSettings != null) {
                    probe = LagProbeStart.startLagProbe(this, rt, clients, lagSettings);
                    closeables.add(0, probe);
                }
                DynamoDbRouting routing = routing(rt, probe);
                closeables.add(0, MultiRegionSpi.of(rt).onSnapshot(snapshots(clients, routing, probe)));
                return new RoutedDynamoDbClient(new DynamoDbRequestModel(routing, clients, tables, closeables), null);
            } catch (RuntimeException | Error e) {
                closeAll(closeables);
                throw e;
            }
        }

        /**
         * The routed async client; closing it closes the per-region clients and an owned runtime. If the build fails,
         * whatever it had created is closed before the exception propagates.
         *
         * @throws IllegalStateException when a {@link #replicationLagProbe} is set (it runs on the sync client only)
         */
        public DynamoDbAsyncClient buildAsyncClient() {
            return AsyncBuild.buildAsyncClient(this);
        }

        private RegionalClients<DynamoDbClient> syncClients(MultiRegion rt) {
            Function<Region, DynamoDbClient> plain = clientFactory;
            RegionalClientFactory<DynamoDbClient> factory = regionalFactory != null ? regionalFactory
                    : plain != null ? new Plain<>(plain) : DefaultClients.defaultSyncFactory(rt);
            return new RegionalClients<>("DynamoDbClient", rt.config(), factory);
        }

        /**
         * A {@link #clientFactory} as a {@link RegionalClientFactory}: a named class, not a lambda, which would be a
         * class spun at every cold start.
         */
        private static final class Plain<C> implements RegionalClientFactory<C> {
            private final Function<Region, C> factory;

            Plain(Function<Region, C> factory) {
                this.factory = factory;
            }

            @Override
            public C create(Region region, RegionSpec spec) {
                return factory.apply(region);
            }
        }

        /**
         * What the client does around a process snapshot (see the class comment). Shared clients are closed too: the
         * features sharing them (idempotency store, LWW writes) rebuild them on first use like the routed client.
         */
        private static SnapshotParticipant snapshots(RegionalClients<?> clients, DynamoDbRouting routing,
                @Nullable ReplicationLagProbe probe) {
            return new SnapshotParticipant() {
                @Override
                public void beforeCheckpoint() {
                    if (probe != null) {
                        probe.suspend();
                    }
                    clients.beforeCheckpoint();
                }

                @Override
                public void afterRestore() {
                    routing.afterRestore();
                    if (probe != null) {
                        probe.resumeAfterRestore();
                    }
                }

                @Override
                public String toString() {
                    return "MultiRegionDynamoDb" + clients;
                }
            };
        }

        /** With {@link #multiRegion}: the built client closes that runtime too (as {@code MultiRegion.wrap} does). */
        Builder ownsRuntime() {
            this.ownsRuntime = true;
            return this;
        }

        private MultiRegion runtime(List<AutoCloseable> closeables) {
            if (runtime != null) {
                if (config != null) {
                    throw SettingChecks.configAndRuntime();
                }
                if (ownsRuntime) {
                    closeables.add(runtime);
                }
                return runtime;
            }
            if (config == null) {
                throw SettingChecks.noConfig();
            }
            MultiRegion.Builder b = MultiRegion.builder(config);
            if (meterRegistry != null) {
                b.meterRegistry(meterRegistry);
            }
            MultiRegion created = b.build();
            closeables.add(created);
            return created;
        }

        private DynamoDbRouting routing(MultiRegion rt, @Nullable ReplicationLagProbe probe) {
            TableCatalog catalog = new TableCatalog(tables, regions(rt));
            return new DynamoDbRouting(rt, catalog, readYourWrites == null ? null : new WriteMarks(readYourWrites),
                    probe, sessionReadWait);
        }

        private static Set<Region> regions(MultiRegion rt) {
            return new LinkedHashSet<>(rt.config().regionList());
        }

        /**
         * The checks of settings a plain build does not set or get wrong: the session read wait, a config
         * combined with a shared runtime, no config. A class of its own, loaded only when one runs: kept off a cold
         * start's build.
         */
        private static final class SettingChecks {
            private SettingChecks() {
            }

            static Duration sessionReadWait(Duration wait) {
                SettingRules.required(wait, "MultiRegionDynamoDb.sessionReadWait", "pass a duration such as 2 s");
                SettingRules.check(!wait.isNegative(), "MultiRegionDynamoDb.sessionReadWait", "must not be negative",
                        wait, "pass a duration such as 2 s, or zero to refuse at once");
                return wait;
            }

            static IllegalStateException configAndRuntime() {
                return new IllegalStateException(SettingRules.message("MultiRegionDynamoDb.config",
                        "must not be combined with multiRegion(..)", "both set",
                        "set either config(..) or multiRegion(..)"));
            }

            static IllegalStateException noConfig() {
                return new IllegalStateException(SettingRules.message("MultiRegionDynamoDb.config", "is required",
                        "null", "set config(..), or multiRegion(..) to share a runtime"));
            }
        }

        /**
         * The async client's build ({@link Builder#buildAsyncClient()}). A class of its own, loaded only by it: kept
         * off a sync client's cold start.
         */
        private static final class AsyncBuild {
            private AsyncBuild() {
            }

            static DynamoDbAsyncClient buildAsyncClient(Builder b) {
                if (b.lagProbe != null) {
                    throw new IllegalStateException(SettingRules.message("MultiRegionDynamoDb.replicationLagProbe",
                            "must be built with buildClient()", "set for buildAsyncClient()",
                            "call buildClient() for it: the probe runs on the sync client only"));
                }
                List<AutoCloseable> closeables = new ArrayList<>();
                try {
                    MultiRegion rt = b.runtime(closeables);
                    RegionalClients<DynamoDbAsyncClient> clients = asyncClients(b, rt);
                    closeables.add(0, clients);
                    DynamoDbRouting routing = b.routing(rt, null);
                    closeables.add(0, MultiRegionSpi.of(rt).onSnapshot(snapshots(clients, routing, null)));
                    return new DynamoDbAsyncRequestModel(routing, clients, b.tables, closeables).client();
                } catch (RuntimeException | Error e) {
                    closeAll(closeables);
                    throw e;
                }
            }

            private static RegionalClients<DynamoDbAsyncClient> asyncClients(Builder b, MultiRegion rt) {
                Function<Region, DynamoDbAsyncClient> plain = b.asyncClientFactory;
                RegionalClientFactory<DynamoDbAsyncClient> factory = b.regionalAsyncFactory != null
                        ? b.regionalAsyncFactory
                        : plain != null ? new Plain<>(plain)
                        : (region, spec) -> DefaultClients.defaultAsyncClient(region, rt);
                return new RegionalClients<>("DynamoDbAsyncClient", rt.config(), factory);
            }
        }

        /**
         * The per-region clients built when no client factory is set. A class of its own, loaded only then: a cold
         * start's build with a client factory does not load it.
         */
        private static final class DefaultClients {
            private DefaultClients() {
            }

            /**
             * As {@link #defaultClient}, on the SDK's default HTTP client with a connect timeout under the attempt
             * timeout ({@link RegionalClientDefaults#boundConnect}): a write to a region that drops connects moves.
             */
            static RegionalClientFactory<DynamoDbClient> defaultSyncFactory(MultiRegion rt) {
                return (region, spec) -> {
                    DynamoDbClientBuilder builder = DynamoDbClient.builder();
                    RegionalClientDefaults.boundConnect(builder, RegionalClientDefaults.ATTEMPT_TIMEOUT);
                    return defaultClient(builder, region, rt);
                };
            }

            /**
             * As {@link #defaultClient}, on the SDK's Netty client with an acquire timeout under the attempt timeout
             * ({@link RegionalClientDefaults#boundAcquire}): a refused connect Netty loses still fails over.
             */
            static DynamoDbAsyncClient defaultAsyncClient(Region region, MultiRegion rt) {
                DynamoDbAsyncClientBuilder builder = DynamoDbAsyncClient.builder();
                RegionalClientDefaults.boundAcquire(builder, RegionalClientDefaults.ATTEMPT_TIMEOUT);
                return defaultClient(builder, region, rt);
            }

            /**
             * A client built the way the class comment recommends: capped SDK retries, the region's endpoint override
             * if its {@code RegionSpec} has one, the default credentials.
             */
            static <B extends AwsClientBuilder<B, C>, C> C defaultClient(B builder, Region region,
                    MultiRegion rt) {
                builder.region(region).overrideConfiguration(RegionalClientDefaults.overrideConfiguration());
                rt.config().spec(region).flatMap(RegionSpec::endpoint).ifPresent(builder::endpointOverride);
                return builder.build();
            }
        }

        /**
         * Starts the replication lag probe ({@link Builder#replicationLagProbe}). A class of its own, loaded only when
         * one is set: kept off a cold start's build.
         */
        private static final class LagProbeStart {
            private LagProbeStart() {
            }

            static ReplicationLagProbe startLagProbe(Builder b, MultiRegion rt, RegionalClients<DynamoDbClient> clients,
                    ReplicationLagProbe.Config settings) {
                ReplicationLagProbe.Builder probe = ReplicationLagProbe.builder().config(settings);
                for (Region r : regions(rt)) {
                    // Looked up per call: the clients are closed before a snapshot and rebuilt after the restore.
                    probe.clientSource(r, () -> clients.get(r));
                }
                // Deliberately no method reference (probe::meterRegistry): linking one loads MeterRegistry, and
                // Micrometer is optional. The cast runs only when a registry exists, i.e. when Micrometer is there.
                Optional<?> registry = b.meterRegistry != null ? Optional.of(b.meterRegistry)
                        : MultiRegionSpi.of(rt).meterRegistry();
                if (registry.isPresent()) {
                    probe.meterRegistry((MeterRegistry) registry.get());
                }
                return probe.start();
            }
        }
    }
}
