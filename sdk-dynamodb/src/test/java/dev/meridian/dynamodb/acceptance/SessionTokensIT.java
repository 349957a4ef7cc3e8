package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.testkit.LocalRegions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.paginators.ScanIterable;

/**
 * sdk-dynamodb README's "Session tokens" as jqwik properties over call shapes, synchronous and asynchronous clients:
 * "A successful write records a SessionToken (the region that acknowledged it ...)" for every write shape; "A data
 * read (Get/BatchGet/Query/Scan/TransactGet/PartiQL select) under a token is bounded to the regions where that write
 * is visible" — with no replication-lag probe, the written region only, even from a client whose local region is
 * another. The journals witness where each call went.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class SessionTokensIT {
    private static final String TABLE = "st_items";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static DynamoDbClient eu;
    private static DynamoDbClient us;
    private static DynamoDbAsyncClient euAsync;
    private static DynamoDbAsyncClient usAsync;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        eu = MultiRegionDynamoDb.builder().config(config(Region.EU_WEST_1))
                .clientFactory(r -> TestRegions.client(regions, r)).buildClient();
        us = MultiRegionDynamoDb.builder().config(config(Region.US_EAST_1))
                .clientFactory(r -> TestRegions.client(regions, r)).buildClient();
        euAsync = MultiRegionDynamoDb.builder().config(config(Region.EU_WEST_1))
                .asyncClientFactory(r -> TestRegions.asyncClient(regions, r)).buildAsyncClient();
        usAsync = MultiRegionDynamoDb.builder().config(config(Region.US_EAST_1))
                .asyncClientFactory(r -> TestRegions.asyncClient(regions, r)).buildAsyncClient();
    }

    @AfterContainer
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {eu, us, euAsync, usAsync}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static MultiRegionConfig config(Region local) {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(local).routing(RoutingStrategy.localFirst()).hedging(HedgingConfig.disabled()).build();
    }

    private static Map<String, AttributeValue> key(String k) {
        return Map.of("pk", AttributeValue.fromS(k));
    }

    private static String insert(String k) {
        return "INSERT INTO \"" + TABLE + "\" VALUE {'pk': '" + k + "'}";
    }

    private static String select(String k) {
        return "SELECT * FROM \"" + TABLE + "\" WHERE pk = '" + k + "'";
    }

    @Provide
    Arbitrary<CallShape> writes() {
        List<CallShape> shapes = new ArrayList<>(CallShape.itemWrites(TABLE));
        shapes.addAll(CallShape.statements("INSERT", SessionTokensIT::insert));
        return Arbitraries.of(shapes);
    }

    @Provide
    Arbitrary<CallShape> reads() {
        List<CallShape> shapes = new ArrayList<>(List.of(
                new CallShape("GetItem", (c, k) -> c.getItem(get(k)), (c, k) -> c.getItem(get(k)).join()),
                new CallShape("consistent GetItem", (c, k) -> c.getItem(consistentGet(k)),
                        (c, k) -> c.getItem(consistentGet(k)).join()),
                new CallShape("BatchGetItem", (c, k) -> c.batchGetItem(batchGet(k)),
                        (c, k) -> c.batchGetItem(batchGet(k)).join()),
                new CallShape("Query", (c, k) -> c.query(query(k)), (c, k) -> c.query(query(k)).join()),
                new CallShape("Query paginator", (c, k) -> c.queryPaginator(query(k)).items().forEach(i -> { }),
                        (c, k) -> c.queryPaginator(query(k)).items().subscribe(i -> { }).join()),
                new CallShape("Scan", (c, k) -> c.scan(scan()), (c, k) -> c.scan(scan()).join()),
                new CallShape("TransactGetItems", (c, k) -> c.transactGetItems(transactGet(k)),
                        (c, k) -> c.transactGetItems(transactGet(k)).join())));
        shapes.addAll(CallShape.statements("SELECT", SessionTokensIT::select));
        return Arbitraries.of(shapes);
    }

    /**
     * Every write shape records a token naming the region that acknowledged it: the one region whose journal shows the
     * call (with eu-west-1 down, or still suspect after an earlier try, that is another region).
     */
    @Property(tries = 32)
    void everyWriteRecordsATokenOfTheAcknowledgingRegion(@ForAll("writes") CallShape write, @ForAll boolean async,
            @ForAll boolean localDown) {
        String k = "w-" + KEYS.incrementAndGet();
        if (localDown) {
            regions.faults("eu-west-1").down();
        }
        regions.journalsClear();
        RoutingSession session = RoutingSession.start();
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open()) {
            if (async) {
                write.async(euAsync, k);
            } else {
                write.sync(eu, k);
            }
        }
        List<String> served = new ArrayList<>();
        for (String r : TestRegions.IDS) {
            if (regions.journal(r).entries().stream().anyMatch(e -> !e.operation().equals("DescribeTable"))) {
                served.add(r);
            }
        }
        assertThat(served).as(write.toString()).hasSize(1);
        assertThat(session.wrote()).as(write.toString()).isTrue();
        assertThat(session.token()).as(write.toString()).get().extracting(t -> t.region().id())
                .isEqualTo(served.get(0));
    }

    /** Every data read shape under a eu-west-1 token goes to eu-west-1 only, from a client local to us-east-1. */
    @Property(tries = 30)
    void everyDataReadUnderATokenGoesOnlyWhereTheWriteIsVisible(@ForAll("reads") CallShape read,
            @ForAll boolean async) {
        String k = "r-" + KEYS.incrementAndGet();
        RoutingSession session = RoutingSession.start();
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open()) {
            eu.putItem(put(k));
        }
        regions.journalsClear();
        try (RoutingContext.Scope s = RoutingContext.builder()
                .session(RoutingSession.after(session.token().orElseThrow())).open()) {
            if (async) {
                read.async(usAsync, k);
            } else {
                read.sync(us, k);
            }
        }
        List<String> elsewhere = new ArrayList<>();
        for (String r : List.of("eu-central-1", "us-east-1")) {
            // DescribeTable is the client learning the table's replicas, not a read of its data.
            regions.journal(r).entries().stream().filter(e -> !e.operation().equals("DescribeTable"))
                    .forEach(e -> elsewhere.add(r + ": " + e));
        }
        assertThat(elsewhere).as(read + (async ? " (async)" : "")).isEmpty();
        assertThat(regions.journal("eu-west-1").isEmpty()).as(read.toString()).isFalse();
    }

    /**
     * "Paginators and waiters keep the context current when they were made": a scan paginator made under a eu-west-1
     * token and iterated after the scope closed still fetches every page from eu-west-1 only.
     */
    @Example
    void aPaginatorKeepsTheTokenItWasMadeUnder() {
        RoutingSession session = RoutingSession.start();
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open()) {
            for (int i = 0; i < 4; i++) {
                eu.putItem(put("page-" + KEYS.incrementAndGet()));
            }
        }
        ScanIterable pages;
        SdkPublisher<ScanResponse> asyncPages;
        try (RoutingContext.Scope s = RoutingContext.builder()
                .session(RoutingSession.after(session.token().orElseThrow())).open()) {
            pages = us.scanPaginator(ScanRequest.builder().tableName(TABLE).limit(1).build());
            asyncPages = usAsync.scanPaginator(ScanRequest.builder().tableName(TABLE).limit(1).build());
        }
        regions.journalsClear();
        assertThat(pages.stream().limit(4).count()).isEqualTo(4);
        List<ScanResponse> fetched = new ArrayList<>();
        asyncPages.limit(4).subscribe(fetched::add).join();
        assertThat(fetched).hasSize(4);
        assertThat(regions.journal("eu-west-1").count("Scan")).isGreaterThanOrEqualTo(8);
        assertThat(regions.journal("us-east-1").count("Scan")).isZero();
        assertThat(regions.journal("eu-central-1").count("Scan")).isZero();
    }

    private static PutItemRequest put(String k) {
        return PutItemRequest.builder().tableName(TABLE).item(key(k)).build();
    }

    private static GetItemRequest get(String k) {
        return GetItemRequest.builder().tableName(TABLE).key(key(k)).build();
    }

    private static GetItemRequest consistentGet(String k) {
        return get(k).toBuilder().consistentRead(true).build();
    }

    private static BatchGetItemRequest batchGet(String k) {
        return BatchGetItemRequest.builder()
                .requestItems(Map.of(TABLE, KeysAndAttributes.builder().keys(key(k)).build())).build();
    }

    private static QueryRequest query(String k) {
        return QueryRequest.builder().tableName(TABLE).keyConditionExpression("pk = :k")
                .expressionAttributeValues(Map.of(":k", AttributeValue.fromS(k))).build();
    }

    private static ScanRequest scan() {
        return ScanRequest.builder().tableName(TABLE).limit(5).build();
    }

    private static TransactGetItemsRequest transactGet(String k) {
        return TransactGetItemsRequest.builder().transactItems(TransactGetItem.builder()
                .get(Get.builder().tableName(TABLE).key(key(k)).build()).build()).build();
    }
}
