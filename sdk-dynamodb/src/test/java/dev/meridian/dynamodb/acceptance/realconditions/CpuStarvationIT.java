package dev.meridian.dynamodb.acceptance.realconditions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RequestJournal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * sdk-core/README.md "Cold is not sick; a stalled process is not a sick region" and "Fast ejection" ("a cold or
 * CPU-starved process does not eject healthy regions"), docs/configuration.md's hedging section ("a starved process
 * does not hedge healthy reads"; the budget keeps hedges to {@code burst + 10 %} of reads "whatever happens") and
 * docs/exactly-once.md (a write that may have been applied never moves), read as a user and run on a starved process:
 * four threads at maximum priority spin beside the calls (and, in the second run, a {@code System.gc()} storm stops
 * the world over and over) while eight callers read and write healthy regions through the documented defaults.
 * Witnesses: the health view and {@code meridian.breaker.transitions} (no region ejected or suspect), the journals
 * (each write in eu-west-1 exactly once, none moved) and the hedge meters against the budget.
 */
@LocalRegionsConfig
class CpuStarvationIT {
    private static final String TABLE = "starved_items";
    private static final int CALLERS = 8;
    private static final int CALLS_PER_CALLER = 21;
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static LocalRegions regions;
    private MultiRegion runtime;
    private DynamoDbClient client;

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
            runtime.close();
        }
    }

    @ParameterizedTest(name = "gc storm: {0}")
    @ValueSource(booleans = {false, true})
    void aStarvedProcessEjectsNoHealthyRegionMovesNoWriteAndHedgesWithinTheBudget(boolean gcStorm) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        MultiRegionConfig config = ReadmeRegions.documented(Region.EU_WEST_1).build();
        runtime = MultiRegion.builder(config).meterRegistry(meters).build();
        client = MultiRegionDynamoDb.builder().multiRegion(runtime)
                .clientFactory(r -> TestRegions.client(regions, r))
                .table(TableConfig.builder(TABLE).partitionKey("pk").build()).build();
        for (Region r : config.regionList()) {   // warm clients: a cold client's first attempt has its own rules
            try (RoutingContext.Scope s = RoutingContext.builder().preferredRegion(r).open()) {
                get("warm");
            }
        }
        regions.journalsClear();
        regions.journal("eu-west-1").keepBodies();

        Queue<String> written = new ConcurrentLinkedQueue<>();
        Queue<String> failed = new ConcurrentLinkedQueue<>();
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        Starvation starved = Starvation.start(4, gcStorm);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < CALLS_PER_CALLER; i++) {
                        String key = "s-" + KEYS.incrementAndGet();
                        try {
                            if (i % 3 == 0) {
                                client.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(key))));
                                written.add(key);
                            } else {
                                get(key);
                            }
                        } catch (SdkClientException e) {
                            failed.add((i % 3 == 0 ? "put " : "get ") + e.getClass().getSimpleName());
                        }
                    }
                }, callers));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        } finally {
            starved.close();
            callers.shutdownNow();
        }

        int reads = CALLERS * CALLS_PER_CALLER - CALLERS * ((CALLS_PER_CALLER + 2) / 3);
        // A stalled process's attempts may time out (the SDK's timers fire after the stall): a read moves on, a write
        // may have been applied and fails (docs/exactly-once.md). Anything else failing is a defect.
        assertThat(failed).as("calls failing on a starved process with healthy regions")
                .allMatch(f -> f.startsWith("put ") && f.contains("Timeout"));
        for (RegionStatus status : runtime.regions()) {
            assertThat(status.breaker()).as("%s", status).isEqualTo(RegionStatus.BreakerState.CLOSED);
            assertThat(status.suspect()).as("%s", status).isFalse();
        }
        assertThat(sum(meters, "meridian.breaker.transitions")).as("breaker transitions").isZero();
        assertThat(sum(meters, "meridian.region.suspicion")).as("suspicions").isZero();

        assertThat(puts("eu-west-1")).as("every acknowledged write in eu-west-1").containsAll(written);
        assertThat(puts("eu-central-1")).as("no write moved").isEmpty();
        assertThat(puts("us-east-1")).as("no write moved").isEmpty();

        double sent = sum(meters, "meridian.hedge.sent");
        double failover = meters.find("meridian.hedge.sent.retried").tag("outcome", "failover").counters().stream()
                .mapToDouble(Counter::count).sum();
        double budget = 10 + 0.10 * reads + 1;
        assertThat(sent - failover).as("hedges sent within the budget (%s reads)", reads)
                .isLessThanOrEqualTo(budget);
        assertThat(regions.journal("eu-central-1").count("GetItem") + regions.journal("us-east-1").count("GetItem"))
                .as("reads beyond eu-west-1 in the journals").isLessThanOrEqualTo((int) (budget + failover));
        System.out.printf("starved (gc storm %s): %d reads, %d writes acknowledged, failed %s, hedges sent %.0f "
                + "(failover %.0f), excused timeouts %.0f%n", gcStorm, reads, written.size(), failed, sent, failover,
                sum(meters, "meridian.process.stall"));
    }

    private void get(String key) {
        client.getItem(g -> g.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(key))));
    }

    /** The keys of the PutItem requests a region's journal holds (bodies kept by the testkit for PutItem). */
    private static List<String> puts(String region) {
        List<String> keys = new ArrayList<>();
        for (RequestJournal.Entry e : regions.journal(region).entries()) {
            if (e.operation().equals("PutItem")) {
                keys.add(e.body().map(CpuStarvationIT::keyOf).orElse("?"));
            }
        }
        return keys;
    }

    private static String keyOf(String body) {
        String value = "{\"S\":\"";   // the item's only string value, its key
        int at = body.indexOf(value);
        return at < 0 ? "?" : body.substring(at + value.length(), body.indexOf('"', at + value.length()));
    }

    private static double sum(SimpleMeterRegistry meters, String name) {
        return meters.find(name).meters().stream()
                .flatMap(m -> java.util.stream.StreamSupport.stream(m.measure().spliterator(), false))
                .filter(m -> m.getStatistic() == io.micrometer.core.instrument.Statistic.COUNT)
                .mapToDouble(io.micrometer.core.instrument.Measurement::getValue).sum();
    }
}
