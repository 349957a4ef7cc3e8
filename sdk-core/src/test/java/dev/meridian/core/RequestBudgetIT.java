package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * The per-call request budget (issue 9, invariant I5) on real DynamoDB Locals behind fault proxies: whatever the
 * fault, one logical call sends at most {@code maxRegionsPerCall × SDK attempts} HTTP requests (3 × 2 = 6 with
 * {@link RegionalClientDefaults}), hedges and half-open trials included. Calls run one after the other, each on an
 * item of its own, so each call's requests are told apart in the three regions' request journals by their bodies,
 * even a detached half-open trial that arrives while a later call runs.
 *
 * <p>The tests mostly wait (SDK back-offs, attempt timeouts, the calls' pace), so three run at a time, each on one of
 * three sets of regions that it has to itself while it runs: one test's faults, breakers and journals never meet
 * another's. The two longest start first.
 */
@Execution(ExecutionMode.CONCURRENT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RequestBudgetIT {
    private static final String TABLE = "budget";
    private static final List<String> IDS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    private static final int BUDGET = 3 * RegionalClientDefaults.MAX_ATTEMPTS;
    private static final int CALLS = 8;
    /** How long an open breaker waits before it lets a half-open trial through. */
    private static final Duration OPEN_WAIT = Duration.ofMillis(200);
    /**
     * Calls start this far apart: beyond {@link #OPEN_WAIT}, so every call after a breaker opened finds it ready for a
     * half-open trial.
     */
    private static final Duration CALL_GAP = OPEN_WAIT.plusMillis(100);
    private static final OperationClassifier CLASSIFIER = (method, args) -> Operation.builder(method.getName(),
            method.getName().startsWith("get") ? OperationKind.READ : OperationKind.WRITE).resource(TABLE).build();

    /** Sets of regions (lanes) for tests running at the same time; a test takes one and gives it back reset. */
    private static final int LANES = 3;
    private static final List<LocalRegions> started = new ArrayList<>();
    private static final BlockingQueue<LocalRegions> free = new LinkedBlockingQueue<>();

    private final List<DynamoDbClient> regionalClients = new ArrayList<>();
    private LocalRegions regions;
    private MultiRegion runtime;
    private DynamoDbClient client;

    @BeforeAll
    static void startRegions() {
        for (int i = 0; i < LANES; i++) {
            LocalRegions lane = LocalRegions.start(IDS.toArray(String[]::new));
            started.add(lane);
            IDS.forEach(r -> lane.journal(r).keepBodies());
            lane.createGlobalTable(LocalRegions.pkTable(TABLE));
            free.add(lane);
        }
    }

    @AfterAll
    static void stopRegions() {
        started.forEach(LocalRegions::close);
    }

    @BeforeEach
    void wrap() throws InterruptedException {
        regions = free.take();
        MultiRegionConfig config = TestTopology.threeRegions()
                .hedging(HedgingConfig.fixed(Duration.ofMillis(30)))
                .health(HealthConfig.builder().waitInOpenState(OPEN_WAIT).build())
                .build();
        Map<Region, DynamoDbClient> clients = new LinkedHashMap<>();
        for (String r : IDS) {
            DynamoDbClient c = regions.clientBuilder(r)
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(
                            RegionalClientDefaults.MAX_ATTEMPTS, Duration.ofSeconds(1)))
                    .build();
            regionalClients.add(c);
            warmUp(c);
            clients.put(Region.of(r), c);
        }
        runtime = MultiRegion.builder(config).build();
        client = runtime.wrapClient(DynamoDbClient.class, clients::get, CLASSIFIER);
        regions.reset();
    }

    /** A first call builds the SDK's machinery and a connection; on a busy machine it can outlast a short timeout. */
    private static void warmUp(DynamoDbClient c) {
        for (int i = 0; ; i++) {
            try {
                c.getItem(get("warm-up"));
                return;
            } catch (RuntimeException e) {
                if (i == 5) {
                    throw e;
                }
            }
        }
    }

    @AfterEach
    void close() {
        try {
            if (runtime != null) {
                runtime.close();
            }
            regionalClients.forEach(DynamoDbClient::close);
        } finally {
            // a lane not given back would leave the tests still waiting for one blocked
            if (regions != null) {
                regions.reset();
                free.add(regions);
            }
        }
    }

    private static GetItemRequest get(String key) {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(key))).build();
    }

    private static PutItemRequest put(String key) {
        return PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(key))).build();
    }

    private int journaled() {
        return IDS.stream().mapToInt(r -> regions.journal(r).count()).sum();
    }

    /**
     * The most requests one of {@code CALLS} sequential calls made (each call's own failure is ignored); the call is
     * given the key of its own item.
     */
    private int maxRequestsPerCall(Consumer<String> call) throws InterruptedException {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            String key = "call-" + UUID.randomUUID();
            keys.add(key);
            try {
                call.accept(key);
            } catch (RuntimeException expected) {
                // the fault may leave no region to answer: the budget holds for failed calls too
            }
            // The pace of the calls, part of the scenario (not a wait for a result): see CALL_GAP.
            Thread.sleep(CALL_GAP.toMillis());
        }
        settle();
        return keys.stream().mapToInt(this::requestsFor).max().orElseThrow();
    }

    /** The requests, in all regions, whose body names the item {@code key}. */
    private int requestsFor(String key) {
        String named = "\"S\":\"" + key + "\"";
        return (int) IDS.stream().flatMap(r -> regions.journal(r).entries().stream())
                .filter(e -> e.body().filter(b -> b.contains(named)).isPresent()).count();
    }

    /**
     * Waits until nothing more arrives: a detached half-open trial, one of a call's attempts, may still be in its SDK
     * retry back-off when the call returns.
     */
    private void settle() {
        AtomicInteger last = new AtomicInteger(journaled());
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .during(Duration.ofMillis(800)).until(() -> {
                    int now = journaled();
                    return last.getAndSet(now) == now;
                });
    }

    private void everyRegion(Consumer<String> fault) {
        IDS.forEach(fault);
    }

    @Test
    void aReadFailingWith503EverywhereUsesTheWholeBudgetAndNoMore() throws InterruptedException {
        everyRegion(r -> regions.faults(r).status(503));
        // The first calls, before any breaker opens, use all of it: 3 regions × 2 SDK attempts.
        assertThat(maxRequestsPerCall(k -> client.getItem(get(k)))).isEqualTo(BUDGET);
    }

    @Test
    @Order(1)
    void throttlingEverywhereStaysWithinTheBudget() throws InterruptedException {
        everyRegion(r -> regions.faults(r).throttle());
        assertThat(maxRequestsPerCall(k -> client.getItem(get(k)))).isBetween(1, BUDGET);
        assertThat(maxRequestsPerCall(k -> client.putItem(put(k)))).isBetween(1, BUDGET);
    }

    @Test
    void aWriteThatMayHaveBeenAppliedStopsInItsFirstRegion() throws InterruptedException {
        everyRegion(r -> regions.faults(r).status(500));
        assertThat(maxRequestsPerCall(k -> client.putItem(put(k)))).isBetween(1, RegionalClientDefaults.MAX_ATTEMPTS);
    }

    @Test
    @Order(2)
    void blackholedRegionsWithHedgesAndHalfOpenTrialsStayWithinTheBudget() throws InterruptedException {
        everyRegion(r -> regions.faults(r).blackhole());
        assertThat(maxRequestsPerCall(k -> client.getItem(get(k)))).isBetween(1, BUDGET);
        regions.healAll();
        regions.faults("eu-west-1").blackhole();
        assertThat(maxRequestsPerCall(k -> client.getItem(get(k)))).isBetween(1, BUDGET);
    }

    @Test
    void aSlowRegionIsHedgedWithinTheBudget() throws InterruptedException {
        regions.faults("eu-west-1").latency(Duration.ofMillis(300));
        assertThat(maxRequestsPerCall(k -> client.getItem(get(k)))).isBetween(2, BUDGET);
    }
}
