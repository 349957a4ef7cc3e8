package dev.meridian.dynamodb.acceptance.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.IdempotencyResultNotStoredException;
import dev.meridian.core.idempotency.ResultCodec;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.acceptance.realconditions.Starvation;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore.HomeRegionMode;
import dev.meridian.testkit.LocalRegions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * "An operation retried with the same idempotency key runs once, whichever region the retry reaches" (docs/exactly-once.md,
 * "Keyed operations"; sdk-dynamodb README "Idempotency"; {@code Idempotency}'s Javadoc), crossed with faults on the
 * store's own calls (claim {@code PutItem}, complete {@code UpdateItem} in the key's home region) and on the operation's
 * write, with the ways users retry (same thread, another thread, another process with its own clients, after failover,
 * two processes racing), entry points and result sizes, and CPU starvation. Public API and the testkit only.
 *
 * <p>The witness is a counter the operation increments in a real DynamoDB table (through DynamoDB Local's direct
 * endpoint, beyond any fault), plus the journals (a claim never leaves the key's home in STRICT mode). Time passing
 * is a clock shared by the store and {@code Idempotency}: the documented window in which a retry may run the operation
 * again — a kept claim's in-progress expiry — is crossed by moving that clock, never by sleeping.
 *
 * <p>What the documents promise, and what is asserted per try:
 * <ul>
 *   <li>until a kept claim's in-progress expiry passes, the operation has run at most once, whatever retries;</li>
 *   <li>a run that returned its result, or whose {@code IdempotencyResultNotStoredException} says duplicates "do not run
 *       it again", is never run again (also after the in-progress expiry);</li>
 *   <li>otherwise each in-progress expiry crossed allows at most one more run ("as after a crash");</li>
 *   <li>once faults heal, retries reach a final answer, every later duplicate from either process gets the same one
 *       and the count does not move;</li>
 *   <li>in STRICT mode a claim ({@code PutItem} on the idempotency table) is only ever sent to the key's home region;
 *       AVAILABLE mode is held to the same promises outside its documented replication-lag window (retries wait for
 *       replication).</li>
 * </ul>
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class IdempotencyUnderFaultsIT {
    private static final String TABLE = "io_idempotency";
    private static final String ORDERS = "io_orders";
    private static final String APPLIES = "io_applies";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(500);
    private static final Duration IN_PROGRESS = Duration.ofSeconds(30);
    /** Under the store's 300,000-byte limit; binary, so stored as Base64 (a third larger, still within an item). */
    private static final int LARGE_RESULT = 250_000;
    private static final int TOO_LARGE_RESULT = 300_001;
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static final TestClock clock = new TestClock();
    /** Direct (never faulted) client of the region holding the apply counter. */
    private static RunWitness witness;
    private static Process processA;
    private static Process processB;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(IdempotencySetUp.storeTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(ORDERS));
        regions.createGlobalTable(LocalRegions.pkTable(APPLIES));
        witness = new RunWitness(regions, APPLIES);
        processA = Process.start(Region.EU_WEST_1);
        processB = Process.start(Region.US_EAST_1);
        // Warm both processes (the cold first call is OTHER_PROCESS's fresh process in each try).
        processA.strict.execute("warm-a", "{}", () -> "warm");
        processB.strict.execute("warm-b", "{}", () -> "warm");
    }

    @AfterContainer
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {processA, processB, witness}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** One application instance: its own runtime, per-region clients, store and {@code Idempotency}. */
    static final class Process implements AutoCloseable {
        final DynamoDbClient routed;
        final DynamoDbAsyncClient routedAsync;
        final DynamoDbIdempotencyStore store;
        private final Idempotency strict;
        private final Idempotency available;

        private Process(DynamoDbClient routed, DynamoDbAsyncClient routedAsync) {
            this.routed = routed;
            this.routedAsync = routedAsync;
            this.store = store(routed, HomeRegionMode.STRICT);
            this.strict = idempotency(store);
            this.available = idempotency(store(routed, HomeRegionMode.AVAILABLE));
        }

        private static DynamoDbIdempotencyStore store(DynamoDbClient routed, HomeRegionMode mode) {
            return DynamoDbIdempotencyStore.builder().table(TABLE).client(routed).clock(clock).mode(mode)
                    .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1).build();
        }

        private static Idempotency idempotency(DynamoDbIdempotencyStore store) {
            return Idempotency.builder().store(store).clock(clock).ttl(Duration.ofHours(2))
                    .inProgressTimeout(IN_PROGRESS).build();
        }

        Idempotency idempotency(HomeRegionMode mode) {
            return mode == HomeRegionMode.STRICT ? strict : available;
        }

        static Process start(Region local) {
            MultiRegionConfig config = IdempotencySetUp.instance(local);
            DynamoDbClient routed = MultiRegionDynamoDb.builder().config(config)
                    .clientFactory(r -> TestRegions.client(regions, r, ATTEMPT_TIMEOUT)).build();
            DynamoDbAsyncClient routedAsync = MultiRegionDynamoDb.builder().config(config)
                    .asyncClientFactory(r -> TestRegions.asyncClient(regions, r, ATTEMPT_TIMEOUT))
                    .buildAsyncClient();
            return new Process(routed, routedAsync);
        }

        @Override
        public void close() {
            routed.close();
            routedAsync.close();
        }
    }

    /** A fault on the first attempt, injected in the key's home (store calls) or the caller's region (operation). */
    enum Fault {
        NONE,
        HOME_REFUSED,
        CLAIM_BLACKHOLE,
        CLAIM_500,
        CLAIM_THROTTLED,
        /** The claim's put reaches the table, its answer (and its SDK retry's) never reaches the caller. */
        CLAIM_ANSWER_LOST,
        COMPLETE_500,
        COMPLETE_ANSWER_LOST,
        /** Complete fails with a 500 while replication from the home is held: no other region has the claim yet. */
        COMPLETE_500_REPLICA_BEHIND,
        COMPLETE_503_REPLICA_BEHIND,
        OPERATION_500,
        OPERATION_503,
        OPERATION_ANSWER_LOST,
        /** Every replicated change of the record arrives a second late. */
        SLOW_REPLICA;

        void inject(String home) {
            switch (this) {
                case NONE -> { }
                case HOME_REFUSED -> regions.faults(home).down();
                case CLAIM_BLACKHOLE -> regions.faults(home).only("PutItem").blackhole();
                case CLAIM_500 -> regions.faults(home).only("PutItem").status(500);
                case CLAIM_THROTTLED -> regions.faults(home).only("PutItem").throttle();
                case CLAIM_ANSWER_LOST -> regions.faults(home).only("PutItem").latency(ATTEMPT_TIMEOUT.multipliedBy(3));
                case COMPLETE_500 -> regions.faults(home).only("UpdateItem").status(500);
                case COMPLETE_ANSWER_LOST ->
                        regions.faults(home).only("UpdateItem").latency(ATTEMPT_TIMEOUT.multipliedBy(3));
                case COMPLETE_500_REPLICA_BEHIND -> {
                    holdReplicationFrom(home);
                    regions.faults(home).only("UpdateItem").status(500);
                }
                case COMPLETE_503_REPLICA_BEHIND -> {
                    holdReplicationFrom(home);
                    regions.faults(home).only("UpdateItem").status(503);
                }
                case OPERATION_500 -> regions.faults("eu-west-1").only("TransactWriteItems").status(500);
                case OPERATION_503 -> regions.faults("eu-west-1").only("TransactWriteItems").status(503);
                case OPERATION_ANSWER_LOST -> regions.faults("eu-west-1").only("TransactWriteItems")
                        .latency(ATTEMPT_TIMEOUT.multipliedBy(3));
                case SLOW_REPLICA -> regions.replicationDelay(Duration.ofSeconds(1));
            }
        }

        private static void holdReplicationFrom(String home) {
            for (String r : TestRegions.IDS) {
                if (!r.equals(home)) {
                    regions.pauseReplication(home, r);
                }
            }
        }
    }

    /** How the caller retries after the first attempt. */
    enum Retry { SAME_THREAD, OTHER_THREAD, OTHER_PROCESS, AFTER_FAILOVER, RACING_TWO_REGIONS }

    /** Which door of {@code Idempotency} and what result. */
    enum Entry { STRING, LARGE_BYTES_OWN_TIMEOUT, TOO_LARGE, ASYNC_OPERATION }

    /** What one call ended with. */
    record Outcome(Optional<String> runId, Optional<Throwable> failure) {
        static Outcome of(Supplier<String> call) {
            try {
                return new Outcome(Optional.of(call.get()), Optional.empty());
            } catch (RuntimeException e) {
                return new Outcome(Optional.empty(), Optional.of(e));
            }
        }

        boolean inProgress() {
            return failure.filter(IdempotencyInProgressException.class::isInstance).isPresent();
        }

        Optional<IdempotencyResultNotStoredException> notStored() {
            return failure.filter(IdempotencyResultNotStoredException.class::isInstance)
                    .map(IdempotencyResultNotStoredException.class::cast);
        }

        /**
         * A run whose result the caller has, or a not-stored answer saying the operation does not run again under the
         * key (until its TTL): what every later duplicate must see. A not-stored answer that says the key stays
         * IN_PROGRESS is no promise: a duplicate after the in-progress expiry runs the operation again.
         */
        boolean isFinal() {
            return runId.isPresent() || notStored().map(e -> e.getMessage().contains("do not run it again")
                    || e.getMessage().contains("does not run again")).orElse(false);
        }

        /** The run id the caller learnt: returned, or carried by a not-stored exception of the call that ran it. */
        Optional<String> ranId() {
            return runId.or(() -> notStored().flatMap(IdempotencyResultNotStoredException::result)
                    .map(r -> r instanceof byte[] bytes ? runIdOf(bytes) : (String) r));
        }

        /**
         * "never runs again silently" (README, "Results that cannot be stored"): a not-stored answer either promises
         * that duplicates do not run the operation again, or says that one will run it again after the claim's
         * in-progress expiry, or that another claim took the key over.
         */
        void assertSaysWhatDuplicatesGet() {
            notStored().ifPresent(e -> assertThat(e.getMessage()).as("what duplicates get").containsAnyOf(
                    "do not run it again", "does not run again", "runs the operation again", "taken over"));
        }

        @Override
        public String toString() {
            return runId.map(r -> "ran " + r).orElseGet(() -> failure.map(f -> f.getClass().getSimpleName() + ": "
                    + f.getMessage()).orElse("?"));
        }
    }

    @Property(tries = 40, seed = "20261207")
    void aRetriedKeyRunsOnceWhateverFaultRetryAndDoor(@ForAll Fault fault, @ForAll Retry retry,
            @ForAll Entry entry, @ForAll HomeRegionMode mode, @ForAll boolean starved) throws Exception {
        String key = "order-" + KEYS.incrementAndGet() + "-" + fault + "-" + retry;
        String payload = "{\"order\":\"" + key + "\"}";
        String home = processA.store.homeRegion(key).orElseThrow().id();
        // Busy threads beside the test: two per core.
        Starvation starvation = Starvation.start(starved ? 2 * Runtime.getRuntime().availableProcessors() : 0, false);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        Process fresh = null;
        try {
            regions.journalsClear();
            fault.inject(home);
            Outcome first = call(processA, mode, entry, key, payload);
            healEverything();
            List<String> history = new ArrayList<>(List.of("first: " + first));
            first.assertSaysWhatDuplicatesGet();
            assertThat(applies(key)).as("%s", history).isLessThanOrEqualTo(1);

            int expiries = 0;
            Outcome answer = first;
            List<String> ranIds = new ArrayList<>();
            // Results callers were handed as final (a not-stored answer that promised nothing may be followed by a
            // documented second run after the in-progress expiry).
            (first.isFinal() ? first.ranId() : Optional.<String>empty()).ifPresent(ranIds::add);
            // At least one retry of the given shape, also after a first call that succeeded.
            for (int round = 0; round < 6 && (round == 0 || !answer.isFinal()); round++) {
                if (mode == HomeRegionMode.AVAILABLE) {
                    // Outside AVAILABLE's documented window: "a duplicate served there within the replication lag
                    // can execute twice" (IdempotencyBoundariesIT tests the window itself).
                    regions.awaitReplication();
                }
                if (retry == Retry.OTHER_PROCESS && fresh == null) {
                    fresh = Process.start(Region.EU_CENTRAL_1);
                }
                List<Outcome> outcomes = retry(retry, mode, round, entry, key, payload, threads, fresh);
                history.add("round " + round + ": " + outcomes);
                for (Outcome o : outcomes) {
                    o.assertSaysWhatDuplicatesGet();
                    o.runId().filter(id -> !ranIds.contains(id)).ifPresent(ranIds::add);
                }
                if (!answer.isFinal()) {
                    answer = outcomes.stream().filter(Outcome::isFinal).findFirst().orElse(outcomes.get(0));
                }
                boolean promised = first.isFinal();
                assertThat(applies(key)).as("runs by now, %s", history)
                        .isLessThanOrEqualTo(promised ? 1 : 1 + expiries);
                if (!answer.isFinal() && outcomes.stream().anyMatch(Outcome::inProgress)) {
                    // The documented window: a kept claim is taken over after its in-progress expiry.
                    clock.advance(IN_PROGRESS.plusSeconds(1));
                    expiries++;
                }
            }
            assertThat(answer.isFinal()).as("a final answer once faults heal: %s", history).isTrue();
            assertThat(applies(key)).as("runs, %s", history).isBetween(1, first.isFinal() ? 1 : 1 + expiries);
            assertThat(ranIds).as("every caller that got a result got the same run's: %s", history)
                    .hasSizeLessThanOrEqualTo(1);

            // Every later duplicate, from either process, gets that answer and runs nothing.
            regions.awaitReplication();
            int runs = applies(key);
            for (Process p : List.of(processA, processB)) {
                Outcome again = call(p, mode, entry, key, payload);
                history.add("duplicate: " + again);
                assertThat(again.isFinal()).as("%s", history).isTrue();
                again.runId().ifPresent(id -> assertThat(ranIds).as("%s", history).containsExactly(id));
            }
            assertThat(applies(key)).as("%s", history).isEqualTo(runs);
            if (mode == HomeRegionMode.STRICT) {
                assertThat(claimsOutside(home)).as("claims sent outside the key's home %s", home).isZero();
            }
        } finally {
            starvation.close();
            threads.shutdownNow();
            if (fresh != null) {
                fresh.close();
            }
        }
    }

    /**
     * "A complete that failed in a way that may have applied it is read back first: when the store holds the result
     * after all, duplicates replay it, and the call returns it" ({@code Idempotency}'s Javadoc): the complete's answer is
     * lost after the write, so the caller gets its result, not a not-stored error, and a duplicate replays that run.
     */
    @Example
    void aCompleteWhoseAnswerIsLostAfterTheWriteReturnsTheStoredResult() {
        String key = "order-" + KEYS.incrementAndGet() + "-lost-complete";
        String payload = "{\"order\":\"" + key + "\"}";
        Outcome first;
        try {
            Fault.COMPLETE_ANSWER_LOST.inject(processA.store.homeRegion(key).orElseThrow().id());
            first = call(processA, HomeRegionMode.STRICT, Entry.STRING, key, payload);
        } finally {
            healEverything();
        }
        assertThat(first.runId()).as("the call's answer: %s", first).isPresent();
        regions.awaitReplication();
        Outcome again = call(processB, HomeRegionMode.STRICT, Entry.STRING, key, payload);
        assertThat(again.runId()).as("a duplicate: %s", again).isEqualTo(first.runId());
        assertThat(applies(key)).isEqualTo(1);
    }

    private static List<Outcome> retry(Retry retry, HomeRegionMode mode, int round, Entry entry, String key, String payload, ExecutorService threads,
            Process fresh) throws Exception {
        return switch (retry) {
            case SAME_THREAD -> List.of(call(processA, mode, entry, key, payload));
            case OTHER_THREAD -> List.of(threads.submit(() -> call(processA, mode, entry, key, payload))
                    .get(60, TimeUnit.SECONDS));
            case OTHER_PROCESS -> List.of(call(fresh, mode, entry, key, payload));
            case AFTER_FAILOVER -> {
                if (round > 0) {
                    yield List.of(call(processA, mode, entry, key, payload));
                }
                // The caller's own region is gone: its routed calls fail over, the key's record stays in its home.
                regions.faults("eu-west-1").down();
                try {
                    yield List.of(call(processA, mode, entry, key, payload));
                } finally {
                    regions.faults("eu-west-1").heal();
                }
            }
            case RACING_TWO_REGIONS -> {
                CountDownLatch go = new CountDownLatch(1);
                Future<Outcome> a = threads.submit(() -> {
                    go.await();
                    return call(processA, mode, entry, key, payload);
                });
                Future<Outcome> b = threads.submit(() -> {
                    go.await();
                    return call(processB, mode, entry, key, payload);
                });
                go.countDown();
                yield List.of(a.get(60, TimeUnit.SECONDS), b.get(60, TimeUnit.SECONDS));
            }
        };
    }

    /** One call through {@code entry}; the result is the run id the operation returned (or carried by the exception). */
    private static Outcome call(Process p, HomeRegionMode mode, Entry entry, String key, String payload) {
        return switch (entry) {
            case STRING -> Outcome.of(() -> p.idempotency(mode).execute(key, payload, () -> operation(p, key, false)));
            case ASYNC_OPERATION -> Outcome.of(() -> p.idempotency(mode).execute(key, payload,
                    () -> operation(p, key, true)));
            case LARGE_BYTES_OWN_TIMEOUT -> Outcome.of(() -> runIdOf(p.idempotency(mode).execute(key,
                    payload.getBytes(StandardCharsets.UTF_8), IN_PROGRESS, () -> padded(operation(p, key, false),
                            LARGE_RESULT), ResultCodec.bytes())));
            case TOO_LARGE -> Outcome.of(() -> runIdOf(p.idempotency(mode).execute(key, payload,
                    () -> padded(operation(p, key, false), TOO_LARGE_RESULT), ResultCodec.bytes())));
        };
    }

    /**
     * The guarded operation: counts itself in the witness table, then writes its order through the routed client (a
     * plain, unguarded write: it moves only after a failure that proves it was not applied).
     */
    private static String operation(Process p, String key, boolean async) {
        String run = key + "#" + witness.countRun(key);
        TransactWriteItem put = TransactWriteItem.builder().put(x -> x.tableName(ORDERS)
                .item(Map.of("pk", AttributeValue.fromS(run)))).build();
        if (async) {
            CompletableFuture<?> f = p.routedAsync.transactWriteItems(t -> t.transactItems(put));
            f.join();
        } else {
            p.routed.transactWriteItems(t -> t.transactItems(put));
        }
        return run;
    }

    private static int applies(String key) {
        return witness.runs(key);
    }

    /** {@code run} followed by non-UTF-8 filler (so the store keeps it as Base64), {@code size} bytes in all. */
    private static byte[] padded(String run, int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 0xFF);
        byte[] id = run.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(id, 0, bytes, 0, id.length);
        return bytes;
    }

    private static String runIdOf(byte[] result) {
        int end = 0;
        while (end < result.length && result[end] != (byte) 0xFF) {
            end++;
        }
        assertThat(result).as("the whole result comes back").hasSizeGreaterThanOrEqualTo(LARGE_RESULT);
        return new String(result, 0, end, StandardCharsets.UTF_8);
    }

    private static long claimsOutside(String home) {
        return Arrays.stream(TestRegions.IDS).filter(r -> !r.equals(home))
                .flatMap(r -> regions.journal(r).entries().stream())
                .filter(e -> e.operation().equals("PutItem") && TABLE.equals(e.table().orElse(null)))
                .count();
    }

    private static void healEverything() {
        regions.healAll();
        regions.resumeReplication();
        regions.replicationDelay(Duration.ZERO);
    }

    /** Wall-clock time plus an offset the test moves forward: the store's and {@code Idempotency}'s notion of now. */
    static final class TestClock implements java.time.InstantSource {
        private volatile Duration offset = Duration.ZERO;

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.now().plus(offset);
        }

        synchronized void advance(Duration by) {
            offset = offset.plus(by);
        }
    }
}
