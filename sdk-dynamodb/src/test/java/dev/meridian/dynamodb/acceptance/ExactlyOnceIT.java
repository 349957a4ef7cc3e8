package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ExpectedAttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * docs/exactly-once.md read as a user, on three local regions with eu-west-1 first: after a failure that may have
 * applied the write (HTTP 500, a reset answer, an answer lost past the attempt timeout) every write of the "never
 * moves" table is rethrown and reaches no other region, every write of the "moves" table is sent to the next region;
 * after a failure that proves nothing was applied (503, throttling, refused connection) every write moves; a caller
 * error moves nothing. The request journals are the witness. Breakers are set so that they never open here: each try
 * starts from a healthy eu-west-1 and the only decision under test is the move.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class ExactlyOnceIT {
    private static final String TABLE = "eo_accounts";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(400);
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static DynamoDbClient client;
    /**
     * Per-region clients as the docs build them ({@code RegionalClientDefaults.overrideConfiguration()}): with the
     * 400 ms clients above a throttled attempt's SDK back-off outlasts the call timeout, whose timeout is ambiguous.
     */
    private static DynamoDbClient defaultsClient;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.EU_WEST_1).routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.disabled())
                .health(HealthConfig.builder().slidingWindowSize(10_000).minimumNumberOfCalls(10_000)
                        .ejectAfterStalls(0).build())
                .build();
        // Only the failing region's client is short: a write moved to the next region must not time out there on a
        // loaded machine (a 400 ms call timeout in eu-central-1 failed a CI run beside other builds).
        client = MultiRegionDynamoDb.builder().config(config)
                .clientFactory(r -> r == Region.EU_WEST_1 ? TestRegions.client(regions, r, ATTEMPT_TIMEOUT)
                        : TestRegions.client(regions, r))
                .table(TableConfig.builder(TABLE).partitionKey("pk").build())
                .build();
        defaultsClient = MultiRegionDynamoDb.builder().config(config)
                .clientFactory(r -> TestRegions.client(regions, r))
                .table(TableConfig.builder(TABLE).partitionKey("pk").build())
                .build();
        // Warm clients: a cold client's first attempt gets the longer first-attempt budget.
        for (DynamoDbClient c : List.of(client, defaultsClient)) {
            for (String id : TestRegions.IDS) {
                try (var s = RoutingContext.builder().preferredRegion(Region.of(id)).open()) {
                    c.getItem(g -> g.tableName(TABLE).key(key("warm")));
                }
            }
        }
    }

    @AfterContainer
    static void stop() {
        for (DynamoDbClient c : new DynamoDbClient[] {client, defaultsClient}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    private static AttributeValue n(int v) {
        return AttributeValue.fromN(Integer.toString(v));
    }

    /** Failures after which the write may have been applied (REGIONAL_MAYBE_APPLIED). */
    enum MaybeApplied {
        HTTP_500 { void inject(LocalRegions r) { r.faults("eu-west-1").status(500); } },
        RESET_MID_RESPONSE { void inject(LocalRegions r) { r.faults("eu-west-1").resetMidResponse(); } },
        ANSWER_LOST_AFTER_ATTEMPT_TIMEOUT {
            void inject(LocalRegions r) { r.faults("eu-west-1").latency(ATTEMPT_TIMEOUT.multipliedBy(2)); } };

        abstract void inject(LocalRegions r);
    }

    /** Failures that prove nothing was applied (REGIONAL_NOT_APPLIED). */
    enum NotApplied {
        HTTP_503 { void inject(LocalRegions r) { r.faults("eu-west-1").status(503); } },
        THROTTLED { void inject(LocalRegions r) { r.faults("eu-west-1").throttle(); } },
        CONNECTION_REFUSED { void inject(LocalRegions r) { r.faults("eu-west-1").down(); } };

        abstract void inject(LocalRegions r);
    }

    /** The writes the doc's "never moves" table names, each with the operation its journal entry shows. */
    enum Unguarded {
        PUT("PutItem", (c, k) -> c.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(k),
                "v", n(1))))),
        UPDATE_ADD("UpdateItem", (c, k) -> c.updateItem(u -> u.tableName(TABLE).key(key(k))
                .updateExpression("ADD balance :d").expressionAttributeValues(Map.of(":d", n(5))))),
        ADD_WITH_ATTRIBUTE_EXISTS("UpdateItem", (c, k) -> c.updateItem(u -> u.tableName(TABLE).key(key(k))
                .updateExpression("ADD balance :d").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":d", n(5))))),
        SET_WITH_NOT_EQUAL("UpdateItem", (c, k) -> c.updateItem(u -> u.tableName(TABLE).key(key(k))
                .updateExpression("SET #s = :s").conditionExpression("#s <> :x")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("paid"),
                        ":x", AttributeValue.fromS("cancelled"))))),
        DELETE("DeleteItem", (c, k) -> c.deleteItem(d -> d.tableName(TABLE).key(key(k)))),
        BEGINS_WITH("PutItem", (c, k) -> c.putItem(p -> p.tableName(TABLE).item(key(k))
                .conditionExpression("attribute_not_exists(pk) OR begins_with(pk, :p)")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("x"))))),
        LEGACY_EXPECTED("PutItem", (c, k) -> c.putItem(p -> p.tableName(TABLE).item(key(k))
                .expected(Map.of("pk", ExpectedAttributeValue.builder().exists(false).build())))),
        TRANSACTION_WITH_CLIENT_REQUEST_TOKEN("TransactWriteItems", (c, k) -> c.transactWriteItems(t -> t
                .clientRequestToken("tok-" + k)
                .transactItems(TransactWriteItem.builder().put(Put.builder().tableName(TABLE).item(key(k)).build())
                        .build()))),
        BATCH_WRITE("BatchWriteItem", (c, k) -> c.batchWriteItem(b -> b.requestItems(Map.of(TABLE, List.of(
                WriteRequest.builder().putRequest(PutRequest.builder().item(key(k)).build()).build()))))),
        PARTIQL_INSERT("ExecuteStatement", (c, k) -> c.executeStatement(e -> e
                .statement("INSERT INTO \"" + TABLE + "\" VALUE {'pk': '" + k + "'}")));

        final String operation;
        final BiConsumer<DynamoDbClient, String> call;

        Unguarded(String operation, BiConsumer<DynamoDbClient, String> call) {
            this.operation = operation;
            this.call = call;
        }
    }

    /** The writes the doc's "moves" table names: a condition false once the write is applied. */
    enum Guarded {
        CREATE_IF_ABSENT("PutItem", (c, k) -> c.putItem(p -> p.tableName(TABLE).item(key(k))
                .conditionExpression("attribute_not_exists(pk)"))),
        VERSION_CHECK_ADVANCED("UpdateItem", (c, k) -> c.updateItem(u -> u.tableName(TABLE).key(key(k))
                .updateExpression("SET v = :new").conditionExpression("attribute_not_exists(v) OR v = :old")
                .expressionAttributeValues(Map.of(":new", n(2), ":old", n(1))))),
        DELETE_OF_EXISTING("DeleteItem", (c, k) -> c.deleteItem(d -> d.tableName(TABLE).key(key(k))
                .conditionExpression("attribute_exists(pk)"))),
        TRANSACTION_WITH_ONE_GUARDED_ITEM("TransactWriteItems", (c, k) -> c.transactWriteItems(t -> t
                .transactItems(TransactWriteItem.builder().put(Put.builder().tableName(TABLE).item(key(k))
                        .conditionExpression("attribute_not_exists(pk)").build()).build(),
                        TransactWriteItem.builder().put(Put.builder().tableName(TABLE).item(key(k + "-other"))
                                .build()).build())));

        final String operation;
        final BiConsumer<DynamoDbClient, String> call;

        Guarded(String operation, BiConsumer<DynamoDbClient, String> call) {
            this.operation = operation;
            this.call = call;
        }
    }

    private static String freshKey() {
        return "k-" + KEYS.incrementAndGet();
    }

    private static int elsewhere(String operation) {
        return regions.journal("eu-central-1").count(operation) + regions.journal("us-east-1").count(operation);
    }

    @Property(tries = 30)
    void aWriteWithNoGuardIsNeverSentElsewhereAfterAFailureThatMayHaveAppliedIt(@ForAll Unguarded write,
            @ForAll MaybeApplied failure) {
        String k = freshKey();
        regions.journalsClear();
        failure.inject(regions);
        Throwable thrown = catchThrowable(() -> write.call.accept(client, k));
        assertThat(thrown).as("the region's failure is rethrown").isNotNull();
        assertThat(regions.journal("eu-west-1").count(write.operation)).as("it was sent to eu-west-1").isPositive();
        assertThat(elsewhere(write.operation)).as("never sent to another region").isZero();
    }

    @Property(tries = 24)
    void aGuardedWriteMovesToTheNextRegionAfterAFailureThatMayHaveAppliedIt(@ForAll Guarded write,
            @ForAll MaybeApplied failure) {
        String k = freshKey();
        regions.journalsClear();
        failure.inject(regions);
        Throwable thrown = catchThrowable(() -> write.call.accept(client, k));
        assertThat(thrown).as("it succeeds, or fails its own condition, in the next region")
                .satisfiesAnyOf(t -> assertThat(t).isNull(),
                        t -> assertThat(t).isInstanceOf(ConditionalCheckFailedException.class),
                        t -> assertThat(t).hasMessageContaining("ConditionalCheckFailed"));
        assertThat(regions.journal("eu-central-1").count(write.operation)).isPositive();
    }

    @Property(tries = 30)
    void everyWriteMovesAfterAFailureThatProvesItWasNotApplied(@ForAll Unguarded write, @ForAll NotApplied failure) {
        String k = freshKey();
        regions.journalsClear();
        failure.inject(regions);
        Throwable thrown = catchThrowable(() -> write.call.accept(defaultsClient, k));
        assertThat(regions.journal("eu-central-1").count(write.operation))
                .as("moved to the next region; thrown: %s", thrown).isPositive();
        if (write != Unguarded.ADD_WITH_ATTRIBUTE_EXISTS) {
            assertThat(thrown).isNull();
        }
    }

    @Example
    void aCallerErrorMovesNowhere() {
        String k = freshKey();
        client.putItem(p -> p.tableName(TABLE).item(key(k)));
        regions.journalsClear();
        assertThatThrownBy(() -> client.putItem(p -> p.tableName(TABLE).item(key(k))
                .conditionExpression("attribute_not_exists(pk)")))
                .isInstanceOf(ConditionalCheckFailedException.class);
        assertThatThrownBy(() -> client.putItem(p -> p.tableName(TABLE).item(Map.of("nokey", n(1)))))
                .isInstanceOf(DynamoDbException.class);
        assertThat(regions.journal("eu-west-1").count("PutItem")).isEqualTo(2);
        assertThat(elsewhere("PutItem")).isZero();
    }
}
