package dev.meridian.dynamodb.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.dynamodb.Tables;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Issue 18's convergence property on {@link LocalRegions} (whole-item last-writer-wins replication, like global
 * tables): two writers in each of three regions make random concurrent changes to a cart ({@link OrSet}), a profile
 * ({@link LwwMap}) and a counter ({@link PnCounter}) under a random replication delay while faults strike at random
 * moments — a region isolated from replication, a replication link paused, a region's endpoint refusing calls (its
 * writes fail and are not acknowledged). Then everything heals. Every region must then hold the same value, equal to the
 * model's merge of every acknowledged change: every acknowledged add is there unless an acknowledged remove observed
 * it, no removed add comes back, each field holds its acknowledged write with the greatest stamp, the counter the sum of
 * the acknowledged deltas.
 *
 * <p>25 tries in all, run as two classes ({@link MergeConvergencePropertyIT} 13, {@link
 * MergeConvergencePropertySecondHalfIT} 12), each on regions of its own, so that two failsafe forks run them side by
 * side: the property was sdk-dynamodb's longest class and, last in the run order, ended the module alone.
 */
abstract class MergeConvergenceProperties {

    private static final String TABLE = "merge_convergence";
    private static final List<String> REGIONS = LocalRegions.DEFAULT_REGIONS;
    private static final int WRITERS_PER_REGION = 2;
    private static final int OPS_PER_WRITER = 5;
    private static final List<String> ELEMENTS = List.of("apple", "book", "cup");
    private static final List<String> FIELDS = List.of("name", "email", "city");

    enum FaultKind { ISOLATE, PAUSE_LINK, REFUSE }

    record Fault(FaultKind kind, int region, int other, int atOp) {
    }

    record Scenario(long seed, int delayMillis, List<Fault> faults) {
    }

    /** An acknowledged change, what it changed and, for the counter, by how much. */
    record Acked(String region, String kind, MergeResult<?> result, long delta) {
    }

    private static LocalRegions regions;

    @BeforeContainer
    static void start() {
        regions = LocalRegions.start(REGIONS.toArray(String[]::new));
        Tables.create(regions, TABLE, "pk", "sk");
    }

    @AfterContainer
    static void stop() {
        if (regions != null) {
            regions.close();
        }
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        int ops = REGIONS.size() * WRITERS_PER_REGION * OPS_PER_WRITER;
        Arbitrary<Fault> fault = Combinators.combine(Arbitraries.of(FaultKind.class),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 2),
                Arbitraries.integers().between(0, ops - 1))
                .as((kind, region, offset, at) -> new Fault(kind, region, (region + offset) % 3, at));
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, 250),
                fault.list().ofMaxSize(3)).as(Scenario::new);
    }

    /** One try of the property; each subclass runs its share of the tries. */
    void check(Scenario s) throws Exception {
        String id = UUID.randomUUID().toString();
        String cart = "cart-" + id;
        String profile = "profile-" + id;
        String counter = "counter-" + id;
        List<Acked> acked = new CopyOnWriteArrayList<>();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        regions.replicationDelay(Duration.ofMillis(s.delayMillis()));
        ExecutorService pool = Executors.newFixedThreadPool(REGIONS.size() * WRITERS_PER_REGION);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int r = 0; r < REGIONS.size(); r++) {
                for (int w = 0; w < WRITERS_PER_REGION; w++) {
                    String region = REGIONS.get(r);
                    Random random = new Random(s.seed() * 31 + r * WRITERS_PER_REGION + w);
                    Writer writer = new Writer(region);
                    workers.add(pool.submit(() -> {
                        for (int i = 0; i < OPS_PER_WRITER; i++) {
                            try {
                                acked.add(writer.randomChange(random, cart, profile, counter));
                            } catch (RuntimeException e) {
                                // Refused before it was applied (the region's endpoint is down): not acknowledged.
                                failed.incrementAndGet();
                            }
                            done.incrementAndGet();
                        }
                        return null;
                    }));
                }
            }
            for (Fault fault : s.faults().stream().sorted(Comparator.comparingInt(Fault::atOp)).toList()) {
                await().atMost(Duration.ofMinutes(2)).until(() -> done.get() >= fault.atOp());
                inject(fault);
            }
            for (Future<?> worker : workers) {
                worker.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
            regions.reset();
        }
        regions.awaitReplication(Duration.ofMinutes(2));

        Statistics.label("acknowledged").collect(acked.size() / 10 * 10);
        Statistics.label("refused").collect(failed.get() > 0);
        Statistics.label("re-merged after a concurrent write").collect(acked.stream()
                .anyMatch(a -> a.result().attempts() > 1));
        Map<String, Long> cartModel = cartModel(acked);
        Map<String, AttributeValue> profileModel = profileModel(acked);
        long counterModel = acked.stream().filter(a -> a.kind().equals("count"))
                .mapToLong(Acked::delta).sum();
        for (String region : REGIONS) {
            Writer reader = new Writer(region);
            assertThat(reader.carts.read(cart, true).items()).as("cart in %s, %s", region, s).isEqualTo(cartModel);
            assertThat(reader.profiles.read(profile, true).values()).as("profile in %s", region)
                    .isEqualTo(profileModel);
            assertThat(reader.counters.read(counter, true).value()).as("counter in %s", region).isEqualTo(counterModel);
        }
    }

    private static void inject(Fault fault) {
        String region = REGIONS.get(fault.region());
        switch (fault.kind()) {
            case ISOLATE -> regions.isolate(region);
            case PAUSE_LINK -> regions.pauseReplication(region, REGIONS.get(fault.other()));
            // Answered by the proxy without forwarding: a refused write was not applied (a stopped proxy could cut
            // a forwarded one, whose fate the model could not know).
            case REFUSE -> regions.faults(region).status(503);
        }
    }

    /** The OR-set's meaning over what was acknowledged: an add stays unless an acknowledged remove observed its tag. */
    private static Map<String, Long> cartModel(List<Acked> acked) {
        Set<String> removed = new HashSet<>();
        Map<String, Long> model = new TreeMap<>();
        acked.stream().filter(a -> a.kind().equals("cart"))
                .forEach(a -> removed.addAll(((OrSet) a.result().change()).removedTags()));
        for (Acked a : acked) {
            if (a.kind().equals("cart")) {
                OrSet change = (OrSet) a.result().change();
                String tag = a.result().stamp().tag();
                change.items().forEach((element, quantity) -> {
                    if (!removed.contains(tag)) {
                        model.merge(element, quantity, Long::sum);
                    }
                });
            }
        }
        return model;
    }

    /** Each field's acknowledged write (or removal) with the greatest stamp. */
    private static Map<String, AttributeValue> profileModel(List<Acked> acked) {
        Map<String, MergeStamp> latest = new TreeMap<>();
        Map<String, Optional<AttributeValue>> values = new TreeMap<>();
        for (Acked a : acked) {
            if (a.kind().equals("profile")) {
                LwwMap change = (LwwMap) a.result().change();
                for (String field : FIELDS) {
                    change.stamp(field).ifPresent(stamp -> {
                        if (!latest.containsKey(field) || stamp.compareTo(latest.get(field)) > 0) {
                            latest.put(field, stamp);
                            values.put(field, change.get(field));
                        }
                    });
                }
            }
        }
        Map<String, AttributeValue> model = new TreeMap<>();
        values.forEach((field, value) -> value.ifPresent(v -> model.put(field, v)));
        return model;
    }

    /** One writer (its own clock) in one region, with a store per value type. */
    private static final class Writer {
        final String region;
        final MergeableItems<OrSet> carts;
        final MergeableItems<LwwMap> profiles;
        final MergeableItems<PnCounter> counters;

        Writer(String region) {
            this.region = region;
            HybridLogicalClock clock = HybridLogicalClock.builder().build();
            this.carts = store(OrSet.TYPE, clock);
            this.profiles = store(LwwMap.TYPE, clock);
            this.counters = store(PnCounter.TYPE, clock);
        }

        private <T extends Mergeable<T>> MergeableItems<T> store(MergeType<T> type, HybridLogicalClock clock) {
            return MergeableItems.builder(type).client(regions.client(region)).table(TABLE).region(region)
                    .clock(clock).build();
        }

        Acked randomChange(Random random, String cart, String profile, String counter) {
            String element = ELEMENTS.get(random.nextInt(ELEMENTS.size()));
            String field = FIELDS.get(random.nextInt(FIELDS.size()));
            int quantity = 1 + random.nextInt(3);
            AttributeValue value = AttributeValue.fromS(region + "-" + random.nextInt(1000));
            boolean either = random.nextInt(3) == 0;
            long delta = either ? -quantity : quantity;
            // Decided before the update: its operation may run again after a concurrent write of the region's item.
            return switch (random.nextInt(6)) {
                case 0, 1 -> new Acked(region, "cart",
                        carts.update(cart, (current, stamp) -> current.add(element, quantity, stamp)), 0);
                case 2 -> new Acked(region, "cart", carts.update(cart, (current, stamp) -> either
                        ? current.setQuantity(element, quantity, stamp) : current.remove(element)), 0);
                case 3 -> new Acked(region, "profile", profiles.update(profile, (current, stamp) -> either
                        ? current.remove(field, stamp) : current.put(field, value, stamp)), 0);
                default -> new Acked(region, "count",
                        counters.update(counter, (current, stamp) -> current.add(delta, stamp)), delta);
            };
        }
    }
}
