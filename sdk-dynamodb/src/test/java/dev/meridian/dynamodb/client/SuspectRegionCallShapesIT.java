package dev.meridian.dynamodb.client;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RequestJournal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ParameterizedStatement;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;

/**
 * Issue 19, item 3 on every call shape: the suspect rule lives in sdk-core's executor, which every shape of the
 * multi-region client goes through. For each shape — synchronous {@code GetItem}, the {@code Query} paginator,
 * asynchronous {@code GetItem}, {@code BatchGetItem} — the local region eu-west-1 answers
 * every request, but 400 ms late (the README's configuration: adaptive hedging, 50 ms floor, 2 s attempts). Its
 * reads' hedges win elsewhere, the run of unanswered losers makes it suspect and its slow trials eject it: after that
 * the shape's reads do not go there at all. No read fails, and RESTRICTED data of a German subject (a table
 * replicated in the EU regions only) is read in eu-central-1, never in us-east-1 — which comes before eu-central-1
 * in the plan of unrestricted data (priority), as the PUBLIC reads made at the end show. The request journals are
 * the witness. A read that is never hedged — every asynchronous consistent call shape, and the transactional reads
 * ({@code TransactGetItems}, a PartiQL transaction of {@code SELECT}s) — starts past a black-holed region that hedged
 * reads made suspect, as a synchronous consistent one does, and still fails over after a failed attempt.
 */
@LocalRegionsConfig
class SuspectRegionCallShapesIT {
    private static final String EU_PROFILES = "suspect_eu_profiles";
    private static final String CATALOG = "suspect_catalog";
    private static final Duration SLOW = Duration.ofMillis(400);
    /** Reads made after the region is ejected, none of which may reach it. */
    private static final int AFTER_EJECTION = 10;
    private static final int MAX_READS = 300;
    /** Consistent reads made while the local region is suspect. */
    private static final int CONSISTENT_READS = 3;

    private static LocalRegions regions;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private MultiRegion runtime;
    private DynamoDbClient client;
    private DynamoDbAsyncClient asyncClient;

    @BeforeAll
    static void seedTables() {
        for (String table : List.of(EU_PROFILES, CATALOG)) {
            regions.createGlobalTable(LocalRegions.pkTable(table));
            for (String id : IDS) {
                try (DynamoDbClient c = TestRegions.client(regions, Region.of(id), Duration.ofSeconds(30))) {
                    for (String pk : List.of("item-1", "item-2")) {
                        c.putItem(p -> p.tableName(table).item(Map.of("pk", AttributeValue.fromS(pk),
                                "servedBy", AttributeValue.fromS(id))));
                    }
                }
            }
        }
        regions.awaitReplication();
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        if (asyncClient != null) {
            asyncClient.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    /** One way of reading a table's items through the multi-region clients; true when all it asked for came back. */
    interface Reader {
        boolean read(SuspectRegionCallShapesIT t, String table) throws Exception;
    }

    /** One way of reading both items of a table through the multi-region clients; true when both came back. */
    enum Shape implements Reader {
        SYNC_GET_ITEM("GetItem") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) {
                return t.client.getItem(g -> g.tableName(table).key(key("item-1"))).hasItem()
                        && t.client.getItem(g -> g.tableName(table).key(key("item-2"))).hasItem();
            }
        },
        QUERY_PAGINATOR("Query") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) {
                return t.client.queryPaginator(q -> q.tableName(table).keyConditionExpression("pk = :k")
                        .expressionAttributeValues(Map.of(":k", AttributeValue.fromS("item-1")))).items().stream()
                        .count() == 1;
            }
        },
        ASYNC_GET_ITEM("GetItem") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) throws Exception {
                return t.asyncClient.getItem(g -> g.tableName(table).key(key("item-1"))).get(30, TimeUnit.SECONDS)
                        .hasItem();
            }
        },
        BATCH_GET_ITEM("BatchGetItem") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) {
                return t.client.batchGetItem(b -> b.requestItems(Map.of(table, KeysAndAttributes.builder()
                        .keys(key("item-1"), key("item-2")).build()))).responses().get(table).size() == 2;
            }
        };

        /** The operation its requests are journalled as. */
        final String operation;

        Shape(String operation) {
            this.operation = operation;
        }

    }

    /**
     * Every shape of a strongly consistent read through the asynchronous client, and the transactional reads
     * (synchronous and asynchronous): reads that are never hedged, so that, like a write, they start past a suspect
     * region instead of waiting there for an attempt timeout.
     */
    enum UnhedgedShape implements Reader {
        GET_ITEM("GetItem") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) throws Exception {
                return t.asyncClient.getItem(g -> g.tableName(table).key(key("item-1")).consistentRead(true))
                        .get(30, TimeUnit.SECONDS).hasItem();
            }
        },
        QUERY("Query") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) throws Exception {
                return t.asyncClient.query(q -> q.tableName(table).keyConditionExpression("pk = :k")
                        .expressionAttributeValues(Map.of(":k", AttributeValue.fromS("item-1"))).consistentRead(true))
                        .get(30, TimeUnit.SECONDS).count() == 1;
            }
        },
        SCAN("Scan") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) throws Exception {
                return t.asyncClient.scan(s -> s.tableName(table).consistentRead(true)).get(30, TimeUnit.SECONDS)
                        .count() == 2;
            }
        },
        BATCH_GET_ITEM("BatchGetItem") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) throws Exception {
                return t.asyncClient.batchGetItem(b -> b.requestItems(Map.of(table, KeysAndAttributes.builder()
                        .keys(key("item-1"), key("item-2")).consistentRead(true).build())))
                        .get(30, TimeUnit.SECONDS).responses().get(table).size() == 2;
            }
        },
        PARTIQL_SELECT("ExecuteStatement") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) throws Exception {
                return t.asyncClient.executeStatement(e -> e.statement("SELECT * FROM \"" + table
                        + "\" WHERE pk = 'item-1'").consistentRead(true)).get(30, TimeUnit.SECONDS).items().size() == 1;
            }
        },
        QUERY_PAGINATOR("Query") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) throws Exception {
                List<Map<String, AttributeValue>> items = new CopyOnWriteArrayList<>();
                t.asyncClient.queryPaginator(q -> q.tableName(table).keyConditionExpression("pk = :k")
                        .expressionAttributeValues(Map.of(":k", AttributeValue.fromS("item-1"))).consistentRead(true))
                        .items().subscribe(items::add).get(30, TimeUnit.SECONDS);
                return items.size() == 1;
            }
        },
        SCAN_PAGINATOR("Scan") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) throws Exception {
                List<Map<String, AttributeValue>> items = new CopyOnWriteArrayList<>();
                // One item a page: every page is a routed call of its own.
                t.asyncClient.scanPaginator(s -> s.tableName(table).consistentRead(true).limit(1))
                        .items().subscribe(items::add).get(30, TimeUnit.SECONDS);
                return items.size() == 2;
            }
        },
        TRANSACT_GET_ITEMS("TransactGetItems") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) throws Exception {
                return t.asyncClient.transactGetItems(x -> x.transactItems(both(table))).get(30, TimeUnit.SECONDS)
                        .responses().stream().allMatch(r -> r.hasItem());
            }
        },
        SYNC_TRANSACT_GET_ITEMS("TransactGetItems") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) {
                return t.client.transactGetItems(x -> x.transactItems(both(table))).responses().stream()
                        .allMatch(r -> r.hasItem());
            }
        },
        PARTIQL_TRANSACTION("ExecuteTransaction") {
            @Override
            public boolean read(SuspectRegionCallShapesIT t, String table) throws Exception {
                return t.asyncClient.executeTransaction(x -> x.transactStatements(
                        ParameterizedStatement.builder().statement("SELECT * FROM \"" + table
                                + "\" WHERE pk = 'item-1'").build(),
                        ParameterizedStatement.builder().statement("SELECT * FROM \"" + table
                                + "\" WHERE pk = 'item-2'").build())).get(30, TimeUnit.SECONDS)
                        .responses().stream().allMatch(r -> r.hasItem());
            }
        };

        private static List<TransactGetItem> both(String table) {
            return List.of(
                    TransactGetItem.builder().get(Get.builder().tableName(table).key(key("item-1")).build()).build(),
                    TransactGetItem.builder().get(Get.builder().tableName(table).key(key("item-2")).build()).build());
        }

        /** The operation its requests are journalled as. */
        final String operation;

        UnhedgedShape(String operation) {
            this.operation = operation;
        }
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    /** The README's runtime (adaptive hedging by default) with us-east-1 ahead of eu-central-1 in priority. */
    private void routedClients() {
        routedClients(RegionalClientDefaults.ATTEMPT_TIMEOUT);
    }

    /** As {@link #routedClients()}, the asynchronous per-region clients with {@code asyncAttemptTimeout}. */
    private void routedClients(Duration asyncAttemptTimeout) {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST_1).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(US_EAST_1).jurisdiction("US").priority(1))
                .region(RegionSpec.of(EU_CENTRAL_1).jurisdiction("EU").priority(2))
                .localRegion(EU_WEST_1)
                .build();
        runtime = MultiRegion.builder(config).meterRegistry(meters).build();
        List<TableConfig> tables = List.of(
                TableConfig.builder(EU_PROFILES).partitionKey("pk").replicaRegions(EU_WEST_1, EU_CENTRAL_1).build(),
                TableConfig.builder(CATALOG).partitionKey("pk").replicaRegions(EU_WEST_1, EU_CENTRAL_1, US_EAST_1)
                        .build());
        client = MultiRegionDynamoDb.builder().multiRegion(runtime).tables(tables)
                .clientFactory(r -> TestRegions.client(regions, r)).build();
        asyncClient = MultiRegionDynamoDb.builder().multiRegion(runtime).tables(tables)
                .asyncClientFactory(r -> TestRegions.asyncClient(regions, r, asyncAttemptTimeout)).buildAsyncClient();
    }

    /** Reads once in each region alone (the others excluded), so that no read below goes through a cold client. */
    private void warmUp(Reader shape) throws Exception {
        for (String id : IDS) {
            RoutingContext.Builder only = RoutingContext.builder().dataClass(DataClass.PUBLIC);
            for (String other : IDS) {
                if (!other.equals(id)) {
                    only.excludeRegion(Region.of(other));
                }
            }
            try (RoutingContext.Scope s = only.build().open()) {
                for (int i = 0; i < 3; i++) {
                    assertThat(shape.read(this, CATALOG)).isTrue();
                }
            }
        }
    }

    private static int requests(Region region) {
        return regions.journal(region.id()).count();
    }

    private RegionStatus.BreakerState west() {
        return runtime.status(EU_WEST_1).breaker();
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void readsOfEveryShapeLeaveASlowLocalRegionWithoutFailingAndRestrictedDataStaysInItsJurisdiction(Shape shape)
            throws Exception {
        routedClients();
        warmUp(shape);
        regions.faults(EU_WEST_1.id()).latency(SLOW);
        regions.journalsClear();

        RoutingContext german = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE").build();
        int reads = 0;
        try (RoutingContext.Scope s = german.open()) {
            while (west() == RegionStatus.BreakerState.CLOSED) {
                assertThat(reads++).as("RESTRICTED reads before eu-west-1 was ejected").isLessThan(MAX_READS);
                assertThat(shape.read(this, EU_PROFILES)).as("read %d", reads).isTrue();
            }
            int westBefore = requests(EU_WEST_1);
            for (int i = 0; i < AFTER_EJECTION; i++) {
                assertThat(shape.read(this, EU_PROFILES)).isTrue();
            }
            assertThat(requests(EU_WEST_1)).as("reads sent to the ejected region").isEqualTo(westBefore);
        }
        assertThat(meters.counter("meridian.region.suspicion", "region", EU_WEST_1.id(), "outcome", "suspected")
                .count()).as("eu-west-1 made suspect by %s's hedge losers", shape).isGreaterThanOrEqualTo(1);
        assertThat(regions.journal(EU_CENTRAL_1.id()).count(shape.operation)).as("reads served by eu-central-1")
                .isGreaterThanOrEqualTo(AFTER_EJECTION);
        // A request sent late (a detached trial, a loser's SDK retry) would land soon after: none may be in us-east-1.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(30))
                .until(() -> requests(US_EAST_1) == 0);

        // Unrestricted data would have gone to us-east-1: the check above is not vacuous.
        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.PUBLIC).build().open()) {
            for (int i = 0; i < AFTER_EJECTION; i++) {
                assertThat(shape.read(this, CATALOG)).isTrue();
            }
        }
        assertThat(regions.journal(US_EAST_1.id()).count(shape.operation)).isGreaterThanOrEqualTo(AFTER_EJECTION);
    }

    /**
     * A suspect local region (black-holed: its hedge losers went unanswered) is not where an unhedged (consistent or
     * transactional) read starts: it goes to eu-central-1 at once, asynchronous or synchronous, rather than wait in
     * eu-west-1 for an attempt timeout (it may not be hedged away). Before the fix an asynchronous one was sent there.
     * No RESTRICTED read leaves the EU.
     * The region is still suspect, not ejected, at the end: its breaker did not refuse the reads in its stead.
     */
    @ParameterizedTest
    @EnumSource(UnhedgedShape.class)
    void unhedgedReadsOfEveryShapeStartPastASuspectRegion(UnhedgedShape shape) throws Exception {
        // Black-holed losers do not time out (and eject the region) while the test looks at the suspect region.
        routedClients(Duration.ofSeconds(20));
        warmUp(Shape.ASYNC_GET_ITEM);
        warmUp(shape);
        regions.faults(EU_WEST_1.id()).blackhole();
        regions.journalsClear();

        int reads = 0;
        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.PUBLIC).build().open()) {
            while (!runtime.status(EU_WEST_1).suspect()) {
                assertThat(reads++).as("eventually consistent reads before eu-west-1 was suspect")
                        .isLessThan(MAX_READS);
                assertThat(Shape.ASYNC_GET_ITEM.read(this, CATALOG)).as("read %d", reads).isTrue();
            }
        }
        assertThat(west()).as("eu-west-1 suspect, not ejected").isEqualTo(RegionStatus.BreakerState.CLOSED);

        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                .build().open()) {
            for (int i = 0; i < CONSISTENT_READS; i++) {
                assertThat(shape.read(this, EU_PROFILES)).as("consistent read %d", i).isTrue();
            }
        }
        assertThat(requestsBesidesCatalogReads(EU_WEST_1)).as("consistent reads sent to the suspect eu-west-1")
                .isEmpty();
        assertThat(runtime.status(EU_WEST_1).suspect()).as("eu-west-1 still suspect").isTrue();
        assertThat(west()).as("eu-west-1 still not ejected").isEqualTo(RegionStatus.BreakerState.CLOSED);
        assertThat(regions.journal(EU_CENTRAL_1.id()).count(shape.operation)).as("served by eu-central-1")
                .isGreaterThanOrEqualTo(CONSISTENT_READS);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(30))
                .until(() -> requestsBesidesCatalogReads(US_EAST_1).isEmpty());
    }

    /**
     * An unhedged (consistent or transactional) read whose attempt fails in the local region (HTTP 500) still fails
     * over, to eu-central-1: unhedged is not pinned. RESTRICTED, it never goes to us-east-1.
     */
    @ParameterizedTest
    @EnumSource(UnhedgedShape.class)
    void unhedgedReadsOfEveryShapeFailOverAfterAFailedAttempt(UnhedgedShape shape) throws Exception {
        routedClients();
        warmUp(shape);
        regions.faults(EU_WEST_1.id()).only(shape.operation).status(500);
        regions.journalsClear();

        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                .build().open()) {
            assertThat(shape.read(this, EU_PROFILES)).isTrue();
        }
        assertThat(regions.journal(EU_WEST_1.id()).count(shape.operation)).as("tried in eu-west-1 first")
                .isGreaterThanOrEqualTo(1);
        assertThat(regions.journal(EU_CENTRAL_1.id()).count(shape.operation)).as("failed over to eu-central-1")
                .isGreaterThanOrEqualTo(1);
        assertThat(requests(US_EAST_1)).as("RESTRICTED reads in us-east-1").isZero();
    }

    /** The region's requests other than the eventually consistent catalog reads that made it suspect. */
    private static List<RequestJournal.Entry> requestsBesidesCatalogReads(Region region) {
        return regions.journal(region.id()).entries().stream()
                .filter(e -> !(e.operation().equals("GetItem") && e.table().equals(Optional.of(CATALOG))))
                .toList();
    }
}
