package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.dynamodb.Tables;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.SessionWriteNotVisibleException;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.client.WriteMode;
import dev.meridian.dynamodb.counter.GlobalCounter;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import dev.meridian.dynamodb.merge.MergeableItems;
import dev.meridian.dynamodb.merge.OrSet;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * sdk-dynamodb/README.md read as a user, on LocalRegions: {@code GlobalCounter} and {@code MergeableItems} refuse the
 * multi-region client and a counter's value is the sum of its regions' {@code ADD}s; a batch or transaction whose homed
 * keys have different home regions is refused before sending, naming the keys and homes, while one with a homed key
 * goes to that key's home; session tokens name the acknowledging region and bound token reads to it (refused at once
 * with a zero {@code sessionReadWait} when it is down); tables configured from the environment need no
 * {@code DescribeTable}. The journals witness where requests went.
 */
@LocalRegionsConfig
class DynamoDbReadmeIT {
    private static final String HOMED = "rd_homed";
    private static final String PLAIN = "rd_plain";
    private static final String COUNTERS = "rd_counters";
    private static final String CARTS = "rd_carts";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static LocalRegions regions;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void createTables() {
        regions.createGlobalTable(LocalRegions.pkTable(HOMED));
        regions.createGlobalTable(LocalRegions.pkTable(PLAIN));
        Tables.create(regions, COUNTERS, "pk", "sk");
        Tables.create(regions, CARTS, "pk", "sk");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private DynamoDbClient routed(MultiRegionDynamoDb.Builder builder) {
        DynamoDbClient client = builder.clientFactory(r -> TestRegions.client(regions, r)).build();
        closeables.add(client);
        return client;
    }

    private DynamoDbClient routedHomed() {
        return routed(MultiRegionDynamoDb.builder().config(TestRegions.config())
                .table(TableConfig.builder(HOMED).partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY).build())
                .table(TableConfig.builder(PLAIN).partitionKey("pk").build()));
    }

    /** GetItem calls of the data table (the probe's heartbeat reads are GetItem calls too). */
    private static long plainGets(String region) {
        return regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals("GetItem") && PLAIN.equals(e.table().orElse(null))).count();
    }

    /** TestRegions' configuration with us-east-1 as the local region. */
    private static MultiRegionConfig usLocal() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.US_EAST_1).routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.disabled()).build();
    }

    private static Map<String, AttributeValue> item(String key) {
        return Map.of("pk", AttributeValue.fromS(key));
    }

    private static int total(String operation) {
        int n = 0;
        for (String r : TestRegions.IDS) {
            n += regions.journal(r).count(operation);
        }
        return n;
    }

    private static String regionThatGot(String operation) {
        List<String> got = new ArrayList<>();
        for (String r : TestRegions.IDS) {
            if (regions.journal(r).count(operation) > 0) {
                got.add(r);
            }
        }
        assertThat(got).as("regions that received %s", operation).hasSize(1);
        return got.get(0);
    }

    /** The home region of each of a few fresh keys, as the journals show a single put of it going there. */
    private static Map<String, String> homes(DynamoDbClient client, int keys) {
        Map<String, String> homes = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            String key = "home-" + KEYS.incrementAndGet();
            regions.journalsClear();
            client.putItem(PutItemRequest.builder().tableName(HOMED).item(item(key)).build());
            homes.put(key, regionThatGot("PutItem"));
        }
        regions.journalsClear();
        return homes;
    }

    /** Two keys of {@link #homes} with different home regions. */
    private static List<String> twoHomes(Map<String, String> homes) {
        for (var a : homes.entrySet()) {
            for (var b : homes.entrySet()) {
                if (!a.getValue().equals(b.getValue())) {
                    return List.of(a.getKey(), b.getKey());
                }
            }
        }
        throw new AssertionError("all keys homed in one region: " + homes);
    }

    // --- GlobalCounter and MergeableItems: pinned clients only -------------------------------------------------------

    @Test
    void globalCounterRefusesTheMultiRegionClientWhenBuilt() {
        DynamoDbClient routed = routed(MultiRegionDynamoDb.builder().config(TestRegions.config()));
        assertThatThrownBy(() -> GlobalCounter.builder().client(routed).table(COUNTERS).region(Region.EU_WEST_1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GlobalCounter.client");
        assertThat(total("UpdateItem") + total("PutItem")).isZero();
    }

    @Test
    void mergeableItemsRefusesTheMultiRegionClientWhenBuilt() {
        DynamoDbClient routed = routed(MultiRegionDynamoDb.builder().config(TestRegions.config()));
        assertThatThrownBy(() -> MergeableItems.builder(OrSet.TYPE).client(routed).table(CARTS)
                .region(Region.EU_WEST_1).clock(HybridLogicalClock.system()).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** MultiRegion.wrap(DynamoDbClient.class, ..) "returns this same client": refused as well. */
    @Test
    void globalCounterRefusesAWrappedClientToo() {
        DynamoDbClient wrapped = MultiRegion.wrap(DynamoDbClient.class, r -> TestRegions.client(regions, r),
                TestRegions.config(), DynamoDbOperationClassifier.of(List.of()));
        closeables.add(wrapped);
        assertThatThrownBy(() -> GlobalCounter.builder().client(wrapped).table(COUNTERS).region(Region.EU_WEST_1)
                .build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCountersValueIsTheSumOfEveryRegionsAdds() {
        String name = "likes-" + KEYS.incrementAndGet();
        long expected = 0;
        for (String r : TestRegions.IDS) {
            GlobalCounter counter = GlobalCounter.builder().client(regions.client(r)).table(COUNTERS).region(r).build();
            counter.add(name, 5);
            counter.decrement(name);
            expected += 4;
            assertThat(regions.journal(r).count("UpdateItem")).isEqualTo(2);
        }
        regions.awaitReplication();
        for (String r : TestRegions.IDS) {
            GlobalCounter counter = GlobalCounter.builder().client(regions.client(r)).table(COUNTERS).region(r).build();
            assertThat(counter.value(name, true)).as("value read in %s", r).isEqualTo(expected);
            assertThat(counter.partials(name, true)).hasSize(3);
        }
    }

    // --- batches and transactions of keys with different homes -------------------------------------------------------

    @Test
    void aBatchWhoseHomedKeysHaveDifferentHomesIsRefusedBeforeSendingNamingKeysAndHomes() {
        DynamoDbClient client = routedHomed();
        Map<String, String> homes = homes(client, 6);
        List<String> keys = twoHomes(homes);
        BatchWriteItemRequest batch = BatchWriteItemRequest.builder().requestItems(Map.of(HOMED, List.of(
                WriteRequest.builder().putRequest(PutRequest.builder().item(item(keys.get(0))).build()).build(),
                WriteRequest.builder().putRequest(PutRequest.builder().item(item(keys.get(1))).build()).build())))
                .build();
        Throwable refused = catchThrowable(() -> client.batchWriteItem(batch));
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).contains(keys.get(0), keys.get(1),
                homes.get(keys.get(0)), homes.get(keys.get(1)));
        assertThat(total("BatchWriteItem")).isZero();
    }

    @Test
    void aTransactionWhoseHomedKeysHaveDifferentHomesIsRefusedBeforeSending() {
        DynamoDbClient client = routedHomed();
        Map<String, String> homes = homes(client, 6);
        List<String> keys = twoHomes(homes);
        TransactWriteItemsRequest tx = TransactWriteItemsRequest.builder().transactItems(
                TransactWriteItem.builder().put(Put.builder().tableName(HOMED).item(item(keys.get(0))).build()).build(),
                TransactWriteItem.builder().put(Put.builder().tableName(HOMED).item(item(keys.get(1))).build()).build())
                .build();
        Throwable refused = catchThrowable(() -> client.transactWriteItems(tx));
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).contains(keys.get(0), keys.get(1),
                homes.get(keys.get(0)), homes.get(keys.get(1)));
        assertThat(total("TransactWriteItems")).isZero();
    }

    /** "the same for TransactGetItems / consistent BatchGetItem on tables with consistentReadsAtHome" (default on). */
    @Test
    void consistentMultiKeyReadsOfKeysWithDifferentHomesAreRefusedBeforeSending() {
        DynamoDbClient client = routedHomed();
        List<String> keys = twoHomes(homes(client, 6));
        TransactGetItemsRequest tx = TransactGetItemsRequest.builder().transactItems(
                TransactGetItem.builder().get(Get.builder().tableName(HOMED).key(item(keys.get(0))).build()).build(),
                TransactGetItem.builder().get(Get.builder().tableName(HOMED).key(item(keys.get(1))).build()).build())
                .build();
        assertThat(catchThrowable(() -> client.transactGetItems(tx))).isNotNull().hasMessageContaining(keys.get(0));
        BatchGetItemRequest batch = BatchGetItemRequest.builder().requestItems(Map.of(HOMED, KeysAndAttributes
                .builder().consistentRead(true).keys(item(keys.get(0)), item(keys.get(1))).build())).build();
        assertThat(catchThrowable(() -> client.batchGetItem(batch))).isNotNull().hasMessageContaining(keys.get(1));
        assertThat(total("TransactGetItems") + total("BatchGetItem")).isZero();
        // An eventually consistent batch is not held to one home.
        client.batchGetItem(batch.toBuilder().requestItems(Map.of(HOMED, KeysAndAttributes.builder()
                .keys(item(keys.get(0)), item(keys.get(1))).build())).build());
        assertThat(total("BatchGetItem")).isEqualTo(1);
    }

    /** A consistent read of a WRITE_HOME_BY_KEY table goes to the key's home (consistentReadsAtHome). */
    @Test
    void aConsistentReadOfAHomedKeyGoesToItsHome() {
        DynamoDbClient client = routedHomed();
        Map<String, String> homes = homes(client, 12);
        String awayKey = homes.entrySet().stream().filter(e -> !e.getValue().equals("eu-west-1"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        client.getItem(GetItemRequest.builder().tableName(HOMED).key(item(awayKey)).consistentRead(true).build());
        assertThat(regionThatGot("GetItem")).isEqualTo(homes.get(awayKey));
    }

    /**
     * With a replication-lag probe, a token read may also be served by a region whose probe has read one of the
     * written region's heartbeats stamped after the token; while replication to it is paused, it is not.
     */
    @Test
    void withALagProbeATokenReadIsServedLocallyOnceReplicationIsKnownToHaveCaughtUp() {
        String key = "lag-" + KEYS.incrementAndGet();
        regions.createGlobalTable(LocalRegions.pkTable("rd_heartbeats_" + KEYS.incrementAndGet()));
        DynamoDbClient eu = routed(MultiRegionDynamoDb.builder().config(TestRegions.config()));
        RoutingSession session = RoutingSession.start();
        regions.pauseReplication("eu-west-1", "us-east-1");
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open()) {
            eu.putItem(PutItemRequest.builder().tableName(PLAIN).item(item(key)).build());
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DynamoDbClient us = routed(MultiRegionDynamoDb.builder().config(usLocal()).meterRegistry(registry)
                .replicationLagProbe(ReplicationLagProbe.config("rd_heartbeats_" + KEYS.get())
                        .withInterval(Duration.ofMillis(50))));
        GetItemRequest get = GetItemRequest.builder().tableName(PLAIN).key(item(key)).build();
        RoutingSession after = RoutingSession.after(session.token().orElseThrow());
        for (int i = 0; i < 5; i++) {
            regions.journalsClear();
            try (RoutingContext.Scope s = RoutingContext.builder().session(after).open()) {
                assertThat(us.getItem(get).hasItem()).isTrue();
            }
            assertThat(plainGets("us-east-1")).as("paused: not known in us-east-1").isZero();
        }
        regions.resumeReplication("eu-west-1", "us-east-1");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            regions.journalsClear();
            try (RoutingContext.Scope s = RoutingContext.builder().session(after).open()) {
                assertThat(us.getItem(get).hasItem()).isTrue();
            }
            assertThat(plainGets("us-east-1")).isEqualTo(1);
        });
        assertThat(registry.find(ReplicationLagProbe.METER).tag("source", "eu-west-1")
                .tag("destination", "us-east-1").gauge()).isNotNull();
    }

    /** "any item, whatever tables the others are in": a homed key away from the local region takes the batch home. */
    @Test
    void aBatchWithOneHomedKeyGoesToThatKeysHomeWhateverTheOtherTables() {
        DynamoDbClient client = routedHomed();
        Map<String, String> homes = homes(client, 12);
        String awayKey = homes.entrySet().stream().filter(e -> !e.getValue().equals("eu-west-1"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        BatchWriteItemRequest batch = BatchWriteItemRequest.builder().requestItems(Map.of(
                PLAIN, List.of(WriteRequest.builder().putRequest(PutRequest.builder()
                        .item(item("plain-" + KEYS.incrementAndGet())).build()).build()),
                HOMED, List.of(WriteRequest.builder().putRequest(PutRequest.builder()
                        .item(item(awayKey)).build()).build())))
                .build();
        client.batchWriteItem(batch);
        assertThat(regionThatGot("BatchWriteItem")).isEqualTo(homes.get(awayKey));
    }

    // --- session tokens ----------------------------------------------------------------------------------------------

    @Test
    void aWriteRecordsATokenNamingTheRegionThatAcknowledgedIt() {
        DynamoDbClient client = routed(MultiRegionDynamoDb.builder().config(TestRegions.config()));
        regions.faults("eu-west-1").down();   // the local region: the write is acknowledged by eu-central-1
        RoutingSession session = RoutingSession.start();
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open()) {
            client.putItem(PutItemRequest.builder().tableName(PLAIN).item(item("s-" + KEYS.incrementAndGet())).build());
        }
        assertThat(session.wrote()).isTrue();
        SessionToken token = session.token().orElseThrow();
        assertThat(token.region()).isEqualTo(Region.EU_CENTRAL_1);
        assertThat(SessionToken.parse(token.format())).isEqualTo(token);
    }

    @Test
    void aReadUnderATokenGoesToTheWrittenRegionNotTheLocalOne() {
        String key = "s-" + KEYS.incrementAndGet();
        DynamoDbClient eu = routed(MultiRegionDynamoDb.builder().config(TestRegions.config()));
        RoutingSession session = RoutingSession.start();
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open()) {
            eu.putItem(PutItemRequest.builder().tableName(PLAIN).item(item(key)).build());
        }
        String header = session.token().orElseThrow().format();

        DynamoDbClient us = routed(MultiRegionDynamoDb.builder()
                .config(usLocal()));
        regions.journalsClear();
        try (RoutingContext.Scope s = RoutingContext.builder()
                .session(RoutingSession.after(SessionToken.parse(header))).open()) {
            assertThat(us.getItem(GetItemRequest.builder().tableName(PLAIN).key(item(key)).build()).hasItem()).isTrue();
        }
        assertThat(regionThatGot("GetItem")).isEqualTo("eu-west-1");
    }

    /**
     * The written region down but not yet known to be: the read is tried there only and ends with that region's own
     * failure, never a read from a region the write may not have reached. Once its breaker is open (10 failed calls,
     * the default minimum), the read is refused at once with a zero {@code sessionReadWait}, nothing sent.
     */
    @Test
    void aTokenReadNeverLeavesTheWrittenRegionAndIsRefusedOnceItCannotTakeCalls() {
        String key = "s-" + KEYS.incrementAndGet();
        DynamoDbClient client = routed(MultiRegionDynamoDb.builder().config(TestRegions.config())
                .sessionReadWait(Duration.ZERO));
        RoutingSession session = RoutingSession.start();
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open()) {
            client.putItem(PutItemRequest.builder().tableName(PLAIN).item(item(key)).build());
        }
        regions.awaitReplication();   // the item is everywhere, but no lag probe says so
        regions.faults("eu-west-1").down();
        regions.journalsClear();
        GetItemRequest get = GetItemRequest.builder().tableName(PLAIN).key(item(key)).build();
        try (RoutingContext.Scope s = RoutingContext.builder()
                .session(RoutingSession.after(session.token().orElseThrow())).open()) {
            assertThatThrownBy(() -> client.getItem(get)).isInstanceOf(SdkClientException.class);
        }
        assertThat(regions.journal("eu-central-1").count("GetItem")).isZero();
        assertThat(regions.journal("us-east-1").count("GetItem")).isZero();

        for (int i = 0; i < 10; i++) {
            client.getItem(get);   // no session: fails over to eu-central-1; eu-west-1's breaker counts the failures
        }
        regions.journalsClear();
        try (RoutingContext.Scope s = RoutingContext.builder()
                .session(RoutingSession.after(session.token().orElseThrow())).open()) {
            assertThatThrownBy(() -> client.getItem(get)).isInstanceOf(SessionWriteNotVisibleException.class)
                    .hasMessageContaining("sessionReadWait");
        }
        assertThat(total("GetItem")).isZero();
    }

    /** A token naming a region outside the table's replicas: no region can be known to hold the write. */
    @Test
    void aTokenOfARegionNoReplicaIsInIsRefusedAtOnceWithAZeroWait() {
        DynamoDbClient client = routed(MultiRegionDynamoDb.builder().config(TestRegions.config())
                .table(TableConfig.builder(PLAIN).partitionKey("pk")
                        .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build())
                .sessionReadWait(Duration.ZERO));
        SessionToken elsewhere = SessionToken.of(Region.US_EAST_1, HybridLogicalClock.system().now());
        try (RoutingContext.Scope s = RoutingContext.builder().session(RoutingSession.after(elsewhere)).open()) {
            assertThatThrownBy(() -> client.getItem(GetItemRequest.builder().tableName(PLAIN)
                    .key(item("s-" + KEYS.incrementAndGet())).build()))
                    .isInstanceOf(SessionWriteNotVisibleException.class);
        }
        assertThat(total("GetItem")).isZero();
    }

    // --- table settings from the environment -------------------------------------------------------------------------

    @Test
    void tablesConfiguredFromTheEnvironmentNeedNoDescribeTable() {
        Map<String, String> env = Map.of(
                "MERIDIAN_DYNAMODB_TABLES", HOMED + "," + PLAIN,
                "MERIDIAN_DYNAMODB_TABLE_RD_HOMED_PARTITION_KEY", "pk",
                "MERIDIAN_DYNAMODB_TABLE_RD_HOMED_REPLICA_REGIONS", "eu-west-1,eu-central-1,us-east-1",
                "MERIDIAN_DYNAMODB_TABLE_RD_HOMED_WRITE_MODE", "write-home-by-key",
                "MERIDIAN_DYNAMODB_TABLE_RD_PLAIN_PARTITION_KEY", "pk",
                "MERIDIAN_DYNAMODB_TABLE_RD_PLAIN_REPLICA_REGIONS", "eu-west-1,eu-central-1,us-east-1");
        List<TableConfig> tables = TableConfig.fromEnvironment(env, new Properties());
        assertThat(tables).extracting(TableConfig::tableName).containsExactlyInAnyOrder(HOMED, PLAIN);
        assertThat(tables).filteredOn(t -> t.tableName().equals(HOMED)).singleElement()
                .extracting(TableConfig::writeMode).isEqualTo(WriteMode.WRITE_HOME_BY_KEY);
        DynamoDbClient client = routed(MultiRegionDynamoDb.builder().config(TestRegions.config()).tables(tables));
        String key = "env-" + KEYS.incrementAndGet();
        client.putItem(PutItemRequest.builder().tableName(HOMED).item(item(key)).build());
        client.putItem(PutItemRequest.builder().tableName(PLAIN).item(item(key)).build());
        client.getItem(GetItemRequest.builder().tableName(PLAIN).key(item(key)).build());
        assertThat(total("DescribeTable")).isZero();
    }
}
