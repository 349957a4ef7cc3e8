package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.acceptance.conditions.AppClient.Maker;
import dev.meridian.testkit.LocalRegions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * docs/exactly-once.md's "writes Meridian moves after an ambiguous failure", as an application sees them: a version
 * check the write advances, which also adds 1 to a counter ({@code SET v = :new ADD n :one} if {@code v = :old}),
 * alone or as the guarded item of a transaction, or the Enhanced Client's put of a versioned item (stored with
 * {@code n = 1}), meets any fault after which it may have been applied in eu-west-1;
 * it moves to eu-central-1 and, whatever the outcome the caller sees (success, or its own condition failing there
 * because the first application replicated first), the counter is 1 in every region once they converge: applied
 * exactly once. Each HTTP client, built or wrapped, cold or warm.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
@AddLifecycleHook(ClientSourcesPerContainer.class)
class GuardedWritesUnderFaultsIT {
    private static final String TABLE = "cond_guarded";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(Regions3.ALL);
    private static ClientSource clients;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        clients = ClientSource.shortAttempts(regions, Regions3.config().health(Regions3.breakersThatStayClosed()),
                TABLE);
    }

    @Provide
    Arbitrary<Fault> maybeApplied() {
        return Arbitraries.of(Fault.maybeApplied());
    }

    @Provide
    Arbitrary<Shape> guardedWrites() {
        return Arbitraries.of(
                new Shape("UpdateItem version check + ADD", "UpdateItem",
                        (c, k) -> c.updateItem(u -> u.tableName(TABLE).key(Shape.key(k))
                                .updateExpression("SET v = :new ADD n :one").conditionExpression("v = :old")
                                .expressionAttributeValues(values())),
                        (c, k) -> c.updateItem(u -> u.tableName(TABLE).key(Shape.key(k))
                                .updateExpression("SET v = :new ADD n :one").conditionExpression("v = :old")
                                .expressionAttributeValues(values()))),
                new Shape("TransactWriteItems with the guarded update", "TransactWriteItems",
                        (c, k) -> c.transactWriteItems(t -> t.transactItems(guardedUpdate(k))),
                        (c, k) -> c.transactWriteItems(t -> t.transactItems(guardedUpdate(k)))),
                VersionedItem.enhancedVersionedPut(TABLE));
    }

    @Property(tries = 16)
    void aGuardedWriteMovesAndIsAppliedExactlyOnce(@ForAll HttpClientKind http, @ForAll Maker maker,
            @ForAll boolean cold, @ForAll("guardedWrites") Shape write, @ForAll("maybeApplied") Fault fault) {
        Assume.that(!fault.answersNettyWithSuccess(http));
        assertMovedAndAppliedOnce(clients.client(http, maker, cold), write, fault);
    }

    @Provide
    Arbitrary<Fault> cuts() {
        return Arbitraries.of(Fault.cuts());
    }

    /**
     * The fault where the first application certainly happened: the guarded write is applied in eu-west-1 and its
     * answer cut cleanly mid-body, then it moves; each HTTP client under each framing, each guarded shape.
     */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void aGuardedWriteWhoseAnswerWasCutIsAppliedExactlyOnce(@ForAll HttpClientKind http,
            @ForAll("guardedWrites") Shape write, @ForAll("cuts") Fault cut) {
        assertMovedAndAppliedOnce(clients.client(http, Maker.BUILT, false), write, cut);
    }

    private static void assertMovedAndAppliedOnce(AppClient client, Shape write, Fault fault) {
        String key = "g-" + KEYS.incrementAndGet();
        regions.client(Regions3.LOCAL).putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(key),
                "v", AttributeValue.fromN("1"))));
        regions.awaitReplication();
        regions.journalsClear();
        fault.inject(regions.faults(Regions3.LOCAL));

        Throwable thrown = catchThrowable(() -> client.run(write, key));

        if (fault.cutsAnAppliedAnswer()) {
            // Applied, then its answer cut: the SDK retries it in eu-west-1, where it fails its own condition, and that
            // answer is cut too; cut short of its error code, it is a plain 400, a caller error, and does not move.
            assertThat(thrown).as("%s after %s: succeeds, or fails its own condition", write, fault)
                    .satisfiesAnyOf(t -> assertThat(t).isNull(),
                            t -> assertThat(t).isInstanceOfSatisfying(DynamoDbException.class,
                                    e -> assertThat(e.statusCode()).isEqualTo(400)));
        } else {
            assertThat(thrown).as("%s after %s: succeeds, or fails its own condition in the next region", write,
                    fault).satisfiesAnyOf(t -> assertThat(t).isNull(),
                            t -> assertThat(t).isInstanceOfAny(ConditionalCheckFailedException.class,
                                    TransactionCanceledException.class));
            assertThat(regions.journal(Regions3.NEXT).count(write.operation())).as("moved to eu-central-1")
                    .isPositive();
        }
        assertThat(regions.journal(Regions3.OUTSIDE).count(write.operation())).as("never sent to us-east-1")
                .isZero();
        regions.healAll();
        regions.awaitReplication();
        for (String region : Regions3.ALL) {
            Map<String, AttributeValue> item = regions.client(region)
                    .getItem(g -> g.tableName(TABLE).key(Shape.key(key)).consistentRead(true)).item();
            assertThat(item.get("n")).as("the counter in %s (thrown %s)", region, thrown)
                    .isEqualTo(AttributeValue.fromN("1"));
        }
    }

    private static Map<String, AttributeValue> values() {
        return Map.of(":new", AttributeValue.fromN("2"), ":old", AttributeValue.fromN("1"),
                ":one", AttributeValue.fromN("1"));
    }

    private static TransactWriteItem guardedUpdate(String key) {
        return TransactWriteItem.builder().update(Update.builder().tableName(TABLE).key(Shape.key(key))
                .updateExpression("SET v = :new ADD n :one").conditionExpression("v = :old")
                .expressionAttributeValues(values()).build()).build();
    }
}
