package dev.meridian.dynamodb.acceptance.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyClaim;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.IdempotencyRecord;
import dev.meridian.core.idempotency.IdempotencyResultNotStoredException;
import dev.meridian.core.idempotency.IdempotencyStatus;
import dev.meridian.core.idempotency.ResultCodec;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore.HomeRegionMode;
import dev.meridian.testkit.LocalRegions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.jqwik.api.Example;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The idempotency documents' boundaries, each tested exactly where the documents draw it, with the number of runs
 * counted in a real DynamoDB table: the AVAILABLE mode's replication-lag window (and STRICT's refusal instead), the
 * record's time to live, the largest key (2,048 bytes, DynamoDbIdempotencyStore's Javadoc) and keys DynamoDB cannot
 * store, the store used directly by two processes, and what a not-stored answer tells the caller when the claim's
 * region failed before the claim replicated.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class IdempotencyBoundariesIT {
    private static final String TABLE = "ib_idempotency";
    private static final String APPLIES = "ib_applies";
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration IN_PROGRESS = Duration.ofSeconds(30);
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static final MovableClock clock = new MovableClock();
    private static RunWitness witness;
    /** Two application instances with their own runtimes and clients, local in eu-west-1 and us-east-1. */
    private static DynamoDbClient routedA;
    private static DynamoDbClient routedB;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(IdempotencySetUp.storeTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(APPLIES));
        witness = new RunWitness(regions, APPLIES);
        routedA = routed(Region.EU_WEST_1);
        routedB = routed(Region.US_EAST_1);
    }

    @AfterContainer
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {routedA, routedB, witness}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static DynamoDbClient routed(Region local) {
        return MultiRegionDynamoDb.builder().config(IdempotencySetUp.instance(local))
                .clientFactory(r -> TestRegions.client(regions, r, Duration.ofMillis(500))).build();
    }

    private static DynamoDbIdempotencyStore store(DynamoDbClient routed, HomeRegionMode mode) {
        return DynamoDbIdempotencyStore.builder().table(TABLE).client(routed).mode(mode).clock(clock)
                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1).build();
    }

    private static Idempotency idempotency(DynamoDbIdempotencyStore store) {
        return Idempotency.builder().store(store).clock(clock).ttl(TTL).inProgressTimeout(IN_PROGRESS).build();
    }

    /** The guarded operation: counts its run in a real table and returns the run's number. */
    private static String run(String key) {
        return "run-" + witness.countRun(key);
    }

    private static int applies(String key) {
        return witness.runs(key);
    }

    /**
     * The first call of {@code key} (homed in eu-west-1) while eu-west-1 replicates nowhere and answers {@code status}
     * to every {@code UpdateItem}; what it threw, once eu-west-1 healed and its writes replicated.
     */
    private static Throwable firstCallWhileEuWest1FailsUpdatesUnreplicated(Idempotency idempotency, String key,
            int status) {
        for (String r : TestRegions.IDS) {
            if (!r.equals("eu-west-1")) {
                regions.pauseReplication("eu-west-1", r);
            }
        }
        regions.faults("eu-west-1").only("UpdateItem").status(status);
        Throwable first = catchThrowable(() -> idempotency.execute(key, "{}", () -> run(key)));
        regions.healAll();
        regions.resumeReplication();
        regions.awaitReplication();
        return first;
    }

    private static String keyHomedIn(DynamoDbIdempotencyStore store, Region home) {
        for (int i = 0; i < 200; i++) {
            String k = "boundary-" + KEYS.incrementAndGet();
            if (store.homeRegion(k).orElseThrow().equals(home)) {
                return k;
            }
        }
        throw new AssertionError("no key homed in " + home);
    }

    private static long claimsOn(String region) {
        return regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals("PutItem") && TABLE.equals(e.table().orElse(null))).count();
    }

    /**
     * AVAILABLE: "a duplicate served there within the replication lag can execute twice" — exactly that: with the
     * record's replication from the region that took the claim held, a duplicate that reaches the healed home runs
     * again; once replication has carried the record, a duplicate replays. STRICT refuses instead and runs nothing.
     */
    @Example
    void availableRunsTwiceOnlyWithinTheReplicationLagAndStrictRefusesInstead() {
        DynamoDbIdempotencyStore available = store(routedA, HomeRegionMode.AVAILABLE);
        Idempotency idempotency = idempotency(available);
        String inLag = keyHomedIn(available, Region.EU_CENTRAL_1);
        String replicated = keyHomedIn(available, Region.EU_CENTRAL_1);

        regions.faults("eu-central-1").down();
        for (String r : TestRegions.IDS) {
            if (!r.equals("eu-central-1")) {
                regions.pauseReplication(r, "eu-central-1");
            }
        }
        assertThat(idempotency.execute(inLag, "{}", () -> run(inLag))).isEqualTo("run-1");
        regions.faults("eu-central-1").heal();
        // The documented window: the home has not received the record yet.
        assertThat(idempotency.execute(inLag, "{}", () -> run(inLag))).isEqualTo("run-2");
        assertThat(applies(inLag)).isEqualTo(2);

        regions.faults("eu-central-1").down();
        regions.resumeReplication();
        assertThat(idempotency.execute(replicated, "{}", () -> run(replicated))).isEqualTo("run-1");
        regions.faults("eu-central-1").heal();
        regions.awaitReplication();
        assertThat(idempotency(store(routedB, HomeRegionMode.AVAILABLE)).execute(replicated, "{}",
                () -> run(replicated))).isEqualTo("run-1");
        assertThat(applies(replicated)).isEqualTo(1);

        DynamoDbIdempotencyStore strict = store(routedA, HomeRegionMode.STRICT);
        String refused = keyHomedIn(strict, Region.EU_CENTRAL_1);
        regions.faults("eu-central-1").down();
        regions.journalsClear();
        assertThat(catchThrowable(() -> idempotency(strict).execute(refused, "{}", () -> run(refused)))).isNotNull();
        assertThat(applies(refused)).isZero();
        assertThat(Arrays.stream(TestRegions.IDS).mapToLong(IdempotencyBoundariesIT::claimsOn).sum()).isZero();
    }

    /** "at most once per key (within the record's time to live)": a replay until the TTL passes, a new run after. */
    @Example
    void aKeyRunsAgainOnlyAfterItsTimeToLive() {
        Idempotency a = idempotency(store(routedA, HomeRegionMode.STRICT));
        Idempotency b = idempotency(store(routedB, HomeRegionMode.STRICT));
        String key = "ttl-" + KEYS.incrementAndGet();
        assertThat(a.execute(key, "{}", () -> run(key))).isEqualTo("run-1");
        clock.advance(TTL.minusSeconds(2));
        assertThat(b.execute(key, "{}", () -> run(key))).isEqualTo("run-1");
        clock.advance(Duration.ofSeconds(3));
        assertThat(b.execute(key, "{}", () -> run(key))).isEqualTo("run-2");
        assertThat(a.execute(key, "{}", () -> run(key))).isEqualTo("run-2");
        assertThat(applies(key)).isEqualTo(2);
    }

    /**
     * The largest key DynamoDB stores (2,048 bytes, named in DynamoDbIdempotencyStore's Javadoc) works like any other;
     * an empty key and a key one byte longer cannot be claimed: the call fails before the operation runs, and the
     * message does not show the key. The documents name no error of their own for these keys (DynamoDB's validation
     * error comes through).
     */
    @Example
    void theLargestKeyWorksAndKeysDynamoDbCannotStoreNeverRunTheOperation() {
        Idempotency idempotency = idempotency(store(routedA, HomeRegionMode.STRICT));
        String prefix = "large-" + KEYS.incrementAndGet() + "-";
        String largest = prefix + "k".repeat(2048 - prefix.length());
        assertThat(largest.getBytes(StandardCharsets.UTF_8)).hasSize(2048);
        assertThat(idempotency.execute(largest, "{}", () -> run("largest" + prefix))).isEqualTo("run-1");
        assertThat(idempotency.execute(largest, "{}", () -> run("largest" + prefix))).isEqualTo("run-1");

        String tooLong = largest + "k";
        Throwable tooLongFailure = catchThrowable(() -> idempotency.execute(tooLong, "{}", () -> run("long" + prefix)));
        assertThat(tooLongFailure).isNotNull();
        assertThat(String.valueOf(tooLongFailure.getMessage())).doesNotContain(tooLong);
        Throwable emptyFailure = catchThrowable(() -> idempotency.execute("", "{}", () -> run("empty" + prefix)));
        assertThat(emptyFailure).isNotNull();
        assertThat(applies("long" + prefix) + applies("empty" + prefix)).isZero();
    }

    /**
     * "default and maximum 300,000 bytes" with "room within DynamoDB's 400 KB item limit for the largest key (2,048
     * bytes)": the largest binary result (stored as Base64) under the largest key is stored and replayed byte for byte
     * by another process; one byte more is not stored, and the operation still never runs again.
     */
    @Example
    void theLargestResultUnderTheLargestKeyIsStoredAndOneByteMoreIsNeverRerun() {
        Idempotency a = idempotency(store(routedA, HomeRegionMode.STRICT));
        Idempotency b = idempotency(store(routedB, HomeRegionMode.STRICT));
        for (int size : new int[] {DynamoDbIdempotencyStore.DEFAULT_MAX_RESULT_BYTES,
                DynamoDbIdempotencyStore.DEFAULT_MAX_RESULT_BYTES + 1}) {
            String prefix = "result-" + size + "-" + KEYS.incrementAndGet() + "-";
            String key = prefix + "k".repeat(2048 - prefix.length());
            Supplier<byte[]> operation = () -> {
                byte[] result = new byte[size];
                Arrays.fill(result, (byte) 0xFE);
                result[0] = (byte) Integer.parseInt(run(prefix).substring("run-".length()));
                return result;
            };
            Throwable first = catchThrowable(() -> a.execute(key, "{}", operation,
                    ResultCodec.bytes()));
            if (size <= DynamoDbIdempotencyStore.DEFAULT_MAX_RESULT_BYTES) {
                assertThat(first).isNull();
                byte[] replay = b.execute(key, "{}", operation, ResultCodec.bytes());
                assertThat(replay).hasSize(size).startsWith((byte) 1);
            } else {
                assertThat(first).isInstanceOf(IdempotencyResultNotStoredException.class);
                assertThat(catchThrowable(() -> b.execute(key, "{}", operation,
                        ResultCodec.bytes())))
                        .isInstanceOf(IdempotencyResultNotStoredException.class);
            }
            assertThat(applies(prefix)).isEqualTo(1);
        }
    }

    /** The store used directly by two processes in two regions: one claim wins; the other sees its record. */
    @Example
    void theStoreUsedDirectlyGrantsOneClaimAcrossProcesses() {
        DynamoDbIdempotencyStore a = store(routedA, HomeRegionMode.STRICT);
        DynamoDbIdempotencyStore b = store(routedB, HomeRegionMode.STRICT);
        String key = "direct-" + KEYS.incrementAndGet();
        String hash = Idempotency.sha256Hex("{}");
        Instant now = clock.instant();
        IdempotencyClaim first = a.claim(key, hash, now.plus(IN_PROGRESS), now.plus(TTL));
        IdempotencyClaim second = b.claim(key, hash, now.plus(IN_PROGRESS), now.plus(TTL));
        assertThat(first.acquired()).isTrue();
        assertThat(second.acquired()).isFalse();
        assertThat(second.existing().map(IdempotencyRecord::status)).contains(IdempotencyStatus.IN_PROGRESS);

        a.complete(first, "receipt".getBytes(StandardCharsets.UTF_8), now.plus(TTL));
        IdempotencyClaim third = b.claim(key, hash, now.plus(IN_PROGRESS), now.plus(TTL));
        assertThat(third.acquired()).isFalse();
        assertThat(third.existing().flatMap(IdempotencyRecord::result).map(r -> new String(r, StandardCharsets.UTF_8)))
                .contains("receipt");
        assertThat(b.find(key).map(IdempotencyRecord::status)).contains(IdempotencyStatus.COMPLETED);
    }

    /**
     * "A result that cannot be stored is never re-run: the record is completed without it" — unless even that record
     * cannot be written, when the exception must say the key stays IN_PROGRESS. Here the claim's region answers 500 to
     * both updates and the claim has not replicated anywhere: what the caller is told must match what a duplicate gets
     * (failed before the fix: "duplicates are refused ... and do not run it again", yet a duplicate got
     * IdempotencyInProgressException and ran the operation after the in-progress expiry).
     */
    @Example
    void aNotStoredAnswerTellsTheTruthWhenTheClaimsRegionFailedBeforeReplicating() {
        DynamoDbIdempotencyStore store = store(routedA, HomeRegionMode.STRICT);
        Idempotency idempotency = idempotency(store);
        String key = keyHomedIn(store, Region.EU_WEST_1);
        Throwable first = firstCallWhileEuWest1FailsUpdatesUnreplicated(idempotency, key, 500);

        assertThat(first).isInstanceOf(IdempotencyResultNotStoredException.class);
        assertThat(((IdempotencyResultNotStoredException) first).result()).contains("run-1");
        Throwable duplicate = catchThrowable(() -> idempotency.execute(key, "{}", () -> run(key)));
        if (first.getMessage().contains("do not run it again")) {
            assertThat(duplicate).as("what the first call promised").isInstanceOf(
                    IdempotencyResultNotStoredException.class);
        } else {
            assertThat(first.getMessage()).contains("stays IN_PROGRESS until");
            assertThat(duplicate).isInstanceOf(IdempotencyInProgressException.class);
            // The documented fallback: after the in-progress expiry a duplicate runs it again, once.
            clock.advance(IN_PROGRESS.plusSeconds(1));
            assertThat(idempotency.execute(key, "{}", () -> run(key))).isEqualTo("run-2");
            assertThat(idempotency.execute(key, "{}", () -> run(key))).isEqualTo("run-2");
        }
        assertThat(applies(key)).isLessThanOrEqualTo(2);
    }

    /**
     * {@code complete} answered 503 in the claim's region moves on ("there completes only the replica of this claim's
     * record"), but the claim has not replicated: the result is not stored, and the documents say the claim's region
     * "still shows IN_PROGRESS and, after the in-progress expiry, a duplicate with the same payload runs the operation
     * again". The caller must be told so, not left to read "never runs again silently" into the exception (failed
     * before: the message said only that duplicates "are answered by the key's current record").
     */
    @Example
    void aCompleteThatFindsNoReplicaSaysADuplicateRunsAgainAfterTheInProgressExpiry() {
        DynamoDbIdempotencyStore store = store(routedA, HomeRegionMode.STRICT);
        Idempotency idempotency = idempotency(store);
        String key = keyHomedIn(store, Region.EU_WEST_1);
        Throwable first = firstCallWhileEuWest1FailsUpdatesUnreplicated(idempotency, key, 503);

        assertThat(first).isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("in-progress expiry").hasMessageContaining("runs the operation again");
        assertThat(catchThrowable(() -> idempotency.execute(key, "{}", () -> run(key))))
                .isInstanceOf(IdempotencyInProgressException.class);
        clock.advance(IN_PROGRESS.plusSeconds(1));
        assertThat(idempotency.execute(key, "{}", () -> run(key))).isEqualTo("run-2");
        assertThat(idempotency.execute(key, "{}", () -> run(key))).isEqualTo("run-2");
        assertThat(applies(key)).isEqualTo(2);
    }

    /** Wall-clock time plus an offset the test moves: the store's and {@code Idempotency}'s now. */
    static final class MovableClock implements InstantSource {
        private volatile Duration offset = Duration.ZERO;

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        synchronized void advance(Duration by) {
            offset = offset.plus(by);
        }
    }
}
