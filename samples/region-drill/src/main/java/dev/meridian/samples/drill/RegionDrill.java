package dev.meridian.samples.drill;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.client.WriteMode;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.dynamodb.lww.LwwWrites;
import dev.meridian.testkit.LocalAuroraGlobal;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.ReplicationTimeoutException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The region drill: three local regions (eu-west-1 is local) with DynamoDB global tables and an Aurora global
 * database (PostgreSQL primary in eu-central-1, replicas in eu-west-1 and us-east-1), and a steady stream of reads,
 * idempotent writes, last-writer-wins writes, keyed JDBC writes, read-only transactions and RESTRICTED German-subject
 * calls through {@link MultiRegionDynamoDb} and {@link RoutingDataSource}, while a timeline breaks DynamoDB in
 * eu-west-1 in four ways, takes the whole EU down, partitions replication, stops the local Aurora replica, makes it
 * lag, promotes it to writer and heals; then a fleet drain and a session store phase ({@link SessionPhase}). Prints a line per phase with a bar, a summary and the path of an HTML picture
 * of the run, and returns the {@link DrillReport}: the invariants (see {@link DrillReport#passed()}) and what each
 * phase saw.
 *
 * <p>From a test (JUnit 5 shown; the drill starts and stops its own local regions and PostgreSQL servers):
 * <pre>{@code
 * DrillReport report = RegionDrill.run(new DrillSettings(Duration.ofSeconds(2), 4, 100, 42L));
 * assertTrue(report.passed(), report.invariants().toString());
 * assertEquals(0, report.phase("baseline").orElseThrow().errors());
 * }</pre>
 *
 * <p>From the repository root: {@code mvn -B -q -pl samples/region-drill -am package -DskipTests -Pdrill}
 * (phase length: {@code -Ddrill.phaseSeconds=5}); {@link #main} exits 0 when the invariants hold, 1 otherwise.
 */
public final class RegionDrill {
    private static final long CONVERGENCE_BOUND_SECONDS = 180;
    private static final int WARM_UP_CALLS_PER_WORKER = 10;
    private static final Duration WARM_UP_BOUND = Duration.ofSeconds(30);

    private RegionDrill() {
    }

    /**
     * Runs the drill with the settings of the {@code drill.*} system properties ({@link
     * DrillSettings#fromSystemProperties()}) and exits 0 when the invariants hold, 1 otherwise.
     */
    public static void main(String[] args) throws Exception {
        DrillReport report = run(DrillSettings.fromSystemProperties());
        System.out.flush();
        // Exit explicitly: the local regions' servers leave non-daemon threads behind, and exec:java would wait.
        System.exit(report.exitCode());
    }

    /**
     * Runs the drill, printing progress and the summary to {@code System.out} and writing the picture to
     * {@code target/region-drill/region-drill.html}.
     *
     * @param settings how long and how hard the drill runs
     * @return the outcome; the drill never exits the JVM
     * @throws Exception when the local regions or PostgreSQL cannot be started, or the run is interrupted
     */
    public static DrillReport run(DrillSettings settings) throws Exception {
        return run(settings, System.out, Path.of("target", "region-drill"));
    }

    /**
     * Runs the drill, printing progress and the summary to {@code out} and writing the picture into
     * {@code reportDir} (created if needed). Starts three local regions and a local Aurora global database, and
     * stops them before returning.
     *
     * @param settings  how long and how hard the drill runs
     * @param out       where the progress lines and the summary go
     * @param reportDir where {@code region-drill.html} is written
     * @return the outcome, with the picture's path ({@link DrillReport#html()})
     * @throws Exception when the local regions or PostgreSQL cannot be started, or the run is interrupted
     */
    public static DrillReport run(DrillSettings settings, PrintStream out, Path reportDir) throws Exception {
        long started = System.nanoTime();
        List<Phase> timeline = Phase.timeline();
        out.printf(Locale.ROOT, "Meridian region drill: 3 local regions (eu-west-1 local, eu-central-1, us-east-1), "
                + "DynamoDB global tables + Aurora global database, %d workers, ~%d calls/s, %d phases of %.1f s%n",
                settings.workers(), settings.opsPerSecond(), timeline.size(),
                settings.phaseDuration().toMillis() / 1000.0);
        try (LocalRegions regions = LocalRegions.start(Phase.REGIONS.toArray(String[]::new));
                LocalAuroraGlobal aurora = LocalAuroraGlobal.start(Phase.AURORA_FIRST_WRITER, Phase.EU_WEST_1,
                        Phase.US_EAST_1)) {
            regions.createGlobalTable(table(Workload.ORDERS, "pk"));
            regions.createGlobalTable(table(Workload.STOCK, "pk"));
            regions.createGlobalTable(table(Workload.IDEMPOTENCY, "id"));
            // The RESTRICTED customer data lives only in the EU: a plain table in each EU region (the testkit's
            // global tables always span all regions), declared with an EU-only footprint below.
            for (String region : List.of(Phase.EU_WEST_1, Phase.EU_CENTRAL_1)) {
                try (DynamoDbClient direct = regions.clientBuilder(region)
                        .endpointOverride(regions.directEndpoint(region)).build()) {
                    direct.createTable(table(Workload.EU_CUSTOMERS, "pk"));
                }
            }
            try (Connection writer = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(),
                    aurora.password())) {
                JdbcWorkload.createSchema(writer);
            }
            aurora.awaitReplicasCaughtUp();
            out.printf(Locale.ROOT, "[%5.1fs] local regions, tables and Aurora global database ready%n",
                    seconds(started));
            DrillReport report = drill(new Phase.Targets(regions, aurora), settings, timeline, out, started);
            Path html = HtmlReport.write(report, settings, reportDir);
            out.println("picture of the run: " + html.toAbsolutePath());
            return report.withHtml(html);
        }
    }

    private static DrillReport drill(Phase.Targets targets, DrillSettings settings, List<Phase> timeline,
            PrintStream out, long started) throws Exception {
        LocalRegions regions = targets.regions();
        LocalAuroraGlobal aurora = targets.aurora();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        MeridianMeters meridian = new MeridianMeters(meters);
        ExecutorService injector = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "drill-fault-injector");
            t.setDaemon(true);
            return t;
        });
        try (MultiRegion runtime = MultiRegion.builder(config(settings)).meterRegistry(meters).build();
                DynamoDbClient dynamo = MultiRegionDynamoDb.builder()
                        .multiRegion(runtime)
                        .clientFactory(region -> regionalClient(regions, region))
                        .table(TableConfig.builder(Workload.ORDERS).partitionKey("pk").build())
                        .table(TableConfig.builder(Workload.STOCK).partitionKey("pk")
                                .writeMode(WriteMode.WRITE_HOME_BY_KEY).build())
                        .table(TableConfig.builder(Workload.EU_CUSTOMERS).partitionKey("pk")
                                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build())
                        .build();
                RoutingDataSource dataSource = dataSource(runtime, aurora)) {
            DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder()
                    .table(Workload.IDEMPOTENCY)
                    .client(dynamo) // shares the routed client's runtime and per-region clients
                    // STRICT: a key's record lives in its home region only; while that region is unavailable the
                    // request is refused instead of risking a second execution elsewhere.
                    .mode(DynamoDbIdempotencyStore.HomeRegionMode.STRICT)
                    .build();
            Idempotency idempotency = Idempotency.builder().store(store).ttl(Duration.ofHours(1))
                    .inProgressTimeout(Duration.ofSeconds(30)).build();
            LwwWrites lww = LwwWrites.builder().client(dynamo).clock(runtime.clock()).region(Region.EU_WEST_1)
                    .meterRegistry(meters).build();
            Map<Integer, String> regionByPort = new HashMap<>();
            aurora.regions().forEach(r -> regionByPort.put(aurora.port(r), r));
            JdbcWorkload jdbc = new JdbcWorkload(dataSource, regionByPort);
            Workload workload = new Workload(dynamo, idempotency, lww, jdbc, settings);
            try {
                Sampler sampler = new Sampler(targets, runtime, jdbc);
                List<PhaseStats> phases = runTimeline(targets, timeline, workload, sampler, injector, meridian,
                        runtime, settings, out, started);
                return finish(targets, workload, jdbc, sampler, meridian, phases, injector, settings, out,
                        started);
            } finally {
                workload.stop();
                injector.shutdownNow();
            }
        }
    }

    private static List<PhaseStats> runTimeline(Phase.Targets targets, List<Phase> timeline, Workload workload,
            Sampler sampler, ExecutorService injector, MeridianMeters meridian, MultiRegion runtime,
            DrillSettings settings, PrintStream out, long started) throws InterruptedException {
        List<PhaseStats> phases = new ArrayList<>();
        // Warm up (JIT, connection pools, breakers' first samples) so the baseline shows steady-state latency.
        out.printf(Locale.ROOT, "[%5.1fs] warming up%n", seconds(started));
        workload.start(new PhaseStats("warm-up"));
        Thread.sleep(Math.min(2_000, settings.phaseDuration().toMillis()));
        // On a starved machine 2 s may hold only a few (cold) calls: warm up until every worker made some.
        long warmUpBound = System.nanoTime() + WARM_UP_BOUND.toNanos();
        while (workload.totals().calls() < WARM_UP_CALLS_PER_WORKER * settings.workers()
                && System.nanoTime() - warmUpBound < 0) {
            Thread.sleep(50);
        }
        // The timeline starts from closed breakers: what the cold first calls taught the breakers is forgotten.
        runtime.resetHealth();
        long phaseNanos = settings.phaseDuration().toNanos();
        int ticks = (int) Math.max(1, Math.round(phaseNanos / 1e9));
        ProgressLine progress = new ProgressLine(out, timeline.size(), started);
        long timelineStart = System.nanoTime();
        PhaseStats stats = new PhaseStats(timeline.get(0).name());
        sampler.start(timelineStart, workload.phase(stats));
        for (int i = 0; i < timeline.size(); i++) {
            Phase phase = timeline.get(i);
            PhaseStats current = stats;
            boolean lastPhase = i == timeline.size() - 1;
            // Phases run on a fixed schedule: faults are injected on another thread (a switchover takes seconds), so
            // a slow injection shortens its own phase rather than stretching the timeline.
            long phaseStart = timelineStart + i * phaseNanos;
            long failoversBefore = meridian.total(MeridianMeters.FAILOVER);
            Map<String, Long> breakersBefore = meridian.breakerTransitions();
            sampler.phase(i);
            injector.submit(() -> {
                try {
                    Phase.heal(targets);
                    phase.inject().accept(targets);
                } catch (RuntimeException e) {
                    out.println("fault injection of '" + phase.name() + "' failed: " + e);
                }
            });
            progress.begin(i, phase.name());
            PhaseStats next = null;
            for (int k = 1; k <= ticks; k++) {
                sleepUntil(phaseStart + phaseNanos * k / ticks);
                if (k < ticks && System.nanoTime() >= phaseStart + phaseNanos * (k + 1) / ticks) {
                    continue; // woke up late (starved): this tick merges into the next instead of lasting ~0 s
                }
                Workload.Totals totals;
                if (k < ticks) {
                    totals = workload.totals();
                } else if (lastPhase) {
                    // Calls under way when the timeline ends count in its last sample, which lasts until they end.
                    totals = workload.stop();
                } else {
                    next = new PhaseStats(timeline.get(i + 1).name());
                    totals = workload.phase(next); // calls ending from now on count in the next phase
                }
                sampler.tick(totals);
                progress.tick();
            }
            current.failovers = meridian.total(MeridianMeters.FAILOVER) - failoversBefore;
            meridian.breakerTransitions().forEach((kind, n) -> {
                long during = n - breakersBefore.getOrDefault(kind, 0L);
                if (during > 0) {
                    current.breakerTransitionsByKind.put(kind, during);
                }
            });
            current.breakerTransitions = current.breakerTransitionsByKind.values().stream().mapToLong(Long::longValue)
                    .sum();
            current.requestsPerRegion.putAll(sampler.dynamoRequests(i));
            current.jdbcPerRegion.putAll(sampler.jdbcStatements(i));
            current.seconds = sampler.seconds(i);
            progress.end(current);
            phases.add(current);
            stats = next;
        }
        return phases;
    }

    private static DrillReport finish(Phase.Targets targets, Workload workload, JdbcWorkload jdbc, Sampler sampler,
            MeridianMeters meridian, List<PhaseStats> phases, ExecutorService injector, DrillSettings settings,
            PrintStream out, long started) throws Exception {
        workload.stop();
        injector.submit(() -> {
            Phase.heal(targets);
            return null;
        }).get(2, TimeUnit.MINUTES);
        LocalRegions regions = targets.regions();
        out.printf(Locale.ROOT, "[%5.1fs] traffic stopped; waiting for the replicator to read every stream to the end"
                + " (at most %d s)%n", seconds(started), CONVERGENCE_BOUND_SECONDS);
        Map<String, String> convergence = new LinkedHashMap<>();
        boolean converged = true;
        try {
            regions.awaitReplication(Duration.ofSeconds(CONVERGENCE_BOUND_SECONDS), p -> out.printf(Locale.ROOT,
                    "[%5.1fs]   replication: %s%n", seconds(started), p.describe()));
        } catch (ReplicationTimeoutException e) {
            convergence.put("replication", "did not settle: " + e.getMessage());
            converged = false;
        }
        for (String table : List.of(Workload.ORDERS, Workload.STOCK, Workload.IDEMPOTENCY)) {
            String key = Workload.IDEMPOTENCY.equals(table) ? "id" : "pk";
            String verdict = Convergence.check(regions, table, key, Phase.REGIONS);
            convergence.put(table, verdict);
            converged &= verdict.endsWith("identical");
        }
        long restrictedToUs = regions.journal(Phase.US_EAST_1).entries().stream()
                .filter(e -> e.table().filter(Workload.EU_CUSTOMERS::equals).isPresent()).count();
        targets.aurora().awaitReplicasCaughtUp();
        LedgerCheck ledger = LedgerCheck.run(targets.aurora(), jdbc.acknowledged());
        Duration maxStaleness;
        try (Connection writer = DriverManager.getConnection(targets.aurora().writerJdbcUrl(),
                targets.aurora().user(), targets.aurora().password())) {
            maxStaleness = jdbc.maxStaleness(writer);
        }
        FleetDrainOutcome fleetDrain = FleetDrain.run(regions, out, started);
        SessionPhaseOutcome sessionStore = SessionPhase.run(regions, out, started);
        DrillReport report = new DrillReport(phases, meridian.breakerTransitions(), workload.idempotentRequests.sum(),
                workload.callerRetries.sum(), workload.sideEffectCount(), workload.duplicateExecutions(),
                restrictedToUs, meridian.total(MeridianMeters.RESIDENCY_REFUSED), convergence, converged,
                ledger, maxStaleness, JdbcWorkload.MAX_REPLICA_LAG, jdbc.restrictedFromOutsideEu.sum(),
                sampler.samples(), sampler.journalTotals(), fleetDrain, sessionStore, null);
        out.printf(Locale.ROOT, "[%5.1fs] done%n", seconds(started));
        report.print(out);
        return report;
    }

    private static RoutingDataSource dataSource(MultiRegion runtime, LocalAuroraGlobal aurora) {
        PostgresTopologyDiscovery.Builder discovery = PostgresTopologyDiscovery.builder()
                .user(aurora.user()).password(aurora.password()).connectTimeout(Duration.ofSeconds(1));
        for (String region : aurora.regions()) {
            discovery.node(Region.of(region), aurora.jdbcUrl(region));
        }
        HikariConfig pool = new HikariConfig();
        pool.setUsername(aurora.user());
        pool.setPassword(aurora.password());
        pool.setMaximumPoolSize(4);
        pool.setMinimumIdle(0);
        // A reader that refuses connections delays a read by at most this before it falls back.
        pool.setConnectionTimeout(1_000);
        return RoutingDataSource.builder()
                .multiRegion(runtime)
                .discovery(discovery.build())
                .poolTemplate(pool)
                .name("drill")
                .maxReplicaLag(JdbcWorkload.MAX_REPLICA_LAG)
                .lagCheckInterval(JdbcWorkload.LAG_CHECK_INTERVAL)
                .build();
    }

    private static MultiRegionConfig config(DrillSettings settings) {
        // Breakers react within a phase: open after 5 calls at 50 % failures or 80 % slower than 250 ms, probe again
        // after half a phase.
        Duration open = Duration.ofMillis(Math.max(500, settings.phaseDuration().toMillis() / 2));
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.EU_WEST_1)
                .routing(RoutingStrategy.localFirst())
                .health(HealthConfig.builder().slidingWindowSize(10).minimumNumberOfCalls(5)
                        .failureRateThreshold(50).slowCallDuration(Duration.ofMillis(250)).slowCallRateThreshold(80)
                        .waitInOpenState(open).build())
                .build();
    }

    private static DynamoDbClient regionalClient(LocalRegions regions, Region region) {
        // Capped SDK retries and a 1 s attempt timeout, so Meridian (not the SDK) decides where to go next.
        return regions.clientBuilder(region.id())
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, Duration.ofSeconds(1)))
                .build();
    }

    static CreateTableRequest table(String name, String partitionKey) {
        return CreateTableRequest.builder()
                .tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName(partitionKey).keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName(partitionKey)
                        .attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .build();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long wait = nanoTime - System.nanoTime(); wait > 0; wait = nanoTime - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
