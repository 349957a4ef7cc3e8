package dev.meridian.dynamodb.client;

import dev.meridian.dynamodb.TestRegions;
import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Exactly-once after ambiguous failures and where a table's calls may go, on three local regions: a write whose
 * answer was lost after DynamoDB applied it is re-sent elsewhere only when a guard makes the repeat fail (a write that
 * certainly was not applied, such as one whose answer broke off before DynamoDB saw it, moves on when guarded); a table
 * declared in EU regions is never called in us-east-1, with or without a context; a table's default data class makes
 * context-less calls fail closed; a batch on a home-by-key table spanning two homes is refused before sending.
 */
@LocalRegionsConfig
class WritesAndBoundsIT {
    private static final String ACCOUNTS = "accounts";
    private static final String EU_ONLY = "eu_profiles";
    private static final String HOMED = "homed_orders";
    private static LocalRegions regions;
    private DynamoDbClient client;

    @BeforeAll
    static void createTables() {
        for (String table : List.of(ACCOUNTS, EU_ONLY, HOMED)) {
            regions.createGlobalTable(LocalRegions.pkTable(table));
        }
    }

    /** us-east-1 is local: a call that is not bounded goes there first. */
    private static MultiRegionConfig usLocal() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(US_EAST_1).jurisdiction("US"))
                .region(RegionSpec.of(EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(EU_CENTRAL_1).jurisdiction("EU"))
                .localRegion(US_EAST_1).routing(RoutingStrategy.localFirst()).build();
    }

    @BeforeEach
    void client() {
        client = MultiRegionDynamoDb.builder().config(TestRegions.config())
                .clientFactory(r -> TestRegions.client(regions, r))
                .table(TableConfig.builder(ACCOUNTS).partitionKey("pk").build())
                .table(TableConfig.builder(HOMED).partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY).build())
                .build();
        // A warm local client: a first attempt gets the longer first-attempt budget, and these tests are about a
        // warm region whose answer is lost after its attempt timeout.
        client.getItem(g -> g.tableName(ACCOUNTS).key(key("warm-up")));
        regions.journalsClear();
    }

    @AfterEach
    void heal() {
        client.close();
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    /** eu-west-1 applies every request but answers after the 2 s attempt (and call) timeout. */
    private static void answerLostAfterApplying() {
        regions.faults("eu-west-1").latency(RegionalClientDefaults.ATTEMPT_TIMEOUT.plusMillis(500));
    }

    private long balance(String region, String pk) {
        var item = regions.client(region).getItem(g -> g.tableName(ACCOUNTS).key(key(pk)).consistentRead(true)).item();
        return item.containsKey("balance") ? Long.parseLong(item.get("balance").n()) : 0;
    }

    @Test
    void anAddGuardedOnlyByAttributeExistsIsNeverResentAfterItsAnswerWasLost() {
        regions.client("eu-west-1").putItem(p -> p.tableName(ACCOUNTS).item(key("acc-1")));
        answerLostAfterApplying();
        assertThatThrownBy(() -> client.updateItem(u -> u.tableName(ACCOUNTS).key(key("acc-1"))
                .updateExpression("ADD balance :d").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":d", AttributeValue.fromN("5")))))
                .isInstanceOf(SdkException.class);
        regions.faults("eu-west-1").heal();
        assertThat(regions.journal("eu-west-1").count("UpdateItem")).as("one attempt: the call timeout is spent")
                .isEqualTo(1);
        assertThat(regions.journal("eu-central-1").count("UpdateItem")).isZero();
        assertThat(regions.journal("us-east-1").count("UpdateItem")).isZero();
        assertThat(balance("eu-west-1", "acc-1")).isEqualTo(5);
    }

    @Test
    void anUnconditionalAddUnderAContextIdempotencyKeyIsNeverResent() {
        answerLostAfterApplying();
        try (RoutingContext.Scope s = RoutingContext.builder().idempotencyKey("k-1").open()) {
            assertThatThrownBy(() -> client.updateItem(u -> u.tableName(ACCOUNTS).key(key("acc-2"))
                    .updateExpression("ADD balance :d")
                    .expressionAttributeValues(Map.of(":d", AttributeValue.fromN("5")))))
                    .isInstanceOf(SdkException.class);
        }
        regions.faults("eu-west-1").heal();
        assertThat(regions.journal("eu-central-1").count("UpdateItem") + regions.journal("us-east-1")
                .count("UpdateItem")).isZero();
    }

    @Test
    void aTransactionWithAClientRequestTokenIsNeverResentToAnotherRegion() {
        answerLostAfterApplying();
        assertThatThrownBy(() -> client.transactWriteItems(t -> t.clientRequestToken("tok-1").transactItems(
                TransactWriteItem.builder().update(Update.builder().tableName(ACCOUNTS).key(key("acc-3"))
                        .updateExpression("ADD balance :d")
                        .expressionAttributeValues(Map.of(":d", AttributeValue.fromN("5"))).build()).build())))
                .isInstanceOf(SdkException.class);
        regions.faults("eu-west-1").heal();
        assertThat(regions.journal("eu-central-1").count("TransactWriteItems")
                + regions.journal("us-east-1").count("TransactWriteItems")).isZero();
    }

    @Test
    void aCreateOnceWriteMovesOnAndTheRepeatCannotApplyTwice() {
        regions.faults("eu-west-1").resetMidResponse();
        client.transactWriteItems(t -> t.transactItems(TransactWriteItem.builder().put(Put.builder()
                .tableName(ACCOUNTS).item(Map.of("pk", AttributeValue.fromS("acc-4"), "balance",
                        AttributeValue.fromN("1"))).conditionExpression("attribute_not_exists(pk)").build()).build()));
        assertThat(regions.journal("eu-central-1").count("TransactWriteItems")).isEqualTo(1);
    }

    @Test
    void aTableDeclaredInEuRegionsIsNeverCalledInUsEast1WithOrWithoutAContext() {
        try (DynamoDbClient usLocal = MultiRegionDynamoDb.builder().config(usLocal())
                .clientFactory(r -> TestRegions.client(regions, r))
                .table(TableConfig.builder(EU_ONLY).partitionKey("pk").replicaRegions(EU_WEST_1, EU_CENTRAL_1)
                        .build()).build()) {
            usLocal.putItem(p -> p.tableName(EU_ONLY).item(key("p-1")));
            usLocal.getItem(g -> g.tableName(EU_ONLY).key(key("p-1")));
            try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.PUBLIC).open()) {
                usLocal.getItem(g -> g.tableName(EU_ONLY).key(key("p-1")));
            }
        }
        assertThat(regions.journal("us-east-1").count()).isZero();
        assertThat(regions.journal("eu-west-1").count("PutItem")).isEqualTo(1);
    }

    @Test
    void aTablesDefaultDataClassMakesContextLessCallsFailClosed() {
        try (DynamoDbClient strict = MultiRegionDynamoDb.builder().config(usLocal())
                .clientFactory(r -> TestRegions.client(regions, r))
                .table(TableConfig.builder(EU_ONLY).partitionKey("pk").defaultDataClass(DataClass.RESTRICTED)
                        .build()).build()) {
            assertThatThrownBy(() -> strict.putItem(p -> p.tableName(EU_ONLY).item(key("p-2"))))
                    .isInstanceOf(ResidencyViolationException.class);
            try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("de")
                    .dataClass(DataClass.RESTRICTED).open()) {
                assertThatThrownBy(() -> strict.putItem(p -> p.tableName(EU_ONLY).item(key("p-2"))))
                        .as("DynamoDB Local reports no replicas: the unknown footprint is refused too")
                        .isInstanceOf(ResidencyViolationException.class);
            }
        }
        assertThat(regions.journal("us-east-1").count("PutItem")).isZero();
    }

    @Test
    void aBatchOnAHomeByKeyTableSpanningTwoHomesIsRefusedBeforeSending() {
        String a = null;
        String b = null;
        MultiRegionConfig config = TestRegions.config();
        for (int i = 0; b == null; i++) {
            String k = HOMED + "#k" + i;
            var home = RoutingStrategy.homeByKey().order(config.regionList(), new dev.meridian.core.routing
                    .RoutingRequest(dev.meridian.core.routing.Operation.builder("x",
                            dev.meridian.core.routing.OperationKind.WRITE).routingKey(k).build(),
                            RoutingContext.empty(), config.localRegion(), config::weight,
                            new dev.meridian.core.routing.LatencyTracker())).get(0);
            if (a == null) {
                a = "k" + i + "@" + home;
            } else if (!a.endsWith("@" + home)) {
                b = "k" + i;
            }
        }
        String first = a.substring(0, a.indexOf('@'));
        String second = b;
        assertThatThrownBy(() -> client.batchWriteItem(w -> w.requestItems(Map.of(HOMED, List.of(
                WriteRequest.builder().putRequest(PutRequest.builder().item(key(first)).build()).build(),
                WriteRequest.builder().putRequest(PutRequest.builder().item(key(second)).build()).build())))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("split the call");
        assertThat(regions.journal("eu-west-1").count() + regions.journal("eu-central-1").count()
                + regions.journal("us-east-1").count()).isZero();
    }
    /** The home region of {@code pk} in the homed table, as home-by-key orders the configured regions. */
    private static Region homeOf(String pk) {
        MultiRegionConfig config = TestRegions.config();
        return RoutingStrategy.homeByKey().order(config.regionList(), new dev.meridian.core.routing.RoutingRequest(
                dev.meridian.core.routing.Operation.builder("x", dev.meridian.core.routing.OperationKind.WRITE)
                        .routingKey(HOMED + "#" + pk).build(), RoutingContext.empty(), config.localRegion(),
                config::weight, new dev.meridian.core.routing.LatencyTracker())).get(0);
    }

    /** A key of the homed table whose home is not {@code notHome}. */
    private static String keyHomedOutside(Region notHome, String prefix) {
        for (int i = 0; ; i++) {
            if (!homeOf(prefix + i).equals(notHome)) {
                return prefix + i;
            }
        }
    }

    /** Issue 15: the home used to be decided by the first item's table only. */
    @Test
    void aTransactionWhoseFirstItemIsInAnOrdinaryTableWritesItsHomedKeyAtHome() {
        String homed = keyHomedOutside(EU_WEST_1, "tx-");
        Region home = homeOf(homed);

        client.transactWriteItems(t -> t.transactItems(
                TransactWriteItem.builder().put(Put.builder().tableName(ACCOUNTS).item(key("acc-tx")).build()).build(),
                TransactWriteItem.builder().put(Put.builder().tableName(HOMED).item(key(homed)).build()).build()));

        assertThat(regions.journal(home.id()).count("TransactWriteItems")).as("sent to the key's home %s", home)
                .isEqualTo(1);
        assertThat(regions.journal("eu-west-1").count("TransactWriteItems")).as("sent to the local region")
                .isZero();
    }

    @Test
    void aBatchWhoseFirstItemIsInAnOrdinaryTableAndWhoseHomedKeysHaveTwoHomesIsRefusedBeforeSending() {
        String first = keyHomedOutside(EU_WEST_1, "b-");
        String second = keyHomedOutside(homeOf(first), "b-");
        Map<String, List<WriteRequest>> items = new LinkedHashMap<>();
        items.put(ACCOUNTS, List.of(WriteRequest.builder().putRequest(PutRequest.builder().item(key("acc-b")).build())
                .build()));
        items.put(HOMED, List.of(
                WriteRequest.builder().putRequest(PutRequest.builder().item(key(first)).build()).build(),
                WriteRequest.builder().putRequest(PutRequest.builder().item(key(second)).build()).build()));

        assertThatThrownBy(() -> client.batchWriteItem(w -> w.requestItems(items)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(HOMED + "#" + first + " (table#key) is homed in " + homeOf(first))
                .hasMessageContaining(HOMED + "#" + second + " (table#key) is homed in " + homeOf(second))
                .hasMessageContaining("split the call");
        assertThat(regions.journal("eu-west-1").count() + regions.journal("eu-central-1").count()
                + regions.journal("us-east-1").count()).as("requests sent").isZero();
    }
}
