package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.testkit.LocalRegions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Issue 19's black-hole acceptance with a hedge budget that runs out (on real DynamoDB Locals behind fault proxies):
 * concurrent readers are reading from eu-west-1 when it is black-holed; the budget (burst 2, 1 % share) lets out the
 * hedges that make the region suspect and refuses the others. A refused hedge is not final: once the region is
 * suspect (or ejected) the reads stuck in it are hedged regardless of the budget, so none waits on until its 2 s
 * attempt timeout, whichever timer hedges it: the caller running its first attempt itself, the caller waiting for a hedge
 * thread's attempt, or the hedge timer of an asynchronous read.
 */
class RefusedHedgeIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String TABLE = "refused-hedge";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    private static final int READERS = 8;
    private static final Duration FAULT = Duration.ofSeconds(6);
    /** A hedge delay and the scheduler's slack on a loaded machine. */
    private static final long RETRY_SLACK = Duration.ofMillis(500).toNanos();

    @AutoClose
    private static final LocalRegions regions = ServedByTable.start(TABLE);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<AutoCloseable> regionalClients = new ArrayList<>();
    private MultiRegion runtime;

    @BeforeEach
    void healRegions() {
        regions.reset();
    }

    @AfterEach
    void close() throws Exception {
        regions.healAll();
        if (runtime != null) {
            runtime.close();
        }
        for (AutoCloseable c : regionalClients) {
            c.close();
        }
    }

    /** A 50 ms hedge under a budget of two hedges at once and one per hundred reads; suspect after two losers. */
    private MultiRegion runtime() {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).endpoint(regions.endpoint(WEST)))
                .region(RegionSpec.of(CENTRAL).endpoint(regions.endpoint(CENTRAL)))
                .localRegion(WEST)
                .hedging(HedgingConfig.fixed(Duration.ofMillis(50)).withBudget(0.01, 2))
                .health(HealthConfig.builder().ejectAfterStalls(2).build())
                .environment(name -> null)
                .build();
        runtime = MultiRegion.builder(config).meterRegistry(meters).build();
        return runtime;
    }

    private static GetItemRequest getItem() {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("item-1"))).build();
    }

    @Test
    void callersRunningTheirFirstAttemptAreHedgedOnceTheRegionIsSuspect() throws Exception {
        Map<Region, DynamoDbClient> warmed = syncClients(true);
        DynamoDbClient items = runtime().wrapClient(DynamoDbClient.class, warmed::get,
                MultiRegionDynamoDbIT.CLASSIFIER);
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(getItem()));
    }

    @Test
    void callersWaitingForAHedgeThreadAreHedgedOnceTheRegionIsSuspect() throws Exception {
        // Clients without RegionalClientDefaults cannot release their caller: every attempt runs on a hedge thread.
        Map<Region, DynamoDbClient> warmed = syncClients(false);
        DynamoDbClient items = runtime().wrapClient(DynamoDbClient.class, warmed::get,
                MultiRegionDynamoDbIT.CLASSIFIER);
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(getItem()));
    }

    @Test
    void asynchronousReadsAreHedgedOnceTheRegionIsSuspect() throws Exception {
        Map<Region, DynamoDbAsyncClient> warmed = new LinkedHashMap<>();
        for (String r : regions.regions()) {
            DynamoDbAsyncClient c = DynamoDbAsyncClient.builder().region(Region.of(r))
                    .endpointOverride(regions.endpoint(r))
                    .credentialsProvider(regions.client(r).serviceClientConfiguration().credentialsProvider())
                    .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, ATTEMPT_TIMEOUT)).build();
            regionalClients.add(c);
            for (int i = 0; i < 3; i++) {
                c.getItem(getItem()).get(60, TimeUnit.SECONDS);
            }
            warmed.put(Region.of(r), c);
        }
        DynamoDbAsyncClient items = runtime().wrapClient(DynamoDbAsyncClient.class, warmed::get,
                MultiRegionDynamoDbIT.CLASSIFIER);
        assertNoReadWaitsAnAttemptTimeout(() -> {
            CompletableFuture<GetItemResponse> f = items.getItem(getItem());
            return f.join();
        });
    }

    /** Per-region clients, warmed up; {@code releasable}: built with {@link RegionalClientDefaults}. */
    private Map<Region, DynamoDbClient> syncClients(boolean releasable) {
        Map<Region, DynamoDbClient> warmed = new LinkedHashMap<>();
        for (String r : regions.regions()) {
            DynamoDbClient c = regions.clientBuilder(r)
                    .overrideConfiguration(releasable ? RegionalClientDefaults.overrideConfiguration(2, ATTEMPT_TIMEOUT)
                            : ClientOverrideConfiguration.builder().apiCallAttemptTimeout(ATTEMPT_TIMEOUT).build())
                    .build();
            regionalClients.add(c);
            for (int i = 0; i < 3; i++) {
                try {
                    c.getItem(getItem());
                } catch (RuntimeException e) {
                    // a fresh client's first call can outlast its attempt timeout on a loaded machine
                }
            }
            warmed.put(Region.of(r), c);
        }
        return warmed;
    }

    /**
     * {@value #READERS} readers read in a loop while eu-west-1 is black-holed for {@link #FAULT}: none fails, and at
     * most one read waits an attempt timeout and ends later than a hedge delay (and slack) after eu-west-1 was given
     * up on (on a machine loaded enough that the first losers are excused as process stalls, the region is given up on
     * only when the first attempts time out; those reads are not this test's).
     */
    private void assertNoReadWaitsAnAttemptTimeout(Supplier<GetItemResponse> read) throws Exception {
        for (int i = 0; i < 20 || hedgeBudget() < 2 && i < 2_000; i++) {
            // The runtime's breakers, hedge threads and stall meter up, the clients heard; and the budget's burst back
            // (a loaded machine's slow first reads may have spent it): the first stuck reads' hedges go out.
            read.get();
        }
        regions.journalsClear();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger waited = new AtomicInteger();
        AtomicLong givenUpAt = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);
        List<Future<?>> readers = new ArrayList<>();
        regions.faults(WEST).blackhole();
        long end = System.nanoTime() + FAULT.toNanos();
        try {
            pool.submit(() -> {
                // When Meridian gave up on eu-west-1 (suspect or ejected), as the readers see it to a few ms.
                await().atMost(FAULT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                        .until(() -> count("meridian.region.suspicion", WEST) > 0
                                || runtime.status(Region.of(WEST)).breaker() != RegionStatus.BreakerState.CLOSED);
                givenUpAt.set(System.nanoTime());
                return null;
            });
            for (int t = 0; t < READERS; t++) {
                readers.add(pool.submit(() -> {
                    while (System.nanoTime() - end < 0) {
                        long start = System.nanoTime();
                        try {
                            read.get();
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        }
                        long now = System.nanoTime();
                        long gaveUp = givenUpAt.get();
                        // A read may wait its attempt timeout only if it ended within a hedge delay (and the
                        // scheduler's slack) of the moment eu-west-1 was given up on: a refused hedge is asked for
                        // again once per hedge delay.
                        if (now - start >= ATTEMPT_TIMEOUT.toNanos() && (gaveUp == 0 || now - gaveUp > RETRY_SLACK)) {
                            waited.incrementAndGet();
                        }
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : readers) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        String seen = reads + " reads, " + failed + " failed, " + waited + " waited an attempt timeout after eu-west-1 "
                + "was given up on; hedges sent "
                + count("meridian.hedge.sent") + " (after a refusal " + count("meridian.hedge.retried") + "), refused "
                + count("meridian.hedge.refused");
        System.out.println("RefusedHedgeIT: " + seen);
        assertThat(failed.get()).as(seen).isZero();
        // A refused hedge sent later counts as retried, one never sent as refused.
        assertThat(count("meridian.hedge.refused") + count("meridian.hedge.retried")).as("the budget ran out: " + seen)
                .isPositive();
        assertThat(waited.get()).as(seen).isLessThanOrEqualTo(1);
    }

    /** Tokens in the hedge budget now ({@code meridian.hedge.budget}). */
    private double hedgeBudget() {
        return meters.get("meridian.hedge.budget").gauge().value();
    }

    private double count(String meter) {
        return count(meter, CENTRAL);
    }

    private double count(String meter, String region) {
        return meters.find(meter).tag("region", region).counters().stream().mapToDouble(Counter::count).sum();
    }
}
