package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.health.RegionStatus;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RequestJournal;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Issue 19's acceptance with writes in the traffic: "at most 1 user call per region waits an attempt timeout over a
 * 60 s fault; 0 failed calls", on real DynamoDB Locals, eu-west-1 black-holed, the README's configuration (default
 * hedging, per-region clients with {@link RegionalClientDefaults}). Four threads read and one writes unconditional
 * puts of new items (plain {@code WRITE}s: never moved after an attempt that may have been applied). Reads leave the
 * black hole by their hedges and make the region suspect; a write cannot be hedged, so one sent to the suspect region
 * would wait its attempt timeout (as would every write sent before the first timed out), and so would a write that is
 * a half-open breaker's trial, once per wait in the open state. A write with another region to go to therefore starts
 * past a suspect or half-open region, whose question the reads' detached trials decide. The request journals (with
 * bodies) witness that no write was ever sent to two regions.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class SuspectRegionWritesIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String TABLE = "suspect-region-writes";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration FAULT = Duration.ofSeconds(60);
    private static final int READERS = 4;
    /** Writes sent together at the moment the region is suspect, and again when it is half-open. */
    private static final int WRITERS = 4;
    /** About the harness's 4 × 50 reads/s on a quiet machine; fewer on a loaded one. */
    private static final long READ_PAUSE_MILLIS = 20;
    private static final long WRITE_PAUSE_MILLIS = 100;
    private static final Pattern WRITE_ID = Pattern.compile("w-\\d+");

    private static LocalRegions regions;

    @AutoClose
    private final WarmedRuntime rig = new WarmedRuntime(regions);

    @BeforeAll
    static void createTables() {
        ServedByTable.create(regions, TABLE);
    }

    /** As {@link #wrap()}, after 20 reads in eu-west-1, with journals cleared that keep the request bodies. */
    private DynamoDbClient wrapJournaled() {
        DynamoDbClient items = wrap();
        for (int i = 0; i < 20; i++) {
            items.getItem(getItem());
        }
        regions.journalsClear();
        regions.journal(WEST).keepBodies();
        regions.journal(CENTRAL).keepBodies();
        return items;
    }

    /** The README's runtime (default hedging) over warmed-up per-region clients with the README's client defaults. */
    private DynamoDbClient wrap() {
        return rig.wrap(rig.config().build(), (r, b) -> b.overrideConfiguration(
                RegionalClientDefaults.overrideConfiguration(2, ATTEMPT_TIMEOUT)), c -> {
                    c.getItem(getItem());
                    c.putItem(put("warm-up"));
                });
    }

    private static GetItemRequest getItem() {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("item-1"))).build();
    }

    private static PutItemRequest put(String id) {
        return PutItemRequest.builder().tableName(TABLE)
                .item(Map.of("pk", AttributeValue.fromS(id), "servedBy", AttributeValue.fromS("written"))).build();
    }

    /** What the calls of one kind saw from a mark ({@code faultStart}: the fault's start, or a moment of the test). */
    private static final class Tally {
        final long faultStart;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger waitedAnAttemptTimeout = new AtomicInteger();
        /** When each call that waited started, in ms after the fault started. */
        final Queue<Long> waitedFrom = new ConcurrentLinkedQueue<>();

        Tally(long faultStart) {
            this.faultStart = faultStart;
        }

        void ended(long startNanos, boolean ok) {
            calls.incrementAndGet();
            if (!ok) {
                failed.incrementAndGet();
            }
            if (System.nanoTime() - startNanos >= ATTEMPT_TIMEOUT.toNanos()) {
                waitedAnAttemptTimeout.incrementAndGet();
                waitedFrom.add((startNanos - faultStart) / 1_000_000);
            }
        }

        @Override
        public String toString() {
            return calls + " calls, " + failed + " failed, " + waitedAnAttemptTimeout + " waited >= "
                    + ATTEMPT_TIMEOUT.toMillis() + " ms (started at ms " + waitedFrom + " from the mark)";
        }
    }

    @Test
    void overASixtySecondBlackHoleAtMostOneWriteWaitsAnAttemptTimeoutAndNoWriteIsSentToTwoRegions() throws Exception {
        DynamoDbClient items = wrapJournaled();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();

        regions.faults(WEST).blackhole();
        long faultStart = System.nanoTime();
        long end = faultStart + FAULT.toNanos();
        Tally reads = new Tally(faultStart);
        Tally writes = new Tally(faultStart);
        ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);
        try {
            List<Future<?>> threads = new ArrayList<>();
            for (int t = 0; t < READERS; t++) {
                threads.add(pool.submit(() -> {
                    while (System.nanoTime() - end < 0) {
                        long start = System.nanoTime();
                        boolean ok = false;
                        try {
                            ok = items.getItem(getItem()).hasItem();
                        } catch (RuntimeException e) {
                            ok = false;
                        }
                        reads.ended(start, ok);
                        Thread.sleep(READ_PAUSE_MILLIS);
                    }
                    return null;
                }));
            }
            threads.add(pool.submit(() -> {
                for (int n = 0; System.nanoTime() - end < 0; n++) {
                    String id = "w-" + n;
                    long start = System.nanoTime();
                    boolean ok = false;
                    try {
                        items.putItem(put(id));
                        acknowledged.add(id);
                        ok = true;
                    } catch (RuntimeException e) {
                        ok = false;
                    }
                    writes.ended(start, ok);
                    Thread.sleep(WRITE_PAUSE_MILLIS);
                }
                return null;
            }));
            for (Future<?> f : threads) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        regions.healAll();

        double refused = rig.meters.find("meridian.hedge.refused").counters().stream().mapToDouble(Counter::count).sum();
        String seen = "reads: " + reads + "; writes: " + writes + "; hedges the budget refused: " + (int) refused;
        System.out.println("SuspectRegionWritesIT over a " + FAULT.toSeconds() + " s black hole: " + seen);
        assertThat(reads.calls.get()).as(seen).isGreaterThan(100);
        assertThat(writes.calls.get()).as(seen).isGreaterThan(50);
        assertThat(reads.failed.get()).as("failed reads; " + seen).isZero();
        // Only eu-west-1 is faulted: every call that waited an attempt timeout waited on it. A write may wait only if
        // it was sent before anything knew; a read only if the budget refused its hedge (before the region was
        // suspect, on a loaded machine whose stalls excuse some of the first losers, the budget's burst can run out).
        assertThat(writes.waitedAnAttemptTimeout.get()).as("writes that waited an attempt timeout; " + seen)
                .isLessThanOrEqualTo(1);
        assertThat(reads.waitedAnAttemptTimeout.get()).as("reads that waited an attempt timeout; " + seen)
                .isLessThanOrEqualTo((int) refused);
        // A write fails only after waiting on the black hole (sent before anything knew): never moved after that.
        assertThat(writes.failed.get()).as(seen).isLessThanOrEqualTo(writes.waitedAnAttemptTimeout.get());

        // At most once: each write was sent to one region only (the SDK's own retry stays in its region).
        Map<String, Set<String>> sentTo = writesSentTo();
        assertThat(sentTo.keySet()).containsAll(acknowledged);
        assertThat(sentTo.entrySet()).as("writes sent to more than one region")
                .noneMatch(e -> e.getValue().size() > 1);
        try (DynamoDbClient central = regions.client(CENTRAL)) {
            for (String id : acknowledged) {
                if (sentTo.get(id).contains(CENTRAL)) {
                    assertThat(central.getItem(GetItemRequest.builder().tableName(TABLE)
                            .key(Map.of("pk", AttributeValue.fromS(id))).build()).hasItem()).as(id).isTrue();
                }
            }
        }
    }

    /**
     * The moments that matter, made to happen: concurrent writes sent the moment eu-west-1 is reported suspect (all of
     * them would have been sent there before the first timed out), and again the moment its breaker is half-open
     * with no read around to take the trial permits (each write would have been a trial). None waits an attempt
     * timeout, every one is acknowledged, and none is sent to two regions.
     */
    @Test
    void concurrentWritesTheMomentTheRegionIsSuspectOrHalfOpenStartInTheNextRegion() throws Exception {
        DynamoDbClient items = wrapJournaled();
        Region west = Region.of(WEST);
        regions.faults(WEST).blackhole();

        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        AtomicInteger failedReads = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        try {
            for (int t = 0; t < READERS; t++) {
                readers.submit(() -> {
                    while (!stop.get()) {
                        try {
                            items.getItem(getItem());
                        } catch (RuntimeException e) {
                            failedReads.incrementAndGet();
                        }
                        Thread.sleep(READ_PAUSE_MILLIS);
                    }
                    return null;
                });
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                    .until(() -> rig.runtime().status(west).suspect());
            Tally atSuspicion = concurrentWrites(items, "s", System.nanoTime());
            assertThat(atSuspicion.waitedAnAttemptTimeout.get()).as("writes sent while suspect: " + atSuspicion)
                    .isZero();
            assertThat(atSuspicion.failed.get()).as(atSuspicion.toString()).isZero();
            // The reads' trials eject the black hole.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> rig.runtime().status(west).breaker() == RegionStatus.BreakerState.OPEN);
        } finally {
            stop.set(true);
            readers.shutdown();
            assertThat(readers.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(failedReads.get()).isZero();

        // No read is around to take the half-open breaker's trial permits: without the rule each write would take one.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> rig.runtime().status(west).breaker() == RegionStatus.BreakerState.HALF_OPEN);
        Tally atHalfOpen = concurrentWrites(items, "h", System.nanoTime());
        assertThat(atHalfOpen.waitedAnAttemptTimeout.get()).as("writes sent while half-open: " + atHalfOpen).isZero();
        assertThat(atHalfOpen.failed.get()).as(atHalfOpen.toString()).isZero();
        assertThat(rig.runtime().status(west).breaker()).isEqualTo(RegionStatus.BreakerState.HALF_OPEN);
        regions.healAll();

        Map<String, Set<String>> sentTo = writesSentTo();
        assertThat(sentTo).hasSize(2 * WRITERS);
        assertThat(sentTo.values()).as("every write went to eu-central-1 only").allMatch(r -> r.equals(Set.of(CENTRAL)));
    }

    /** {@link #WRITERS} puts started together on as many threads; what they saw. */
    private static Tally concurrentWrites(DynamoDbClient items, String prefix, long since) throws Exception {
        Tally tally = new Tally(since);
        CyclicBarrier start = new CyclicBarrier(WRITERS);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String id = "w-" + prefix.hashCode() + w;
                writes.add(pool.submit(() -> {
                    start.await(5, TimeUnit.MINUTES);
                    long t0 = System.nanoTime();
                    boolean ok = false;
                    try {
                        items.putItem(put(id));
                        ok = true;
                    } catch (RuntimeException e) {
                        ok = false;
                    }
                    tally.ended(t0, ok);
                    return null;
                }));
            }
            for (Future<?> f : writes) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        return tally;
    }

    /** Per write id ({@code w-<digits>}), the regions whose journal saw its {@code PutItem}. */
    private static Map<String, Set<String>> writesSentTo() {
        Map<String, Set<String>> sentTo = new HashMap<>();
        for (String region : List.of(WEST, CENTRAL)) {
            for (RequestJournal.Entry e : regions.journal(region).entries()) {
                if (e.operation().equals("PutItem")) {
                    Matcher m = WRITE_ID.matcher(e.body().orElse(""));
                    if (m.find()) {
                        sentTo.computeIfAbsent(m.group(), k -> new HashSet<>()).add(region);
                    }
                }
            }
        }
        return sentTo;
    }
}
