package dev.meridian.samples.drill;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableSettings;
import dev.meridian.dynamodb.client.WriteMode;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.dynamodb.lww.LwwWrites;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.ReplicationTimeoutException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The region drill: three local regions (eu-west-1 is local), an {@code orders} global table and a steady stream of
 * reads, idempotent writes, last-writer-wins writes and RESTRICTED German-subject calls through
 * {@link MultiRegionDynamoDb}, while a timeline takes eu-west-1 down, slows it, makes it answer 503 and throttle,
 * takes the whole EU down, partitions replication and heals. Prints a line when each phase starts, its running
 * counts mid-phase and a summary; exits 0 when no request was executed twice, every replica converged and no
 * RESTRICTED request left the EU, 1 otherwise.
 *
 * <p>Run from the repository root: {@code mvn -B -q -pl samples/region-drill -am package -DskipTests -Pdrill}
 * (phase length: {@code -Ddrill.phaseSeconds=5}).
 */
public final class RegionDrill {
    private RegionDrill() {
    }

    public static void main(String[] args) throws Exception {
        DrillReport report = run(DrillSettings.fromSystemProperties(), System.out);
        System.out.flush();
        // Exit explicitly: the local regions' servers leave non-daemon threads behind, and exec:java would wait.
        System.exit(report.exitCode());
    }

    static DrillReport run(DrillSettings settings, PrintStream out) throws Exception {
        long started = System.nanoTime();
        List<Phase> timeline = Phase.timeline();
        out.printf(Locale.ROOT, "Meridian region drill: 3 local regions (eu-west-1 local, eu-central-1, us-east-1), "
                + "%d workers, ~%d calls/s, %d phases of %.1f s%n", settings.workers(), settings.opsPerSecond(),
                timeline.size(), settings.phaseDuration().toMillis() / 1000.0);
        try (LocalRegions regions = LocalRegions.start(Phase.REGIONS.toArray(String[]::new))) {
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
            out.printf(Locale.ROOT, "[%5.1fs] local regions and tables ready%n", seconds(started));
            return drill(regions, settings, timeline, out, started);
        }
    }

    private static DrillReport drill(LocalRegions regions, DrillSettings settings, List<Phase> timeline,
            PrintStream out, long started) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        MeridianMeters meridian = new MeridianMeters(meters);
        try (MultiRegion runtime = MultiRegion.builder(config(settings)).meterRegistry(meters).build();
                DynamoDbClient dynamo = MultiRegionDynamoDb.builder()
                        .multiRegion(runtime)
                        .clientFactory(region -> regionalClient(regions, region))
                        .table(TableSettings.builder(Workload.ORDERS).partitionKey("pk").build())
                        .table(TableSettings.builder(Workload.STOCK).partitionKey("pk")
                                .writeMode(WriteMode.WRITE_HOME_BY_KEY).build())
                        .table(TableSettings.builder(Workload.EU_CUSTOMERS).partitionKey("pk")
                                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build())
                        .build()) {
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
            Workload workload = new Workload(dynamo, idempotency, lww, settings);
            try {
                List<PhaseStats> phases = runTimeline(regions, timeline, workload, meridian, settings, out, started);
                return finish(regions, workload, meridian, phases, out, started);
            } finally {
                workload.stop();
            }
        }
    }

    private static List<PhaseStats> runTimeline(LocalRegions regions, List<Phase> timeline, Workload workload,
            MeridianMeters meridian, DrillSettings settings, PrintStream out, long started) throws InterruptedException {
        List<PhaseStats> phases = new ArrayList<>();
        long tick = Math.max(1_000, settings.phaseDuration().toMillis() / 2);
        // Warm up (JIT, connection pools, breakers' first samples) so the baseline shows steady-state latency.
        out.printf(Locale.ROOT, "[%5.1fs] warming up%n", seconds(started));
        workload.start(new PhaseStats("warm-up"));
        Thread.sleep(Math.min(2_000, settings.phaseDuration().toMillis()));
        for (int i = 0; i < timeline.size(); i++) {
            Phase phase = timeline.get(i);
            // A phase starts when its faults go in: calls made while they are applied (resuming replication can
            // take a moment) count towards it, in the application's numbers and in the regions' journals alike.
            PhaseStats stats = new PhaseStats(phase.name());
            Map<String, Long> requestsBefore = requests(regions);
            long failoversBefore = meridian.total(MeridianMeters.FAILOVER);
            long breakerBefore = meridian.total(MeridianMeters.BREAKER_TRANSITIONS);
            workload.phase(stats);
            out.printf(Locale.ROOT, "[%5.1fs] phase %d/%d: %s%n", seconds(started), i + 1, timeline.size(), phase.name());
            Phase.healFaults(regions);
            phase.inject().accept(regions);
            long phaseEnd = System.nanoTime() + settings.phaseDuration().toNanos();
            for (long remaining = millisUntil(phaseEnd); remaining > 0; remaining = millisUntil(phaseEnd)) {
                Thread.sleep(Math.min(tick, remaining));
                if (millisUntil(phaseEnd) < tick / 2) {
                    continue; // the phase's last slice: its totals are in the summary
                }
                out.printf(Locale.ROOT, "[%5.1fs]   so far: calls=%d errors=%d refused=%d held=%d superseded=%d"
                        + " failovers=%d%n", seconds(started), stats.ops.sum(), stats.errors.sum(),
                        stats.refusals.sum(), stats.held.sum(), stats.superseded.sum(),
                        meridian.total(MeridianMeters.FAILOVER) - failoversBefore);
            }
            Map<String, Long> requestsAfter = requests(regions);
            requestsAfter.forEach((r, n) -> stats.requestsPerRegion.put(r, n - requestsBefore.getOrDefault(r, 0L)));
            stats.failovers = meridian.total(MeridianMeters.FAILOVER) - failoversBefore;
            stats.breakerTransitions = meridian.total(MeridianMeters.BREAKER_TRANSITIONS) - breakerBefore;
            phases.add(stats);
        }
        return phases;
    }

    private static DrillReport finish(LocalRegions regions, Workload workload, MeridianMeters meridian,
            List<PhaseStats> phases, PrintStream out, long started) throws InterruptedException {
        workload.stop();
        Phase.healFaults(regions);
        out.printf(Locale.ROOT, "[%5.1fs] traffic stopped; waiting for replication to converge%n", seconds(started));
        Map<String, String> convergence = new LinkedHashMap<>();
        boolean converged = true;
        try {
            regions.awaitReplication(Duration.ofSeconds(30));
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
        DrillReport report = new DrillReport(phases, meridian.breakerTransitions(), workload.idempotentRequests.sum(),
                workload.callerRetries.sum(), workload.sideEffectCount(), workload.duplicateExecutions(),
                restrictedToUs, meridian.total(MeridianMeters.RESIDENCY_REFUSED), convergence, converged);
        out.printf(Locale.ROOT, "[%5.1fs] done%n", seconds(started));
        report.print(out);
        return report;
    }

    private static Map<String, Long> requests(LocalRegions regions) {
        Map<String, Long> counts = new HashMap<>();
        for (String region : Phase.REGIONS) {
            counts.put(region, (long) regions.journal(region).count());
        }
        return counts;
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

    private static CreateTableRequest table(String name, String partitionKey) {
        return CreateTableRequest.builder()
                .tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName(partitionKey).keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName(partitionKey)
                        .attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .build();
    }

    private static long millisUntil(long nanoTime) {
        return (nanoTime - System.nanoTime()) / 1_000_000;
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
