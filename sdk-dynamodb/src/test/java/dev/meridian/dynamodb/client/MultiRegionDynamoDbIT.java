package dev.meridian.dynamodb.client;

import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.Order;
import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/** The routed client against three local regions with injected faults. */
@LocalRegionsConfig
class MultiRegionDynamoDbIT {
    private static final String ORDERS = "orders";
    private static final String EU_PROFILES = "eu_profiles";
    private static final String HOMED = "homed_orders";
    private static final String VERSIONED = "versioned_orders";

    /** A global table replicated to all three regions, one of them outside the EU. */
    private static final TableConfig ORDERS_EVERYWHERE = TableConfig.builder(ORDERS).partitionKey("pk")
            .replicaRegions(EU_WEST_1, EU_CENTRAL_1, US_EAST_1).build();

    private static LocalRegions regions;

    private MultiRegion runtime;
    private DynamoDbClient client;

    @BeforeAll
    static void createTables() {
        for (String table : List.of(ORDERS, EU_PROFILES, HOMED, VERSIONED)) {
            regions.createGlobalTable(LocalRegions.pkTable(table));
        }
    }

    @BeforeEach
    void routedClient() {
        runtime = MultiRegion.builder(TestRegions.config()).build();
        client = MultiRegionDynamoDb.builder()
                .multiRegion(runtime)
                .clientFactory(r -> TestRegions.client(regions, r))
                .table(ORDERS_EVERYWHERE)
                .table(TableConfig.builder(EU_PROFILES).partitionKey("pk")
                        .replicaRegions(EU_WEST_1, EU_CENTRAL_1).build())
                .table(TableConfig.builder(HOMED).partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY).build())
                .table(TableConfig.builder(VERSIONED).partitionKey("pk").versionAttribute("version").build())
                .build();
        regions.journalsClear();
    }

    @AfterEach
    void healEverything() {
        client.close();
        runtime.close();
    }

    private static Map<String, AttributeValue> item(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk), "status", AttributeValue.fromS("NEW"));
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    private static int count(Region region, String operation) {
        return regions.journal(region.id()).count(operation);
    }

    @Test
    void readsAndWritesGoToTheLocalRegionFirst() {
        client.putItem(p -> p.tableName(ORDERS).item(item("local-1")));
        GetItemResponse read = client.getItem(g -> g.tableName(ORDERS).key(key("local-1")));

        assertThat(read.item()).containsEntry("status", AttributeValue.fromS("NEW"));
        assertThat(count(EU_WEST_1, "PutItem")).isEqualTo(1);
        assertThat(count(EU_WEST_1, "GetItem")).isEqualTo(1);
        assertThat(count(EU_CENTRAL_1, "PutItem") + count(US_EAST_1, "PutItem")).isZero();
    }

    @Test
    void callsFailOverWhenTheLocalRegionIsDownWithoutErrorsSeenByTheCaller() {
        regions.faults("eu-west-1").down();
        for (int i = 0; i < 20; i++) {
            String pk = "down-" + i;
            client.putItem(p -> p.tableName(ORDERS).item(item(pk)));
            assertThat(client.getItem(g -> g.tableName(ORDERS).key(key(pk)).consistentRead(true)).hasItem()).isTrue();
        }
        assertThat(count(EU_CENTRAL_1, "PutItem")).isEqualTo(20);
        assertThat(count(US_EAST_1, "PutItem")).isZero();
    }

    @Test
    void callsFailOverOnServiceUnavailable() {
        regions.faults("eu-west-1").status(503);
        for (int i = 0; i < 10; i++) {
            String pk = "unavailable-" + i;
            client.putItem(p -> p.tableName(ORDERS).item(item(pk)));
            assertThat(client.getItem(g -> g.tableName(ORDERS).key(key(pk)).consistentRead(true)).hasItem()).isTrue();
        }
        assertThat(count(EU_CENTRAL_1, "PutItem")).isEqualTo(10);
    }

    /**
     * Lets eu-west-1's client answer once, so that a black hole there ends in the client's attempt timeout rather than
     * in the longer budget of a new client's first attempt ({@code MultiRegionConfig.firstAttemptTimeout}, 10 s).
     */
    private void warmLocalRegion() {
        client.getItem(g -> g.tableName(ORDERS).key(key("warm-up")));
        regions.journalsClear();
    }

    @Test
    void plainWriteIsNotRepeatedElsewhereAfterAMaybeAppliedFailure() {
        warmLocalRegion();
        regions.faults("eu-west-1").blackhole();

        assertThatThrownBy(() -> client.putItem(p -> p.tableName(ORDERS).item(item("blackholed"))))
                .isInstanceOf(SdkException.class);
        assertThat(count(EU_CENTRAL_1, "PutItem") + count(US_EAST_1, "PutItem")).isZero();
    }

    @Test
    void conditionalWriteMovesOnAfterAMaybeAppliedFailure() {
        warmLocalRegion();
        regions.faults("eu-west-1").blackhole();

        client.putItem(p -> p.tableName(ORDERS).item(item("conditional"))
                .conditionExpression("attribute_not_exists(pk)"));

        assertThat(count(EU_CENTRAL_1, "PutItem")).isEqualTo(1);
    }

    @Test
    void enhancedClientOptimisticLockingWorksThroughTheRoutedClient() {
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(client).build();
        DynamoDbTable<Order> orders = enhanced.table(VERSIONED, TableSchema.fromBean(Order.class));
        Key enhancedKey = Key.builder().partitionValue("enhanced-1").build();

        orders.putItem(new Order("enhanced-1", "NEW"));
        Order stored = orders.getItem(enhancedKey);
        long firstVersion = stored.getVersion();
        Order stale = orders.getItem(r -> r.key(enhancedKey).consistentRead(true));
        stored.setStatus("PAID");
        Order updated = orders.updateItem(stored);
        assertThat(updated.getVersion()).isEqualTo(firstVersion + 1);

        regions.journalsClear();
        stale.setStatus("CANCELLED");
        assertThatThrownBy(() -> orders.updateItem(stale)).isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(count(EU_WEST_1, "UpdateItem")).isEqualTo(1);
        assertThat(count(EU_CENTRAL_1, "UpdateItem") + count(US_EAST_1, "UpdateItem")).isZero();
        assertThat(orders.getItem(r -> r.key(enhancedKey).consistentRead(true)).getStatus())
                .isEqualTo("PAID");
    }

    @Test
    void restrictedGermanDataIsRefusedForATableReplicatingOutsideTheEuBeforeAnythingIsSent() {
        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE").open()) {
            assertThatThrownBy(() -> client.putItem(p -> p.tableName(ORDERS).item(item("de-1"))))
                    .isInstanceOf(ResidencyViolationException.class);
            assertThatThrownBy(() -> client.getItem(g -> g.tableName(ORDERS).key(key("de-1"))))
                    .isInstanceOf(ResidencyViolationException.class);
        }
        for (String id : IDS) {
            assertThat(regions.journal(id).entries()).as("requests sent to %s", id).isEmpty();
        }
    }

    @Test
    void restrictedGermanDataUsesAnEuOnlyTableAndNeverReachesTheUs() {
        regions.faults("eu-west-1").down();
        regions.faults("eu-central-1").down();
        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE").open()) {
            assertThatThrownBy(() -> client.putItem(p -> p.tableName(EU_PROFILES).item(item("de-2"))))
                    .isInstanceOf(RuntimeException.class);
        }
        regions.faults("eu-west-1").heal();
        regions.faults("eu-central-1").heal();
        assertThat(regions.journal("us-east-1").count()).isZero();
    }

    @Test
    void writeHomeByKeySendsEveryWriteOfAKeyToOneRegionAndSpreadsKeys() {
        for (int i = 0; i < 5; i++) {
            int n = i;
            client.putItem(p -> p.tableName(HOMED).item(Map.of("pk", AttributeValue.fromS("home-a"),
                    "n", AttributeValue.fromN(Integer.toString(n)))));
        }
        List<Integer> perRegion = new ArrayList<>();
        for (Region r : List.of(EU_WEST_1, EU_CENTRAL_1, US_EAST_1)) {
            perRegion.add(count(r, "PutItem"));
        }
        assertThat(perRegion).containsExactlyInAnyOrder(5, 0, 0);

        regions.journalsClear();
        for (int i = 0; i < 30; i++) {
            String pk = "spread-" + i;
            client.putItem(p -> p.tableName(HOMED).item(item(pk)));
        }
        long regionsUsed = List.of(EU_WEST_1, EU_CENTRAL_1, US_EAST_1).stream()
                .filter(r -> count(r, "PutItem") > 0).count();
        assertThat(regionsUsed).isGreaterThanOrEqualTo(2);
    }

    @Test
    void asyncClientFailsOverLikeTheSyncOne() {
        try (DynamoDbAsyncClient async = MultiRegionDynamoDb.builder()
                .multiRegion(runtime)
                .asyncClientFactory(r -> TestRegions.asyncClient(regions, r))
                .table(ORDERS_EVERYWHERE)
                .buildAsyncClient()) {
            // Warm up (Netty's first call can exceed the 2 s timeout on a busy machine, which is "maybe applied").
            async.putItem(p -> p.tableName(ORDERS).item(item("async-warm-up"))).join();
            regions.journalsClear();
            regions.faults("eu-west-1").down();
            for (int i = 0; i < 10; i++) {
                String pk = "async-" + i;
                async.putItem(p -> p.tableName(ORDERS).item(item(pk))).join();
                assertThat(async.getItem(g -> g.tableName(ORDERS).key(key(pk)).consistentRead(true)).join().hasItem())
                        .isTrue();
            }
            assertThat(count(EU_CENTRAL_1, "PutItem")).isEqualTo(10);

        }
    }

    @Test
    void asyncClientRefusesRestrictedDataWithAFailedFuture() {
        try (DynamoDbAsyncClient async = MultiRegionDynamoDb.builder()
                .multiRegion(runtime)
                .asyncClientFactory(r -> TestRegions.asyncClient(regions, r))
                .table(ORDERS_EVERYWHERE)
                .buildAsyncClient();
                RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE").open()) {
            assertThatThrownBy(() -> async.putItem(p -> p.tableName(ORDERS).item(item("async-de"))).join())
                    .hasCauseInstanceOf(ResidencyViolationException.class);
        }
        for (String id : IDS) {
            assertThat(regions.journal(id).entries()).as("requests sent to %s", id).isEmpty();
        }
    }
}
