package dev.meridian.testkit;

import static dev.meridian.testkit.TestTables.get;
import static dev.meridian.testkit.TestTables.key;
import static dev.meridian.testkit.TestTables.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.ParameterizedStatement;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Global-table replication, with the replicator's idle poll turned off (an hour): every change here reaches the other
 * regions because a fault proxy saw the write, a link was resumed, a delayed change fell due or a test awaits
 * replication, never because the replicator happened to poll ({@code LocalRegionsLifecycleIT} covers that poll).
 */
class GlobalTableReplicationIT {

    private static final String EU = "eu-west-1";
    private static final String DE = "eu-central-1";
    private static final String US = "us-east-1";
    private static final String TABLE = "orders";
    private static final String EU_ONLY = "eu-only";
    private static final String BURST = "burst";

    private static LocalRegions regions;

    @BeforeAll
    static void startRegions() {
        regions = LocalRegions.builder().regions(EU, DE, US).idlePoll(Duration.ofHours(1)).start();
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(EU_ONLY), List.of(EU, DE));
        regions.createGlobalTable(LocalRegions.pkTable(BURST));
    }

    @AfterAll
    static void stopRegions() {
        if (regions != null) {
            regions.close();
        }
    }

    @BeforeEach
    void cleanSlate() {
        regions.reset();
    }

    @Test
    void writeInOneRegionIsReadableInEveryOtherAfterReplication() {
        put(regions.client(EU), TABLE, "order-1", "status", "PLACED");

        regions.awaitReplication();

        assertThat(get(regions.client(US), TABLE, "order-1")).containsEntry("status", AttributeValue.fromS("PLACED"));
        assertThat(get(regions.client(DE), TABLE, "order-1")).containsEntry("status", AttributeValue.fromS("PLACED"));
    }

    @Test
    void aTableWithReplicasInSomeRegionsExistsAndReplicatesOnlyThere() {
        put(regions.client(DE), EU_ONLY, "subject-1", "status", "PLACED");

        regions.awaitReplication();

        assertThat(get(regions.client(EU), EU_ONLY, "subject-1")).containsEntry("status", AttributeValue.fromS("PLACED"));
        assertThatThrownBy(() -> get(regions.client(US), EU_ONLY, "subject-1"))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> regions.createGlobalTable(LocalRegions.pkTable("nowhere"), List.of("ap-south-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replicaRegions");
    }

    @Test
    void deleteReplicatesToEveryRegion() {
        put(regions.client(US), TABLE, "order-del", "status", "PLACED");
        regions.awaitReplication();

        regions.client(DE).deleteItem(b -> b.tableName(TABLE).key(key("order-del")));
        regions.awaitReplication();

        assertThat(get(regions.client(EU), TABLE, "order-del")).isEmpty();
        assertThat(get(regions.client(US), TABLE, "order-del")).isEmpty();
    }

    @Test
    void pausedLinkDivergesAndTheLaterWriteWinsEverywhereAfterResume() {
        put(regions.client(EU), TABLE, "order-lww", "status", "PLACED");
        regions.awaitReplication();
        regions.pauseReplication(EU, US);
        regions.pauseReplication(US, EU);

        put(regions.client(EU), TABLE, "order-lww", "status", "SHIPPED");
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.pendingReplication(EU, US) == 1);
        put(regions.client(US), TABLE, "order-lww", "status", "CANCELLED");
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.pendingReplication(US, EU) == 1);

        assertThat(get(regions.client(EU), TABLE, "order-lww")).containsEntry("status", AttributeValue.fromS("SHIPPED"));
        assertThat(get(regions.client(US), TABLE, "order-lww"))
                .containsEntry("status", AttributeValue.fromS("CANCELLED"));

        regions.resumeReplication(EU, US);
        regions.resumeReplication(US, EU);
        regions.awaitReplication();

        for (String region : regions.regions()) {
            assertThat(get(regions.client(region), TABLE, "order-lww"))
                    .as("status in %s", region)
                    .containsEntry("status", AttributeValue.fromS("CANCELLED"));
        }
    }

    /**
     * Conflicts resolve by write time, not by when the replicator reads each stream. While the replicator is busy
     * delivering a burst, one writer's write is acknowledged in DE and its next write of the item (of each kind that
     * names one table, or several) lands in EU: the next cycle reads both, EU's stream first. The EU write, made after
     * the DE one was acknowledged, wins everywhere (the replicator that stamped writes when it read them kept the DE
     * one). Left out: PartiQL's INSERT, which fails on an item the DE write may have reached, and a delete, which when
     * EU does not hold the item yet deletes nothing, so has no record to replicate and nothing to order.
     */
    @ParameterizedTest
    @EnumSource(value = Write.class, names = {"PUT_ITEM", "UPDATE_ITEM", "BATCH_WRITE_ITEM", "TRANSACT_WRITE_ITEMS"})
    void aWriteMadeAfterAnotherWasAcknowledgedWinsWhateverOrderTheReplicatorReadsThem(Write next) {
        AttributeValue round = AttributeValue.fromS(next.name());
        try (DynamoDbClient direct = regions.clientBuilder(US).endpointOverride(regions.directEndpoint(US)).build()) {
            for (int i = 0; i < 300; i++) {
                put(direct, BURST, "b-" + i, "status", next.name());
            }
        }
        put(regions.client(US), BURST, "b-signal", "status", next.name());   // wakes the replicator (idle poll is off)
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5))
                .until(() -> round.equals(get(regions.client(EU), BURST, "b-0").get("status")));

        String pk = "order-moved-" + next.name().toLowerCase(Locale.ROOT);
        put(regions.client(DE), TABLE, pk, "status", "moved");
        next.apply(regions.client(EU), pk);
        regions.awaitReplication();

        for (String region : regions.regions()) {
            assertThat(get(regions.client(region), TABLE, pk)).as("item in %s", region)
                    .containsEntry("status", AttributeValue.fromS("PLACED"));
        }
    }

    @Test
    void concurrentUpdatesOfDifferentAttributesInTwoRegionsLoseOneWholeUpdate() {
        put(regions.client(EU), TABLE, "order-attr", "status", "PLACED");
        regions.awaitReplication();
        regions.isolate(EU);
        regions.isolate(US);

        regions.client(EU).updateItem(b -> b.tableName(TABLE).key(key("order-attr"))
                .updateExpression("SET address = :a").expressionAttributeValues(Map.of(":a", AttributeValue.fromS("Dublin"))));
        regions.client(US).updateItem(b -> b.tableName(TABLE).key(key("order-attr"))
                .updateExpression("SET payment = :p").expressionAttributeValues(Map.of(":p", AttributeValue.fromS("card"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.pendingReplication(EU, US) == 1
                && regions.pendingReplication(US, EU) == 1);

        regions.resumeReplication();
        regions.awaitReplication();

        Map<String, AttributeValue> converged = get(regions.client(DE), TABLE, "order-attr");
        assertThat(converged).as("one whole item wins: exactly one of the two updates survives")
                .containsKey("status")
                .satisfiesAnyOf(
                        item -> assertThat(item).containsKey("address").doesNotContainKey("payment"),
                        item -> assertThat(item).containsKey("payment").doesNotContainKey("address"));
        for (String region : regions.regions()) {
            assertThat(get(regions.client(region), TABLE, "order-attr")).as("item in %s", region).isEqualTo(converged);
        }
        assertThat(regions.supersededReplicatedWrites()).isPositive();
    }

    @Test
    void awaitReplicationTimesOutNamingTheLinkThatHoldsChanges() {
        regions.pauseReplication(DE, EU);
        put(regions.client(DE), TABLE, "order-held", "status", "PLACED");
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.pendingReplication(DE, EU) == 1);

        assertThatThrownBy(() -> regions.awaitReplication(Duration.ofMillis(300)))
                .isInstanceOf(ReplicationTimeoutException.class)
                .hasMessageContaining("eu-central-1->eu-west-1")
                .hasMessageContaining("paused");

        regions.resumeReplication(DE, EU);
        regions.awaitReplication();
        assertThat(get(regions.client(EU), TABLE, "order-held")).containsEntry("status", AttributeValue.fromS("PLACED"));
    }

    @Test
    void replicationDelayHoldsChangesBackUntilItElapses() {
        regions.replicationDelay(Duration.ofSeconds(2));

        put(regions.client(EU), TABLE, "order-late", "status", "PLACED");

        assertThat(get(regions.client(US), TABLE, "order-late")).isEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> !get(regions.client(US), TABLE, "order-late").isEmpty());
        regions.awaitReplication();
        assertThat(get(regions.client(US), TABLE, "order-late")).containsEntry("status", AttributeValue.fromS("PLACED"));
    }

    @Test
    void writesThroughTheDirectEndpointReplicateToo() {
        try (var direct = regions.clientBuilder(DE).endpointOverride(regions.directEndpoint(DE)).build()) {
            put(direct, TABLE, "order-direct", "status", "PLACED");
        }

        regions.awaitReplication();

        assertThat(get(regions.client(EU), TABLE, "order-direct")).containsEntry("status", AttributeValue.fromS("PLACED"));
        assertThat(regions.journal(DE).count("PutItem")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Write.class)
    void everyKindOfWriteThroughAProxyReplicatesWithoutAnyoneAwaitingIt(Write write) {
        String pk = "order-" + write.name().toLowerCase(Locale.ROOT);
        if (write == Write.DELETE_ITEM) {
            put(regions.client(US), TABLE, pk, "status", "PLACED");
            regions.awaitReplication();
        }

        write.apply(regions.client(EU), pk);

        await().atMost(Duration.ofSeconds(20)).until(() -> get(regions.client(DE), TABLE, pk).isEmpty()
                == (write == Write.DELETE_ITEM));
    }

    @Test
    void aBurstOfWritesToOneItemCostsOneReplicatedWritePerVersionAndRegion() {
        put(regions.client(EU), TABLE, "order-burst", "status", "v0");
        regions.awaitReplication();
        regions.pauseReplication(EU, DE);
        regions.pauseReplication(EU, US);
        for (int v = 1; v <= 5; v++) {
            put(regions.client(EU), TABLE, "order-burst", "status", "v" + v);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.pendingReplication(EU, DE) == 5
                && regions.pendingReplication(EU, US) == 5);
        long before = regions.replicatedWrites();

        regions.resumeReplication();
        regions.awaitReplication();

        // Each version once per region. The echoes of v1..v4 arrive while each region already holds v5, written by
        // the replicator itself: re-writing v5 on each of them would be 8 more.
        assertThat(regions.replicatedWrites() - before).isEqualTo(10);
        for (String region : regions.regions()) {
            assertThat(get(regions.client(region), TABLE, "order-burst")).as("item in %s", region)
                    .containsEntry("status", AttributeValue.fromS("v5"));
        }
    }

    @Test
    void anIdleReplicatorStopsPollingAndReadsDoNotWakeIt() {
        put(regions.client(EU), TABLE, "order-idle", "status", "PLACED");
        regions.awaitReplication();

        AtomicLong lastCycles = new AtomicLong(-1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(20)).until(() -> {
            for (String region : regions.regions()) {
                get(regions.client(region), TABLE, "order-idle");
                regions.client(region).query(q -> q.tableName(TABLE).keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("order-idle"))));
                regions.client(region).scan(q -> q.tableName(TABLE).limit(1));
            }
            long cycles = regions.replicationProgress().cycles();
            return lastCycles.getAndSet(cycles) == cycles;
        });
    }

    /** The DynamoDB operations that write an item, each writing item {@code pk} of {@link #TABLE}. */
    private enum Write {
        PUT_ITEM((client, pk) -> put(client, TABLE, pk, "status", "PLACED")),
        UPDATE_ITEM((client, pk) -> client.updateItem(b -> b.tableName(TABLE).key(key(pk))
                .updateExpression("SET #s = :s").expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("PLACED"))))),
        DELETE_ITEM((client, pk) -> client.deleteItem(b -> b.tableName(TABLE).key(key(pk)))),
        BATCH_WRITE_ITEM((client, pk) -> client.batchWriteItem(b -> b.requestItems(Map.of(TABLE, List.of(
                WriteRequest.builder().putRequest(p -> p.item(item(pk))).build()))))),
        TRANSACT_WRITE_ITEMS((client, pk) -> client.transactWriteItems(b -> b.transactItems(
                TransactWriteItem.builder().put(p -> p.tableName(TABLE).item(item(pk))).build()))),
        EXECUTE_STATEMENT((client, pk) -> client.executeStatement(b -> b.statement(insert())
                .parameters(AttributeValue.fromS(pk)))),
        BATCH_EXECUTE_STATEMENT((client, pk) -> client.batchExecuteStatement(b -> b.statements(
                BatchStatementRequest.builder().statement(insert()).parameters(AttributeValue.fromS(pk)).build()))),
        EXECUTE_TRANSACTION((client, pk) -> client.executeTransaction(b -> b.transactStatements(
                ParameterizedStatement.builder().statement(insert()).parameters(AttributeValue.fromS(pk)).build())));

        private final BiConsumer<DynamoDbClient, String> write;

        Write(BiConsumer<DynamoDbClient, String> write) {
            this.write = write;
        }

        void apply(DynamoDbClient client, String pk) {
            write.accept(client, pk);
        }

        private static Map<String, AttributeValue> item(String pk) {
            return Map.of("pk", AttributeValue.fromS(pk), "status", AttributeValue.fromS("PLACED"));
        }

        private static String insert() {
            return "INSERT INTO \"" + TABLE + "\" VALUE {'pk': ?, 'status': 'PLACED'}";
        }
    }
}
