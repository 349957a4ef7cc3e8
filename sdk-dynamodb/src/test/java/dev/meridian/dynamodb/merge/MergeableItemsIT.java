package dev.meridian.dynamodb.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.dynamodb.Tables;
import dev.meridian.dynamodb.counter.GlobalCounter;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Mergeable items on {@link LocalRegions}, whose replicator copies whole items last-writer-wins as global tables do:
 * the cart scenario that whole-item LWW loses, the guarded write's re-read, and {@code GlobalCounter}'s items read
 * as a {@link PnCounter}.
 */
@LocalRegionsConfig
class MergeableItemsIT {

    static final String TABLE = "merge_items";
    static final List<String> REGIONS = LocalRegions.DEFAULT_REGIONS;

    private static LocalRegions regions;

    @BeforeAll
    static void createTables() {
        Tables.create(regions, TABLE, "pk", "sk");
    }

    private static <T extends Mergeable<T>> MergeableItems<T> store(MergeType<T> type, String region, String itemOf) {
        return MergeableItems.builder(type).client(regions.client(region)).table(TABLE).region(itemOf)
                .clock(HybridLogicalClock.builder().build()).build();
    }

    /** Each region adds to the cart while replication is partitioned, then the partition heals. */
    private static String addInEveryRegionWhilePartitioned(List<MergeableItems<OrSet>> carts) {
        String cart = "cart-" + UUID.randomUUID();
        REGIONS.forEach(regions::isolate);
        for (int i = 0; i < REGIONS.size(); i++) {
            String sku = "sku-" + REGIONS.get(i);
            carts.get(i).update(cart, (current, stamp) -> current.add(sku, 1, stamp));
        }
        regions.resumeReplication();
        regions.awaitReplication();
        return cart;
    }

    @Test
    void perRegionItemsKeepEveryAcknowledgedAddThatWholeItemLwwWouldLose() {
        List<MergeableItems<OrSet>> carts = REGIONS.stream().map(r -> store(OrSet.TYPE, r, r)).toList();

        String cart = addInEveryRegionWhilePartitioned(carts);

        Map<String, Long> all = Map.of("sku-eu-west-1", 1L, "sku-eu-central-1", 1L, "sku-us-east-1", 1L);
        carts.forEach(c -> assertThat(c.read(cart, true).items()).isEqualTo(all));
    }

    /** The baseline the design avoids: one item written in every region; replication keeps one region's whole item. */
    @Test
    void oneItemWrittenInEveryRegionLosesAcknowledgedAdds() {
        List<MergeableItems<OrSet>> carts = REGIONS.stream().map(r -> store(OrSet.TYPE, r, "shared")).toList();

        String cart = addInEveryRegionWhilePartitioned(carts);

        carts.forEach(c -> assertThat(c.read(cart, true).items()).hasSize(1));
    }

    @Test
    void aRemoveDeletesWhatItObservedAndAConcurrentAddWins() {
        List<MergeableItems<OrSet>> carts = REGIONS.stream().map(r -> store(OrSet.TYPE, r, r)).toList();
        String cart = "cart-" + UUID.randomUUID();
        carts.get(0).update(cart, (current, stamp) -> current.add("book", 2, stamp));
        regions.awaitReplication();

        regions.isolate(REGIONS.get(1));
        carts.get(0).update(cart, (current, stamp) -> current.remove("book"));
        carts.get(1).update(cart, (current, stamp) -> current.add("book", 1, stamp));
        carts.get(2).update(cart, (current, stamp) -> current.add("pen", 1, stamp));
        regions.resumeReplication();
        regions.awaitReplication();

        // The remove saw the first add only: the concurrent add of one book survives, the two removed do not.
        carts.forEach(c -> assertThat(c.read(cart, true).items()).isEqualTo(Map.of("book", 1L, "pen", 1L)));
    }

    @Test
    void concurrentUpdatesOfDifferentFieldsBothSurvive() {
        List<MergeableItems<LwwMap>> profiles = REGIONS.stream().map(r -> store(LwwMap.TYPE, r, r)).toList();
        String profile = "profile-" + UUID.randomUUID();
        REGIONS.forEach(regions::isolate);
        profiles.get(0).update(profile, (current, stamp) -> current.put("email", AttributeValue.fromS("a@x"), stamp));
        profiles.get(1).update(profile, (current, stamp) -> current.put("phone", AttributeValue.fromS("123"), stamp));
        regions.resumeReplication();
        regions.awaitReplication();

        profiles.forEach(p -> assertThat(p.read(profile, true).values()).isEqualTo(
                Map.of("email", AttributeValue.fromS("a@x"), "phone", AttributeValue.fromS("123"))));
    }

    @Test
    void twoWritersOfOneRegionMergeInsteadOfOverwriting() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        MergeableItems<OrSet> first = MergeableItems.builder(OrSet.TYPE).client(regions.client(REGIONS.get(0)))
                .table(TABLE).region(REGIONS.get(0)).meterRegistry(meters).build();
        MergeableItems<OrSet> second = store(OrSet.TYPE, REGIONS.get(0), REGIONS.get(0));
        String cart = "cart-" + UUID.randomUUID();

        // The first writer's operation runs the second writer's whole update between its read and its write.
        MergeResult<OrSet> result = first.update(cart, (current, stamp) -> {
            if (current.items().isEmpty()) {
                second.update(cart, (c, s) -> c.add("interloper", 1, s));
            }
            return current.add("mine", 1, stamp);
        });

        assertThat(result.attempts()).isEqualTo(2);
        assertThat(meters.get("meridian.merge.conflicts").tag("region", REGIONS.get(0)).tag("table", TABLE).counter()
                .count()).isEqualTo(1.0);
        assertThat(first.read(cart, true).items()).isEqualTo(Map.of("interloper", 1L, "mine", 1L));
    }

    /**
     * The put is applied but its answer is lost, and the SDK's second attempt fails the condition the first one
     * changed: the update must see its own stamp in the item and not add a second time.
     */
    @Test
    void aPutAppliedButAnsweredWithAConditionFailureCountsOnce() {
        DynamoDbClient real = regions.client(REGIONS.get(0));
        AtomicInteger puts = new AtomicInteger();
        DynamoDbClient lostAnswer = new DynamoDbClient() {
            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                PutItemResponse response = real.putItem(request);
                if (puts.incrementAndGet() == 1) {
                    throw ConditionalCheckFailedException.builder().message("the retry of an applied put").build();
                }
                return response;
            }

            @Override
            public QueryResponse query(QueryRequest request) {
                return real.query(request);
            }

            @Override
            public String serviceName() {
                return real.serviceName();
            }

            @Override
            public void close() {
            }
        };
        MergeableItems<OrSet> carts = MergeableItems.builder(OrSet.TYPE).client(lostAnswer).table(TABLE)
                .region(REGIONS.get(0)).build();
        String cart = "cart-" + UUID.randomUUID();

        MergeResult<OrSet> result = carts.update(cart, (current, stamp) -> current.add("book", 1, stamp));

        assertThat(puts).hasValue(1);
        assertThat(result.value().items()).isEqualTo(Map.of("book", 1L));
        assertThat(carts.read(cart, true).items()).isEqualTo(Map.of("book", 1L));
    }

    /** A stamp from a clock far ahead (beyond the drift bound) is not adopted, and does not block the key. */
    @Test
    void aStampBeyondTheDriftBoundDoesNotBlockUpdates() {
        String cart = "cart-" + UUID.randomUUID();
        HybridLogicalClock ahead = HybridLogicalClock.builder()
                .millis(() -> System.currentTimeMillis() + Duration.ofHours(1).toMillis()).build();
        MergeableItems.builder(OrSet.TYPE).client(regions.client(REGIONS.get(1))).table(TABLE).region(REGIONS.get(1))
                .clock(ahead).build().update(cart, (current, stamp) -> current.add("broken", 1, stamp));
        regions.awaitReplication();

        MergeableItems<OrSet> sane = store(OrSet.TYPE, REGIONS.get(0), REGIONS.get(0));
        sane.update(cart, (current, stamp) -> current.add("book", 1, stamp));

        assertThat(sane.read(cart, true).items()).isEqualTo(Map.of("broken", 1L, "book", 1L));
    }

    @Test
    void globalCounterItemsReadAsAPnCounter() {
        String name = "likes-" + UUID.randomUUID();
        for (String region : REGIONS) {
            GlobalCounter.builder().client(regions.client(region)).table(TABLE).region(region).build().add(name, 3);
        }
        GlobalCounter.builder().client(regions.client(REGIONS.get(1))).table(TABLE).region(REGIONS.get(1)).build()
                .add(name, -1);
        regions.awaitReplication();

        PnCounter counter = store(PnCounter.TYPE, REGIONS.get(2), REGIONS.get(2)).read(name, true);

        assertThat(counter.value()).isEqualTo(8);
        assertThat(counter.partials()).containsEntry(REGIONS.get(1), 2L);
    }
}
