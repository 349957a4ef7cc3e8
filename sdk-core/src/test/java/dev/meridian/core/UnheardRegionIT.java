package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.testkit.LocalRegions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Issue 19's black-hole acceptance on a process that stalls as the fault begins (real DynamoDB Locals behind fault
 * proxies): the stall meter's thread is frozen from just before eu-west-1 is black-holed until {@link #STALL} into the
 * fault, as on a machine loaded enough that the meter's tick runs late, so the first hedges' losers are excused as
 * process stalls and no run of losers makes the region suspect; the hedge budget (burst 2, 1 % share) refuses the
 * other stuck reads' hedges. A region not heard from since such a read's attempt started, for several hedge delays of
 * the process's running time, while the next region answered meanwhile, is suspect: the refused hedges then go past
 * the budget, and no read waits its 2 s attempt timeout (at most one allowed, the acceptance's "1 per region").
 */
class UnheardRegionIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String TABLE = "unheard";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    private static final int READERS = 8;
    private static final Duration FAULT = Duration.ofSeconds(5);
    /** How long into the fault the process (its stall meter) is stalled. */
    private static final Duration STALL = Duration.ofMillis(300);

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
    void callersRunningTheirFirstAttemptAreHedgedOnceTheRegionIsUnheard() throws Exception {
        Map<Region, DynamoDbClient> warmed = new LinkedHashMap<>();
        for (String r : regions.regions()) {
            DynamoDbClient c = regions.clientBuilder(r)
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, ATTEMPT_TIMEOUT)).build();
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
        DynamoDbClient items = runtime().wrapClient(DynamoDbClient.class, warmed::get,
                MultiRegionDynamoDbIT.CLASSIFIER);
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(getItem()));
    }

    @Test
    void asynchronousReadsAreHedgedOnceTheRegionIsUnheard() throws Exception {
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
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(getItem()).join());
    }

    /**
     * {@value #READERS} readers read in a loop while eu-west-1 is black-holed for {@link #FAULT}, the process stalled
     * for its first {@link #STALL}: none fails and at most one waits an attempt timeout.
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
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        List<Future<?>> readers = new ArrayList<>();
        stallTheProcessAsTheFaultBegins();
        long end = System.nanoTime() + FAULT.toNanos();
        try {
            for (int t = 0; t < READERS; t++) {
                readers.add(pool.submit(() -> {
                    while (System.nanoTime() - end < 0) {
                        long start = System.nanoTime();
                        try {
                            read.get();
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        }
                        if (System.nanoTime() - start >= ATTEMPT_TIMEOUT.toNanos()) {
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
        String seen = reads + " reads, " + failed + " failed, " + waited + " waited an attempt timeout; hedges sent "
                + count("meridian.hedge.sent", CENTRAL) + " (after a refusal " + count("meridian.hedge.retried", CENTRAL)
                + "), refused " + count("meridian.hedge.refused", CENTRAL) + "; eu-west-1 suspected "
                + count("meridian.region.suspicion", WEST) + " time(s), process stalls excused "
                + count("meridian.process.stall", WEST);
        System.out.println("UnheardRegionIT: " + seen);
        assertThat(failed.get()).as(seen).isZero();
        assertThat(count("meridian.hedge.retried", CENTRAL)).as("the budget ran out: " + seen).isPositive();
        assertThat(waited.get()).as(seen).isLessThanOrEqualTo(1);
    }

    /**
     * Freezes the stall meter's thread (the hedge timer) from before eu-west-1 is black-holed until {@link #STALL}
     * into the fault: its tick is late, so the process is seen stalled from the first hedges on.
     */
    private void stallTheProcessAsTheFaultBegins() {
        RegionalExecutor executor = runtime.executor();
        long frozen = System.nanoTime();
        Duration lead = Duration.ofMillis(2 * ProcessStalls.TICK_NANOS / 1_000_000);
        executor.stallMeter().onTickThread(() -> {
            try {
                Thread.sleep(lead.plus(STALL).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(lead.multipliedBy(10)).pollInterval(Duration.ofMillis(2))
                .until(() -> executor.stalls().stalledNanos(frozen, System.nanoTime()) >= ProcessStalls.NOISE_NANOS);
        regions.faults(WEST).blackhole();
    }

    /** Tokens in the hedge budget now ({@code meridian.hedge.budget}). */
    private double hedgeBudget() {
        return meters.get("meridian.hedge.budget").gauge().value();
    }

    private double count(String meter, String region) {
        return meters.find(meter).tag("region", region).counters().stream().mapToDouble(Counter::count).sum();
    }
}
