package dev.meridian.core.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.OperationClassifier;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * sdk-core/README.md on the wire, as a user of {@code MultiRegion.wrap} would check it: any AWS SDK v2 client (here
 * DynamoDB's, sync and async, through sdk-core's own wrapping: sdk-dynamodb is not on this class path) over three
 * testkit regions, with the testkit's request journals as the witness of where requests went.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1", "us-east-1"})
class CoreReadmeWireIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String US = "us-east-1";
    private static final String TABLE = "orders";
    private static final String OTHER = "customers";
    /** Slower than the per-region clients' 2 s timeouts, well within the 10 s first-attempt budget. */
    private static final Duration SLOW_REGION = Duration.ofMillis(2_500);

    /** The README's classifier shape: reads by name, deletes idempotent, every other call a write. */
    private static final OperationClassifier CLASSIFIER = (method, args) -> {
        String n = method.getName();
        OperationKind kind = n.startsWith("get") || n.startsWith("scan") || n.startsWith("query")
                || n.startsWith("batchGet") ? OperationKind.READ
                : n.startsWith("delete") ? OperationKind.IDEMPOTENT_WRITE : OperationKind.WRITE;
        return Operation.builder(n, kind).resource(tableOf(args)).build();
    };

    /** The table a DynamoDB request names (its tableName()), as a user's classifier would read it. */
    private static String tableOf(Object[] args) {
        if (args != null && args.length == 1 && args[0] != null) {
            try {
                Object table = args[0].getClass().getMethod("tableName").invoke(args[0]);
                if (table instanceof String name) {
                    return name;
                }
            } catch (ReflectiveOperationException e) {
                // a request without a table (batch, list): the default resource below
            }
        }
        return TABLE;
    }

    static LocalRegions regions;

    private final Map<Region, AtomicInteger> built = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private MultiRegion runtime;
    private DynamoDbClient sync;
    private DynamoDbAsyncClient async;

    @BeforeAll
    static void table() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(OTHER));
        regions.client(WEST).putItem(put("order-1"));
        regions.awaitReplication();
    }

    private void start(HedgingConfig hedging) {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).jurisdiction("EU").priority(0).endpoint(regions.endpoint(WEST)))
                .region(RegionSpec.of(CENTRAL).jurisdiction("EU").priority(1).endpoint(regions.endpoint(CENTRAL)))
                .region(RegionSpec.of(US).jurisdiction("US").priority(2).endpoint(regions.endpoint(US)))
                .localRegion(WEST)
                .hedging(hedging)
                .build();
        runtime = MultiRegion.builder(config).meterRegistry(meters).build();
        sync = runtime.wrapClient(DynamoDbClient.class, (region, spec) -> {
            built.computeIfAbsent(region, r -> new AtomicInteger()).incrementAndGet();
            return regions.clientBuilder(region.id()).endpointOverride(spec.endpoint().orElseThrow())
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build();
        }, CLASSIFIER);
        // Netty's acquire bounded as docs/configuration.md asks of a factory's async clients: a refused connect Netty
        // loses on a never-connected pool would otherwise wait 10 s, the whole first-attempt budget of a cold client.
        async = runtime.wrapClient(DynamoDbAsyncClient.class, (region, spec) -> DynamoDbAsyncClient.builder()
                .region(region).endpointOverride(spec.endpoint().orElseThrow())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .connectionAcquisitionTimeout(RegionalClientDefaults.ATTEMPT_TIMEOUT.dividedBy(2)))
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build(), CLASSIFIER);
    }

    @AfterEach
    void close() {
        if (sync != null) {
            sync.close();
            async.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    private static PutItemRequest put(String id) {
        return PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", s(id), "status", s("NEW"))).build();
    }

    private static GetItemRequest get(String id) {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", s(id))).build();
    }

    private static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    private static RoutingContext.Scope germanRestricted() {
        return RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .correlationId("order-42").open();
    }

    /** Every call shape a user has on a wrapped client, each as one call that answers or throws. */
    private Map<String, Function<String, Object>> callShapes() {
        return Map.of(
                "getItem", id -> sync.getItem(get(id)),
                "getItem(Consumer)", id -> sync.getItem(b -> b.tableName(TABLE).key(Map.of("pk", s(id)))),
                "putItem", id -> sync.putItem(put(id)),
                "batchGetItem", id -> sync.batchGetItem(BatchGetItemRequest.builder().requestItems(Map.of(TABLE,
                        KeysAndAttributes.builder().keys(List.of(Map.of("pk", s(id)))).build())).build()),
                "scanPaginator", id -> sync.scanPaginator(ScanRequest.builder().tableName(TABLE).limit(1).build())
                        .items().stream().count(),
                "async getItem", id -> async.getItem(get(id)).join(),
                "async putItem", id -> async.putItem(put(id)).join(),
                "async continuation", id -> async.getItem(get(id)).thenCompose(r -> async.putItem(put(id))).join(),
                "async scanPaginator", id -> {
                    AtomicInteger items = new AtomicInteger();
                    async.scanPaginator(ScanRequest.builder().tableName(TABLE).limit(1).build()).items()
                            .subscribe(i -> items.incrementAndGet()).join();
                    return items.get();
                });
    }

    /**
     * "EU regions only; ... else the last EU region's own failure — never another region", on every call shape: with
     * both EU regions down every shape fails and us-east-1 hears nothing; with only eu-west-1 down every shape is
     * answered by eu-central-1 (reads fail over; a refused connection proves a write was not applied).
     */
    @Test
    void restrictedDataStaysInTheEuOnEveryCallShape() {
        start(HedgingConfig.defaults());
        regions.faults(WEST).down();
        try (RoutingContext.Scope s = germanRestricted()) {
            callShapes().forEach((shape, call) ->
                    assertThat(call.apply("r-" + shape.hashCode())).as(shape).isNotNull());
        }
        assertThat(regions.journal(US).entries()).as("us-east-1 with eu-west-1 down").isEmpty();
        regions.faults(CENTRAL).down();
        try (RoutingContext.Scope s = germanRestricted()) {
            callShapes().forEach((shape, call) ->
                    assertThatThrownBy(() -> call.apply("r-" + shape.hashCode())).as(shape)
                            .satisfiesAnyOf(e -> assertThat(e).isInstanceOf(SdkException.class),
                                    e -> assertThat(e).hasRootCauseInstanceOf(java.net.ConnectException.class)));
        }
        assertThat(regions.journal(US).entries()).as("us-east-1 with the EU down").isEmpty();
    }

    /** "WRITE only when the failure proves it was not applied": a 500 may have been applied, so it is never resent. */
    @Test
    void aWriteAnsweredWith500IsNotSentToAnotherRegion() {
        start(HedgingConfig.defaults());
        regions.faults(WEST).only("PutItem").status(500);
        assertThatThrownBy(() -> sync.putItem(put("w-500"))).isInstanceOf(DynamoDbException.class)
                .satisfies(e -> assertThat(((DynamoDbException) e).statusCode()).isEqualTo(500));
        assertThatThrownBy(() -> async.putItem(put("w-500-async")).join())
                .hasCauseInstanceOf(DynamoDbException.class);
        assertThat(regions.journal(CENTRAL).count("PutItem")).isZero();
        assertThat(regions.journal(US).count("PutItem")).isZero();
    }

    /**
     * "Cold is not sick": the first attempt through a region's newly built client gets the first-attempt budget (10 s)
     * instead of the client's 2 s timeouts, so a cold client's first write into a region answering after 2.5 s is
     * acknowledged, and applied once in that region only (not timed out as ambiguous, not sent elsewhere).
     */
    @Test
    void aColdClientsFirstWriteIntoASlowRegionIsAcknowledged() {
        start(HedgingConfig.defaults());
        regions.faults(WEST).only("PutItem").latency(SLOW_REGION);
        sync.putItem(put("cold-write"));
        assertWrittenOnceInWest("cold-write");
    }

    /** As {@link #aColdClientsFirstWriteIntoASlowRegionIsAcknowledged()}, through the wrapped async client. */
    @Test
    void aColdAsyncClientsFirstWriteIntoASlowRegionIsAcknowledged() {
        start(HedgingConfig.defaults());
        regions.faults(WEST).only("PutItem").latency(SLOW_REGION);
        async.putItem(put("cold-write-async")).join();
        assertWrittenOnceInWest("cold-write-async");
    }

    private static void assertWrittenOnceInWest(String id) {
        assertThat(regions.journal(WEST).count("PutItem")).isEqualTo(1);
        assertThat(regions.journal(CENTRAL).count("PutItem")).isZero();
        assertThat(regions.journal(US).count("PutItem")).isZero();
        assertThat(regions.client(WEST).getItem(get(id)).hasItem()).as("applied in eu-west-1").isTrue();
    }

    /** "IDEMPOTENT_WRITE always" fails over; "READ always fails over". */
    @Test
    void idempotentWritesAndReadsMoveOnAfterA500() {
        start(HedgingConfig.disabled());
        regions.faults(WEST).status(500);
        sync.deleteItem(b -> b.tableName(TABLE).key(Map.of("pk", s("never-there"))));
        assertThat(regions.journal(CENTRAL).count("DeleteItem")).isEqualTo(1);
        assertThat(sync.getItem(get("order-1")).hasItem()).isTrue();
        assertThat(regions.journal(CENTRAL).count("GetItem")).isEqualTo(1);
        assertThat(regions.journal(US).entries()).isEmpty();
    }

    /** "caller errors ... never" fail over: a request the service rejects as malformed is not sent elsewhere. */
    @Test
    void aCallerErrorIsNotSentToAnotherRegion() {
        start(HedgingConfig.defaults());
        assertThatThrownBy(() -> sync.getItem(GetItemRequest.builder().tableName("no-such-table")
                .key(Map.of("pk", s("x"))).build())).isInstanceOf(DynamoDbException.class);
        assertThat(regions.journal(WEST).count("GetItem")).isEqualTo(1);
        assertThat(regions.journal(CENTRAL).entries()).isEmpty();
        assertThat(regions.journal(US).entries()).isEmpty();
    }

    /** "writes are never hedged" (hedging on by default for reads): a slow write waits in its region. */
    @Test
    void aSlowWriteIsNeverHedgedWhileASlowReadIs() {
        start(HedgingConfig.fixed(Duration.ofMillis(20)));
        regions.faults(WEST).latency(Duration.ofMillis(400));
        sync.putItem(put("slow-write"));
        async.putItem(put("slow-write-async")).join();
        assertThat(regions.journal(CENTRAL).count("PutItem")).isZero();
        assertThat(regions.journal(WEST).count("PutItem")).isEqualTo(2);
        sync.getItem(get("order-1"));
        assertThat(regions.journal(CENTRAL).count("GetItem")).as("the read's hedge").isEqualTo(1);
        assertThat(meters.find("meridian.hedge.sent").counters()).isNotEmpty()
                .allSatisfy(c -> assertThat(c.getId().getTag("region")).isNotNull());
    }

    /**
     * "Throttling ... counts only against the region × resource breaker of the throttled table ... never opens the
     * region's breaker".
     */
    @Test
    void throttlingNeverOpensTheRegionsBreaker() {
        start(HedgingConfig.disabled());
        regions.faults(WEST).throttle();
        for (int i = 0; i < 30; i++) {
            assertThat(sync.getItem(get("order-1")).hasItem()).isTrue();
        }
        assertThat(runtime.status(Region.EU_WEST_1).breaker()).isEqualTo(RegionStatus.BreakerState.CLOSED);
        assertThat(runtime.status(Region.EU_WEST_1).available()).isTrue();
    }

    /**
     * "it counts only against the region × resource breaker of the throttled table (created on first throttling,
     * whether or not perResourceBreakers is on), so it moves that table's traffic and never opens the region's
     * breaker": reads of the throttled table leave eu-west-1, another table's reads stay.
     */
    @Test
    void throttlingMovesOnlyTheThrottledTablesTraffic() {
        start(HedgingConfig.disabled());
        sync.scan(ScanRequest.builder().tableName(TABLE).limit(1).build());
        regions.faults(WEST).only("GetItem").throttle();
        for (int i = 0; i < 30; i++) {
            assertThat(sync.getItem(get("order-1")).hasItem()).isTrue();
        }
        int westGets = regions.journal(WEST).count("GetItem");
        sync.getItem(get("order-1"));
        assertThat(regions.journal(WEST).count("GetItem")).as("the throttled table's reads left").isEqualTo(westGets);
        regions.journalsClear();
        sync.scan(ScanRequest.builder().tableName(OTHER).limit(1).build());
        // The consumer overload is classified on the request it builds, as the request overload is.
        sync.scan(b -> b.tableName(OTHER).limit(1));
        async.scan(b -> b.tableName(OTHER).limit(1)).join();
        assertThat(regions.journal(WEST).count("Scan")).as("another table's reads stay").isEqualTo(3);
        assertThat(runtime.status(Region.EU_WEST_1).breaker()).isEqualTo(RegionStatus.BreakerState.CLOSED);
    }

    /**
     * "Half-open trials never hold a user's read: a read whose first region's breaker is half-open is served by the
     * next region while a detached trial attempt tests the half-open one — ... on a trial thread (meridian-trial-N ...,
     * closed by close()) for synchronous reads without hedging". Per-region clients here wait 20 s for an attempt, so a
     * read held by the black-holed trial would take 20 s; the bound below is half that.
     */
    @Test
    void aHalfOpenTrialDoesNotHoldTheRead() {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).endpoint(regions.endpoint(WEST)))
                .region(RegionSpec.of(CENTRAL).endpoint(regions.endpoint(CENTRAL)))
                .localRegion(WEST).hedging(HedgingConfig.disabled())
                .health(HealthConfig.builder().slidingWindowSize(2).minimumNumberOfCalls(2)
                        .waitInOpenState(Duration.ofMillis(1)).permittedCallsInHalfOpenState(1).build())
                .build();
        runtime = MultiRegion.builder(config).build();
        sync = runtime.wrapClient(DynamoDbClient.class, (region, spec) -> regions.clientBuilder(region.id())
                .endpointOverride(spec.endpoint().orElseThrow())
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(1, Duration.ofSeconds(20)))
                .build(), CLASSIFIER);
        async = runtime.wrapClient(DynamoDbAsyncClient.class, (region, spec) -> {
            throw new AssertionError("not used");
        }, CLASSIFIER);
        regions.faults(WEST).status(503);
        for (int i = 0; i < 2; i++) {
            assertThat(sync.getItem(get("order-1")).hasItem()).isTrue();
        }
        regions.faults(WEST).blackhole();
        regions.journalsClear();
        long start = System.nanoTime();
        assertThat(sync.getItem(get("order-1")).hasItem()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(regions.journal(CENTRAL).count("GetItem")).isEqualTo(1);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> regions.journal(WEST).count("GetItem") == 1);
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .anyMatch(n -> n.startsWith("meridian-trial-"));
    }

    /** "every method is routed, per-region clients are built lazily"; metrics tagged with region. */
    @Test
    void perRegionClientsAreBuiltOnFirstUseAndCallsAreMeteredByRegion() {
        start(HedgingConfig.disabled());
        assertThat(built).isEmpty();
        sync.getItem(get("order-1"));
        assertThat(built.keySet()).containsExactly(Region.EU_WEST_1);
        regions.faults(WEST).down();
        sync.getItem(get("order-1"));
        assertThat(built.keySet()).containsExactlyInAnyOrder(Region.EU_WEST_1, Region.EU_CENTRAL_1);
        assertThat(built.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        Set<String> regionsMetered = meters.find("meridian.calls").meters().stream()
                .map(Meter::getId).map(id -> id.getTag("region")).collect(Collectors.toSet());
        assertThat(regionsMetered).contains(WEST, CENTRAL);
        assertThat(meters.find("meridian.failover").meters()).isNotEmpty();
        assertThat(meters.find("meridian.call.latency").meters()).isNotEmpty();
    }

    /** A RESTRICTED call with the EU drained: NoRegionAvailableException, nothing sent anywhere. */
    @Test
    void drainedEuRefusesRestrictedCallsWithoutSendingThem() {
        start(HedgingConfig.defaults());
        runtime.drain(Region.EU_WEST_1);
        runtime.drain(Region.EU_CENTRAL_1);
        try (RoutingContext.Scope s = germanRestricted()) {
            assertThatThrownBy(() -> sync.getItem(get("order-1")))
                    .isInstanceOf(dev.meridian.core.execution.NoRegionAvailableException.class);
            CompletableFuture<?> f = async.putItem(put("drained"));
            assertThatThrownBy(f::join).hasCauseInstanceOf(dev.meridian.core.execution.NoRegionAvailableException.class);
        }
        assertThat(regions.journal(WEST).entries()).isEmpty();
        assertThat(regions.journal(CENTRAL).entries()).isEmpty();
        assertThat(regions.journal(US).entries()).isEmpty();
    }
}
