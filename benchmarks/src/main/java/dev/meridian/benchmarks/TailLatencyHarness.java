package dev.meridian.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.testkit.LocalAuroraGlobal;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RegionFaults;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
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
 * The fault harness of issue 19: in one JVM and one run, the same read load through four DynamoDB clients side by
 * side — Meridian with the README's configuration (which hedges reads by default: adaptive, 50 ms floor, under the
 * 10 % hedge budget), Meridian with a fixed 50 ms hedge, the raw SDK client with its
 * default settings and with capped settings (200 ms attempt timeout, 1 s call timeout) — under a refused local
 * region, a black-holed one, a black hole after a brown-out, 10 % and 100 % slow reads and throttling; then writes through Meridian's
 * {@code RoutingDataSource} and through plain HikariCP across an Aurora-style writer promotion on real PostgreSQL.
 *
 * <p>DynamoDB windows: 3 regions on the testkit's {@link LocalRegions}, the fault on the local region (eu-west-1).
 * Each client reads its own global table, so the requests it caused are the journal entries naming that table in
 * any region: <i>extra requests</i> = requests − calls (SDK retries, hedges, failover attempts), as a share of calls.
 * The load is {@code threads} threads × {@code rate} calls/s each, paced; 90 % {@code GetItem}, 10 % {@code Query},
 * so "10 % slow reads" delays the {@code Query}s (300–700 ms) and "100 % slow reads" every read. Each window builds
 * its client fresh (no breaker state carried over), warms it up under the same load (half the window, 1–3 s),
 * clears the journals, injects the fault and runs
 * for the window; <i>first success</i> is from the injection to the end of the first successful call; calls still
 * running {@code drain} after the window count as failed with the time they had waited.
 *
 * <p><b>Black hole after a brown-out</b> (the black hole once the hedge budget was spent): the local region first
 * answers every read slowly (as "100 % slow reads") for {@link #brownOut()}, the time the README config's budget
 * ({@link HedgingConfig#defaults()}: its burst and share) takes to be spent by reads that all want a hedge, then
 * black-holes for the rest of the window (whether the budget was in fact spent shows in the tokens the row reports: a
 * region left as suspect early sends no more hedges). Its row's first success is from the start of the black hole, its
 * percentiles are over the calls started after it (failed calls, calls that waited, extra requests: the whole
 * window); it adds the client's healthy p99 over its warm-up just before (for "hedge delay + 2 × healthy p99"), and
 * for Meridian clients, from a meter registry given to those clients in this window only, the
 * budget's tokens left when the black hole began and the hedges sent / refused / retried by {@code outcome}
 * ({@code proof}, {@code failover}, {@code budget}).
 *
 * <p>Writer promotion: a {@link LocalAuroraGlobal} (primary eu-west-1, replica eu-central-1); every write is an
 * {@code INSERT ... RETURNING inet_server_port()} of a unique id into a table without a key, so the witness after the
 * window says which acknowledged writes are missing on the new primary (lost) and which ids are there twice
 * (doubled). A third into the window the old primary stops (cleanly: its WAL reaches the replica) and
 * {@code PROMOTION_GAP} (1 s) later the testkit promotes the replica, as a managed promotion leaves a gap with no
 * writer;
 * <i>first write on the new writer</i> is from the moment the new writer accepts writes (the promotion returned)
 * to the first write acknowledged by it.
 *
 * <p><b>Healthy traffic, within noise of the raw client?</b> The healthy fault is not one window per client but
 * {@code rounds} rounds of windows, the clients' order rotated by one each round and reversed every other round (each
 * client runs first once in the first n rounds, and after different clients), with an A/A pair: a second raw SDK
 * client with default settings on a table of its own. Per client the summary prints the median over rounds of
 * p50/p99/p99.9 with their range, and its paired difference (and ratio) to the first raw client in the same round:
 * the machine's drift between rounds cancels. The twin's paired differences are the A/A band, the noise of this
 * machine and run: a client whose median difference lies within the band (its min–max over the rounds) is within
 * noise of the raw client. Each window also reports what its calls cost: the young and old GC pauses the JVM took
 * (collections and their total time, every thread of the process: the DynamoDB Local servers run in it too), bytes
 * allocated, CPU time and context switches per call on the calling threads, the timer threads' wake-ups per call and
 * the whole process's CPU per call.
 *
 * <p>Usage: {@code TailLatencyHarness [--quick] [--window=SECONDS] [--threads=N] [--rate=PER_THREAD_PER_SECOND]
 * [--only=NAME] [--rounds=N] [--client=NAME]} (defaults 20 s, 4 threads, 50/s, 5 rounds; {@code --quick}: 5 s
 * windows, 3 rounds; {@code --only}: the faults whose name contains it, e.g. {@code --only=promotion} or
 * {@code --only=brown-out}; {@code
 * --client}: only the DynamoDB clients whose name contains it, e.g. {@code --client=README} to profile one).
 */
public final class TailLatencyHarness {
    private static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    private static final String LOCAL = "eu-west-1";
    private static final int ITEMS = 200;
    private static final int WARM_UP_CALLS = 40;
    private static final Duration HEDGE_DELAY = Duration.ofMillis(50);
    private static final Duration SLOW_MIN = Duration.ofMillis(300);
    private static final Duration SLOW_MAX = Duration.ofMillis(700);
    /** The per-region clients' attempt timeout ({@code RegionalClientDefaults}). */
    private static final Duration ATTEMPT_TIMEOUT = RegionalClientDefaults.overrideConfiguration()
            .apiCallAttemptTimeout().orElseThrow();

    private final Duration window;
    /** Each DynamoDB client runs the load this long before its window (JIT, connections, the routing's estimates). */
    private final Duration warmUp;
    private final Duration drain;
    private final String only;
    private final int threads;
    private final int rate;
    private final int rounds;
    private final String client;

    private TailLatencyHarness(Duration window, int threads, int rate, String only, int rounds, String client) {
        this.window = window;
        this.rounds = rounds;
        this.client = client;
        this.warmUp = Duration.ofSeconds(Math.min(3, Math.max(1, window.toSeconds() / 2)));
        this.only = only;
        this.drain = Duration.ofSeconds(Math.max(3, window.toSeconds() / 4));
        this.threads = threads;
        this.rate = rate;
    }

    /**
     * A DynamoDB client under test; each reads its own table. {@code build} is given a meter registry for the windows
     * that read Meridian's meters (null otherwise: a raw client ignores it).
     */
    private record Contender(String name, String table, Function<@Nullable MeterRegistry, DynamoDbClient> build) {
    }

    /**
     * A fault on the local region; a staged one ({@code then} not null) turns into {@code then} after
     * {@link #brownOut()}.
     */
    private record Fault(String name, Consumer<RegionFaults> inject, @Nullable Consumer<RegionFaults> then) {
        Fault(String name, Consumer<RegionFaults> inject) {
            this(name, inject, null);
        }
    }

    private static RegionFaults allReadsSlow(RegionFaults f) {
        return f.only("GetItem", "Query").latency(SLOW_MIN, SLOW_MAX);
    }

    private static final Fault HEALTHY = new Fault("healthy", f -> { });
    private static final List<Fault> FAULTS = List.of(
            HEALTHY,
            new Fault("refused region", RegionFaults::down),
            new Fault("black hole", RegionFaults::blackhole),
            // The region-wide black hole goes on before the reads' slowness comes off (an operation's fault wins over
            // the region's), so no read finds the region healthy in between.
            new Fault("black hole after a brown-out (budget spent)", TailLatencyHarness::allReadsSlow,
                    f -> {
                        f.blackhole();
                        f.only("GetItem", "Query").heal();
                    }),
            new Fault("10 % slow reads", f -> f.only("Query").latency(SLOW_MIN, SLOW_MAX)),
            new Fault("100 % slow reads", TailLatencyHarness::allReadsSlow),
            new Fault("throttling", RegionFaults::throttle));

    private static final String PROMOTION = "writer promotion";
    /** Between the old writer stopping and the new one accepting writes: a managed promotion takes longer still. */
    private static final Duration PROMOTION_GAP = Duration.ofSeconds(1);

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        List<String> a = Arrays.asList(args);
        boolean quick = a.contains("--quick");
        Duration window = Duration.ofSeconds(intArg(a, "--window", quick ? 5 : 20));
        String only = a.stream().filter(s -> s.startsWith("--only=")).findFirst().map(s -> s.substring(7)).orElse("");
        String client = a.stream().filter(s -> s.startsWith("--client=")).findFirst().map(s -> s.substring(9))
                .orElse("");
        TailLatencyHarness h = new TailLatencyHarness(window, intArg(a, "--threads", 4), intArg(a, "--rate", 50), only,
                intArg(a, "--rounds", quick ? 3 : 5), client);
        System.out.printf(Locale.ROOT, "TailLatencyHarness: %s, window %d s, %d threads x %d calls/s, %d cores, Java %s, %s %s%n",
                Instant.now(), window.toSeconds(), h.threads, h.rate, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.version"));
        if (FAULTS.stream().anyMatch(f -> f.name().contains(only))) {
            h.dynamoDbWindows();
        }
        if (PROMOTION.contains(only)) {
            h.promotionWindows();
        }
    }

    private static int intArg(List<String> args, String name, int fallback) {
        return args.stream().filter(s -> s.startsWith(name + "=")).findFirst()
                .map(s -> Integer.parseInt(s.substring(name.length() + 1))).orElse(fallback);
    }

    // ---------------------------------------------------------------- DynamoDB

    private void dynamoDbWindows() {
        try (LocalRegions regions = LocalRegions.start(REGIONS.toArray(String[]::new))) {
            Function<@Nullable MeterRegistry, DynamoDbClient> rawDefaults = registry -> regions.clientBuilder(LOCAL)
                    .overrideConfiguration(ClientOverrideConfiguration.builder().build()).build();
            List<Contender> contenders = selected(List.of(
                    new Contender(RAW, "t_raw", rawDefaults),
                    new Contender("Meridian, README config (default hedging)", "t_readme", registry -> meridian(regions, HedgingConfig.disabled(), false, registry)),
                    new Contender("raw SDK, capped (200 ms attempt, 1 s call)", "t_capped", registry -> regions.clientBuilder(LOCAL)
                            .overrideConfiguration(ClientOverrideConfiguration.builder()
                                    .apiCallAttemptTimeout(Duration.ofMillis(200)).apiCallTimeout(Duration.ofSeconds(1))
                                    .build()).build()),
                    new Contender("Meridian, 50 ms hedge", "t_hedged", registry -> meridian(regions, HedgingConfig.fixed(HEDGE_DELAY), true, registry))));
            boolean healthy = HEALTHY.name().contains(only);
            // The A/A twin: a second raw client, so the healthy summary shows what the same client differs by itself.
            List<Contender> healthyContenders = new ArrayList<>(contenders);
            if (healthy && contenders.stream().anyMatch(c -> c.name().equals(RAW))) {
                healthyContenders.add(new Contender(RAW_TWIN, "t_raw_twin", rawDefaults));
            }
            for (Contender c : healthy ? healthyContenders : contenders) {
                regions.createGlobalTable(table(c.table()));
                DynamoDbClient seed = regions.client(LOCAL);
                for (int i = 0; i < ITEMS; i++) {
                    PutItemRequest put = PutItemRequest.builder().tableName(c.table())
                            .item(Map.of("pk", s("k" + i), "v", s("x"))).build();
                    retried(() -> seed.putItem(put));
                }
            }
            regions.awaitReplication(Duration.ofSeconds(120));
            // One unreported healthy window per contender first: the rows run in order, and without it the first rows
            // would carry the JIT's warm-up of the SDK's path, which the later rows find done.
            for (Contender c : healthy ? healthyContenders : contenders) {
                orFailure("warm-up", c.name(), () -> dynamoDbWindow(regions, HEALTHY, c).row());
            }
            System.out.println();
            System.out.println("| fault (eu-west-1) | client | calls | failed | first success after the fault | p50 ms |"
                    + " p99 ms | p99.9 ms | extra requests | calls that waited >= " + ATTEMPT_TIMEOUT.toMillis()
                    + " ms | young / old GCs (pause ms) | caller B/call | caller CPU µs/call |"
                    + " caller switches/call (vol / invol) | timer-thread switches/call | process CPU µs/call |"
                    + (FAULTS.stream().anyMatch(f -> f.then() != null && f.name().contains(only))
                            ? " brown-out; Meridian's hedges (staged fault) |" : ""));
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
                    + (FAULTS.stream().anyMatch(f -> f.then() != null && f.name().contains(only)) ? "---|" : ""));
            if (healthy) {
                healthyRounds(regions, healthyContenders);
            }
            for (Fault fault : FAULTS) {
                if (fault == HEALTHY || !fault.name().contains(only)) {
                    continue;
                }
                for (Contender c : contenders) {
                    System.out.println(orFailure(fault.name(), c.name(), () -> dynamoDbWindow(regions, fault, c).row()));
                }
            }
            System.out.println();
            System.out.println(idleTimerWakeUps());
        }
    }

    /**
     * How often the timer threads wake up with every client closed and no call made: what the windows left behind
     * on the timers (a task of a past call still firing would show here).
     */
    private static String idleTimerWakeUps() {
        Duration idle = Duration.ofSeconds(3);
        long before = ContextSwitches.ofTimerThreads();
        long beforeMeridian = ContextSwitches.ofThreads(MERIDIAN_SDK_TIMEOUTS);
        pause(idle);
        long wakeUps = ContextSwitches.ofTimerThreads() - before;
        long meridian = ContextSwitches.ofThreads(MERIDIAN_SDK_TIMEOUTS) - beforeMeridian;
        return String.format(Locale.ROOT, "Timer threads idle after the windows: %.1f wake-ups/s (%d in %d s), of which"
                + " Meridian's SDK timeout thread %.1f/s (the rest: the testkit's own SDK clients)",
                (double) wakeUps / idle.toSeconds(), wakeUps, idle.toSeconds(), (double) meridian / idle.toSeconds());
    }

    private static final String RAW = "raw SDK, defaults";
    /** The thread of Meridian's SDK timeout timer ({@code meridian-sdk-timeouts-N}) as Linux names it. */
    private static final String MERIDIAN_SDK_TIMEOUTS = "meridian-sdk";
    private static final String RAW_TWIN = "raw SDK, defaults (A/A twin)";

    /** The contenders {@code --client} names (all without it). */
    private List<Contender> selected(List<Contender> all) {
        String wanted = client.toLowerCase(Locale.ROOT);
        return all.stream().filter(c -> c.name().toLowerCase(Locale.ROOT).contains(wanted)).toList();
    }

    /**
     * The healthy windows: {@code rounds} rounds, each running every contender once, the order rotated by one each
     * round and reversed every other round; one row per window, then the summary over the rounds ({@link HealthySummary}).
     */
    private void healthyRounds(LocalRegions regions, List<Contender> contenders) {
        Map<String, List<Measured>> byClient = new LinkedHashMap<>();
        contenders.forEach(c -> byClient.put(c.name(), new ArrayList<>()));
        int n = contenders.size();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < n; i++) {
                // Rotated by one each round, and every other round in reverse: each client runs first once in n rounds
                // and after different clients (what a window leaves behind does not always fall on the same one).
                Contender c = contenders.get(round % 2 == 0 ? (i + round) % n : Math.floorMod(round - i, n));
                String fault = HEALTHY.name() + " (round " + (round + 1) + ")";
                try {
                    Measured m = dynamoDbWindow(regions, HEALTHY, c);
                    byClient.get(c.name()).add(m);
                    System.out.println(m.row().replaceFirst("^\\| healthy \\|", "| " + fault + " |"));
                } catch (RuntimeException e) {
                    e.printStackTrace();
                    byClient.get(c.name()).add(null); // keeps the rounds paired: this round has no figure
                    System.out.println("| " + fault + " | " + c.name() + " | harness failure: " + e + " |");
                }
            }
        }
        System.out.println();
        System.out.println(new HealthySummary(byClient, rounds).table());
    }

    /** A window's row, or a row saying why the window could not be measured (the run goes on with the next one). */
    private static String orFailure(String fault, String client, Supplier<String> window) {
        try {
            return window.get();
        } catch (RuntimeException e) {
            e.printStackTrace();
            return "| " + fault + " | " + client + " | harness failure: " + e + " |";
        }
    }

    /** Seeding on a loaded machine may time out once or twice: a put is idempotent, so it is sent again. */
    private static void retried(Runnable put) {
        for (int attempt = 1; ; attempt++) {
            try {
                put.run();
                return;
            } catch (RuntimeException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /**
     * The README's configuration (three regions, local-first from eu-west-1, per-region clients with
     * {@code RegionalClientDefaults}); {@code hedged} sets the given hedging, otherwise the configuration's default;
     * meters go to {@code registry} when one is given.
     */
    private static DynamoDbClient meridian(LocalRegions regions, HedgingConfig hedging, boolean hedged,
            @Nullable MeterRegistry registry) {
        MultiRegionConfig.Builder config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").priority(2))
                .localRegion(Region.EU_WEST_1)
                .routing(RoutingStrategy.localFirst());
        if (hedged) {
            config.hedging(hedging);
        }
        MultiRegionDynamoDb.Builder builder = MultiRegionDynamoDb.builder().config(config.build())
                .clientFactory(r -> regions.clientBuilder(r.id())
                        .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build());
        if (registry != null) {
            builder.meterRegistry(registry);
        }
        return builder.build();
    }

    private static CreateTableRequest table(String name) {
        return CreateTableRequest.builder().tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .build();
    }

    private static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    private static void read(DynamoDbClient client, String table) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String key = "k" + random.nextInt(ITEMS);
        if (random.nextInt(10) == 0) {
            client.query(QueryRequest.builder().tableName(table).keyConditionExpression("pk = :k")
                    .expressionAttributeValues(Map.of(":k", s(key))).build());
        } else {
            client.getItem(GetItemRequest.builder().tableName(table).key(Map.of("pk", s(key))).build());
        }
    }

    /** A window's row and its figures (the healthy summary pairs them by round). */
    private record Measured(String row, double p50, double p99, double p999) {
    }

    /**
     * How long the brown-out of the staged fault lasts: the reads it takes the README config's budget to be spent when
     * every read wants a hedge ({@code burst / (1 − share)}: each read earns {@code share} of a token), at the load's
     * pace or, if slower, at one read per hedge delay per thread (a hedged slow read ends when its hedge answers),
     * plus one hedge delay, so that the last of them have asked for their hedge. Not longer: a region whose reads
     * stall while their hedges answer is soon ejected, and the reads that then go elsewhere earn the budget back.
     */
    private Duration brownOut() {
        HedgingConfig readme = HedgingConfig.defaults();
        double reads = Math.ceil(readme.budgetBurst() / (1 - readme.budgetShare()));
        double paced = reads / (threads * (double) rate);
        double hedged = reads / threads * HEDGE_DELAY.toNanos() / 1e9;
        return Duration.ofNanos((long) (Math.max(paced, hedged) * 1e9)).plus(HEDGE_DELAY);
    }

    private Measured dynamoDbWindow(LocalRegions regions, Fault fault, Contender c) {
        regions.healAll();
        @Nullable MeterRegistry registry = fault.then() != null && c.name().startsWith("Meridian")
                ? new SimpleMeterRegistry() : null;
        DynamoDbClient client = c.build().apply(registry);
        try {
            Window healthy = run(System.nanoTime(), warmUp, () -> {
                read(client, c.table());
                return null;
            });
            pause(Duration.ofMillis(300));
            regions.journalsClear();
            GcPauses gcBefore = GcPauses.now();
            HedgeCounts hedgesBefore = HedgeCounts.of(registry);
            long faultAt = System.nanoTime();
            fault.inject().accept(regions.faults(LOCAL));
            Consumer<RegionFaults> then = fault.then();
            Thread stage = null;
            long[] stagedAt = {faultAt};
            String[] tokensLeft = {"—"};
            if (then != null) {
                long at = faultAt + brownOut().toNanos();
                stage = new Thread(() -> {
                    parkNanos(at - System.nanoTime());
                    Gauge budget = registry == null ? null : registry.find("meridian.hedge.budget").gauge();
                    tokensLeft[0] = budget == null ? "—" : String.format(Locale.ROOT, "%.1f", budget.value());
                    then.accept(regions.faults(LOCAL));
                    stagedAt[0] = System.nanoTime();
                }, "harness-stage");
                stage.start();
            }
            Window w = run(faultAt, window, () -> {
                read(client, c.table());
                return null;
            });
            Window part = w;
            if (stage != null) {
                try {
                    stage.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                part = w.from(stagedAt[0]);
            }
            GcPauses gc = GcPauses.now().since(gcBefore);
            regions.healAll();
            pause(Duration.ofMillis(500)); // let detached attempts and late SDK retries reach the journals
            int requests = 0;
            for (String r : REGIONS) {
                requests += (int) regions.journal(r).entries().stream()
                        .filter(e -> e.table().filter(c.table()::equals).isPresent()).count();
            }
            int calls = w.calls();
            String extra = String.format(Locale.ROOT, "%+d (%.1f %%)", requests - calls,
                    calls == 0 ? 0.0 : 100.0 * (requests - calls) / calls);
            String row = String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %d | %s | %s |",
                    fault.name(), c.name(), calls, w.failed(), part.firstSuccess(), part.percentile(50),
                    part.percentile(99), part.percentile(99.9), extra, w.waitedAtLeast(ATTEMPT_TIMEOUT), gc, w.costs.perCall(calls));
            if (then != null) {
                row += String.format(Locale.ROOT, " brown-out %d ms; healthy p99 (warm-up) %s ms%s |",
                        brownOut().toMillis(), healthy.percentile(99), registry == null ? ""
                        : "; tokens at the black hole " + tokensLeft[0] + "; "
                                + HedgeCounts.of(registry).since(hedgesBefore));
            }
            return new Measured(row, part.millis(50), part.millis(99), part.millis(99.9));
        } finally {
            client.close(); // also ends calls still held by a black hole
        }
    }

    /**
     * Meridian's hedges so far from its meters ({@code meridian.hedge.*}, all regions): sent, refused, and the refused
     * ones sent later by {@code outcome}.
     */
    private record HedgeCounts(long sent, long refused, long proof, long failover, long budget) {
        static HedgeCounts of(@Nullable MeterRegistry registry) {
            if (registry == null) {
                return new HedgeCounts(0, 0, 0, 0, 0);
            }
            return new HedgeCounts(count(registry, "meridian.hedge.sent", null),
                    count(registry, "meridian.hedge.refused", null), count(registry, "meridian.hedge.retried", "proof"),
                    count(registry, "meridian.hedge.retried", "failover"),
                    count(registry, "meridian.hedge.retried", "budget"));
        }

        private static long count(MeterRegistry registry, String name, @Nullable String outcome) {
            var search = registry.find(name);
            if (outcome != null) {
                search = search.tag("outcome", outcome);
            }
            return Math.round(search.counters().stream().mapToDouble(Counter::count).sum());
        }

        HedgeCounts since(HedgeCounts before) {
            return new HedgeCounts(sent - before.sent, refused - before.refused, proof - before.proof,
                    failover - before.failover, budget - before.budget);
        }

        @Override
        public String toString() {
            return "hedges sent " + sent + " / refused " + refused + " / retried proof " + proof + ", failover "
                    + failover + ", budget " + budget;
        }
    }

    /** Collections and their total time so far, young and old (the JVM's collector beans, every thread). */
    private record GcPauses(long young, long youngMillis, long old, long oldMillis) {
        static GcPauses now() {
            long y = 0;
            long ym = 0;
            long o = 0;
            long om = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                // G1's "G1 Young Generation", Parallel's "PS Scavenge", Serial's "Copy"; the rest are old or mixed.
                String name = gc.getName();
                boolean young = name.contains("Young") || name.contains("Scavenge") || name.equals("Copy")
                        || name.contains("ParNew");
                if (young) {
                    y += gc.getCollectionCount();
                    ym += gc.getCollectionTime();
                } else {
                    o += gc.getCollectionCount();
                    om += gc.getCollectionTime();
                }
            }
            return new GcPauses(y, ym, o, om);
        }

        GcPauses since(GcPauses before) {
            return new GcPauses(young - before.young, youngMillis - before.youngMillis, old - before.old,
                    oldMillis - before.oldMillis);
        }

        @Override
        public String toString() {
            return young + " / " + old + " (" + (youngMillis + oldMillis) + ")";
        }
    }

    /**
     * The healthy summary: per client, the median over rounds of p50/p99/p99.9 with their range, and the paired
     * difference and ratio to the raw client of the same round (median and range), the A/A twin's being the noise band.
     */
    private static final class HealthySummary {
        private final Map<String, List<Measured>> byClient;
        private final int rounds;

        HealthySummary(Map<String, List<Measured>> byClient, int rounds) {
            this.byClient = byClient;
            this.rounds = rounds;
        }

        String table() {
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "Healthy over %d rounds (rotated order): median [min–max] of the"
                    + " rounds; vs raw = paired difference to '%s' in the same round, median [min–max], and the"
                    + " median ratio%n%n", rounds, RAW));
            out.append("| client | p50 ms | p99 ms | p99.9 ms | p50 vs raw | p99 vs raw | p99.9 vs raw |\n");
            out.append("|---|---|---|---|---|---|---|\n");
            List<Measured> raw = byClient.getOrDefault(RAW, List.of());
            for (Map.Entry<String, List<Measured>> e : byClient.entrySet()) {
                List<Measured> m = e.getValue();
                out.append("| ").append(e.getKey())
                        .append(" | ").append(spread(values(m, Measured::p50)))
                        .append(" | ").append(spread(values(m, Measured::p99)))
                        .append(" | ").append(spread(values(m, Measured::p999)))
                        .append(" | ").append(vsRaw(m, raw, Measured::p50))
                        .append(" | ").append(vsRaw(m, raw, Measured::p99))
                        .append(" | ").append(vsRaw(m, raw, Measured::p999))
                        .append(" |\n");
            }
            List<Measured> twin = byClient.get(RAW_TWIN);
            if (twin != null && !raw.isEmpty()) {
                out.append('\n').append("Median paired difference against the A/A band (the twin's paired differences,"
                        + " min–max) — p50 / p99: ");
                List<String> verdicts = new ArrayList<>();
                for (Map.Entry<String, List<Measured>> e : byClient.entrySet()) {
                    if (!e.getKey().equals(RAW) && !e.getKey().equals(RAW_TWIN)) {
                        verdicts.add(e.getKey() + " " + within(e.getValue(), raw, twin, Measured::p50) + " / "
                                + within(e.getValue(), raw, twin, Measured::p99));
                    }
                }
                out.append(String.join("; ", verdicts)).append('\n');
            }
            return out.toString();
        }

        private static List<Double> values(List<Measured> m, ToDoubleFunction<Measured> f) {
            return m.stream().filter(Objects::nonNull).mapToDouble(f).boxed().sorted().toList();
        }

        /** Per round where both have a figure: {@code m − raw}. */
        private static List<Double> differences(List<Measured> m, List<Measured> raw,
                ToDoubleFunction<Measured> f) {
            List<Double> d = new ArrayList<>();
            for (int i = 0; i < Math.min(m.size(), raw.size()); i++) {
                if (m.get(i) != null && raw.get(i) != null) {
                    d.add(f.applyAsDouble(m.get(i)) - f.applyAsDouble(raw.get(i)));
                }
            }
            d.sort(null);
            return d;
        }

        private static String vsRaw(List<Measured> m, List<Measured> raw,
                ToDoubleFunction<Measured> f) {
            if (m == raw) {
                return "—";
            }
            List<Double> d = differences(m, raw, f);
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < Math.min(m.size(), raw.size()); i++) {
                if (m.get(i) != null && raw.get(i) != null) {
                    ratios.add(f.applyAsDouble(m.get(i)) / f.applyAsDouble(raw.get(i)));
                }
            }
            ratios.sort(null);
            if (d.isEmpty()) {
                return "—";
            }
            return String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f] ×%.2f", median(d), d.get(0), d.get(d.size() - 1),
                    median(ratios));
        }

        private static String within(List<Measured> m, List<Measured> raw, List<Measured> twin,
                ToDoubleFunction<Measured> f) {
            List<Double> d = differences(m, raw, f);
            List<Double> band = differences(twin, raw, f);
            if (d.isEmpty() || band.isEmpty()) {
                return "—";
            }
            double med = median(d);
            if (med < band.get(0)) {
                return "below (faster than the noise)";
            }
            return med > band.get(band.size() - 1) ? "above (slower than the noise)" : "within";
        }

        private static String spread(List<Double> sorted) {
            if (sorted.isEmpty()) {
                return "—";
            }
            return String.format(Locale.ROOT, "%.2f [%.2f–%.2f]", median(sorted), sorted.get(0),
                    sorted.get(sorted.size() - 1));
        }

        private static double median(List<Double> sorted) {
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }

    // ---------------------------------------------------------------- the load

    /** One call's outcome: when it started and ended (nanoTime) and whether it succeeded. */
    private record Call(long start, long end, boolean ok, Object result) {
    }

    /** The calls of one window. */
    private final class Window {
        private final long faultAt;
        private final List<Call> done = new ArrayList<>();
        private final List<Long> unfinished = new ArrayList<>();
        private final long drainedAt;

        private final Costs costs;

        Window(long faultAt, List<Call> done, List<Long> unfinished, long drainedAt, Costs costs) {
            this.faultAt = faultAt;
            this.costs = costs;
            this.done.addAll(done);
            this.unfinished.addAll(unfinished);
            this.drainedAt = drainedAt;
        }

        int calls() {
            return done.size() + unfinished.size();
        }

        /** The calls of this window started at or after {@code at} (a staged fault's second stage), timed from it. */
        Window from(long at) {
            return new Window(at, done.stream().filter(c -> c.start() >= at).toList(),
                    unfinished.stream().filter(start -> start >= at).toList(), drainedAt, costs);
        }

        long failed() {
            return done.stream().filter(c -> !c.ok()).count() + unfinished.size();
        }

        String firstSuccess() {
            return done.stream().filter(Call::ok).mapToLong(Call::end).min()
                    .stream().mapToObj(e -> (e - faultAt) / 1_000_000 + " ms").findFirst().orElse("—");
        }

        /** Calls (finished or not) that took or waited at least {@code d}. */
        long waitedAtLeast(Duration d) {
            long nanos = d.toNanos();
            return done.stream().filter(c -> c.end() - c.start() >= nanos).count()
                    + unfinished.stream().filter(start -> drainedAt - start >= nanos).count();
        }

        /** The {@code p}th percentile in milliseconds (calls still running count with the time they waited). */
        double millis(double p) {
            List<Long> nanos = sortedNanos();
            return nanos.isEmpty() ? Double.NaN : nanos.get(index(p, nanos.size())) / 1e6;
        }

        /** As {@link #millis}, printed; "> " when it is the wait of a call still running. */
        String percentile(double p) {
            int n = calls();
            if (n == 0) {
                return "—";
            }
            double millis = millis(p);
            boolean censored = !unfinished.isEmpty() && index(p, n) >= done.size();
            return (censored ? "> " : "") + String.format(Locale.ROOT, millis < 10 ? "%.1f" : "%.0f", millis);
        }

        private List<Long> sortedNanos() {
            List<Long> nanos = new ArrayList<>();
            done.forEach(c -> nanos.add(c.end() - c.start()));
            unfinished.forEach(start -> nanos.add(drainedAt - start));
            nanos.sort(null);
            return nanos;
        }

        private static int index(double p, int size) {
            return Math.max(0, Math.min(size - 1, (int) Math.ceil(p / 100.0 * size) - 1));
        }
    }

    /**
     * What a window's calls cost: bytes allocated, CPU time and context switches (voluntary: the thread blocked;
     * involuntary: it was preempted) on the load threads, which make the calls; the wake-ups of the timer threads
     * (Meridian's {@code meridian-sdk-timeouts}/{@code meridian-hedge-*} and the SDK's own
     * {@code sdk-ScheduledExecutor-*}: their context switches); and the CPU time of the whole process (the DynamoDB
     * Local servers, the SDK's and Meridian's threads included).
     */
    private record Costs(long allocatedBytes, long voluntarySwitches, long involuntarySwitches, long callerCpuNanos,
            long timerSwitches, long processCpuNanos) {
        String perCall(int calls) {
            if (calls == 0) {
                return "— | — | — | — | — | —";
            }
            return String.format(Locale.ROOT, "%d | %d | %.2f / %.2f | %.2f | %d", allocatedBytes / calls,
                    callerCpuNanos / 1_000 / calls, (double) voluntarySwitches / calls,
                    (double) involuntarySwitches / calls, (double) timerSwitches / calls,
                    processCpuNanos / 1_000 / calls);
        }
    }

    /** The process's CPU time so far (every thread), or 0 where the platform does not say. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /** The calling thread's context switches, voluntary and involuntary, from Linux's /proc (0 elsewhere). */
    private static final class ContextSwitches {
        private static final Path SELF = Path.of("/proc/thread-self/status");

        static long[] ofThisThread() {
            long[] out = new long[2];
            try {
                for (String line : Files.readAllLines(SELF)) {
                    if (line.startsWith("voluntary_ctxt_switches:")) {
                        out[0] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                        out[1] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Not Linux: the columns read 0.
            }
            return out;
        }

        /**
         * Context switches so far of the live timer threads: Meridian's (names starting {@code meridian-sdk} or
         * {@code meridian-hedge}, as Linux truncates them) and the SDK's ({@code sdk-ScheduledEx...}).
         */
        static long ofTimerThreads() {
            return ofThreads("meridian-sdk", "meridian-hedge", "sdk-Scheduled");
        }

        /** Context switches so far of the live threads whose (Linux, truncated) name starts with one of these. */
        static long ofThreads(String... prefixes) {
            long sum = 0;
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String name = Files.readString(task.resolve("comm")).trim();
                        if (Arrays.stream(prefixes).noneMatch(name::startsWith)) {
                            continue;
                        }
                        for (String line : Files.readAllLines(task.resolve("status"))) {
                            if (line.startsWith("voluntary_ctxt_switches:")
                                    || line.startsWith("nonvoluntary_ctxt_switches:")) {
                                sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        // The thread ended while being read.
                    }
                }
            } catch (IOException | RuntimeException e) {
                return 0; // not Linux
            }
            return sum;
        }
    }

    /** Runs {@code call} on {@code threads} paced threads for {@code length} from {@code faultAt}. */
    private Window run(long faultAt, Duration length, Callable<Object> call) {
        ConcurrentLinkedQueue<Call> done = new ConcurrentLinkedQueue<>();
        Map<Integer, Long> running = new ConcurrentHashMap<>();
        AtomicInteger ids = new AtomicInteger();
        long end = faultAt + length.toNanos();
        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "harness-load");
            t.setDaemon(true);
            return t;
        });
        AtomicLong allocated = new AtomicLong();
        AtomicLong voluntary = new AtomicLong();
        AtomicLong involuntary = new AtomicLong();
        AtomicLong callerCpu = new AtomicLong();
        long cpuBefore = processCpuNanos();
        long timerSwitchesBefore = ContextSwitches.ofTimerThreads();
        com.sun.management.ThreadMXBean memory = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int t = 0; t < threads; t++) {
            long offset = period * t / threads;
            pool.execute(() -> {
                long allocatedBefore = memory.getCurrentThreadAllocatedBytes();
                long[] switchesBefore = ContextSwitches.ofThisThread();
                long cpuOfThreadBefore = memory.getCurrentThreadCpuTime();
                long next = faultAt + offset;
                while (next < end) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        parkNanos(wait);
                    }
                    int id = ids.incrementAndGet();
                    long start = System.nanoTime();
                    running.put(id, start);
                    Object result = null;
                    boolean ok;
                    try {
                        result = call.call();
                        ok = true;
                    } catch (Exception e) {
                        ok = false;
                    }
                    running.remove(id);
                    done.add(new Call(start, System.nanoTime(), ok, result));
                    next = Math.max(next + period, System.nanoTime() - period); // no catch-up burst after a stall
                }
                allocated.addAndGet(memory.getCurrentThreadAllocatedBytes() - allocatedBefore);
                callerCpu.addAndGet(memory.getCurrentThreadCpuTime() - cpuOfThreadBefore);
                long[] switchesAfter = ContextSwitches.ofThisThread();
                voluntary.addAndGet(switchesAfter[0] - switchesBefore[0]);
                involuntary.addAndGet(switchesAfter[1] - switchesBefore[1]);
            });
        }
        pool.shutdown();
        try {
            pool.awaitTermination(length.toNanos() + drain.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long drainedAt = System.nanoTime();
        long cpu = processCpuNanos() - cpuBefore;
        long timerSwitches = ContextSwitches.ofTimerThreads() - timerSwitchesBefore;
        List<Long> stuck = new ArrayList<>(running.values());
        pool.shutdownNow();
        return new Window(faultAt, new ArrayList<>(done), stuck, drainedAt,
                new Costs(allocated.get(), voluntary.get(), involuntary.get(), callerCpu.get(), timerSwitches, cpu));
    }

    /** Parks for {@code nanos}, even if woken early. */
    private static void parkNanos(long nanos) {
        long until = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static void pause(Duration d) {
        parkNanos(d.toNanos());
    }

    // ---------------------------------------------------------------- writer promotion (JDBC)

    private void promotionWindows() throws SQLException {
        try (LocalAuroraGlobal aurora = LocalAuroraGlobal.start("eu-west-1", "eu-central-1")) {
            try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE writes (id text NOT NULL, note text)"); // no key: a doubled write shows twice
            }
            aurora.awaitReplicasCaughtUp();
            System.out.println();
            System.out.println("| fault | client | writes | failed | first write on the new writer after it accepts writes"
                    + " | p50 ms | p99 ms | p99.9 ms | slowest ms | lost | doubled |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            System.out.println(promotionWindow(aurora, "Meridian RoutingDataSource (README config)", "m",
                    () -> meridianDataSource(aurora)));
            System.out.println(promotionWindow(aurora, "raw HikariCP on the writer URL, defaults (30 s connectionTimeout)",
                    "d", () -> hikari(aurora, 30_000)));
            System.out.println(promotionWindow(aurora, "raw HikariCP on the writer URL, capped (250 ms connectionTimeout)",
                    "c", () -> hikari(aurora, 250)));
        }
    }

    private static HikariConfig poolTemplate(LocalAuroraGlobal aurora, long connectionTimeoutMillis) {
        HikariConfig pool = new HikariConfig();
        pool.setUsername(aurora.user());
        pool.setPassword(aurora.password());
        pool.setMaximumPoolSize(10);
        pool.setConnectionTimeout(connectionTimeoutMillis);
        return pool;
    }

    /** The sdk-aurora README's data source: the README's regions, {@code PostgresTopologyDiscovery}, a 2 s pool timeout. */
    private static AutoCloseableDataSource meridianDataSource(LocalAuroraGlobal aurora) {
        MultiRegion runtime = MultiRegion.builder(MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
                .localRegion(Region.EU_CENTRAL_1)
                .routing(RoutingStrategy.localFirst())
                .build()).build();
        RoutingDataSource ds = RoutingDataSource.builder().multiRegion(runtime)
                .discovery(PostgresTopologyDiscovery.builder()
                        .node(Region.EU_WEST_1, aurora.jdbcUrl("eu-west-1"))
                        .node(Region.EU_CENTRAL_1, aurora.jdbcUrl("eu-central-1"))
                        .user(aurora.user()).password(aurora.password()).build())
                .poolTemplate(poolTemplate(aurora, 2000))
                .build();
        return new AutoCloseableDataSource(ds, () -> {
            ds.close();
            runtime.close();
        });
    }

    private static AutoCloseableDataSource hikari(LocalAuroraGlobal aurora, long connectionTimeoutMillis) {
        HikariConfig config = poolTemplate(aurora, connectionTimeoutMillis);
        config.setJdbcUrl(aurora.writerJdbcUrl());
        config.setInitializationFailTimeout(-1);
        HikariDataSource ds = new HikariDataSource(config);
        return new AutoCloseableDataSource(ds, ds::close);
    }

    /** A data source and how to close it. */
    private record AutoCloseableDataSource(DataSource dataSource, Runnable close) {
    }

    private String promotionWindow(LocalAuroraGlobal aurora, String name, String prefix,
            Supplier<AutoCloseableDataSource> build) throws SQLException {
        String from = aurora.primaryRegion();
        String to = aurora.regions().stream().filter(r -> !r.equals(from)).findFirst().orElseThrow();
        int newPort = aurora.port(to);
        AutoCloseableDataSource ds = build.get();
        AtomicInteger seq = new AtomicInteger();
        long[] acceptsWritesAt = new long[1];
        Window w;
        try {
            for (int i = 0; i < WARM_UP_CALLS; i++) {
                insert(ds.dataSource(), prefix + "-warm-" + i);
            }
            long start = System.nanoTime();
            Thread promoter = new Thread(() -> {
                pause(window.dividedBy(3));
                aurora.stop(from);
                pause(PROMOTION_GAP);
                aurora.promote(to);
                acceptsWritesAt[0] = System.nanoTime();
            }, "harness-promotion");
            promoter.start();
            w = run(start, window, () -> {
                String id = prefix + "-" + seq.incrementAndGet();
                return new Write(id, insert(ds.dataSource(), id));
            });
            promoter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            ds.close().run();
        }
        String firstOnNew = w.done.stream().filter(c -> c.ok() && ((Write) c.result()).port() == newPort)
                .mapToLong(Call::end).min().stream()
                .mapToObj(e -> (e - acceptsWritesAt[0]) / 1_000_000 + " ms").findFirst().orElse("— (none)");
        Map<String, Integer> rows = new HashMap<>();
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
             PreparedStatement ps = c.prepareStatement("SELECT id, count(*) FROM writes WHERE id LIKE ? GROUP BY id")) {
            ps.setString(1, prefix + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        long lost = w.done.stream().filter(Call::ok).map(c -> ((Write) c.result()).id())
                .filter(id -> !rows.containsKey(id)).count();
        long doubled = rows.values().stream().filter(n -> n > 1).count();
        aurora.start(from); // back as a replica: the next window promotes it again
        aurora.awaitReplicasCaughtUp();
        return String.format(Locale.ROOT, "| " + PROMOTION + " %s → %s (%d ms gap) | %s | %d | %d | %s | %s | %s | %s | %s"
                + " | %d | %d |", from, to, PROMOTION_GAP.toMillis(), name, w.calls(), w.failed(), firstOnNew,
                w.percentile(50), w.percentile(99), w.percentile(99.9), w.percentile(100), lost, doubled);
    }

    /** An acknowledged write: its id and the port of the server that acknowledged it. */
    private record Write(String id, int port) {
    }

    private static int insert(DataSource ds, String id) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO writes VALUES (?, 'x') RETURNING inet_server_port()")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
