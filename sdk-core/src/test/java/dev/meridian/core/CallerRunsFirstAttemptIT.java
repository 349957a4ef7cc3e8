package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * Issue 19, item 5: a hedged synchronous read through per-region clients built with {@link RegionalClientDefaults}
 * runs its first attempt on the caller's own thread (no hand-off to a hedge thread), and when the local region is
 * black-holed or slow, the winning hedge releases the caller from its blocked socket read through the SDK's own call
 * timeout — with the Apache and the URL-connection HTTP clients, whose socket reads ignore interrupts. Real DynamoDB
 * Locals behind fault proxies; each region's item names the region, so each answer says which region served it. An
 * interceptor records the thread each region's request started on.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class CallerRunsFirstAttemptIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String TABLE = "caller-runs";
    private static final Duration HEDGE_DELAY = Duration.ofMillis(50);
    /** Longer than any read here may take when released: the fault holds an unreleased caller at least this long. */
    private static final Duration SLOW = Duration.ofSeconds(4);
    private static final Duration TIMEOUT = Duration.ofSeconds(8);
    private static final int READS = 3;

    private static LocalRegions regions;

    @AutoClose
    private final WarmedRuntime rig = new WarmedRuntime(regions);

    @BeforeAll
    static void createTables() {
        ServedByTable.create(regions, TABLE);
    }

    enum Http {
        APACHE, URL_CONNECTION;

        SdkHttpClient.Builder<?> builder() {
            return this == APACHE
                    ? ApacheHttpClient.builder().socketTimeout(Duration.ofSeconds(30))
                    : UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30));
        }
    }

    enum Fault {
        BLACK_HOLE, SLOW_ANSWERS;

        void apply(String region) {
            if (this == BLACK_HOLE) {
                regions.faults(region).blackhole();
            } else {
                regions.faults(region).latency(CallerRunsFirstAttemptIT.SLOW);
            }
        }
    }

    private final Map<String, Queue<Thread>> threads = new ConcurrentHashMap<>();

    /** Records the thread every request of {@code region} starts on. */
    private ExecutionInterceptor threadRecorder(String region) {
        Queue<Thread> seen = threads.computeIfAbsent(region, r -> new ConcurrentLinkedQueue<>());
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                seen.add(Thread.currentThread());
            }
        };
    }

    /** A multi-region client over warmed-up per-region clients whose override configuration {@code overrides} makes. */
    private DynamoDbClient wrap(Http http, Consumer<ClientOverrideConfiguration.Builder> overrides) {
        DynamoDbClient client = rig.wrap(rig.config().hedging(HedgingConfig.fixed(HEDGE_DELAY)).build(), (r, b) -> {
            ClientOverrideConfiguration.Builder o = ClientOverrideConfiguration.builder()
                    .addExecutionInterceptor(threadRecorder(r));
            overrides.accept(o);
            return b.httpClientBuilder(http.builder()).overrideConfiguration(o.build());
        }, c -> c.getItem(getItem()));
        threads.values().forEach(Queue::clear);
        return client;
    }

    private static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    private static GetItemRequest getItem() {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", s("item-1"))).build();
    }

    private double count(String meter, String region) {
        Counter c = rig.meters.find(meter).tag("region", region).counter();
        return c == null ? 0 : c.count();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Http.class)
    void aBlackHoledOrSlowLocalRegionReleasesTheCallerToTheHedgesAnswer(Http http) {
        for (Fault fault : Fault.values()) {
            regions.reset();
            rig.meters.clear();
            DynamoDbClient items = wrap(http, o -> RegionalClientDefaults.apply(o, 2, TIMEOUT));
            fault.apply(WEST);
            Thread caller = Thread.currentThread();

            for (int i = 0; i < READS; i++) {
                long start = System.nanoTime();
                assertThat(items.getItem(getItem()).item()).as("%s read %d", fault, i)
                        .containsEntry("servedBy", s(CENTRAL));
                // Released: an unreleased caller would sit in its socket read for the fault's SLOW (or TIMEOUT).
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("%s read %d", fault, i)
                        .isLessThan(SLOW);
                assertThat(caller.isInterrupted()).as("interrupt left on the caller").isFalse();
            }

            // Every first attempt ran on the caller's thread (no hand-off); the hedges on Meridian's hedge threads.
            assertThat(threads.get(WEST)).as("%s: threads of the local region's attempts", fault)
                    .hasSize(READS).containsOnly(caller);
            assertThat(threads.get(CENTRAL)).hasSize(READS)
                    .allSatisfy(t -> assertThat(t.getName()).startsWith("meridian-hedge-"));
            assertThat(count("meridian.hedge.won", CENTRAL)).isEqualTo(READS);
            assertThat(count("meridian.hedge.cancelled", WEST)).isEqualTo(READS);
            if (fault == Fault.SLOW_ANSWERS) {
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(regions.journal(WEST).count("GetItem")).isEqualTo(READS));
            }
            assertThat(regions.journal(CENTRAL).count("GetItem")).isEqualTo(READS);

            // The next call on the same thread is not aborted by anything left of the released ones: the local
            // region answers it, or (on a loaded machine, its answer later than the hedge delay) the hedge won; a
            // leftover release would fail its attempt over instead (CallerReleaseRaceTest times that race exactly).
            regions.faults(WEST).heal();
            threads.values().forEach(Queue::clear);
            double hedgesWon = count("meridian.hedge.won", CENTRAL);
            if (!s(WEST).equals(items.getItem(getItem()).item().get("servedBy"))) {
                assertThat(count("meridian.hedge.won", CENTRAL)).as("served elsewhere only by a won hedge")
                        .isEqualTo(hedgesWon + 1);
            }
            assertThat(threads.get(WEST)).containsExactly(caller);
            assertThat(caller.isInterrupted()).isFalse();
            rig.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Http.class)
    void clientsWithoutTheDefaultsStillHedgeWithTheHandOff(Http http) {
        DynamoDbClient items = wrap(http, o -> o.apiCallAttemptTimeout(TIMEOUT).apiCallTimeout(TIMEOUT)
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(2).build()));
        regions.faults(WEST).latency(SLOW);
        Thread caller = Thread.currentThread();

        for (int i = 0; i < READS; i++) {
            assertThat(items.getItem(getItem()).item()).containsEntry("servedBy", s(CENTRAL));
            assertThat(caller.isInterrupted()).isFalse();
        }

        assertThat(threads.get(WEST)).hasSize(READS)
                .allSatisfy(t -> assertThat(t.getName()).startsWith("meridian-hedge-"));
        assertThat(count("meridian.hedge.won", CENTRAL)).isEqualTo(READS);
    }

    /** What a request's own override configuration takes away from its client's timeouts. */
    enum Untimed {
        CALL_TIMEOUT, CALL_AND_ATTEMPT_TIMEOUTS;

        /**
         * {@code request} without the timeouts: the SDK rejects a zero timeout but schedules none under 1 ms (it
         * truncates to milliseconds, and 0 ms means no timer).
         */
        GetItemRequest apply(GetItemRequest request) {
            Duration none = Duration.ofNanos(999_999);
            return request.toBuilder().overrideConfiguration(c -> {
                c.apiCallTimeout(none);
                if (this == CALL_AND_ATTEMPT_TIMEOUTS) {
                    c.apiCallAttemptTimeout(none);
                }
            }).build();
        }
    }

    /**
     * A read whose request removes the SDK's call timeout leaves no SDK timer for the hedge to ride and nothing a won
     * hedge could release the caller with: it is hedged through the hand-off instead (first attempt on a hedge thread).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Untimed.class)
    void aReadWhoseRequestRemovesTheCallTimeoutIsStillHedged(Untimed untimed) {
        DynamoDbClient items = wrap(Http.APACHE, o -> RegionalClientDefaults.apply(o, 2, TIMEOUT));
        regions.faults(WEST).blackhole();
        GetItemRequest request = untimed.apply(getItem());

        for (int i = 0; i < READS; i++) {
            long start = System.nanoTime();
            assertThat(items.getItem(request).item()).as("read %d", i).containsEntry("servedBy", s(CENTRAL));
            // Not hedged, the caller would wait for the attempt timeout (TIMEOUT) or the socket timeout (30 s).
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("read %d", i).isLessThan(SLOW);
        }

        assertThat(count("meridian.hedge.won", CENTRAL)).isEqualTo(READS);
        assertThat(threads.get(WEST)).hasSize(READS)
                .allSatisfy(t -> assertThat(t.getName()).startsWith("meridian-hedge-"));
    }
}
