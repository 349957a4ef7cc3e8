package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.acceptance.conditions.AppClient.Maker;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RequestJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.awscore.AwsExecutionAttribute;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;

/**
 * docs/exactly-once.md: an unguarded write throttled in eu-west-1 whose per-region client's call timeout ends the call
 * while the SDK backs off before its retry — every request it sent got a throttling answer, nothing is in flight —
 * moves and is applied exactly once in eu-central-1, on every write shape (PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem, TransactWriteItems), every HTTP client, the routed client built ({@code MultiRegionDynamoDb}) or
 * wrapped ({@code MultiRegion.wrap}), sync and async. The SDK's resend after the call ended is fenced: it never reaches
 * eu-west-1 (its journal, and a counter of the requests the SDK set out to send, as witnesses). A call one of whose
 * answers was not a throttle (a 500) stays ambiguous and is rethrown; RESTRICTED data moves only within the EU.
 *
 * <p>The per-region clients make the timing deterministic: fixed back-offs (2 s after a throttle, far longer than the
 * call timeout left; 300 ms after any other retryable error) and call timeouts that end the call in a back-off
 * ({@link Pattern}); no retry token bucket, so that a warm client's many throttles never turn its retries off.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class ThrottledBackoffTimeoutIT {
    private static final String TABLE = "cond_throttle_backoff";
    private static final String RESTRICTED_TABLE = "cond_throttle_backoff_eu";
    private static final Set<String> WRITE_OPERATIONS =
            Set.of("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems");
    private static final Duration THROTTLED_BACKOFF = Duration.ofSeconds(2);
    private static final Duration OTHER_BACKOFF = Duration.ofMillis(300);
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(Regions3.ALL);
    private static final Sends SENDS = new Sends();
    private static final Map<String, AppClient> clients = new ConcurrentHashMap<>();

    /** Where the call timeout ends a throttled call: always in the SDK's back-off after its last throttled answer. */
    enum Pattern {
        /** One throttled answer; the call timeout (800 ms) ends the 2 s back-off before the second attempt. */
        ONE_THROTTLE(2, Duration.ofMillis(800), 1),
        /** Two throttled answers 2 s apart; the call timeout (3 s) ends the back-off before the third attempt. */
        TWO_THROTTLES(3, Duration.ofSeconds(3), 2),
        /**
         * With a 500 first ({@link #aCallOneOfWhoseAnswersWasNotAThrottleIsRethrown}): the retry 300 ms later is
         * throttled, and the call timeout (1.2 s) ends the 2 s back-off before the third attempt.
         */
        THROTTLE_AFTER_AN_ERROR(3, Duration.ofMillis(1200), 1);

        final int attempts;
        final Duration callTimeout;
        final int throttles;

        Pattern(int attempts, Duration callTimeout, int throttles) {
            this.attempts = attempts;
            this.callTimeout = callTimeout;
            this.throttles = throttles;
        }

        ClientOverrideConfiguration overrides() {
            ClientOverrideConfiguration.Builder b = ClientOverrideConfiguration.builder().addExecutionInterceptor(SENDS);
            RegionalClientDefaults.apply(b, attempts, callTimeout);
            return b.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(attempts)
                    .throttlingBackoffStrategy(BackoffStrategy.fixedDelayWithoutJitter(THROTTLED_BACKOFF))
                    .backoffStrategy(BackoffStrategy.fixedDelayWithoutJitter(OTHER_BACKOFF)).circuitBreakerEnabled(false).build())
                    .build();
        }
    }

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(RESTRICTED_TABLE), List.of(Regions3.LOCAL, Regions3.NEXT));
        regions.awaitReplication();
    }

    @AfterContainer
    static void closeClients() {
        clients.values().forEach(AppClient::close);
    }

    @AfterTry
    void forgetSends() {
        SENDS.clear();
    }

    @Provide
    Arbitrary<Shape> writes() {
        return Arbitraries.of(writeShapes(TABLE));
    }

    @Provide
    Arbitrary<Shape> restrictedWrites() {
        return Arbitraries.of(writeShapes(RESTRICTED_TABLE));
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void aWriteThrottledUntilItsCallTimeoutMovesAndIsAppliedExactlyOnce(@ForAll HttpClientKind http,
            @ForAll Maker maker, @ForAll("writes") Shape write) {
        movesAndIsFenced(http, maker, Pattern.ONE_THROTTLE, write);
    }

    @Property(tries = 10)
    void aWriteThrottledTwiceUntilItsCallTimeoutMovesAndIsAppliedExactlyOnce(@ForAll HttpClientKind http,
            @ForAll Maker maker, @ForAll("writes") Shape write) {
        movesAndIsFenced(http, maker, Pattern.TWO_THROTTLES, write);
    }

    /**
     * A 500 may have been applied: when the SDK's retry after it is throttled, the call is still ambiguous — whether
     * the call timeout ends the back-off that follows ({@code endsInBackOff}) or the retry's throttle is the last
     * answer the SDK gets (two attempts) — and the unguarded write is rethrown, applied nowhere else.
     */
    @Property(tries = 12)
    void aCallOneOfWhoseAnswersWasNotAThrottleIsRethrown(@ForAll HttpClientKind http, @ForAll Maker maker,
            @ForAll("writes") Shape write, @ForAll boolean endsInBackOff) {
        rethrownAfterA500ThenAThrottle(http, maker, write, endsInBackOff);
    }

    /** The throttle after a 500 is the last answer the sync client gets: the call ends with it, and it proves nothing. */
    @Example
    void aSyncCallsLastThrottleAfterA500IsNoProof() {
        rethrownAfterA500ThenAThrottle(HttpClientKind.APACHE, Maker.BUILT, writeShapes(TABLE).get(0), false);
    }

    /** As {@link #aSyncCallsLastThrottleAfterA500IsNoProof}, on the async client wrapped by {@code MultiRegion.wrap}. */
    @Example
    void anAsyncCallsLastThrottleAfterA500IsNoProof() {
        rethrownAfterA500ThenAThrottle(HttpClientKind.NETTY_ASYNC, Maker.WRAPPED, writeShapes(TABLE).get(0), false);
    }

    private static void rethrownAfterA500ThenAThrottle(HttpClientKind http, Maker maker, Shape write,
            boolean endsInBackOff) {
        AppClient client = client(http, maker, endsInBackOff ? Pattern.THROTTLE_AFTER_AN_ERROR : Pattern.ONE_THROTTLE,
                TABLE);
        String key = "a-" + KEYS.incrementAndGet();
        regions.faults(Regions3.LOCAL).only(write.operation()).status(500);
        // The retry after the 500 is throttled: switched as it sets out, before it reaches the region.
        SENDS.onSend((region, n) -> {
            if (region.equals(Regions3.LOCAL) && n == 2) {
                regions.faults(Regions3.LOCAL).only(write.operation()).throttle();
            }
        });

        Throwable thrown = catchThrowable(() -> client.run(write, key));

        assertThat(thrown).as("%s on %s after a 500 and a throttle in eu-west-1", write, client)
                .isInstanceOf(SdkException.class);
        if (endsInBackOff && http.async()) {
            // Not fenced: the SDK's own retry in eu-west-1 sets out after the call ended (still throttled if sent).
            await().atMost(THROTTLED_BACKOFF.plusSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> SENDS.count(Regions3.LOCAL) > 2);
        }
        assertThat(writesTo(Regions3.LOCAL, write)).as("a 500, then throttles").hasSizeGreaterThanOrEqualTo(2)
                .allMatch(e -> e.faulted());
        assertThat(applied(Regions3.NEXT, write)).as("not moved: %s", journals()).isZero();
        assertThat(applied(Regions3.OUTSIDE, write)).as("never in us-east-1: %s", journals()).isZero();
    }

    /**
     * RESTRICTED data of a German subject on a table that replicates only in the EU moves from a throttled eu-west-1
     * to eu-central-1 only, and fails closed when eu-central-1 throttles too: never sent to us-east-1. A wrapped client
     * knows no {@code replicaRegions} and may fail closed at once (its footprint is every configured region).
     */
    @Property(tries = 10)
    void restrictedDataMovesWithinItsJurisdictionOrFailsClosed(@ForAll HttpClientKind http, @ForAll Maker maker,
            @ForAll("restrictedWrites") Shape write, @ForAll boolean nextThrottledToo) {
        AppClient client = client(http, maker, Pattern.ONE_THROTTLE, RESTRICTED_TABLE);
        String key = "x-" + KEYS.incrementAndGet();
        regions.faults(Regions3.LOCAL).only(write.operation()).throttle();
        if (nextThrottledToo) {
            regions.faults(Regions3.NEXT).only(write.operation()).throttle();
        }

        Throwable thrown;
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            thrown = catchThrowable(() -> client.run(write, key));
        }

        if (nextThrottledToo || maker == Maker.WRAPPED && thrown instanceof ResidencyViolationException) {
            assertThat(thrown).as("%s on %s, eu-central-1 %s", write, client,
                    nextThrottledToo ? "throttled too" : "healthy").isInstanceOfAny(SdkException.class,
                    NoRegionAvailableException.class, ResidencyViolationException.class);
            assertThat(applied(Regions3.NEXT, write)).as("applied nowhere: %s", journals()).isZero();
        } else {
            assertThat(thrown).as("%s on %s after its throttled call timed out in eu-west-1", write, client).isNull();
            assertThat(applied(Regions3.NEXT, write)).as("applied once in eu-central-1: %s", journals()).isEqualTo(1);
        }
        if (SENDS.count(Regions3.LOCAL) > 0) {
            awaitResendIfAsync(http, SENDS.count(Regions3.LOCAL));
        }
        assertThat(applied(Regions3.LOCAL, write)).as("never applied in eu-west-1: %s", journals()).isZero();
        assertThat(regions.journal(Regions3.OUTSIDE).entries()).as("nothing sent outside the EU (thrown %s)", thrown)
                .isEmpty();
    }

    private static void movesAndIsFenced(HttpClientKind http, Maker maker, Pattern pattern, Shape write) {
        AppClient client = client(http, maker, pattern, TABLE);
        String key = "w-" + KEYS.incrementAndGet();
        regions.faults(Regions3.LOCAL).only(write.operation()).throttle();

        Throwable thrown = catchThrowable(() -> client.run(write, key));

        assertThat(thrown).as("%s on %s after %s in eu-west-1", write, client, pattern).isNull();
        assertThat(applied(Regions3.NEXT, write)).as("applied once in eu-central-1: %s", journals()).isEqualTo(1);
        assertThat(applied(Regions3.OUTSIDE, write)).as("never in us-east-1: %s", journals()).isZero();
        // The fence: the SDK's resend (an async client's scheduled retry runs after the call ended) never goes out.
        awaitResendIfAsync(http, pattern.throttles);
        assertThat(writesTo(Regions3.LOCAL, write)).as("only the throttled requests reached eu-west-1")
                .hasSize(pattern.throttles).allMatch(e -> e.faulted());
        assertThat(applied(Regions3.LOCAL, write)).as("never applied in eu-west-1: %s", journals()).isZero();
    }

    /**
     * An async client's scheduled retry still sets out after the call timeout ended its call (the SDK's async retry
     * stage does not look whether the call is over; on 2.54.13 with Netty an unfenced one was seen not to reach the
     * wire either, its attempt's future being failed already — the fence makes that certain): waits until it set out,
     * so that whatever it did is in this try's journal. A sync client's back-off is interrupted by its call timeout,
     * and it never sets out again.
     */
    private static void awaitResendIfAsync(HttpClientKind http, int sentBefore) {
        if (http.async()) {
            await().atMost(THROTTLED_BACKOFF.plusSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> SENDS.count(Regions3.LOCAL) > sentBefore);
        } else {
            assertThat(SENDS.count(Regions3.LOCAL)).as("a sync client sets out no resend").isEqualTo(sentBefore);
        }
    }

    private static AppClient client(HttpClientKind http, Maker maker, Pattern pattern, String table) {
        AppClient c = clients.computeIfAbsent(http + "/" + maker + "/" + pattern + "/" + table, k -> {
            MultiRegionConfig config = Regions3.config().health(Regions3.breakersThatStayClosed()).build();
            List<TableConfig> tables = table.equals(TABLE) ? AppClient.pkTable(TABLE)
                    : List.of(TableConfig.builder(RESTRICTED_TABLE).partitionKey("pk")
                            .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build());
            AppClient made = AppClient.make(regions, config, http, maker, pattern.callTimeout, pattern.overrides(),
                    tables);
            Shape warmUp = Shape.reads(table).get(0);
            for (String id : table.equals(TABLE) ? Regions3.ALL : new String[] {Regions3.LOCAL, Regions3.NEXT}) {
                try (var s = RoutingContext.builder().preferredRegion(Region.of(id)).open()) {
                    made.run(warmUp, "warm-up");
                }
            }
            return made;
        });
        c.runtime().resetHealth();
        SENDS.clear(); // not the warm-up's
        regions.journalsClear();
        return c;
    }

    private static List<Shape> writeShapes(String table) {
        return Shape.unguardedWrites(table).stream().filter(s -> WRITE_OPERATIONS.contains(s.operation()))
                .filter(s -> !s.name().contains("no guard")).toList();
    }

    /** The requests of the write's operation that reached the region (faulted or not). */
    private static List<RequestJournal.Entry> writesTo(String region, Shape write) {
        return regions.journal(region).entries().stream().filter(e -> e.operation().equals(write.operation()))
                .toList();
    }

    private static long applied(String region, Shape write) {
        return WriteJournals.applied(regions, region, write);
    }

    private static String journals() {
        return WriteJournals.describe(regions) + " sends=" + SENDS;
    }

    /**
     * Counts, per region, the requests the SDK sets out to transmit (each retry too, a fenced one included: it runs
     * before Meridian's interceptor, which refuses a fenced resend), and runs a try's action as each sets out.
     */
    static final class Sends implements ExecutionInterceptor {
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        private volatile BiConsumer<String, Integer> onSend = (region, n) -> { };

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            String region = attributes.getAttribute(AwsExecutionAttribute.AWS_REGION).id();
            int n = counts.computeIfAbsent(region, r -> new AtomicInteger()).incrementAndGet();
            onSend.accept(region, n);
        }

        void onSend(BiConsumer<String, Integer> action) {
            onSend = action;
        }

        int count(String region) {
            AtomicInteger c = counts.get(region);
            return c == null ? 0 : c.get();
        }

        void clear() {
            counts.clear();
            onSend = (region, n) -> { };
        }

        @Override
        public String toString() {
            List<String> s = new ArrayList<>();
            counts.forEach((r, c) -> s.add(r + "=" + c.get()));
            return s.toString();
        }
    }
}
