package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Simulated AWS regions on one machine, for tests and demos: per region one in-process DynamoDB Local behind a
 * fault-injecting proxy with a request journal, plus DynamoDB global tables replicated between the regions.
 *
 * <pre>{@code
 * try (LocalRegions regions = LocalRegions.start("eu-west-1", "us-east-1")) {
 *     regions.createGlobalTable(CreateTableRequest.builder().tableName("orders")...build());
 *     regions.client("eu-west-1").putItem(...);
 *     regions.awaitReplication();
 *     regions.faults("eu-west-1").status(503);
 * }
 * }</pre>
 *
 * <p>Nothing here needs setup outside the JVM: DynamoDB Local loads its bundled sqlite4java native library
 * itself, all ports are picked free. {@link #close()} stops every server, thread and client and is idempotent.
 * All methods are thread-safe. Region names are free-form strings; {@link #client(String)} passes them to
 * {@link Region#of(String)}.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class LocalRegions implements AutoCloseable {

    /** The regions {@link LocalRegionsExtension} starts when no {@link LocalRegionsConfig} says otherwise. */
    public static final List<String> DEFAULT_REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    /**
     * How long {@link #awaitReplication()} waits: it returns as soon as the regions converged, and on a busy machine
     * the replicator can go 10 s without completing a cycle.
     */
    public static final Duration DEFAULT_AWAIT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(LocalRegions.class);
    /** DynamoDB Local 2.x only accepts access key ids made of letters and digits. */
    private static final AwsCredentialsProvider DUMMY_CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("meridiantestkit", "meridiantestkit"));

    private final List<String> regions;
    private final Duration defaultReplicationDelay;
    private final Map<String, RegionNode> nodes;
    private final Map<String, DynamoDbClient> clients = new ConcurrentHashMap<>();
    private final GlobalTableReplicator replicator;
    private boolean closed;

    private LocalRegions(Builder builder) {
        this.regions = List.copyOf(builder.regions);
        this.defaultReplicationDelay = builder.replicationDelay;
        this.nodes = new LinkedHashMap<>();
        try {
            for (String region : regions) {
                nodes.put(region, RegionNode.start(region, (table, applied) -> writeSeen(region, table, applied)));
            }
        } catch (RuntimeException e) {
            nodes.values().forEach(RegionNode::close);
            throw e;
        }
        Map<String, DynamoDbClient> direct = new LinkedHashMap<>();
        Map<String, DynamoDbStreamsClient> streams = new LinkedHashMap<>();
        nodes.forEach((region, node) -> {
            direct.put(region, node.directClient);
            streams.put(region, node.streamsClient);
        });
        this.replicator = new GlobalTableReplicator(regions, direct, streams, defaultReplicationDelay,
                new ReplicationSignal(), builder.idlePoll);
        LOG.info("Started local regions {}", describe());
    }

    /** A write passed a region's proxy; none does before this instance's constructor has returned its endpoints. */
    private void writeSeen(String region, @Nullable String table, boolean applied) {
        replicator.writeSeen(region, table, applied);
    }

    /** Starts the given regions (at least one), e.g. {@code start("eu-west-1", "eu-central-1", "us-east-1")}. */
    public static LocalRegions start(String... regions) {
        return builder().regions(regions).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The configured region names, in configuration order. */
    public List<String> regions() {
        return regions;
    }

    /** The URI clients should use for a region: it goes through the region's fault proxy and journal. */
    public URI endpoint(String region) {
        return URI.create("http://127.0.0.1:" + node(region).proxy.port());
    }

    /** The region's DynamoDB Local itself, bypassing faults and the journal. */
    public URI directEndpoint(String region) {
        return node(region).dynamo.endpoint();
    }

    /**
     * A shared client for a region (through its proxy), built from {@link #clientBuilder(String)}; do not close
     * it, {@link #close()} does.
     */
    public DynamoDbClient client(String region) {
        node(region);
        synchronized (this) {
            requireOpen();
            return clients.computeIfAbsent(region, r -> clientBuilder(r).build());
        }
    }

    /**
     * A builder for a plain {@code DynamoDbClient} aimed at a region's proxied endpoint: URL-connection HTTP
     * client, static dummy credentials, the region set, a 2 s API-call-attempt timeout and the SDK's standard
     * retry mode (3 attempts). Override anything, e.g. {@code overrideConfiguration(o -> o.retryStrategy(
     * AwsRetryStrategy.doNotRetry()))} to see one failure at a time. The caller owns (closes) what it builds.
     */
    public DynamoDbClientBuilder clientBuilder(String region) {
        URI endpoint = endpoint(region);
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(region))
                .credentialsProvider(DUMMY_CREDENTIALS)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(1))
                        .socketTimeout(Duration.ofSeconds(5)))
                .overrideConfiguration(o -> o
                        .apiCallAttemptTimeout(Duration.ofSeconds(2))
                        .retryStrategy(RetryMode.STANDARD));
    }

    /** Fault injection for a region's endpoint. */
    public RegionFaults faults(String region) {
        return node(region).faults;
    }

    /** The requests that reached a region's endpoint. */
    public RequestJournal journal(String region) {
        return node(region).journal;
    }

    /** Clears every region's journal. */
    public void journalsClear() {
        nodes.values().forEach(node -> node.journal.clear());
    }

    /** Heals every region (removes every fault, brings down regions back up). */
    public void healAll() {
        nodes.values().forEach(node -> node.faults.heal());
    }

    /**
     * Back to a clean slate between tests: heals every region, resumes every replication link (delivering what
     * was held), restores the configured replication delay and clears the journals. Tables and items stay.
     */
    public void reset() {
        healAll();
        replicator.resumeAll();
        replicator.delay(defaultReplicationDelay);
        journalsClear();
    }

    /**
     * Creates a DynamoDB global table: the table in every region, with streams ({@code NEW_AND_OLD_IMAGES},
     * whatever the request says) and on-demand billing unless the request sets a billing mode or throughput,
     * replicated between all regions from now on. Starts the replicator thread on first use.
     *
     * @throws IllegalStateException if the table already exists in a region
     */
    public void createGlobalTable(CreateTableRequest request) {
        createGlobalTable(request, regions);
    }

    /**
     * As {@link #createGlobalTable(CreateTableRequest)}, with replicas only in {@code replicaRegions} (as a global
     * table whose replica set a data-residency rule limits): the other regions have no such table (a call there gets
     * DynamoDB's {@code ResourceNotFoundException}) and nothing is replicated to them.
     *
     * @throws IllegalArgumentException if {@code replicaRegions} is empty or names a region these regions lack
     * @throws IllegalStateException    if the table already exists in a region
     */
    public void createGlobalTable(CreateTableRequest request, Collection<String> replicaRegions) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        if (replicaRegions.isEmpty() || !regions.containsAll(replicaRegions)) {
            throw new IllegalArgumentException("replicaRegions must name at least one of " + regions + ", was "
                    + replicaRegions);
        }
        CreateTableRequest.Builder global = request.toBuilder()
                .streamSpecification(StreamSpecification.builder()
                        .streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES).build());
        if (request.billingMode() == null && request.provisionedThroughput() == null) {
            global.billingMode(BillingMode.PAY_PER_REQUEST);
        }
        CreateTableRequest perRegion = global.build();
        Map<String, String> streamArns = new LinkedHashMap<>();
        for (String region : regions) {
            if (replicaRegions.contains(region)) {
                streamArns.put(region, TableCreation.create(node(region).directClient, perRegion, region));
            }
        }
        replicator.addTable(request.tableName(), streamArns);
        LOG.info("Created global table {} in {}", request.tableName(), streamArns.keySet());
    }

    /**
     * The request for the table most tests need: {@code tableName} keyed by the string partition key {@code pk}, no
     * sort key, billing left to {@link #createGlobalTable(CreateTableRequest)} (on-demand). For either
     * {@code createGlobalTable} overload, e.g. {@code regions.createGlobalTable(LocalRegions.pkTable("orders"))}; call
     * {@code toBuilder()} on it to add indexes or another billing mode.
     */
    public static CreateTableRequest pkTable(String tableName) {
        Objects.requireNonNull(tableName, "tableName");
        return CreateTableRequest.builder()
                .tableName(tableName)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .build();
    }

    /** The delay between a write in one region and its application in the others (default from the builder). */
    public Duration replicationDelay() {
        return replicator.delay();
    }

    /** Sets the replication delay, counted from each write, for writes observed from now on. */
    public LocalRegions replicationDelay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("replicationDelay must not be negative but was " + delay);
        }
        replicator.delay(delay);
        return this;
    }

    /** Holds every change from {@code from} to {@code to} (a one-way partition) until resumed. */
    public void pauseReplication(String from, String to) {
        requireLink(from, to);
        replicator.pause(from, to);
    }

    /** Delivers the changes held on {@code from -> to} (last writer wins) and replicates normally again. */
    public void resumeReplication(String from, String to) {
        requireLink(from, to);
        replicator.resume(from, to);
    }

    /** Pauses replication into and out of a region (it keeps serving clients; see {@link RegionFaults}). */
    public void isolate(String region) {
        node(region);
        for (String other : regions) {
            if (!other.equals(region)) {
                replicator.pause(region, other);
                replicator.pause(other, region);
            }
        }
    }

    /** Resumes every paused replication link. */
    public void resumeReplication() {
        replicator.resumeAll();
    }

    /** Number of changes observed in {@code from} and not yet applied in {@code to} (held or delayed). */
    public int pendingReplication(String from, String to) {
        requireLink(from, to);
        return replicator.pending(from, to);
    }

    /** Replicated writes dropped because the target region held a newer version of the item (LWW losers). */
    public long supersededReplicatedWrites() {
        return replicator.supersededWrites();
    }

    /** The writes the replicator made so far (replicated changes and repairs): its cost, for the testkit's tests. */
    long replicatedWrites() {
        return replicator.writes();
    }

    /** {@link #awaitReplication(Duration)} with {@link #DEFAULT_AWAIT_TIMEOUT}. */
    public void awaitReplication() {
        awaitReplication(DEFAULT_AWAIT_TIMEOUT);
    }

    /**
     * Waits until no change is pending and every region holds identical items in every global table (compared
     * by a consistent scan of each region).
     *
     * @throws ReplicationTimeoutException when that does not happen within {@code timeout}, e.g. because a link
     *     is paused with changes held on it
     */
    public void awaitReplication(Duration timeout) {
        awaitReplication(timeout, progress -> { });
    }

    /**
     * {@link #awaitReplication(Duration)}, reporting the replicator's {@link ReplicationProgress} about once a second
     * while it waits (for a progress line). Converged means: a replicator cycle that started after this call read
     * every region's stream of every global table to the end, applied nothing and left nothing pending, and a
     * consistent scan finds identical items in every region.
     *
     * @throws ReplicationTimeoutException naming the streams still unread, the links with pending changes (and
     *     whether they are paused) or the differing table
     */
    public void awaitReplication(Duration timeout, Consumer<ReplicationProgress> onProgress) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(onProgress, "onProgress");
        requireOpen();
        replicator.awaitConverged(timeout, onProgress);
    }

    /**
     * What the global-table replicator had done at the end of its last cycle (streams read to the end, changes
     * pending per link). Never waits for replication work.
     */
    public ReplicationProgress replicationProgress() {
        return replicator.progress();
    }

    /** Stops the replicator, clients, proxies and DynamoDB Locals. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        replicator.close();
        clients.values().forEach(LocalRegions::closeQuietly);
        clients.clear();
        nodes.values().forEach(RegionNode::close);
        LOG.info("Stopped local regions {}", regions);
    }

    @Override
    public String toString() {
        return "LocalRegions" + describe();
    }

    private Map<String, String> describe() {
        Map<String, String> description = new LinkedHashMap<>();
        nodes.forEach((region, node) -> description.put(region, "proxy " + node.proxy.port() + " -> dynamodb "
                + node.dynamo.port()));
        return description;
    }

    private RegionNode node(String region) {
        Objects.requireNonNull(region, "region");
        RegionNode node = nodes.get(region);
        if (node == null) {
            throw new IllegalArgumentException("Unknown region '" + region + "'; configured regions are " + regions);
        }
        return node;
    }

    private void requireLink(String from, String to) {
        node(from);
        node(to);
        if (from.equals(to)) {
            throw new IllegalArgumentException("Replication link needs two different regions but got " + from
                    + " -> " + to);
        }
    }

    private synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException("LocalRegions " + regions + " is closed");
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Close failed: {}", e.toString());
        }
    }

    /** Configures {@link LocalRegions}; {@link #start()} starts the servers. */
    public static final class Builder {
        private final List<String> regions = new ArrayList<>();
        private Duration replicationDelay = Duration.ZERO;
        private Duration idlePoll = Duration.ofMillis(GlobalTableReplicator.IDLE_POLL_MILLIS);

        private Builder() {
        }

        /** The region names (at least one, no duplicates), e.g. {@code "eu-west-1"}. Replaces earlier ones. */
        public Builder regions(String... names) {
            Objects.requireNonNull(names, "regions");
            return regions(Arrays.asList(names));
        }

        /** The region names (at least one, no duplicates). Replaces earlier ones. */
        public Builder regions(List<String> names) {
            Objects.requireNonNull(names, "regions");
            LinkedHashSet<String> unique = new LinkedHashSet<>();
            for (String name : names) {
                if (name == null || name.isBlank() || !name.equals(name.trim())) {
                    throw new IllegalArgumentException("regions must be non-blank names without spaces but got '"
                            + name + "'");
                }
                if (!unique.add(name)) {
                    throw new IllegalArgumentException("regions must not repeat a name but '" + name
                            + "' appears twice in " + names);
                }
            }
            regions.clear();
            regions.addAll(unique);
            return this;
        }

        /** Initial delay between a write in one region and its application in the others (default zero). */
        public Builder replicationDelay(Duration delay) {
            Objects.requireNonNull(delay, "replicationDelay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("replicationDelay must not be negative but was " + delay);
            }
            this.replicationDelay = delay;
            return this;
        }

        /**
         * How often an idle replicator looks for writes no proxy saw (default
         * {@value GlobalTableReplicator#IDLE_POLL_MILLIS} ms); for the testkit's own tests, which make it long to
         * prove what does not depend on it.
         */
        Builder idlePoll(Duration interval) {
            this.idlePoll = Objects.requireNonNull(interval, "idlePoll");
            return this;
        }

        /** Starts one DynamoDB Local and one fault proxy per region. */
        public LocalRegions start() {
            if (regions.isEmpty()) {
                throw new IllegalArgumentException("regions must name at least one region");
            }
            return new LocalRegions(this);
        }
    }

    /** The servers and clients of one simulated region. */
    private static final class RegionNode {
        private final DynamoDbLocalServer dynamo;
        private final FaultProxy proxy;
        private final RegionFaults faults;
        private final RequestJournal journal;
        private final DynamoDbClient directClient;
        private final DynamoDbStreamsClient streamsClient;

        private RegionNode(DynamoDbLocalServer dynamo, FaultProxy proxy, RequestJournal journal, String region) {
            this.dynamo = dynamo;
            this.proxy = proxy;
            this.journal = journal;
            this.faults = new RegionFaults(region, proxy, FaultScope.REGION);
            this.directClient = direct(DynamoDbClient.builder(), dynamo.endpoint(), region);
            this.streamsClient = direct(DynamoDbStreamsClient.builder(), dynamo.endpoint(), region);
        }

        /**
         * A client of DynamoDB Local itself, bypassing the proxy: what set-up and the replicator use, never faulted.
         * Its call timeout is generous: on a starved machine creating a table can take DynamoDB Local over 10 s.
         */
        private static <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C direct(B builder,
                URI endpoint, String region) {
            return builder
                    .endpointOverride(endpoint)
                    .region(Region.of(region))
                    .credentialsProvider(DUMMY_CREDENTIALS)
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(60)))
                    .build();
        }

        /** Starts the region; {@code writeSeen} runs when a write has passed its proxy (see {@link FaultProxy}). */
        static RegionNode start(String region, FaultProxy.WriteSeen writeSeen) {
            DynamoDbLocalServer dynamo = DynamoDbLocalServer.start();
            RequestJournal journal = new RequestJournal(region);
            FaultProxy proxy = new FaultProxy(region, dynamo.endpoint(), journal, writeSeen);
            try {
                proxy.start();
                return new RegionNode(dynamo, proxy, journal, region);
            } catch (RuntimeException e) {
                proxy.close();
                dynamo.close();
                throw e;
            }
        }

        void close() {
            closeQuietly(directClient);
            closeQuietly(streamsClient);
            proxy.close();
            dynamo.close();
        }
    }
}
