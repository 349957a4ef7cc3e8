package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.SnapshotHooks;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.EmbeddedDynamoDb;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * What the routed client decides around sdk-core's executor ({@link DynamoDbRouting}): the table defaults of the
 * context, the regions a multi-table call may use, one home per multi-item call, the footprint check only when it
 * matters, and read-your-writes pins, set and released by the written version. Regions are DynamoDB Local in process
 * ({@link EmbeddedDynamoDb}), one database each and no replication: a test puts into a region what it has "replicated".
 */
class DynamoDbRoutingTest {
    private static final Region WEST = Region.EU_WEST_1;
    private static final Region CENTRAL = Region.EU_CENTRAL_1;
    private static final Region US = Region.US_EAST_1;

    private final EmbeddedDynamoDb dynamo = new EmbeddedDynamoDb()
            .table("orders", "pk", WEST, CENTRAL, US)
            .table("homed", "pk", WEST, CENTRAL, US)
            .table("eu_notes", "pk", WEST)
            .table("eu_ledger", "pk", WEST);
    private final MultiRegion runtime = MultiRegion.builder(MultiRegionConfig.builder()
            .region(RegionSpec.of(WEST).jurisdiction("EU"))
            .region(RegionSpec.of(CENTRAL).jurisdiction("EU"))
            .region(RegionSpec.of(US).jurisdiction("US"))
            .localRegion(WEST)
            // One attempt at a time: these tests count each region's requests.
            .hedging(HedgingConfig.disabled())
            .build()).build();

    @AfterEach
    void close() {
        runtime.close();
        dynamo.close();
    }

    private MultiRegionDynamoDb.Builder builder() {
        return MultiRegionDynamoDb.builder().multiRegion(runtime).clientFactory(dynamo::client)
                .table(TableConfig.builder("orders").partitionKey("pk").versionAttribute("v").build())
                .table(TableConfig.builder("homed").partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY)
                        .build());
    }

    private DynamoDbClient withReadYourWrites() {
        return builder().readYourWrites(ReadYourWrites.within(Duration.ofMinutes(5))).build();
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    private static Map<String, AttributeValue> versioned(String pk, String version) {
        return Map.of("pk", AttributeValue.fromS(pk), "v", AttributeValue.fromN(version));
    }

    private static RuntimeException unavailable() {
        return DynamoDbException.builder().statusCode(503).message("unavailable").build();
    }

    private static RoutingContext.Scope session(String id) {
        return RoutingContext.builder().correlationId(id).open();
    }

    private void get(DynamoDbClient client, String session, String pk) {
        try (RoutingContext.Scope s = session(session)) {
            client.getItem(g -> g.tableName("orders").key(key(pk)));
        }
    }

    /** Writes {@code item} as {@code session} while the local region is down, so the write lands in central. */
    private void writeInCentral(DynamoDbClient client, String session, Map<String, AttributeValue> item) {
        dynamo.client(WEST).failure = DynamoDbRoutingTest::unavailable;
        try (RoutingContext.Scope s = session(session)) {
            client.putItem(p -> p.tableName("orders").item(item));
        } finally {
            dynamo.client(WEST).failure = null;
        }
        dynamo.client(CENTRAL).received.clear();
        dynamo.client(WEST).received.clear();
    }

    /** A read while central is down is served by west, which "replicated" {@code seen}. */
    private void readInWestSeeing(DynamoDbClient client, String session, Map<String, AttributeValue> seen) {
        dynamo.client(WEST).putItem(p -> p.tableName("orders").item(seen));
        dynamo.client(CENTRAL).failure = DynamoDbRoutingTest::unavailable;
        try {
            get(client, session, seen.get("pk").s());
        } finally {
            dynamo.client(CENTRAL).failure = null;
        }
        dynamo.client(CENTRAL).received.clear();
        dynamo.client(WEST).received.clear();
    }

    @Test
    void aReadOfTheSessionsWriteIsPinnedToTheWritingRegionOtherSessionsAndKeysAreNot() {
        DynamoDbClient client = withReadYourWrites();
        writeInCentral(client, "alice", versioned("a", "5"));

        get(client, "alice", "a");
        get(client, "bob", "a");
        get(client, "alice", "other");
        get(client, "alice", "a");

        assertThat(dynamo.client(CENTRAL).received).as("a read in the writing region releases nothing")
                .containsExactly("GetItem", "GetItem");
        assertThat(dynamo.client(WEST).received).containsExactly("GetItem", "GetItem");
    }

    @Test
    void withoutReadYourWritesReadsStayLocal() {
        DynamoDbClient client = builder().build();
        writeInCentral(client, "alice", versioned("a", "5"));

        get(client, "alice", "a");

        assertThat(dynamo.client(WEST).received).containsExactly("GetItem");
        assertThat(dynamo.client(CENTRAL).received).isEmpty();
    }

    @Test
    void thePinIsReleasedOnceAReadElsewhereSeesTheWrittenVersionOrANewerOne() {
        DynamoDbClient client = withReadYourWrites();
        writeInCentral(client, "alice", versioned("a", "5"));
        writeInCentral(client, "alice", versioned("b", "5"));

        readInWestSeeing(client, "alice", versioned("a", "4"));
        readInWestSeeing(client, "alice", versioned("b", "5"));
        get(client, "alice", "a");
        get(client, "alice", "b");

        assertThat(dynamo.client(CENTRAL).received).as("a: west had not seen version 5 yet").containsExactly("GetItem");
        assertThat(dynamo.client(WEST).received).as("b: released").containsExactly("GetItem");
    }

    @Test
    void aWriteWithoutAReadableVersionKeepsItsPin() {
        DynamoDbClient client = withReadYourWrites();
        writeInCentral(client, "alice", versioned("decimal", "5.5"));
        writeInCentral(client, "alice", Map.of("pk", AttributeValue.fromS("text"), "v", AttributeValue.fromS("5")));
        writeInCentral(client, "alice", Map.of("pk", AttributeValue.fromS("none")));

        readInWestSeeing(client, "alice", versioned("decimal", "9"));
        readInWestSeeing(client, "alice", versioned("text", "9"));
        readInWestSeeing(client, "alice", versioned("none", "9"));
        get(client, "alice", "decimal");
        get(client, "alice", "text");
        get(client, "alice", "none");

        assertThat(dynamo.client(CENTRAL).received).containsExactly("GetItem", "GetItem", "GetItem");
    }

    @Test
    void anUpdateIsVersionedByTheAttributesItReturns() {
        DynamoDbClient client = withReadYourWrites();
        dynamo.client(WEST).failure = DynamoDbRoutingTest::unavailable;
        try (RoutingContext.Scope s = session("alice")) {
            client.updateItem(u -> u.tableName("orders").key(key("returned")).updateExpression("SET v = :v")
                    .expressionAttributeValues(Map.of(":v", AttributeValue.fromN("7")))
                    .returnValues(ReturnValue.ALL_NEW));
            client.updateItem(u -> u.tableName("orders").key(key("silent")).updateExpression("SET v = :v")
                    .expressionAttributeValues(Map.of(":v", AttributeValue.fromN("7"))));
        } finally {
            dynamo.client(WEST).failure = null;
        }
        dynamo.client(CENTRAL).received.clear();
        dynamo.client(WEST).received.clear();

        readInWestSeeing(client, "alice", versioned("returned", "7"));
        readInWestSeeing(client, "alice", versioned("silent", "7"));
        get(client, "alice", "returned");
        get(client, "alice", "silent");

        assertThat(dynamo.client(WEST).received).as("returned: released").containsExactly("GetItem");
        assertThat(dynamo.client(CENTRAL).received).as("silent: no version, still pinned")
                .containsExactly("GetItem");
    }

    @Test
    void aRestoredProcessForgetsItsPinsAndTableDescriptions() {
        DynamoDbClient client = withReadYourWrites();
        writeInCentral(client, "alice", versioned("a", "5"));
        restrictedGet(client);
        SnapshotHooks hooks = SnapshotHooks.builder(runtime).build();

        hooks.beforeCheckpoint(null);
        hooks.afterRestore(null);
        get(client, "alice", "a");
        restrictedGet(client);

        assertThat(dynamo.client(WEST).received).containsExactly("DescribeTable", "GetItem", "DescribeTable");
        assertThat(dynamo.client(CENTRAL).received).isEmpty();
    }

    /** A RESTRICTED read needs the table's footprint (DescribeTable), unknown here, so it is refused. */
    private static void restrictedGet(DynamoDbClient client) {
        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                .open()) {
            assertThatThrownBy(() -> client.getItem(g -> g.tableName("orders").key(key("a"))))
                    .isInstanceOf(ResidencyViolationException.class);
        }
    }

    @Test
    void aMultiItemWriteOfHomedKeysMustHaveOneHome() {
        DynamoDbClient client = builder().build();
        List<String> keys = IntStream.range(0, 40).mapToObj(i -> "k" + i).toList();
        String first = keys.get(0);
        String sameHome = keys.stream().skip(1).filter(k -> home(k).equals(home(first))).findFirst().orElseThrow();
        String otherHome = keys.stream().filter(k -> !home(k).equals(home(first))).findFirst().orElseThrow();

        // An item of a table that is not homed by key does not count.
        client.transactWriteItems(t -> t.transactItems(put("homed", first), put("homed", sameHome),
                put("orders", otherHome)));
        assertThat(dynamo.client(home(first)).received).containsExactly("TransactWriteItems");

        assertThatThrownBy(() -> client.transactWriteItems(t -> t.transactItems(put("homed", first),
                put("homed", otherHome))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TransactWriteItems touches items of WRITE_HOME_BY_KEY tables whose keys have"
                        + " different home regions: homed#" + first + " (table#key) is homed in " + home(first)
                        + ", homed#" + otherHome + " (table#key) is homed in " + home(otherHome));
        assertThat(dynamo.client(home(first)).received).hasSize(1);
    }

    /**
     * A PartiQL write whose table Meridian cannot read (here a no-break space after UPDATE, which its reading of
     * statements does not take for a space) could write a table homed by key outside the key's home. Before: sent to
     * the local region (the refusal read only the tables it found).
     */
    @Test
    void aPartiqlWriteWhoseTableCannotBeReadIsRefusedWhileATableIsHomedByKey() {
        DynamoDbClient client = builder().build();

        assertThatThrownBy(() -> client.executeStatement(s -> s.statement(
                "UPDATE\u00a0\"homed\" SET v = 1 WHERE pk = 'k1'")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ExecuteStatement writes in a PartiQL statement whose table Meridian could not"
                        + " read, while [homed] are WRITE_HOME_BY_KEY")
                .hasMessageContaining("nothing was sent");
        assertThatThrownBy(() -> client.batchExecuteStatement(b -> b.statements(s -> s.statement(
                "DELETE FROM\u00a0\"homed\" WHERE pk = 'k1'"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BatchExecuteStatement writes in a PartiQL statement whose table");
        for (Region r : List.of(WEST, CENTRAL, US)) {
            assertThat(dynamo.client(r).received).as("requests received in %s", r).isEmpty();
        }
    }

    @Test
    void aCallOnTablesReplicatedToSomeRegionsOnlyUsesTheRegionsTheyShare() {
        DynamoDbClient client = builder()
                .table(TableConfig.builder("west_central").partitionKey("pk").replicaRegions(WEST, CENTRAL).build())
                .table(TableConfig.builder("central_us").partitionKey("pk").replicaRegions(CENTRAL, US).build())
                .table(TableConfig.builder("us_only").partitionKey("pk").replicaRegions(US).build())
                .build();
        dynamo.table("west_central", "pk", CENTRAL).table("central_us", "pk", CENTRAL);

        client.transactWriteItems(t -> t.transactItems(put("west_central", "a"), put("orders", "b"),
                put("central_us", "c")));

        assertThat(dynamo.client(CENTRAL).received).containsExactly("TransactWriteItems");
        assertThatThrownBy(() -> client.transactWriteItems(t -> t.transactItems(put("west_central", "a"),
                put("us_only", "c"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TransactWriteItems touches tables [west_central, us_only] that share no region");
        assertThat(dynamo.client(WEST).received).isEmpty();
        assertThat(dynamo.client(US).received).isEmpty();
    }

    @Test
    void theFootprintIsDescribedOnlyWhenResidencyLimitsTheCall() {
        DynamoDbClient client = builder().build();

        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.INTERNAL).open()) {
            client.getItem(g -> g.tableName("orders").key(key("a")));
        }
        assertThat(dynamo.client(WEST).received).containsExactly("GetItem");
        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                .open()) {
            assertThatThrownBy(() -> client.getItem(g -> g.tableName("orders").key(key("a"))))
                    .as("DynamoDB Local reports no replicas: assumed everywhere")
                    .isInstanceOf(ResidencyViolationException.class);
        }
        assertThat(dynamo.client(WEST).received).containsExactly("GetItem", "DescribeTable");
    }

    private Region home(String key) {
        return MultiRegionSpi.of(runtime).homeRegion(Operation.builder("PutItem", OperationKind.WRITE)
                .resource("homed").routingKey("homed#" + key).strategy(RoutingStrategy.homeByKey()).build());
    }

    private static TransactWriteItem put(String table, String pk) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(key(pk)).build()).build();
    }

    @Test
    void aTablesDefaultDataClassAppliesUnlessTheContextDeclaresOneAndRestrictedWinsOverOthers() {
        DynamoDbClient client = builder()
                .table(TableConfig.builder("eu_ledger").partitionKey("pk").replicaRegions(WEST, CENTRAL)
                        .defaultDataClass(DataClass.RESTRICTED).build())
                .table(TableConfig.builder("eu_notes").partitionKey("pk").replicaRegions(WEST, CENTRAL)
                        .defaultDataClass(DataClass.INTERNAL).build())
                .build();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("US").open()) {
            assertThatThrownBy(() -> client.transactWriteItems(t -> t.transactItems(put("eu_ledger", "a"),
                    put("eu_notes", "b")))).isInstanceOf(ResidencyViolationException.class);
            assertThatThrownBy(() -> client.transactWriteItems(t -> t.transactItems(put("eu_notes", "b"),
                    put("eu_ledger", "a")))).isInstanceOf(ResidencyViolationException.class);
            assertThatThrownBy(() -> client.getItem(g -> g.tableName("eu_ledger").key(key("a"))))
                    .isInstanceOf(ResidencyViolationException.class);
            assertThat(dynamo.client(WEST).received).isEmpty();
            client.putItem(p -> p.tableName("eu_notes").item(key("n")));
        }
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("US").correlationId("alice").open()) {
            client.getItem(g -> g.tableName("eu_notes").key(key("n")));
        }
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("US").dataClass(DataClass.INTERNAL)
                .open()) {
            client.getItem(g -> g.tableName("eu_ledger").key(key("a")));
        }
        assertThat(dynamo.client(WEST).received).containsExactly("PutItem", "GetItem", "GetItem");
    }

    /**
     * Issue 19, item 5: a GetItem of a configured table with nothing to check and nothing to record is classified as
     * its operation alone (no classification object per call, whatever the JIT inlines); with a footprint to check or
     * read-your-writes marks it is classified in full, as before.
     */
    @Test
    void aGetItemWithNothingToCheckOrRecordIsClassifiedAsItsOperationAlone() {
        GetItemRequest read = GetItemRequest.builder().tableName("orders").key(key("a")).build();
        DynamoDbRequestModel plain = ((RoutedDynamoDbClient) builder().build()).model();
        assertThat(plain.classify("getItem", read, RoutingContext.empty())).isInstanceOf(Operation.class);
        assertThat(plain.operation(plain.classify("getItem", read, RoutingContext.empty()), RoutingContext.empty()))
                .isEqualTo(Operation.builder("GetItem", OperationKind.READ).resource("orders").routingKey("orders", "a")
                        .build());
        assertThat(plain.classify("getItem", GetItemRequest.builder().tableName("unconfigured").key(key("a")).build(),
                RoutingContext.empty())).isInstanceOf(DynamoDbOperationClassifier.Classification.class);
        RoutingContext restricted = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                .build();
        assertThat(plain.classify("getItem", read, restricted))
                .as("a footprint to check").isInstanceOf(DynamoDbOperationClassifier.Classification.class);
        DynamoDbRequestModel marked = ((RoutedDynamoDbClient) withReadYourWrites()).model();
        assertThat(marked.classify("getItem", read, RoutingContext.empty()))
                .as("read-your-writes marks").isInstanceOf(DynamoDbOperationClassifier.Classification.class);
    }

    /**
     * Issue 19, item 5, async: the async model classifies as the sync one does: a GetItem of a configured table with
     * nothing to check and nothing to record as its operation alone, in full with a footprint to check, read-your-writes
     * marks, or an unconfigured table. No call is sent (the region clients are never used).
     */
    @Test
    void anAsyncGetItemWithNothingToCheckOrRecordIsClassifiedAsItsOperationAlone() {
        GetItemRequest read = GetItemRequest.builder().tableName("orders").key(key("a")).build();
        DynamoDbAsyncRequestModel plain = ((RoutedDynamoDbAsyncClient) builder()
                .asyncClientFactory(DynamoDbRoutingTest::unusedAsyncClient).buildAsyncClient()).model();
        Object classified = plain.classify("getItem", read, RoutingContext.empty());
        assertThat(classified).isInstanceOf(Operation.class);
        assertThat(plain.operation(classified, RoutingContext.empty()))
                .isEqualTo(Operation.builder("GetItem", OperationKind.READ).resource("orders").routingKey("orders", "a")
                        .build());
        assertThat(plain.classify("getItem", GetItemRequest.builder().tableName("orders").key(key("a"))
                .consistentRead(true).build(), RoutingContext.empty()))
                .as("a consistent read, still unhedged").isEqualTo(Operation.builder("GetItem", OperationKind.READ)
                        .resource("orders").unhedged().routingKey("orders", "a").build());
        assertThat(plain.classify("getItem", GetItemRequest.builder().tableName("unconfigured").key(key("a")).build(),
                RoutingContext.empty())).isInstanceOf(DynamoDbOperationClassifier.Classification.class);
        RoutingContext restricted = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                .build();
        assertThat(plain.classify("getItem", read, restricted))
                .as("a footprint to check").isInstanceOf(DynamoDbOperationClassifier.Classification.class);
        DynamoDbAsyncRequestModel marked = ((RoutedDynamoDbAsyncClient) builder()
                .asyncClientFactory(DynamoDbRoutingTest::unusedAsyncClient)
                .readYourWrites(ReadYourWrites.within(Duration.ofMinutes(5))).buildAsyncClient()).model();
        assertThat(marked.classify("getItem", read, RoutingContext.empty()))
                .as("read-your-writes marks").isInstanceOf(DynamoDbOperationClassifier.Classification.class);
    }

    private static DynamoDbAsyncClient unusedAsyncClient(Region region) {
        return DynamoDbAsyncClient.builder().region(region).endpointOverride(URI.create("http://127.0.0.1:9"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("unused", "unused")))
                .build();
    }

    @Test
    void aGetItemOfATableReplicatedToSomeRegionsOnlyGoesToThem() {
        DynamoDbClient client = builder()
                .table(TableConfig.builder("us_only").partitionKey("pk").replicaRegions(US).build()).build();
        dynamo.table("us_only", "pk", US);

        client.getItem(g -> g.tableName("us_only").key(key("a")));

        assertThat(dynamo.client(US).received).containsExactly("GetItem");
        assertThat(dynamo.client(WEST).received).isEmpty();
    }
}
