package dev.meridian.benchmarks;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.client.WriteMode;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RegionFaults;
import dev.meridian.testkit.RequestJournal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The fault matrix of issue 9: 9 faults × 3 regions, each cell a fresh Meridian runtime over the same
 * {@link LocalRegions} running a mixed workload while the fault is on, with the invariants counted from the request
 * journals, then the fault healed and the breaker's recovery timed; side by side, the same workload through a raw
 * {@code DynamoDbClient} of the local region (eu-west-1).
 *
 * <p>Workload per 20 operations, one after the other (so each call's requests are the journal entries that arrive
 * while it runs): 10 reads (9 of every 100 reads a {@code Query}, the rest {@code GetItem}), 3 RESTRICTED (DE) reads and 1
 * RESTRICTED conditional put on the EU-only table, 2 conditional puts ({@code attribute_not_exists}) on a
 * home-by-key table, 1 unconditional put, 3 keyed calls through {@link Idempotency} on a
 * {@link DynamoDbIdempotencyStore} (a new key, its duplicate, another new key).
 *
 * <p>Invariants: I1 no request on the EU-only table reaches us-east-1; I2 an unconditional put reaches a second region
 * only after its first region answered 503 or throttled (proved not applied); I3 a keyed side effect runs at most
 * once; I5 requests per call ≤ maxRegionsPerCall × SDK attempts (3 × 2).
 *
 * <p>Usage: {@code FaultMatrix [opsPerCell] [rawSecondsPerCell] [faultNameContains]} (defaults 1000, 20, all).
 */
public final class FaultMatrix {
    private static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    private static final String LOCAL = "eu-west-1";
    private static final String ITEMS = "fm_items";
    private static final String EU = "fm_eu";
    private static final String PLAIN = "fm_plain";
    private static final String IDEM = "fm_idem";
    private static final int BUDGET = 3 * RegionalClientDefaults.MAX_ATTEMPTS;
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration HEDGE_FLOOR = Duration.ofMillis(50);
    private static final Duration RECOVERY_CAP = Duration.ofSeconds(20);

    private final LocalRegions regions;
    private final int ops;
    private final Duration rawBudget;
    private int keySeq;

    private FaultMatrix(LocalRegions regions, int ops, Duration rawBudget) {
        this.regions = regions;
        this.ops = ops;
        this.rawBudget = rawBudget;
    }

    /** One fault of the matrix. */
    private record Fault(String name, Consumer<RegionFaults> inject) {
    }

    private static final List<Fault> FAULTS = List.of(
            new Fault("none (healed)", f -> { }),
            new Fault("refused (down)", RegionFaults::down),
            new Fault("black hole", RegionFaults::blackhole),
            new Fault("read timeout after send", f -> f.latency(Duration.ofMillis(1500))),
            new Fault("HTTP 500", f -> f.status(500)),
            new Fault("HTTP 503", f -> f.status(503)),
            new Fault("throttling", RegionFaults::throttle),
            new Fault("slow 300-700 ms (9 % of reads)", f -> f.only("Query")
                    .latency(Duration.ofMillis(300), Duration.ofMillis(700))),
            new Fault("reset mid-body", RegionFaults::resetMidResponse));

    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Duration raw = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 20);
        String only = args.length > 2 ? args[2] : "";
        try (LocalRegions regions = LocalRegions.start(REGIONS.toArray(String[]::new))) {
            for (String t : List.of(ITEMS, EU, PLAIN)) {
                regions.createGlobalTable(table(t, "pk"));
            }
            regions.createGlobalTable(table(IDEM, "id"));
            FaultMatrix m = new FaultMatrix(regions, ops, raw);
            m.seed();
            System.out.println("| fault | region | ops | errors | I1 | I2 | I3 | I5 (max req/call) | to first answer"
                    + " elsewhere | slowest moved call ms | calls ≥ 1 s after the breaker opened | p50 / p99 ms |"
                    + " hedges % of reads / of requests | breaker recovery | raw ops | raw errors | raw p99 ms |"
                    + " raw first success |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (Fault fault : FAULTS) {
                for (String region : REGIONS) {
                    if (fault.name().startsWith("none") && !region.equals(LOCAL) || !fault.name().contains(only)) {
                        continue;
                    }
                    System.out.println(m.cell(fault, region));
                }
            }
        }
    }

    private static CreateTableRequest table(String name, String key) {
        return CreateTableRequest.builder().tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName(key).keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName(key)
                        .attributeType(ScalarAttributeType.S).build())
                .build();
    }

    private void seed() {
        DynamoDbClient c = regions.client(LOCAL);
        for (int i = 0; i < 100; i++) {
            c.putItem(PutItemRequest.builder().tableName(ITEMS).item(Map.of("pk", s("k" + i), "v", s("x"))).build());
            c.putItem(PutItemRequest.builder().tableName(EU).item(Map.of("pk", s("k" + i), "v", s("x"))).build());
        }
        regions.awaitReplication(Duration.ofSeconds(60));
    }

    private DynamoDbClient regional(String region) {
        DynamoDbClient c = regions.clientBuilder(region)
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(
                        RegionalClientDefaults.MAX_ATTEMPTS, ATTEMPT_TIMEOUT))
                .build();
        for (int i = 0; ; i++) {
            try {
                c.getItem(get(ITEMS, "k0"));
                return c;
            } catch (RuntimeException e) {
                if (i == 5) {
                    throw e;
                }
            }
        }
    }

    private String cell(Fault fault, String region) throws Exception {
        regions.reset();
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.EU_WEST_1)
                .routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.adaptive(HEDGE_FLOOR))
                .health(HealthConfig.builder().waitInOpenState(Duration.ofSeconds(2)).build())
                .build();
        Map<Region, DynamoDbClient> clients = new LinkedHashMap<>();
        for (String r : REGIONS) {
            clients.put(Region.of(r), regional(r));
        }
        AtomicInteger sideEffects = new AtomicInteger();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (MultiRegion runtime = MultiRegion.builder(config).meterRegistry(meters).build()) {
            DynamoDbClient client = MultiRegionDynamoDb.builder().multiRegion(runtime).clientFactory(clients::get)
                    .table(TableConfig.builder(ITEMS).partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY)
                            .build())
                    .table(TableConfig.builder(EU).partitionKey("pk")
                            .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build())
                    .table(TableConfig.builder(PLAIN).partitionKey("pk").build())
                    .build();
            Idempotency idempotency = Idempotency.builder()
                    .store(DynamoDbIdempotencyStore.builder().table(IDEM).client(client).build())
                    .ttl(Duration.ofMinutes(10)).inProgressTimeout(Duration.ofMinutes(5)).build();
            // Warm the routed client's table metadata (DescribeTable) before the fault and the journals.
            for (int i = 0; i < 20; i++) {
                runOp(client, idempotency, i, runs);
            }
            regions.journalsClear();
            double hedgesBefore = sum(meters, "meridian.hedge.sent", null);

            Instant faultAt = Instant.now();
            fault.inject().accept(regions.faults(region));
            Stats s = new Stats();
            Long firstElsewhere = null;
            // I5 by SDK invocation id: a request belongs to the call during which its SDK call was first seen, so a
            // detached trial's or hedge's retry that arrives during a later call still counts for the call that sent it.
            Map<String, Integer> firstCall = new HashMap<>();
            List<String> kinds = new ArrayList<>();
            for (int i = 0; i < ops; i++) {
                Map<String, Integer> before = counts();
                double movedBefore = moved(meters, region);
                long start = System.nanoTime();
                boolean ok = true;
                String kind;
                try {
                    kind = runOp(client, idempotency, i, runs);
                } catch (RuntimeException e) {
                    ok = false;
                    kind = kindOf(i);
                    s.errors++;
                }
                long nanos = System.nanoTime() - start;
                s.latencies.add(nanos);
                if (ok && moved(meters, region) > movedBefore) {
                    s.slowestMoved = Math.max(s.slowestMoved, nanos);
                }
                if (s.openedAt < 0 && runtime.status(Region.of(region)).breaker() != RegionStatus.BreakerState.CLOSED) {
                    s.openedAt = i;
                } else if (s.openedAt >= 0 && nanos >= ATTEMPT_TIMEOUT.toNanos()) {
                    s.waitsAfterOpen++;
                }
                List<List<RequestJournal.Entry>> window = window(before);
                kinds.add(kind);
                for (List<RequestJournal.Entry> inRegion : window) {
                    for (RequestJournal.Entry e : inRegion) {
                        e.invocationId().ifPresent(id -> firstCall.putIfAbsent(id, kinds.size() - 1));
                    }
                }
                if (kind.equals("plain") && unguardedWriteMovedAfterAmbiguousFailure(window)) {
                    s.i2++;
                }
                int faultedIdx = REGIONS.indexOf(region);
                boolean triedThere = !window.get(faultedIdx).isEmpty() || moved(meters, region) > movedBefore;
                if (ok && firstElsewhere == null && triedThere && servedElsewhere(window, faultedIdx)) {
                    firstElsewhere = Duration.between(faultAt, Instant.now()).toMillis();
                }
                if (kind.startsWith("read")) {
                    s.reads++;
                }
            }
            settle();
            s.i1 = (int) regions.journal("us-east-1").entries().stream()
                    .filter(e -> e.table().filter(EU::equals).isPresent()).count();
            s.i3 = (int) runs.values().stream().filter(n -> n.get() > 1).count();
            double hedges = sum(meters, "meridian.hedge.sent", null) - hedgesBefore;
            double extraReadPct = s.reads == 0 ? 0 : 100.0 * hedges / s.reads;
            int requests = counts().values().stream().mapToInt(Integer::intValue).sum();
            double extraPct = requests == 0 ? 0 : 100.0 * hedges / requests;

            requestBudget(s, firstCall, kinds);
            Instant healAt = Instant.now();
            regions.healAll();
            String recovery = recovery(client, idempotency, runtime, region, healAt, runs);

            Raw raw = raw(fault, region);
            // Which calls went over the budget, and with which requests (on stderr: the table stays on stdout).
            s.overBudget.forEach(w -> System.err.println("I5 " + fault.name() + " / " + region + ": " + w));
            return String.format(Locale.ROOT,
                    "| %s | %s | %d | %d | %d | %d | %d | %d (%d) | %s | %s | %s | %.0f / %.0f | %.1f %% / %.1f %% | %s |"
                            + " %d | %d | %.0f | %s |",
                    fault.name(), region, ops, s.errors, s.i1, s.i2, s.i3, s.i5, s.maxRequests,
                    firstElsewhere == null ? "—" : firstElsewhere + " ms",
                    s.slowestMoved < 0 ? "—" : String.valueOf(s.slowestMoved / 1_000_000),
                    s.openedAt < 0 ? "never opened" : String.valueOf(s.waitsAfterOpen),
                    s.percentile(50), s.percentile(99), extraReadPct, extraPct, recovery, raw.ops, raw.errors, raw.p99,
                    raw.firstSuccess);
        } finally {
            clients.values().forEach(DynamoDbClient::close);
        }
    }

    private static String kindOf(int i) {
        int m = i % 20;
        if (m < 10) {
            return "read";
        }
        if (m < 13) {
            return "read-restricted";
        }
        if (m == 13) {
            return "cond-restricted";
        }
        if (m < 16) {
            return "cond";
        }
        if (m == 16) {
            return "plain";
        }
        return "keyed";
    }

    /** Runs operation {@code i} of the workload; returns its kind. */
    private String runOp(DynamoDbClient client, Idempotency idempotency, int i, Map<String, AtomicInteger> runs) {
        String kind = kindOf(i);
        int m = i % 20;
        switch (kind) {
            case "read" -> {
                int read = i / 20 * 10 + i % 20;
                if (read % 100 < 9) {
                    client.query(QueryRequest.builder().tableName(ITEMS).keyConditionExpression("pk = :k")
                            .expressionAttributeValues(Map.of(":k", s("k" + (i % 100)))).build());
                } else {
                    client.getItem(get(ITEMS, "k" + (i % 100)));
                }
            }
            case "read-restricted", "cond-restricted" -> {
                try (RoutingContext.Scope sc = RoutingContext.builder().dataClass(DataClass.RESTRICTED)
                        .subjectCountry("DE").open()) {
                    if (kind.equals("read-restricted")) {
                        client.getItem(get(EU, "k" + (i % 100)));
                    } else {
                        client.putItem(PutItemRequest.builder().tableName(EU)
                                .item(Map.of("pk", s("n" + (keySeq++)))).conditionExpression("attribute_not_exists(pk)")
                                .build());
                    }
                }
            }
            case "cond" -> client.putItem(PutItemRequest.builder().tableName(ITEMS)
                    .item(Map.of("pk", s("c" + (keySeq++)))).conditionExpression("attribute_not_exists(pk)").build());
            case "plain" -> client.putItem(PutItemRequest.builder().tableName(PLAIN)
                    .item(Map.of("pk", s("p" + (keySeq++)), "v", s("x"))).build());
            default -> {
                // 17: a new key; 18: its duplicate; 19: another new key.
                String key = "key-" + (m == 18 ? keySeq - 1 : keySeq++) + "-" + System.identityHashCode(runs);
                idempotency.execute(key, "payload", () -> {
                    runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                    return "done";
                });
            }
        }
        return kind;
    }

    private Map<String, Integer> counts() {
        Map<String, Integer> m = new HashMap<>();
        for (String r : REGIONS) {
            m.put(r, regions.journal(r).count());
        }
        return m;
    }

    /** Per region (in REGIONS order), the entries journaled since {@code before}. */
    private List<List<RequestJournal.Entry>> window(Map<String, Integer> before) {
        List<List<RequestJournal.Entry>> out = new ArrayList<>();
        for (String r : REGIONS) {
            List<RequestJournal.Entry> all = regions.journal(r).entries();
            int from = Math.min(before.get(r), all.size());
            out.add(all.subList(from, all.size()));
        }
        return out;
    }

    /**
     * I5 once the journals are quiet (late SDK retries of detached attempts have arrived): each call's requests are those
     * of the SDK calls first seen during it; the calls over the budget are listed on stderr with their requests.
     */
    private void requestBudget(Stats s, Map<String, Integer> firstCall, List<String> kinds)
            throws InterruptedException {
        settle();
        Map<Integer, List<String>> byCall = new HashMap<>();
        for (String r : REGIONS) {
            for (RequestJournal.Entry e : regions.journal(r).entries()) {
                Integer call = e.invocationId().map(firstCall::get).orElse(null);
                if (call != null) {
                    byCall.computeIfAbsent(call, c -> new ArrayList<>()).add(r + " " + e.operation() + "("
                            + e.table().orElse("-") + ")" + e.fault().map(f -> "!" + f).orElse(""));
                }
            }
        }
        byCall.forEach((call, requests) -> {
            s.maxRequests = Math.max(s.maxRequests, requests.size());
            if (requests.size() > BUDGET) {
                s.i5++;
                s.overBudget.add("call " + call + " (" + kinds.get(call) + "): " + requests);
            }
        });
    }

    /** I2: the put reached two regions although the first region's answer did not prove it was not applied. */
    private static boolean unguardedWriteMovedAfterAmbiguousFailure(List<List<RequestJournal.Entry>> window) {
        List<List<RequestJournal.Entry>> reached = window.stream().filter(w -> w.stream()
                .anyMatch(e -> e.operation().equals("PutItem"))).toList();
        if (reached.size() < 2) {
            return false;
        }
        List<RequestJournal.Entry> first = reached.stream().min((a, b) -> a.get(0).time().compareTo(b.get(0).time()))
                .orElseThrow();
        return !first.stream().allMatch(e -> e.fault().filter(f -> f.equals("status(503)")
                || f.startsWith("throttle")).isPresent());
    }

    /** Calls that moved away from {@code region}: failovers from it and hedges won elsewhere while it was first. */
    private static double moved(MeterRegistry meters, String region) {
        double won = region.equals(LOCAL) ? sum(meters, "meridian.hedge.won", null) : 0;
        return sum(meters, "meridian.failover", region) + won;
    }

    private static double sum(MeterRegistry meters, String name, String fromRegion) {
        double total = 0;
        for (Counter c : meters.find(name).counters()) {
            if (fromRegion == null || fromRegion.equals(c.getId().getTag("from"))) {
                total += c.count();
            }
        }
        return total;
    }

    private static boolean servedElsewhere(List<List<RequestJournal.Entry>> window, int faulted) {
        for (int i = 0; i < window.size(); i++) {
            if (i != faulted && window.get(i).stream().anyMatch(e -> !e.faulted())) {
                return true;
            }
        }
        return false;
    }

    /** Time from the heal until the region's breaker is closed and a call was served there, driving the workload. */
    private String recovery(DynamoDbClient client, Idempotency idempotency, MultiRegion runtime, String region,
            Instant healAt, Map<String, AtomicInteger> runs) {
        Region r = Region.of(region);
        boolean opened = runtime.status(r).breaker() != RegionStatus.BreakerState.CLOSED;
        int idx = REGIONS.indexOf(region);
        for (int i = 0; Duration.between(healAt, Instant.now()).compareTo(RECOVERY_CAP) < 0; i++) {
            Map<String, Integer> before = counts();
            try {
                runOp(client, idempotency, i, runs);
            } catch (RuntimeException ignored) {
                // recovery is judged by the region's breaker and its answers, not by this call
            }
            boolean servedThere = window(before).get(idx).stream().anyMatch(e -> !e.faulted());
            if (servedThere && runtime.status(r).breaker() == RegionStatus.BreakerState.CLOSED) {
                return (opened ? "opened; " : "closed; ") + Duration.between(healAt, Instant.now()).toMillis() + " ms";
            }
        }
        return (opened ? "opened; " : "closed; ") + "> " + RECOVERY_CAP.toSeconds() + " s";
    }

    private void settle() throws InterruptedException {
        int last = -1;
        while (true) {
            int now = counts().values().stream().mapToInt(Integer::intValue).sum();
            if (now == last) {
                return;
            }
            last = now;
            Thread.sleep(1500);
        }
    }

    private record Raw(int ops, int errors, double p99, String firstSuccess) {
    }

    /**
     * The same workload (reads and writes; RESTRICTED and keyed calls as plain ones) through a raw client of the
     * local region with the SDK's standard retries, for at most the raw time budget.
     */
    private Raw raw(Fault fault, String region) {
        regions.reset();
        DynamoDbClient raw = regions.clientBuilder(LOCAL).build();
        try {
            raw.getItem(get(ITEMS, "k0"));
        } catch (RuntimeException ignored) {
            // a cold first call may time out; the measured loop below counts what follows
        }
        Instant faultAt = Instant.now();
        fault.inject().accept(regions.faults(region));
        Stats s = new Stats();
        String first = "—";
        int n = 0;
        try {
            for (; n < ops && Duration.between(faultAt, Instant.now()).compareTo(rawBudget) < 0; n++) {
                long start = System.nanoTime();
                try {
                    String kind = kindOf(n);
                    if (kind.startsWith("read")) {
                        raw.getItem(get(kind.equals("read") ? ITEMS : EU, "k" + (n % 100)));
                    } else {
                        raw.putItem(PutItemRequest.builder().tableName(PLAIN)
                                .item(Map.of("pk", s("r" + (keySeq++)))).build());
                    }
                    if (first.equals("—")) {
                        first = Duration.between(faultAt, Instant.now()).toMillis() + " ms";
                    }
                } catch (RuntimeException e) {
                    s.errors++;
                }
                s.latencies.add(System.nanoTime() - start);
            }
        } finally {
            raw.close();
            regions.healAll();
        }
        return new Raw(n, s.errors, s.percentile(99), first);
    }

    private static GetItemRequest get(String table, String key) {
        return GetItemRequest.builder().tableName(table).key(Map.of("pk", s(key))).build();
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static final class Stats {
        final List<Long> latencies = new ArrayList<>();
        int errors;
        int reads;
        int i1;
        int i2;
        int i3;
        int i5;
        int maxRequests;
        /** The workload kind and requests of each call window over the budget. */
        final List<String> overBudget = new ArrayList<>();
        long slowestMoved = -1;
        /** The operation index at which the faulted region's breaker was first seen not closed; -1 before. */
        int openedAt = -1;
        int waitsAfterOpen;

        double percentile(int p) {
            if (latencies.isEmpty()) {
                return Double.NaN;
            }
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, idx)] / 1e6;
        }
    }

    static {
        // Keep the harness output readable: Meridian and the testkit log every failover at INFO.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
}
