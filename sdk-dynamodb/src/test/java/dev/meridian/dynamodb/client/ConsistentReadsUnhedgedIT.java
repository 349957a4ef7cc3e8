package dev.meridian.dynamodb.client;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.ParameterizedStatement;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;

/**
 * A strongly consistent read is answered by the region it was sent to first, never by a hedge to a region whose copy
 * may not have replicated the write yet: eu-west-1 (local) takes a put, replication to eu-central-1 is paused, and
 * eu-west-1 answers {@code GetItem}s 300 ms late (fixed 50 ms hedge). An eventually consistent read of the item is
 * hedged to eu-central-1, which answers "no item" first (the setup does what it says); a {@code ConsistentRead} one,
 * synchronous or asynchronous, waits for eu-west-1 and finds the item. Before the fix its hedge won with "no item".
 * So does a transactional read ({@code TransactGetItems}, a PartiQL {@code ExecuteTransaction} of {@code SELECT}s):
 * another region's answer is no transaction of eu-west-1's (global tables replicate item by item). Before its fix the
 * {@code TransactGetItems} hedge won with "no item".
 */
class ConsistentReadsUnhedgedIT {
    private static final String TABLE = "consistent_unhedged";
    private static final Map<String, AttributeValue> KEY = Map.of("pk", AttributeValue.fromS("order-1"));

    private static LocalRegions regions;
    private static MultiRegion runtime;
    private static DynamoDbClient client;
    private static DynamoDbAsyncClient asyncClient;

    @BeforeAll
    static void start() throws Exception {
        regions = LocalRegions.start(EU_WEST_1.id(), EU_CENTRAL_1.id());
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        runtime = MultiRegion.builder(MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST_1)).region(RegionSpec.of(EU_CENTRAL_1))
                .localRegion(EU_WEST_1).routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.fixed(Duration.ofMillis(50)))
                .build()).build();
        List<TableConfig> tables = List.of(TableConfig.builder(TABLE).partitionKey("pk")
                .replicaRegions(EU_WEST_1, EU_CENTRAL_1).build());
        client = MultiRegionDynamoDb.builder().multiRegion(runtime).tables(tables)
                .clientFactory(r -> TestRegions.client(regions, r)).build();
        asyncClient = MultiRegionDynamoDb.builder().multiRegion(runtime).tables(tables)
                .asyncClientFactory(r -> TestRegions.asyncClient(regions, r)).buildAsyncClient();
        // Warm both regions' clients, so no attempt below goes through a cold client.
        for (int i = 0; i < 3; i++) {
            client.getItem(g -> g.tableName(TABLE).key(KEY));
            asyncClient.getItem(g -> g.tableName(TABLE).key(KEY)).get(30, TimeUnit.SECONDS);
        }
        regions.pauseReplication(EU_WEST_1.id(), EU_CENTRAL_1.id());
        client.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("order-1"))));
        regions.faults(EU_WEST_1.id()).only("GetItem", "TransactGetItems", "ExecuteTransaction")
                .latency(Duration.ofMillis(300));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {client, asyncClient, runtime, regions}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
    }

    @Test
    void anEventuallyConsistentReadIsHedgedAndMayMissTheWrite() {
        assertThat(client.getItem(g -> g.tableName(TABLE).key(KEY)).hasItem())
                .as("the hedge to eu-central-1, not replicated to, answers first").isFalse();
    }

    @Test
    void aConsistentReadWaitsForTheRegionItWasSentToFirst() throws Exception {
        int centralBefore = regions.journal(EU_CENTRAL_1.id()).count("GetItem");
        assertThat(client.getItem(g -> g.tableName(TABLE).key(KEY).consistentRead(true)).hasItem()).isTrue();
        assertThat(asyncClient.getItem(g -> g.tableName(TABLE).key(KEY).consistentRead(true))
                .get(30, TimeUnit.SECONDS).hasItem()).isTrue();
        assertThat(regions.journal(EU_CENTRAL_1.id()).count("GetItem")).as("consistent reads hedged to eu-central-1")
                .isEqualTo(centralBefore);
    }

    @Test
    void aTransactionalReadWaitsForTheRegionItWasSentToFirst() throws Exception {
        int centralBefore = regions.journal(EU_CENTRAL_1.id()).count();
        TransactGetItem get = TransactGetItem.builder().get(Get.builder().tableName(TABLE).key(KEY).build()).build();
        assertThat(client.transactGetItems(t -> t.transactItems(get)).responses().get(0).hasItem()).isTrue();
        assertThat(asyncClient.transactGetItems(t -> t.transactItems(get)).get(30, TimeUnit.SECONDS).responses().get(0)
                .hasItem()).isTrue();
        ParameterizedStatement select = ParameterizedStatement.builder()
                .statement("SELECT * FROM \"" + TABLE + "\" WHERE pk = 'order-1'").build();
        assertThat(client.executeTransaction(t -> t.transactStatements(select)).responses().get(0).hasItem())
                .isTrue();
        assertThat(asyncClient.executeTransaction(t -> t.transactStatements(select)).get(30, TimeUnit.SECONDS)
                .responses().get(0).hasItem()).isTrue();
        assertThat(regions.journal(EU_CENTRAL_1.id()).count()).as("transactional reads hedged to eu-central-1")
                .isEqualTo(centralBefore);
    }
}
