package dev.meridian.core;

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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * The refused-hedge tests' rig ({@link RefusedHedgeIT}, {@link UnheardRegionIT}) over the two regions of
 * {@link ServedByTable}: a runtime with a 50 ms hedge under a budget of two hedges at once and one per hundred reads,
 * suspect after two losers, over warmed-up per-region clients; and {@value #READERS} readers reading in a loop while
 * eu-west-1 is black-holed. One per test method; {@link #close()} heals the regions and closes the runtime and the
 * clients.
 */
final class BlackHoledReaders implements AutoCloseable {
    static final String WEST = "eu-west-1";
    static final String CENTRAL = "eu-central-1";
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    static final int READERS = 8;

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LocalRegions regions;
    private final String table;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private @Nullable MultiRegion runtime;

    BlackHoledReaders(LocalRegions regions, String table) {
        this.regions = regions;
        this.table = table;
        regions.reset();
    }

    /** The runtime, built on first use. */
    MultiRegion runtime() {
        MultiRegion r = runtime;
        if (r == null) {
            MultiRegionConfig config = MultiRegionConfig.builder()
                    .region(RegionSpec.of(WEST).endpoint(regions.endpoint(WEST)))
                    .region(RegionSpec.of(CENTRAL).endpoint(regions.endpoint(CENTRAL)))
                    .localRegion(WEST)
                    .hedging(HedgingConfig.fixed(Duration.ofMillis(50)).withBudget(0.01, 2))
                    .health(HealthConfig.builder().ejectAfterStalls(2).build())
                    .environment(name -> null)
                    .build();
            r = MultiRegion.builder(config).meterRegistry(meters).build();
            runtime = r;
        }
        return r;
    }

    GetItemRequest getItem() {
        return GetItemRequest.builder().tableName(table).key(Map.of("pk", AttributeValue.fromS("item-1"))).build();
    }

    /**
     * The multi-region sync client over warmed-up per-region clients; {@code releasable}: built with
     * {@link RegionalClientDefaults} (the caller runs its first attempt), otherwise every attempt runs on a hedge
     * thread.
     */
    DynamoDbClient syncClient(boolean releasable) {
        Map<Region, DynamoDbClient> warmed = new LinkedHashMap<>();
        for (String r : regions.regions()) {
            DynamoDbClient c = regions.clientBuilder(r)
                    .overrideConfiguration(releasable ? RegionalClientDefaults.overrideConfiguration(2, ATTEMPT_TIMEOUT)
                            : ClientOverrideConfiguration.builder().apiCallAttemptTimeout(ATTEMPT_TIMEOUT).build())
                    .build();
            clients.add(c);
            for (int i = 0; i < 3; i++) {
                try {
                    c.getItem(getItem());
                } catch (RuntimeException e) {
                    // a fresh client's first call can outlast its attempt timeout on a loaded machine
                }
            }
            warmed.put(Region.of(r), c);
        }
        return runtime().wrapClient(DynamoDbClient.class, warmed::get, MultiRegionDynamoDbIT.CLASSIFIER);
    }

    /** The multi-region async client over warmed-up per-region Netty clients built with RegionalClientDefaults. */
    DynamoDbAsyncClient asyncClient() throws Exception {
        Map<Region, DynamoDbAsyncClient> warmed = ServedByTable.warmedAsyncClients(regions, ATTEMPT_TIMEOUT, getItem(),
                clients);
        return runtime().wrapClient(DynamoDbAsyncClient.class, warmed::get, MultiRegionDynamoDbIT.CLASSIFIER);
    }

    /**
     * What the readers saw: reads, failed reads, when each read that waited at least an attempt timeout ended, and when
     * Meridian gave up on eu-west-1 (suspect or ejected; 0 if it did not), as {@link System#nanoTime()}.
     */
    record Seen(int reads, int failed, List<Long> slowReadEnds, long givenUpAt) {
    }

    /**
     * {@value #READERS} readers {@code read} in a loop for {@code fault} from the moment eu-west-1 is black-holed;
     * {@code beforeFault} runs just before. The runtime is warmed up first and the hedge budget's burst is back (a
     * loaded machine's slow first reads may have spent it), so the first stuck reads' hedges go out.
     */
    Seen readThroughBlackHole(Supplier<GetItemResponse> read, Duration fault, Runnable beforeFault) throws Exception {
        for (int i = 0; i < 20 || hedgeBudget() < 2 && i < 2_000; i++) {
            read.get();
        }
        regions.journalsClear();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ConcurrentLinkedQueue<Long> slowReadEnds = new ConcurrentLinkedQueue<>();
        AtomicLong givenUpAt = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);
        List<Future<?>> readers = new ArrayList<>();
        beforeFault.run();
        regions.faults(WEST).blackhole();
        long end = System.nanoTime() + fault.toNanos();
        try {
            pool.submit(() -> {
                // When Meridian gave up on eu-west-1, as the readers see it to a few ms.
                await().atMost(fault).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                        .until(() -> count("meridian.region.suspicion", WEST) > 0
                                || runtime().status(Region.of(WEST)).breaker() != RegionStatus.BreakerState.CLOSED);
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
                        if (now - start >= ATTEMPT_TIMEOUT.toNanos()) {
                            slowReadEnds.add(now);
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
        return new Seen(reads.get(), failed.get(), List.copyOf(slowReadEnds), givenUpAt.get());
    }

    /** Tokens in the hedge budget now ({@code meridian.hedge.budget}). */
    private double hedgeBudget() {
        return meters.get("meridian.hedge.budget").gauge().value();
    }

    /** The sum of {@code meter}'s counters tagged with {@code region}. */
    double count(String meter, String region) {
        return meters.find(meter).tag("region", region).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Heals the regions and closes the runtime and the clients. */
    @Override
    public void close() throws Exception {
        regions.healAll();
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
        for (AutoCloseable c : clients) {
            c.close();
        }
        clients.clear();
    }
}
