package dev.meridian.benchmarks;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RegionFaults;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Issue 19, items 1–3: fixed vs adaptive hedging side by side, in one run, over four load shapes of the local region
 * (healthy; 9 % of reads slow 300–700 ms; every read slow 300–700 ms; black hole), each cell a fresh Meridian runtime
 * built as the README shows (local-first over three {@link LocalRegions}, {@link RegionalClientDefaults}) with only
 * the hedging mode set: {@code fixed 50 ms} or {@code adaptive, 50 ms floor} (the default), both under the default
 * hedge budget (10 %, burst 10). Reads only: 4 threads × {@code rate} reads/s, 9 of every 100 a {@code Query} (the
 * "slow" reads of the 9 % shape), the rest {@code GetItem}.
 *
 * <p>Per cell: p50 / p99 / p99.9 of the reads during the fault; extra requests from the three regions' request
 * journals ({@code requests − reads}, as a share of reads); hedges sent / won / refused (Meridian's meters); the
 * first read started after the fault was injected, how long it took; reads that waited at least the attempt timeout.
 * A separate class from the full fault harness (raw SDK beside Meridian, writer promotion).
 *
 * <p>Second table, per cell (to tell why a tail is what it is): per operation, the reads, the requests each region's
 * journal saw, how many of the operation's attempts were abandoned as hedge losers (Meridian's
 * {@code meridian.calls} with outcome {@code cancelled}); and the local region's breaker transitions to open
 * ({@code meridian.breaker.transitions}: an ejection, or the window opening it).
 *
 * <p>Usage: {@code HedgingShapes [secondsPerCell] [readsPerSecondPerThread] [shapeNameContains]} (defaults 20, 50,
 * every shape).
 */
public final class HedgingShapes {
    private static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    private static final String LOCAL = "eu-west-1";
    private static final String TABLE = "hs_items";
    private static final int THREADS = 4;
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final Duration FLOOR = Duration.ofMillis(50);

    private record Shape(String name, Consumer<RegionFaults> inject) {
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape("healthy", f -> { }),
            new Shape("9 % of reads slow 300-700 ms", f -> f.only("Query")
                    .latency(Duration.ofMillis(300), Duration.ofMillis(700))),
            new Shape("100 % slow 300-700 ms", f -> f.latency(Duration.ofMillis(300), Duration.ofMillis(700))),
            new Shape("black hole", RegionFaults::blackhole));

    private final LocalRegions regions;
    private final Duration window;
    private final int rate;

    private HedgingShapes(LocalRegions regions, Duration window, int rate) {
        this.regions = regions;
        this.window = window;
        this.rate = rate;
    }

    public static void main(String[] args) throws Exception {
        Duration window = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 20);
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        String only = args.length > 2 ? args[2] : "";
        try (LocalRegions regions = LocalRegions.start(REGIONS.toArray(String[]::new))) {
            regions.createGlobalTable(CreateTableRequest.builder().tableName(TABLE)
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                            .attributeType(ScalarAttributeType.S).build())
                    .build());
            DynamoDbClient seed = regions.client(LOCAL);
            for (int i = 0; i < 100; i++) {
                PutItemRequest put = PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", s("k" + i))).build();
                patiently(() -> seed.putItem(put));
            }
            regions.awaitReplication(Duration.ofSeconds(60));
            HedgingShapes h = new HedgingShapes(regions, window, rate);
            System.out.printf("%d threads x %d reads/s, %d s per cell, attempt timeout %s%n", THREADS, rate,
                    window.toSeconds(), attemptTimeout());
            System.out.println("| shape | hedging | reads | failed | p50 ms | p99 ms | p99.9 ms | extra requests"
                    + " (journal) | hedges sent / won / refused | first read after the fault ms | reads that"
                    + " waited the attempt timeout |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            List<String> details = new ArrayList<>();
            for (Shape shape : SHAPES) {
                if (!shape.name().contains(only)) {
                    continue;
                }
                for (HedgingConfig hedging : List.of(HedgingConfig.fixed(FLOOR), HedgingConfig.adaptive(FLOOR))) {
                    String[] rows = h.cell(shape, hedging);
                    System.out.println(rows[0]);
                    details.add(rows[1]);
                }
            }
            System.out.println();
            System.out.println("| shape | hedging | operation | reads | requests eu-west-1 / eu-central-1 / us-east-1"
                    + " | attempts abandoned (hedge losers) | " + LOCAL + " breaker opened |");
            System.out.println("|---|---|---|---|---|---|---|");
            details.forEach(System.out::println);
        }
    }

    private static Duration attemptTimeout() {
        return RegionalClientDefaults.overrideConfiguration().apiCallAttemptTimeout().orElseThrow();
    }

    /** The cell's row of the main table and its rows of the per-operation table. */
    private String[] cell(Shape shape, HedgingConfig hedging) throws Exception {
        regions.reset();
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").priority(2))
                .localRegion(Region.EU_WEST_1)
                .hedging(hedging)
                .build();
        Map<Region, DynamoDbClient> clients = new LinkedHashMap<>();
        for (String r : REGIONS) {
            DynamoDbClient c = regions.clientBuilder(r)
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build();
            patiently(() -> c.getItem(get(0)));
            clients.put(Region.of(r), c);
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (MultiRegion runtime = MultiRegion.builder(config).meterRegistry(meters).build()) {
            DynamoDbClient client = MultiRegionDynamoDb.builder().multiRegion(runtime).clientFactory(clients::get)
                    .table(TableConfig.builder(TABLE).partitionKey("pk").build()).build();
            run(client, WARM_UP, null);
            regions.journalsClear();
            double sent0 = sum(meters, "meridian.hedge.sent");
            double won0 = sum(meters, "meridian.hedge.won");
            double refused0 = sum(meters, "meridian.hedge.refused");
            Map<String, Double> abandoned0 = abandoned(meters);
            double opened0 = opened(meters);
            long faultAt = System.nanoTime();
            shape.inject().accept(regions.faults(LOCAL));
            Result r = run(client, window, faultAt);
            int requests = 0;
            for (String region : REGIONS) {
                requests += regions.journal(region).count("GetItem") + regions.journal(region).count("Query");
            }
            long[] lat = r.latencies();
            String mode = hedging.adaptive() ? "adaptive, 50 ms floor" : "fixed 50 ms";
            Map<String, Double> abandoned = abandoned(meters);
            StringBuilder perOperation = new StringBuilder();
            for (String op : List.of("GetItem", "Query")) {
                List<String> perRegion = new ArrayList<>();
                for (String region : REGIONS) {
                    perRegion.add(String.valueOf(regions.journal(region).count(op)));
                }
                if (perOperation.length() > 0) {
                    perOperation.append(System.lineSeparator());
                }
                perOperation.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %.0f | %.0f |", shape.name(),
                        mode, op, r.reads().getOrDefault(op, 0), String.join(" / ", perRegion),
                        abandoned.getOrDefault(op, 0.0) - abandoned0.getOrDefault(op, 0.0),
                        opened(meters) - opened0));
            }
            String main = String.format(Locale.ROOT, "| %s | %s | %d | %d | %.1f | %.1f | %.1f | %.1f %% | %.0f / %.0f / %.0f |"
                    + " %.1f | %d |", shape.name(), mode,
                    lat.length, r.failed(), ms(pct(lat, 0.50)), ms(pct(lat, 0.99)), ms(pct(lat, 0.999)),
                    100.0 * (requests - lat.length - r.failed()) / Math.max(1, lat.length + r.failed()),
                    sum(meters, "meridian.hedge.sent") - sent0, sum(meters, "meridian.hedge.won") - won0,
                    sum(meters, "meridian.hedge.refused") - refused0, ms(r.firstAfterFault()), r.waitedTimeout());
            return new String[] {main, perOperation.toString()};
        } finally {
            regions.healAll();
            clients.values().forEach(DynamoDbClient::close);
        }
    }

    private record Result(long[] latencies, int failed, long firstAfterFault, int waitedTimeout,
            Map<String, Integer> reads) {
    }

    /** Reads from {@link #THREADS} threads for {@code d}; latencies of successful reads in nanoseconds. */
    private Result run(DynamoDbClient client, Duration d, Long faultAt) throws InterruptedException {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger waited = new AtomicInteger();
        AtomicLong first = new AtomicLong(-1);
        AtomicInteger seq = new AtomicInteger();
        AtomicInteger queries = new AtomicInteger();
        long timeout = attemptTimeout().toNanos();
        long end = System.nanoTime() + d.toNanos();
        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread th = new Thread(() -> {
                long next = System.nanoTime();
                while (next < end) {
                    int i = seq.getAndIncrement();
                    long start = System.nanoTime();
                    try {
                        if (i % 100 < 9) {
                            queries.incrementAndGet();
                            client.query(QueryRequest.builder().tableName(TABLE).keyConditionExpression("pk = :k")
                                    .expressionAttributeValues(Map.of(":k", s("k" + i % 100))).build());
                        } else {
                            client.getItem(get(i % 100));
                        }
                        long took = System.nanoTime() - start;
                        latencies.add(took);
                        if (took >= timeout) {
                            waited.incrementAndGet();
                        }
                        if (faultAt != null && start - faultAt >= 0) {
                            first.compareAndSet(-1, took);
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                    }
                    next += period;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        try {
                            TimeUnit.NANOSECONDS.sleep(sleep);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "hedging-shapes-" + t);
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        long[] l = latencies.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(l);
        int reads = seq.get();
        return new Result(l, failed.get(), first.get(), waited.get(),
                Map.of("GetItem", reads - queries.get(), "Query", queries.get()));
    }

    /**
     * Set-up on a loaded machine (seeding, a client's first call) may outlast the 2 s attempt timeout once or twice:
     * nothing is measured there, and a put or a get repeated is harmless.
     */
    private static void patiently(Runnable call) {
        for (int attempt = 1; ; attempt++) {
            try {
                call.run();
                return;
            } catch (RuntimeException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static GetItemRequest get(int k) {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", s("k" + k))).build();
    }

    private static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    private static long pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Attempts abandoned (hedge losers, or cancelled) per operation, every region. */
    private static Map<String, Double> abandoned(SimpleMeterRegistry meters) {
        Map<String, Double> byOperation = new LinkedHashMap<>();
        meters.find("meridian.calls").tag("outcome", "cancelled").counters()
                .forEach(c -> byOperation.merge(c.getId().getTag("operation"), c.count(), Double::sum));
        return byOperation;
    }

    /** Transitions of the local region's breakers to open. */
    private static double opened(SimpleMeterRegistry meters) {
        return meters.find("meridian.breaker.transitions").tag("region", LOCAL).tag("to", "OPEN").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static double sum(SimpleMeterRegistry meters, String name) {
        return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }
}
