package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.clock.ClockDriftException;
import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.client.WriteMode;
import dev.meridian.dynamodb.lww.LwwResult;
import dev.meridian.dynamodb.lww.LwwWrites;
import dev.meridian.testkit.LocalRegions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * docs/lww.md read as a user, on LocalRegions. Within one region (a jqwik property over writes of random kinds, stamps
 * with frequent ties, regions and node ids, delivered in a random order and partly twice): every write costs one call,
 * is APPLIED exactly when its version is the greatest seen so far (a re-sent winner is APPLIED, not superseded by
 * itself), a SUPERSEDED one returns the stored winner, and the item ends as the model applying the applied writes in
 * arrival order says (a delete is a tombstone read as absent, an update after it starts a fresh item). Examples: the
 * user's own condition failing is rethrown unchanged; a pre-LWW item is the oldest write; reads feed the clock; a
 * far-future stamp is readable and rewritable and refused by the clock; the drift policies; superseded meter; node ids;
 * write-home converges on the greatest stamp; multi-active acknowledges both writes.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class LwwGuaranteesIT {
    private static final String TABLE = "lg_items";
    private static final String REGION = "eu-west-1";
    private static final List<String> WRITER_REGIONS = List.of("eu-central-1", "eu-west-1", "us-east-1");
    private static final List<String> NODES = List.of("0a", "0b", "1a", "Zz");
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static long base;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        base = System.currentTimeMillis();
    }

    enum Kind { PUT, UPDATE, DELETE }

    /** One write: its kind, the writer's physical time (offset from base: ties are common), region and node. */
    record Write(int id, Kind kind, int millisOffset, String region, String node) {
        long stamp() {
            return HybridLogicalClock.encode(base + millisOffset, 0);
        }
    }

    private static final Comparator<Write> VERSION = Comparator.comparingLong(Write::stamp)
            .thenComparing(Write::region).thenComparing(Write::node);

    private static Map<String, AttributeValue> key(String k) {
        return Map.of("pk", AttributeValue.fromS(k));
    }

    /** A writer process as the doc describes one: its clock (fixed wall clock, fixed node id) and region. */
    private static LwwWrites writer(Write w, DynamoDbClient client) {
        HybridLogicalClock clock = HybridLogicalClock.builder().millis(() -> base + w.millisOffset())
                .nodeId(w.node()).build();
        return LwwWrites.builder().client(client).clock(clock).region(w.region()).build();
    }

    private static LwwResult deliver(Write w, String k, DynamoDbClient client) {
        LwwWrites lww = writer(w, client);
        String tag = "tag" + w.id();
        return switch (w.kind()) {
            case PUT -> lww.put(PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(k),
                    "w", AttributeValue.fromN(Integer.toString(w.id())), tag, AttributeValue.fromBool(true))).build());
            case UPDATE -> lww.update(UpdateItemRequest.builder().tableName(TABLE).key(key(k))
                    .updateExpression("SET #w = :w, #t = :t")
                    .expressionAttributeNames(Map.of("#w", "w", "#t", tag))
                    .expressionAttributeValues(Map.of(":w", AttributeValue.fromN(Integer.toString(w.id())),
                            ":t", AttributeValue.fromBool(true)))
                    .build());
            case DELETE -> lww.delete(TABLE, key(k));
        };
    }

    @Provide
    Arbitrary<List<Write>> writes() {
        Arbitrary<Write> write = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 2),
                Arbitraries.of(WRITER_REGIONS), Arbitraries.of(NODES))
                .as((kind, offset, region, node) -> new Write(0, kind, offset, region, node));
        return write.list().ofMinSize(2).ofMaxSize(6)
                .uniqueElements(w -> List.of(w.stamp(), w.region(), w.node()))
                .map(ws -> {
                    List<Write> numbered = new ArrayList<>();
                    for (int i = 0; i < ws.size(); i++) {
                        Write w = ws.get(i);
                        numbered.add(new Write(i, w.kind(), w.millisOffset(), w.region(), w.node()));
                    }
                    return numbered;
                });
    }

    /**
     * "the stored item is always the write with the greatest (stamp, region, node) among the writes this region
     * received, whatever order they arrived in"; "a superseded write costs one call"; "a write is never superseded by
     * itself"; "a late older write cannot resurrect" a deleted item; "an update after a delete starts a fresh item".
     */
    @Property(tries = 60)
    void withinOneRegionTheGreatestVersionWinsWhateverTheArrivalOrder(@ForAll("writes") List<Write> writes,
            @ForAll("deliveries") List<Integer> extraDeliveries, @ForAll long seed) {
        String k = "p-" + KEYS.incrementAndGet();
        List<Write> order = new ArrayList<>(writes);
        for (int i : extraDeliveries) {
            order.add(writes.get(i % writes.size()));   // re-sent: same clock state, node and region, so same version
        }
        Collections.shuffle(order, new Random(seed));
        DynamoDbClient client = regions.client(REGION);
        regions.journal(REGION).clear();

        Write winner = null;
        Map<String, AttributeValue> model = null;   // user attributes of the stored item; null = absent or tombstone
        for (Write w : order) {
            LwwResult result = deliver(w, k, client);
            assertThat(result.stamp()).as("the write carries its clock's now()").isEqualTo(w.stamp());
            boolean newer = winner == null || VERSION.compare(w, winner) > 0;
            boolean itself = winner != null && VERSION.compare(w, winner) == 0;
            if (newer || itself) {
                assertThat(result.outcome()).as("%s after %s", w, winner).isEqualTo(LwwResult.Outcome.APPLIED);
            } else {
                assertThat(result.outcome()).as("%s after %s", w, winner).isEqualTo(LwwResult.Outcome.SUPERSEDED);
                Map<String, AttributeValue> stored = result.winner().orElseThrow();
                assertThat(stored.get("_mr_stamp").n()).isEqualTo(Long.toString(winner.stamp()));
                assertThat(stored.get("_mr_region").s()).isEqualTo(winner.region());
                assertThat(stored.get("_mr_node").s()).isEqualTo(winner.node());
            }
            if (newer) {
                winner = w;
                model = apply(model, w);
            }
        }
        assertThat(regions.journal(REGION).count()).as("one call per write").isEqualTo(order.size());

        LwwWrites reader = LwwWrites.builder().client(client).clock(HybridLogicalClock.system()).region(REGION).build();
        Optional<Map<String, AttributeValue>> read = reader.get(TABLE, key(k), true);
        if (model == null) {
            assertThat(read).as("a tombstone reads as absent").isEmpty();
        } else {
            assertThat(userAttributes(read.orElseThrow())).isEqualTo(model);
        }
    }

    @Provide
    Arbitrary<List<Integer>> deliveries() {
        return Arbitraries.integers().between(0, 5).list().ofMaxSize(3);
    }

    private static Map<String, AttributeValue> apply(Map<String, AttributeValue> item, Write w) {
        if (w.kind() == Kind.DELETE) {
            return null;
        }
        // A put replaces the item; an update changes the stored one, or starts afresh after a delete.
        Map<String, AttributeValue> next = new HashMap<>();
        if (w.kind() == Kind.UPDATE && item != null) {
            next.putAll(item);
        }
        next.put("w", AttributeValue.fromN(Integer.toString(w.id())));
        next.put("tag" + w.id(), AttributeValue.fromBool(true));
        return next;
    }

    private static Map<String, AttributeValue> userAttributes(Map<String, AttributeValue> item) {
        return item.entrySet().stream().filter(e -> !e.getKey().startsWith("_mr_") && !e.getKey().equals("pk"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** One clause of a user's update expression, in the case the user wrote it. */
    record Clause(String keyword, boolean lowerCase) {
        String text() {
            String kw = lowerCase ? keyword.toLowerCase(java.util.Locale.ROOT) : keyword;
            return switch (keyword) {
                case "SET" -> kw + " #a = :a, b = :b";
                case "REMOVE" -> kw + " gone";
                case "ADD" -> kw + " n :one";
                default -> kw + " tags :t";
            };
        }
    }

    @Provide
    Arbitrary<List<Clause>> clauses() {
        return Combinators.combine(Arbitraries.of("SET", "REMOVE", "ADD", "DELETE"), Arbitraries.of(true, false))
                .as(Clause::new).list().ofMinSize(1).ofMaxSize(4).uniqueElements(Clause::keyword);
    }

    /**
     * "update adds SET _mr_stamp, _mr_region, _mr_node and REMOVE _mr_deleted to the update expression": whatever
     * clauses (and case) the user's expression has, the update is applied with the user's effects and stamped, and
     * after a delete it starts a fresh item from the tombstone (read as present again, nothing of the old item).
     */
    @Property(tries = 30)
    void anUpdateOfAnyClauseShapeIsAppliedStampedAndRevivesATombstone(@ForAll("clauses") List<Clause> clauses,
            @ForAll boolean deletedFirst) {
        String k = "u-" + KEYS.incrementAndGet();
        DynamoDbClient client = regions.client(REGION);
        client.putItem(PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(k),
                "gone", AttributeValue.fromS("x"), "old", AttributeValue.fromS("x"), "n", AttributeValue.fromN("1"),
                "tags", AttributeValue.fromSs(List.of("t1", "t2"))))
                .build());
        LwwWrites lww = lww(HybridLogicalClock.system(), REGION);
        if (deletedFirst) {
            assertThat(lww.delete(TABLE, key(k)).applied()).isTrue();
        }
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        for (Clause c : clauses) {
            switch (c.keyword()) {
                case "SET" -> {
                    names.put("#a", "a");
                    values.put(":a", AttributeValue.fromS("A"));
                    values.put(":b", AttributeValue.fromS("B"));
                }
                case "ADD" -> values.put(":one", AttributeValue.fromN("1"));
                case "DELETE" -> values.put(":t", AttributeValue.fromSs(List.of("t1")));
                default -> { }
            }
        }
        String expression = clauses.stream().map(Clause::text).collect(Collectors.joining(" "));
        UpdateItemRequest.Builder update = UpdateItemRequest.builder().tableName(TABLE).key(key(k))
                .updateExpression(expression);
        if (!names.isEmpty()) {
            update.expressionAttributeNames(names);
        }
        if (!values.isEmpty()) {
            update.expressionAttributeValues(values);
        }
        LwwResult result = lww.update(update.build());
        assertThat(result.applied()).as(expression).isTrue();

        Map<String, AttributeValue> item = lww.get(TABLE, key(k), true).orElseThrow();
        assertThat(item.get("_mr_stamp").n()).isEqualTo(Long.toString(result.stamp()));
        assertThat(item.get("_mr_region").s()).isEqualTo(REGION);
        assertThat(item).doesNotContainKey("_mr_deleted");
        assertThat(item.containsKey("old")).as("old attributes after %s", deletedFirst ? "a delete" : "no delete")
                .isEqualTo(!deletedFirst);
        for (Clause c : clauses) {
            switch (c.keyword()) {
                case "SET" -> assertThat(item.get("a").s() + item.get("b").s()).isEqualTo("AB");
                case "REMOVE" -> assertThat(item).doesNotContainKey("gone");
                case "ADD" -> assertThat(item.get("n").n()).isEqualTo(deletedFirst ? "1" : "2");
                default -> {
                    if (deletedFirst) {
                        assertThat(item).doesNotContainKey("tags");
                    } else {
                        assertThat(item.get("tags").ss()).containsExactly("t2");
                    }
                }
            }
        }
    }

    /**
     * "A write is never superseded by itself": a put, update or delete whose first attempt was applied and whose answer
     * was lost, re-sent by the SDK's retry, is APPLIED (the journal shows both attempts).
     */
    @Example
    void aWriteResentByTheSdkAfterItsAnswerWasLostIsApplied() {
        for (Kind kind : Kind.values()) {
            String k = "lost-" + KEYS.incrementAndGet();
            String operation = kind == Kind.UPDATE ? "UpdateItem" : "PutItem";
            regions.journal(REGION).clear();
            Write w = new Write(1, kind, 0, REGION, "0a");
            try (DynamoDbClient lossy = LostAnswer.client(regions, REGION, operation)) {
                assertThat(deliver(w, k, lossy).outcome()).as(kind.toString()).isEqualTo(LwwResult.Outcome.APPLIED);
            }
            regions.healAll();
            assertThat(regions.journal(REGION).count(operation)).as("%s re-sent", kind)
                    .isEqualTo(2);
        }
    }

    /**
     * "a Meridian failover re-sent a write whose first attempt was applied but whose answer was lost (a timeout), and
     * the item had replicated to the region of the second attempt — the outcome is APPLIED": an LWW put through the
     * routed client (its guard makes it an idempotent write, which may move) whose answers from eu-west-1 never come.
     */
    @Example
    void aWriteFailedOverAfterItsAnswerWasLostIsAppliedNotSupersededByItself() {
        String k = "fo-" + KEYS.incrementAndGet();
        try (DynamoDbClient routed = MultiRegionDynamoDb.builder().config(TestRegions.config())
                .clientFactory(r -> TestRegions.client(regions, r, Duration.ofMillis(300))).build()) {
            routed.putItem(put("warm-" + k, "x"));   // past the first-attempt budget of a region's new client
            regions.faults("eu-west-1").only("PutItem").latency(Duration.ofSeconds(3));
            regions.journalsClear();
            LwwResult result = LwwWrites.builder().client(routed).region(REGION).clock(HybridLogicalClock.system())
                    .build().put(put(k, "once"));
            assertThat(result.outcome()).isEqualTo(LwwResult.Outcome.APPLIED);
        }
        assertThat(regions.journal("eu-west-1").count("PutItem")).isPositive();
        assertThat(regions.journal("eu-central-1").count("PutItem")).as("failed over").isEqualTo(1);
        regions.healAll();
        regions.awaitReplication();
        for (String r : TestRegions.IDS) {
            assertThat(direct(r, k).get("v").s()).isEqualTo("once");
        }
    }

    /** "#mr_stamp, ..., :mr_bound are reserved": a request using one is refused with an error naming it. */
    @Example
    void aRequestUsingAReservedPlaceholderIsRefusedNamingIt() {
        String k = "res-" + KEYS.incrementAndGet();
        LwwWrites lww = lww(HybridLogicalClock.system(), REGION);
        PutItemRequest reservedValue = put(k, "v").toBuilder().conditionExpression("attribute_not_exists(v) OR v <> :mr_stamp")
                .expressionAttributeValues(Map.of(":mr_stamp", AttributeValue.fromS("mine"))).build();
        assertThatThrownBy(() -> lww.put(reservedValue)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(":mr_stamp");
        UpdateItemRequest reservedName = UpdateItemRequest.builder().tableName(TABLE).key(key(k))
                .updateExpression("SET #mr_region = :v").expressionAttributeNames(Map.of("#mr_region", "mine"))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("x"))).build();
        assertThatThrownBy(() -> lww.update(reservedName)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("#mr_region");
        assertThat(direct(REGION, k)).isEmpty();
    }

    private static LwwWrites lww(HybridLogicalClock clock, String region) {
        return LwwWrites.builder().client(regions.client(region)).clock(clock).region(region).build();
    }

    private static PutItemRequest put(String k, String value) {
        return PutItemRequest.builder().tableName(TABLE)
                .item(Map.of("pk", AttributeValue.fromS(k), "v", AttributeValue.fromS(value))).build();
    }

    private static Map<String, AttributeValue> direct(String region, String k) {
        return regions.client(region).getItem(GetItemRequest.builder().tableName(TABLE).key(key(k))
                .consistentRead(true).build()).item();
    }

    /** "If the stored item is older but the call still failed, the user's own condition failed": rethrown. */
    @Example
    void theUsersOwnConditionIsKeptAndItsFailureRethrownUnchanged() {
        String k = "c-" + KEYS.incrementAndGet();
        LwwWrites lww = lww(HybridLogicalClock.system(), REGION);
        lww.put(put(k, "locked").toBuilder().item(Map.of("pk", AttributeValue.fromS(k),
                "state", AttributeValue.fromS("locked"))).build());
        PutItemRequest guarded = put(k, "second").toBuilder()
                .conditionExpression("#s <> :locked")
                .expressionAttributeNames(Map.of("#s", "state"))
                .expressionAttributeValues(Map.of(":locked", AttributeValue.fromS("locked"))).build();
        assertThatThrownBy(() -> lww.put(guarded)).isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(direct(REGION, k).get("state").s()).isEqualTo("locked");

        PutItemRequest allowed = put(k, "third").toBuilder()
                .conditionExpression("#s = :locked")
                .expressionAttributeNames(Map.of("#s", "state"))
                .expressionAttributeValues(Map.of(":locked", AttributeValue.fromS("locked"))).build();
        assertThat(lww.put(allowed).applied()).isTrue();
        assertThat(direct(REGION, k).get("v").s()).isEqualTo("third");
    }

    /** "attribute_not_exists(_mr_stamp) ... an item written before LWW was adopted ... the oldest possible write". */
    @Example
    void anItemWrittenBeforeLwwCountsAsTheOldestWrite() {
        String k = "pre-" + KEYS.incrementAndGet();
        regions.client(REGION).putItem(put(k, "legacy"));
        HybridLogicalClock early = HybridLogicalClock.builder().millis(() -> 1L).build();
        assertThat(lww(early, REGION).put(put(k, "lww")).applied()).isTrue();
        assertThat(direct(REGION, k).get("v").s()).isEqualTo("lww");
    }

    /** "get ... feed[s] the stored stamp to clock.observe: a write made after reading an item is stamped after it". */
    @Example
    void aWriteAfterAReadIsStampedAfterWhatWasReadEvenWithAClockBehind() {
        String k = "obs-" + KEYS.incrementAndGet();
        LwwWrites ahead = lww(HybridLogicalClock.builder().millis(() -> base + 30_000).build(), "us-east-1");
        LwwResult first = ahead.put(put(k, "ahead"));
        regions.awaitReplication();
        LwwWrites behind = lww(HybridLogicalClock.builder().millis(() -> base).build(), REGION);
        assertThat(behind.get(TABLE, key(k), true)).isPresent();
        LwwResult second = behind.put(put(k, "after reading"));
        assertThat(second.applied()).isTrue();
        assertThat(second.stamp()).isGreaterThan(first.stamp());
    }

    /** A SUPERSEDED outcome feeds the clock too: the next write of that writer wins. */
    @Example
    void aSupersededWritersNextWriteWins() {
        String k = "sup-" + KEYS.incrementAndGet();
        lww(HybridLogicalClock.builder().millis(() -> base + 20_000).build(), REGION).put(put(k, "ahead"));
        LwwWrites behind = lww(HybridLogicalClock.builder().millis(() -> base).build(), REGION);
        assertThat(behind.put(put(k, "late")).outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
        assertThat(behind.put(put(k, "again")).applied()).isTrue();
        assertThat(direct(REGION, k).get("v").s()).isEqualTo("again");
    }

    /**
     * Clock drift: an item stamped Long.MAX_VALUE is readable (the clock unchanged), rewritable by a correct clock;
     * observe refuses it with ClockDriftException, never ArithmeticException.
     */
    @Example
    void aFarFutureStampIsReadableRewritableAndNotAdopted() {
        String k = "far-" + KEYS.incrementAndGet();
        regions.client(REGION).putItem(PutItemRequest.builder().tableName(TABLE).item(Map.of(
                "pk", AttributeValue.fromS(k), "v", AttributeValue.fromS("broken"),
                "_mr_stamp", AttributeValue.fromN(Long.toString(Long.MAX_VALUE)),
                "_mr_region", AttributeValue.fromS("us-east-1"), "_mr_node", AttributeValue.fromS("x"))).build());
        HybridLogicalClock clock = HybridLogicalClock.system();
        LwwWrites lww = lww(clock, REGION);
        long before = clock.latest();
        assertThat(lww.get(TABLE, key(k), true)).get().extracting(i -> i.get("v").s()).isEqualTo("broken");
        assertThat(clock.latest()).isEqualTo(before);
        assertThatThrownBy(() -> clock.observe(Long.MAX_VALUE)).isInstanceOf(ClockDriftException.class);
        assertThatThrownBy(() -> HybridLogicalClock.builder().noDriftGuard().build().observe(Long.MAX_VALUE))
                .isInstanceOf(ClockDriftException.class);
        assertThat(lww.put(put(k, "repaired")).applied()).isTrue();
        assertThat(direct(REGION, k).get("v").s()).isEqualTo("repaired");
    }

    /** A stored stamp within the bound (here 30 s ahead) still wins over a correct clock's write. */
    @Example
    void aStampWithinTheDriftBoundStillWins() {
        String k = "near-" + KEYS.incrementAndGet();
        lww(HybridLogicalClock.builder().millis(() -> base + 30_000).build(), REGION).put(put(k, "ahead"));
        LwwResult late = lww(HybridLogicalClock.builder().millis(() -> base).build(), REGION).put(put(k, "late"));
        assertThat(late.outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
        assertThat(direct(REGION, k).get("v").s()).isEqualTo("ahead");
    }

    /** "observe refuses ... a stamp more than one minute ahead ... the clock unchanged"; CLAMP adopts up to the bound. */
    @Example
    void theDriftGuardRefusesByDefaultAndClampsWhenAsked() {
        long now = base;
        HybridLogicalClock reject = HybridLogicalClock.builder().millis(() -> now).build();
        long tooFar = HybridLogicalClock.encode(now + 61_000, 0);
        long justInside = HybridLogicalClock.encode(now + 59_000, 0);
        long before = reject.latest();
        assertThatThrownBy(() -> reject.observe(tooFar)).isInstanceOf(ClockDriftException.class)
                .hasMessageContaining("maxDrift");
        assertThat(reject.latest()).isEqualTo(before);
        assertThat(reject.observe(justInside)).isGreaterThan(justInside);

        HybridLogicalClock clamp = HybridLogicalClock.builder().millis(() -> now)
                .maxDrift(Duration.ofMinutes(1), HybridLogicalClock.DriftPolicy.CLAMP).build();
        long adopted = clamp.observe(tooFar);
        assertThat(adopted).isLessThan(tooFar);
        assertThat(HybridLogicalClock.physicalMillis(adopted)).isLessThanOrEqualTo(now + 60_001);
    }

    @Example
    void supersededWritesAreCounted() {
        String k = "m-" + KEYS.incrementAndGet();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LwwWrites late = LwwWrites.builder().client(regions.client(REGION)).region(REGION).meterRegistry(registry)
                .clock(HybridLogicalClock.builder().millis(() -> base).build()).build();
        lww(HybridLogicalClock.builder().millis(() -> base + 10_000).build(), REGION).put(put(k, "new"));
        late.put(put(k, "old"));
        assertThat(registry.get("meridian.lww.superseded").tag("region", REGION).tag("table", TABLE).counter()
                .count()).isEqualTo(1.0);
    }

    /** "64 random bits (16 hex digits) drawn per clock instance"; regenerateNodeId draws a new one. */
    @Example
    void nodeIdsAreSixteenHexDigitsPerClockAndRegenerated() {
        HybridLogicalClock a = HybridLogicalClock.system();
        HybridLogicalClock b = HybridLogicalClock.system();
        assertThat(a.nodeId()).matches("[0-9a-f]{16}");
        assertThat(a.nodeId()).isNotEqualTo(b.nodeId());
        String old = a.nodeId();
        long stamp = a.now();
        assertThat(a.regenerateNodeId()).isNotEqualTo(old).isEqualTo(a.nodeId()).matches("[0-9a-f]{16}");
        assertThat(a.now()).isGreaterThan(stamp);
    }

    /**
     * Write-home: both writers' writes go to the key's home (WRITE_HOME_BY_KEY), the guard there decides, and every
     * replica converges on the greatest stamp, also when the older write arrives last.
     */
    @Example
    void writeHomeConvergesEveryReplicaOnTheGreatestStamp() {
        String k = "home-" + KEYS.incrementAndGet();
        try (DynamoDbClient routed = MultiRegionDynamoDb.builder().config(TestRegions.config())
                .clientFactory(r -> TestRegions.client(regions, r))
                .table(TableConfig.builder(TABLE).partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY).build())
                .build()) {
            LwwWrites newer = LwwWrites.builder().client(routed).region(Region.EU_CENTRAL_1)
                    .clock(HybridLogicalClock.builder().millis(() -> base + 5_000).build()).build();
            LwwWrites older = LwwWrites.builder().client(routed).region(Region.US_EAST_1)
                    .clock(HybridLogicalClock.builder().millis(() -> base + 4_000).build()).build();
            assertThat(newer.put(put(k, "newer")).applied()).isTrue();
            assertThat(older.put(put(k, "older")).outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
        }
        regions.awaitReplication();
        for (String r : TestRegions.IDS) {
            assertThat(direct(r, k).get("v").s()).as("in %s", r).isEqualTo("newer");
        }
    }

    /**
     * Multi-active (case 3): two concurrent writes in two partitioned regions are both APPLIED; after healing one
     * survives everywhere. An older write arriving in a region after the newer item replicated there is SUPERSEDED.
     */
    @Example
    void multiActiveAcknowledgesBothAndTheGuardStillStopsALateOlderWrite() {
        String k = "ma-" + KEYS.incrementAndGet();
        regions.isolate("eu-west-1");
        LwwResult eu = lww(HybridLogicalClock.builder().millis(() -> base + 3_000).build(), "eu-west-1")
                .put(put(k, "eu"));
        LwwResult us = lww(HybridLogicalClock.builder().millis(() -> base + 2_000).build(), "us-east-1")
                .put(put(k, "us"));
        assertThat(eu.applied()).isTrue();
        assertThat(us.applied()).isTrue();
        regions.resumeReplication();
        regions.awaitReplication();
        String survivor = direct("eu-central-1", k).get("v").s();
        for (String r : TestRegions.IDS) {
            assertThat(direct(r, k).get("v").s()).isEqualTo(survivor);
        }

        String k2 = "ma-" + KEYS.incrementAndGet();
        lww(HybridLogicalClock.builder().millis(() -> base + 3_000).build(), "eu-west-1").put(put(k2, "newer"));
        regions.awaitReplication();
        LwwResult late = lww(HybridLogicalClock.builder().millis(() -> base + 2_000).build(), "us-east-1")
                .put(put(k2, "older"));
        assertThat(late.outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
    }
}
