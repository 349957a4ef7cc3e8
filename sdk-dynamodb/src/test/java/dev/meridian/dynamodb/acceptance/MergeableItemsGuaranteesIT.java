package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.Tables;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.counter.GlobalCounter;
import dev.meridian.dynamodb.merge.LwwMap;
import dev.meridian.dynamodb.merge.MergeConflictException;
import dev.meridian.dynamodb.merge.MergeResult;
import dev.meridian.dynamodb.merge.MergeableItems;
import dev.meridian.dynamodb.merge.OrSet;
import dev.meridian.dynamodb.merge.PnCounter;
import dev.meridian.testkit.LocalRegions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * docs/mergeable-items.md read as a user, on LocalRegions. A jqwik property: random cart adds and removes made in three
 * partitioned regions all survive healing as the add-wins model says (a product's quantity is the sum of its live adds;
 * a remove deletes exactly the adds its region had seen), the same in every region. Examples: concurrent updates of
 * different LwwMap fields both survive and one field keeps its latest write; a re-added product starts from the new
 * add; concurrent setQuantity calls add up; a PnCounter reads a GlobalCounter table; a read is one Query and a write
 * one Query plus one PutItem, in the store's region only, on its own item; a concurrent writer of the region's item
 * makes the update merge again (counted), and maxAttempts lost rounds end in MergeConflictException with nothing
 * written; a far-future stamp does not make the key unwritable.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class MergeableItemsGuaranteesIT {
    private static final String CARTS = "mg_carts";
    private static final String PROFILES = "mg_profiles";
    private static final String COUNTERS = "mg_counters";
    private static final List<String> SKUS = List.of("sku-1", "sku-2", "sku-3");
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static final Map<String, HybridLogicalClock> CLOCKS = new HashMap<>();

    @BeforeContainer
    static void start() {
        Tables.create(regions, CARTS, "pk", "sk");
        Tables.create(regions, PROFILES, "pk", "sk");
        Tables.create(regions, COUNTERS, "pk", "sk");
        for (String r : TestRegions.IDS) {
            CLOCKS.put(r, HybridLogicalClock.system());   // one clock per region's process
        }
    }

    private static <T extends dev.meridian.dynamodb.merge.Mergeable<T>> MergeableItems<T> store(
            dev.meridian.dynamodb.merge.MergeType<T> type, String table, String region) {
        return MergeableItems.builder(type).client(regions.client(region)).table(table).region(region)
                .clock(CLOCKS.get(region)).build();
    }

    private static void partition() {
        for (String r : TestRegions.IDS) {
            regions.isolate(r);
        }
    }

    private static void healPartition() {
        regions.resumeReplication();
        regions.awaitReplication();
    }

    /** One cart operation in one region: add {@code quantity} of {@code sku}, or remove it (quantity 0). */
    record CartOp(String region, String sku, int quantity) {
    }

    @Provide
    Arbitrary<List<CartOp>> cartOps() {
        return Combinators.combine(Arbitraries.of(TestRegions.IDS), Arbitraries.of(SKUS),
                Arbitraries.integers().between(0, 3)).as(CartOp::new).list().ofMinSize(1).ofMaxSize(9);
    }

    /**
     * "no acknowledged add is lost; a remove deletes exactly what it saw, so a concurrent add survives it and nothing
     * removed comes back"; "a product's quantity is the sum of its live adds"; "every region holds the same value".
     */
    @Property(tries = 12)
    void concurrentCartChangesInPartitionedRegionsAllSurviveAsTheModelSays(@ForAll("cartOps") List<CartOp> ops) {
        String cart = "cart-" + KEYS.incrementAndGet();
        partition();
        Map<String, List<long[]>> liveAdds = new HashMap<>();   // region -> adds it made that it has not removed
        List<CartOp> applied = new ArrayList<>();
        for (CartOp op : ops) {
            MergeableItems<OrSet> carts = store(OrSet.TYPE, CARTS, op.region());
            List<long[]> adds = liveAdds.computeIfAbsent(op.region(), r -> new ArrayList<>());
            if (op.quantity() > 0) {
                carts.update(cart, (c, stamp) -> c.add(op.sku(), op.quantity(), stamp));
                adds.add(new long[] {SKUS.indexOf(op.sku()), op.quantity()});
            } else {
                carts.update(cart, (c, stamp) -> c.remove(op.sku()));
                adds.removeIf(a -> a[0] == SKUS.indexOf(op.sku()));   // it saw only its own region's adds
            }
            applied.add(op);
        }
        healPartition();
        Map<String, Long> expected = new HashMap<>();
        liveAdds.values().forEach(adds -> adds.forEach(a -> expected.merge(SKUS.get((int) a[0]), a[1], Long::sum)));
        for (String r : TestRegions.IDS) {
            assertThat(store(OrSet.TYPE, CARTS, r).read(cart, true).items()).as("read in %s after %s", r, applied)
                    .isEqualTo(expected);
        }
    }

    @Example
    void concurrentUpdatesOfDifferentFieldsBothSurviveAndOneFieldKeepsItsLatestWrite() {
        String user = "user-" + KEYS.incrementAndGet();
        partition();
        store(LwwMap.TYPE, PROFILES, "eu-west-1")
                .update(user, (p, stamp) -> p.put("email", AttributeValue.fromS("a@example.com"), stamp));
        store(LwwMap.TYPE, PROFILES, "us-east-1")
                .update(user, (p, stamp) -> p.put("phone", AttributeValue.fromS("+1"), stamp));
        store(LwwMap.TYPE, PROFILES, "eu-central-1")
                .update(user, (p, stamp) -> p.put("nick", AttributeValue.fromS("first"), stamp));
        store(LwwMap.TYPE, PROFILES, "us-east-1")
                .update(user, (p, stamp) -> p.put("nick", AttributeValue.fromS("second"), stamp));
        healPartition();
        for (String r : TestRegions.IDS) {
            assertThat(store(LwwMap.TYPE, PROFILES, r).read(user, true).values()).as("in %s", r).isEqualTo(Map.of(
                    "email", AttributeValue.fromS("a@example.com"), "phone", AttributeValue.fromS("+1"),
                    "nick", AttributeValue.fromS("second")));
        }
        // "a field written after reading another region's write of it wins", whatever the writer's region.
        store(LwwMap.TYPE, PROFILES, "eu-central-1")
                .update(user, (p, stamp) -> p.put("nick", AttributeValue.fromS("third"), stamp));
        regions.awaitReplication();
        assertThat(store(LwwMap.TYPE, PROFILES, "us-east-1").read(user, true).get("nick"))
                .contains(AttributeValue.fromS("third"));
    }

    /** "removing the element and adding it again starts from the new add instead of resurrecting the old count". */
    @Example
    void aRemovedProductAddedAgainStartsFromTheNewAdd() {
        String cart = "cart-" + KEYS.incrementAndGet();
        MergeableItems<OrSet> eu = store(OrSet.TYPE, CARTS, "eu-west-1");
        eu.update(cart, (c, s) -> c.add("sku-1", 5, s));
        eu.update(cart, (c, s) -> c.remove("sku-1"));
        assertThat(eu.read(cart, true).contains("sku-1")).isFalse();
        eu.update(cart, (c, s) -> c.add("sku-1", 1, s));
        assertThat(eu.read(cart, true).quantity("sku-1")).isEqualTo(1);
    }

    /** "two concurrent setQuantity calls add up". */
    @Example
    void concurrentSetQuantityCallsAddUp() {
        String cart = "cart-" + KEYS.incrementAndGet();
        partition();
        store(OrSet.TYPE, CARTS, "eu-west-1").update(cart, (c, s) -> c.setQuantity("sku-1", 2, s));
        store(OrSet.TYPE, CARTS, "us-east-1").update(cart, (c, s) -> c.setQuantity("sku-1", 3, s));
        healPartition();
        assertThat(store(OrSet.TYPE, CARTS, "eu-central-1").read(cart, true).quantity("sku-1")).isEqualTo(5);
    }

    /** "a MergeableItems<PnCounter> reads a GlobalCounter table and gets the same value". */
    @Example
    void aPnCounterReadsAGlobalCounterTable() {
        String name = "likes-" + KEYS.incrementAndGet();
        for (String r : TestRegions.IDS) {
            GlobalCounter.builder().client(regions.client(r)).table(COUNTERS).region(r).build().add(name, 7);
        }
        GlobalCounter.builder().client(regions.client("us-east-1")).table(COUNTERS).region("us-east-1").build()
                .add(name, -2);
        regions.awaitReplication();
        for (String r : TestRegions.IDS) {
            long counted = GlobalCounter.builder().client(regions.client(r)).table(COUNTERS).region(r).build()
                    .value(name, true);
            assertThat(counted).isEqualTo(19);
            assertThat(store(PnCounter.TYPE, COUNTERS, r).read(name, true).value()).as("in %s", r).isEqualTo(19);
        }
    }

    /**
     * "A read is one Query returning one item per region; a write is that read plus one PutItem"; "the store writes
     * in its own region only"; "each region writes only its own item of the key (sort key = region)"; "an operation
     * returns the change, not the new value".
     */
    @Example
    void aReadIsOneQueryAndAWriteOneQueryPlusOnePutOfTheRegionsOwnItem() {
        String cart = "cart-" + KEYS.incrementAndGet();
        store(OrSet.TYPE, CARTS, "us-east-1").update(cart, (c, s) -> c.add("sku-9", 1, s));
        regions.awaitReplication();
        regions.journalsClear();
        MergeableItems<OrSet> eu = store(OrSet.TYPE, CARTS, "eu-west-1");
        MergeResult<OrSet> result = eu.update(cart, (c, s) -> c.add("sku-1", 2, s));
        assertThat(result.change().items()).isEqualTo(Map.of("sku-1", 2L));
        assertThat(result.value().items()).isEqualTo(Map.of("sku-1", 2L, "sku-9", 1L));
        assertThat(regions.journal("eu-west-1").count("Query")).isEqualTo(1);
        assertThat(regions.journal("eu-west-1").count("PutItem")).isEqualTo(1);
        assertThat(regions.journal("eu-west-1").count()).isEqualTo(2);
        assertThat(regions.journal("us-east-1").isEmpty()).isTrue();
        assertThat(regions.journal("eu-central-1").isEmpty()).isTrue();
        regions.journalsClear();
        assertThat(eu.read(cart).items()).containsEntry("sku-1", 2L);
        assertThat(regions.journal("eu-west-1").count()).isEqualTo(1);
        assertThat(regions.journal("eu-west-1").count("Query")).isEqualTo(1);

        regions.awaitReplication();
        List<Map<String, AttributeValue>> items = regions.client("eu-central-1").query(QueryRequest.builder()
                .tableName(CARTS).keyConditionExpression("pk = :k").consistentRead(true)
                .expressionAttributeValues(Map.of(":k", AttributeValue.fromS(cart))).build()).items();
        assertThat(items).extracting(i -> i.get("sk").s()).containsExactlyInAnyOrder("us-east-1", "eu-west-1");
    }

    /**
     * "When another writer in the same region wrote in between, the condition fails and the update reads, merges and
     * asks the operation again" (counted as meridian.merge.conflicts); "at most maxAttempts ... then
     * MergeConflictException: nothing written".
     */
    @Example
    void aConcurrentWriterOfTheRegionsItemMakesTheUpdateMergeAgainAndMaxAttemptsEndsIt() {
        String cart = "cart-" + KEYS.incrementAndGet();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MergeableItems<OrSet> mine = MergeableItems.builder(OrSet.TYPE).client(regions.client("eu-west-1"))
                .table(CARTS).region("eu-west-1").clock(CLOCKS.get("eu-west-1")).meterRegistry(registry)
                .maxAttempts(3).build();
        MergeableItems<OrSet> other = store(OrSet.TYPE, CARTS, "eu-west-1");   // a second process of the region
        AtomicInteger calls = new AtomicInteger();
        MergeResult<OrSet> result = mine.update(cart, (c, s) -> {
            if (calls.incrementAndGet() == 1) {
                other.update(cart, (o, s2) -> o.add("sku-2", 1, s2));   // gets there first
            }
            return c.add("sku-1", 1, s);
        });
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(mine.read(cart, true).items()).isEqualTo(Map.of("sku-1", 1L, "sku-2", 1L));
        assertThat(registry.get("meridian.merge.conflicts").tag("region", "eu-west-1").tag("table", CARTS)
                .counter().count()).isEqualTo(1.0);

        String cart2 = "cart-" + KEYS.incrementAndGet();
        assertThatThrownBy(() -> mine.update(cart2, (c, s) -> {
            other.update(cart2, (o, s2) -> o.add("sku-2", 1, s2));   // always first
            return c.add("sku-1", 1, s);
        })).isInstanceOf(MergeConflictException.class);
        assertThat(mine.read(cart2, true).items()).isEqualTo(Map.of("sku-2", 3L));
    }

    /**
     * "A put whose answer was lost and that the SDK sent again fails its own condition; the update then finds its own
     * stamp in the item and reports the change once instead of applying it twice."
     */
    @Example
    void aPutWhoseAnswerWasLostAndThatTheSdkSentAgainCountsOnce() {
        String cart = "cart-" + KEYS.incrementAndGet();
        regions.journalsClear();
        try (DynamoDbClient lossy = LostAnswer.client(regions, "eu-west-1", "PutItem")) {
            MergeableItems<OrSet> eu = MergeableItems.builder(OrSet.TYPE).client(lossy).table(CARTS)
                    .region("eu-west-1").clock(CLOCKS.get("eu-west-1")).build();
            MergeResult<OrSet> result = eu.update(cart, (c, s) -> c.add("sku-1", 1, s));
            assertThat(result.change().items()).isEqualTo(Map.of("sku-1", 1L));
        }
        regions.healAll();
        assertThat(regions.journal("eu-west-1").count("PutItem")).as("the SDK re-sent the put").isEqualTo(2);
        assertThat(store(OrSet.TYPE, CARTS, "eu-west-1").read(cart, true).items()).isEqualTo(Map.of("sku-1", 1L));
    }

    /** "a stored stamp beyond the clock's drift bound ... is not adopted (logged at WARN), so the key stays writable". */
    @Example
    void aFarFutureStampLeavesTheKeyWritableAndTheClockUnpoisoned() {
        String user = "user-" + KEYS.incrementAndGet();
        HybridLogicalClock broken = HybridLogicalClock.builder().noDriftGuard()
                .millis(() -> System.currentTimeMillis() + 3_600_000L).build();
        MergeableItems.builder(LwwMap.TYPE).client(regions.client("us-east-1")).table(PROFILES).region("us-east-1")
                .clock(broken).build()
                .update(user, (p, s) -> p.put("email", AttributeValue.fromS("future@example.com"), s));
        regions.awaitReplication();
        HybridLogicalClock clock = HybridLogicalClock.system();
        MergeableItems<LwwMap> eu = MergeableItems.builder(LwwMap.TYPE).client(regions.client("eu-west-1"))
                .table(PROFILES).region("eu-west-1").clock(clock).build();
        MergeResult<LwwMap> result = eu.update(user, (p, s) -> p.put("phone", AttributeValue.fromS("+44"), s));
        assertThat(HybridLogicalClock.physicalMillis(result.stamp().hlc()))
                .isLessThan(System.currentTimeMillis() + 600_000L);
        assertThat(eu.read(user, true).values()).containsKeys("email", "phone");
        // "an LwwMap field written with such a stamp keeps winning until a clock that has caught up writes it"
        eu.update(user, (p, s) -> p.put("email", AttributeValue.fromS("now@example.com"), s));
        assertThat(eu.read(user, true).get("email")).contains(AttributeValue.fromS("future@example.com"));
    }
}
