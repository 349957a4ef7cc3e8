package dev.meridian.dynamodb.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyClaim;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.IdempotencyKeyReuseException;
import dev.meridian.core.idempotency.IdempotencyRecord;
import dev.meridian.core.idempotency.IdempotencyStatus;
import dev.meridian.core.idempotency.ResultCodec;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.Tables;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

@LocalRegionsConfig
class DynamoDbIdempotencyStoreIT {

    private static final String TABLE = "idempotency";
    private static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");

    private static final List<String> ITEM_OPERATIONS = List.of("PutItem", "UpdateItem", "GetItem", "DeleteItem");

    private static LocalRegions regions;
    private static MultiRegion euRuntime;
    private static MultiRegion usRuntime;

    private final AtomicInteger sideEffects = new AtomicInteger();

    @BeforeAll
    static void tableAndRuntimes() {
        Tables.create(regions, TABLE, "id", null);
        euRuntime = MultiRegion.builder(config("eu-west-1")).build();
        usRuntime = MultiRegion.builder(config("us-east-1")).build();
    }

    @AfterAll
    static void closeRuntimes() {
        if (euRuntime != null) {
            euRuntime.close();
        }
        if (usRuntime != null) {
            usRuntime.close();
        }
    }

    private static MultiRegionConfig config(String local) {
        MultiRegionConfig.Builder builder = MultiRegionConfig.builder().localRegion(local);
        REGIONS.forEach(r -> builder.region(Region.of(r)));
        return builder.build();
    }

    private static Idempotency idempotency(MultiRegion runtime, DynamoDbIdempotencyStore.HomeRegionMode mode) {
        DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder()
                .table(TABLE)
                .client(TestRegions.routed(runtime, region -> regions.client(region.id())))
                .mode(mode)
                .build();
        return Idempotency.builder().store(store).ttl(Duration.ofMinutes(10))
                .inProgressTimeout(Duration.ofSeconds(30)).build();
    }

    private static List<Region> homeOrder(String key) {
        Operation op = Operation.builder("idempotency.begin", OperationKind.IDEMPOTENT_WRITE).resource(TABLE)
                .routingKey(key).strategy(RoutingStrategy.homeByKey()).build();
        return MultiRegionSpi.of(euRuntime).plan(op, RoutingContext.current()).regions();
    }

    /** Item reads and writes that reached {@code region} (the replicator's stream reads are not counted). */
    private static long itemCalls(String region) {
        return ITEM_OPERATIONS.stream().mapToLong(op -> regions.journal(region).count(op)).sum();
    }

    private String charge() {
        return "receipt-" + sideEffects.incrementAndGet();
    }

    private static String key() {
        return "order-" + UUID.randomUUID();
    }

    /**
     * A cold Lambda's first claim pays its client's start-up (here: a 2.5 s answer against the client's 2 s timeouts):
     * it gets the runtime's first-attempt budget instead of timing out as a claim that may have been applied. Once the
     * client has answered, the client's own timeouts apply again.
     */
    @Test
    void theFirstClaimThroughAColdClientGetsTheFirstAttemptBudgetAndLaterCallsTheClientsTimeouts() {
        String key = key();
        String home = homeOrder(key).get(0).id();
        try (MultiRegion runtime = MultiRegion.builder(config("eu-west-1")).build()) {
            DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table(TABLE)
                    .client(TestRegions.routed(runtime, region -> TestRegions.client(regions, region)))
                    .mode(DynamoDbIdempotencyStore.HomeRegionMode.STRICT).build();
            Idempotency cold = Idempotency.builder().store(store).ttl(Duration.ofMinutes(10))
                    .inProgressTimeout(Duration.ofSeconds(30)).build();
            regions.faults(home).latency(Duration.ofMillis(2_500));

            String receipt = cold.execute(key, "p", () -> {
                regions.faults(home).heal();
                return charge();
            });

            assertThat(receipt).isEqualTo("receipt-1");
            regions.faults(home).latency(Duration.ofMillis(2_500));
            assertThatThrownBy(() -> store.find(key)).as("warm: the client's 2 s timeouts")
                    .isInstanceOf(ApiCallTimeoutException.class);
        }
    }

    @Test
    void retriedWriteInASecondRegionExecutesOnce() {
        String key = key();
        Idempotency inEurope = idempotency(euRuntime, DynamoDbIdempotencyStore.HomeRegionMode.STRICT);
        Idempotency inUs = idempotency(usRuntime, DynamoDbIdempotencyStore.HomeRegionMode.STRICT);

        String first = inEurope.execute(key, "{\"amount\":10}", this::charge);
        String retried = inUs.execute(key, "{\"amount\":10}", this::charge);

        assertThat(retried).isEqualTo(first).isEqualTo("receipt-1");
        assertThat(sideEffects).hasValue(1);
    }

    @Test
    void concurrentDuplicatesFromTwoRegionsExecuteOnce() throws Exception {
        String key = key();
        List<Idempotency> instances = List.of(
                idempotency(euRuntime, DynamoDbIdempotencyStore.HomeRegionMode.STRICT),
                idempotency(usRuntime, DynamoDbIdempotencyStore.HomeRegionMode.STRICT));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Idempotency instance = instances.get(i % 2);
                calls.add(pool.submit(() -> {
                    start.await();
                    try {
                        return Optional.of(instance.execute(key, "p", this::charge));
                    } catch (IdempotencyInProgressException e) {
                        return Optional.<String>empty();
                    }
                }));
            }
            start.countDown();
            for (Future<Optional<String>> call : calls) {
                call.get(30, TimeUnit.SECONDS).ifPresent(r -> assertThat(r).isEqualTo("receipt-1"));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sideEffects).hasValue(1);
    }

    @Test
    void keyReusedWithAnotherPayloadIsRefusedInAnyRegion() {
        String key = key();
        idempotency(euRuntime, DynamoDbIdempotencyStore.HomeRegionMode.STRICT).execute(key, "amount=10", this::charge);

        assertThatThrownBy(() -> idempotency(usRuntime, DynamoDbIdempotencyStore.HomeRegionMode.STRICT)
                .execute(key, "amount=99", this::charge)).isInstanceOf(IdempotencyKeyReuseException.class);
        assertThat(sideEffects).hasValue(1);
    }

    @Test
    void strictModeRefusesWhenTheHomeRegionIsDown() {
        String key = key();
        regions.faults(homeOrder(key).get(0).id()).down();

        assertThatThrownBy(() -> idempotency(euRuntime, DynamoDbIdempotencyStore.HomeRegionMode.STRICT)
                .execute(key, "p", this::charge)).isInstanceOf(RuntimeException.class);
        assertThat(sideEffects).hasValue(0);
    }

    @Test
    void availableModeIsServedByTheNextRegionInTheKeysHashOrder() {
        String key = key();
        List<Region> order = homeOrder(key);
        regions.faults(order.get(0).id()).down();

        String result = idempotency(euRuntime, DynamoDbIdempotencyStore.HomeRegionMode.AVAILABLE)
                .execute(key, "p", this::charge);

        assertThat(result).isEqualTo("receipt-1");
        Map<String, AttributeValue> stored = regions.client(order.get(1).id()).getItem(GetItemRequest.builder()
                .tableName(TABLE).key(Map.of("id", AttributeValue.fromS(key))).consistentRead(true).build()).item();
        assertThat(stored.get("status").s()).isEqualTo("COMPLETED");
        assertThat(stored.get("data").s()).isEqualTo("receipt-1");
    }

    @Test
    void firstCallCostsTwoCallsReplayOneAndCachedReplayNone() {
        String key = key();
        String home = homeOrder(key).get(0).id();
        DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table(TABLE)
                .client(TestRegions.routed(euRuntime, region -> regions.client(region.id()))).build();
        Idempotency uncached = Idempotency.builder().store(store).build();
        Idempotency cached = Idempotency.builder().store(store).localCache(100).build();
        regions.journalsClear();

        uncached.execute(key, "p", this::charge);
        long firstCall = itemCalls(home);
        uncached.execute(key, "p", this::charge);
        long replay = itemCalls(home) - firstCall;
        cached.execute(key, "p", this::charge);
        long beforeCachedReplay = itemCalls(home);
        cached.execute(key, "p", this::charge);
        long cachedReplay = itemCalls(home) - beforeCachedReplay;

        assertThat(firstCall).isEqualTo(2);
        assertThat(regions.journal(home).count("PutItem")).isEqualTo(3);
        assertThat(replay).isEqualTo(1);
        assertThat(cachedReplay).isZero();
        assertThat(sideEffects).hasValue(1);
    }

    @Test
    void failedExecutionDeletesTheClaimSoARetryRuns() {
        String key = key();
        Idempotency idempotency = idempotency(euRuntime, DynamoDbIdempotencyStore.HomeRegionMode.STRICT);

        assertThatThrownBy(() -> idempotency.execute(key, "p", () -> {
            sideEffects.incrementAndGet();
            throw new IllegalStateException("downstream failed");
        })).hasMessage("downstream failed");

        assertThat(idempotency.execute(key, "p", this::charge)).isEqualTo("receipt-2");
    }

    @Test
    void availableModeCompletesWhereTheClaimWasMadeEvenWhenTheHomeRegionIsBackByThen() {
        String key = key();
        List<Region> order = homeOrder(key);
        String home = order.get(0).id();
        String next = order.get(1).id();
        // Without replication the two regions' tables show exactly where each call wrote.
        pauseAllLinks();
        try (MultiRegion runtime = MultiRegion.builder(config("eu-west-1")).build()) {
            Idempotency idempotency = idempotency(runtime, DynamoDbIdempotencyStore.HomeRegionMode.AVAILABLE);
            regions.faults(home).down();

            String result = idempotency.execute(key, "p", () -> {
                // The home region recovers while the operation runs: the key routes there again.
                regions.faults(home).heal();
                return charge();
            });

            assertThat(result).isEqualTo("receipt-1");
            assertThat(rawItem(next, key)).as("record in the region that took the claim")
                    .satisfies(item -> assertThat(item.get("status").s()).isEqualTo("COMPLETED"))
                    .satisfies(item -> assertThat(item.get("data").s()).isEqualTo("receipt-1"));
            assertThat(rawItem(home, key)).as("nothing written in the home region").isEmpty();

            regions.faults(home).down();
            assertThat(idempotency.execute(key, "p", this::charge)).isEqualTo("receipt-1");
            assertThat(sideEffects).hasValue(1);
        } finally {
            resumeAllLinks();
        }
    }

    @Test
    void failOfAClaimThatWasTakenOverLeavesTheNewOwnersClaim() {
        String key = key();
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table(TABLE)
                .client(TestRegions.routed(euRuntime, region -> regions.client(region.id()))).clock(now::get).build();
        IdempotencyClaim slow = store.claim(key, null, now.get().plusSeconds(10), now.get().plusSeconds(600));
        now.updateAndGet(t -> t.plusSeconds(11));
        IdempotencyClaim takeover = store.claim(key, null, now.get().plusSeconds(10), now.get().plusSeconds(600));

        store.fail(slow);

        assertThat(List.of(slow.acquired(), takeover.acquired())).containsOnly(true);
        assertThat(store.find(key)).get().extracting(IdempotencyRecord::status)
                .isEqualTo(IdempotencyStatus.IN_PROGRESS);
        store.fail(takeover);
        assertThat(store.find(key)).isEmpty();
    }

    @Test
    void claimWhosePutWasAppliedBeforeTheSdkRetriedItIsStillOurs() {
        String key = key();
        DynamoDbClient eu = regions.client("eu-west-1");
        DynamoDbClient retriesEveryPut = new DynamoDbClient() {
            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                // The first attempt is applied but its response is lost; the retry meets the item it wrote.
                eu.putItem(request);
                return eu.putItem(request);
            }

            @Override
            public String serviceName() {
                return eu.serviceName();
            }

            @Override
            public void close() {
            }
        };
        DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table(TABLE).client(retriesEveryPut)
                .build();
        Instant now = Instant.now();

        IdempotencyClaim claim = store.claim(key, null, now.plusSeconds(10), now.plusSeconds(600));
        IdempotencyClaim duplicate = store.claim(key, null, now.plusSeconds(10), now.plusSeconds(600));

        assertThat(claim.acquired()).isTrue();
        assertThat(rawItem("eu-west-1", key).get("_mr_owner").s()).isEqualTo(claim.owner());
        assertThat(duplicate.acquired()).as("another caller's claim is refused").isFalse();
    }

    @Test
    void strictModeRefusesWhileTheHomeRegionsBreakerIsOpenInsteadOfMovingTheKey() {
        String key = key();
        Region home = homeOrder(key).get(0);
        try (MultiRegion runtime = MultiRegion.builder(config("eu-west-1")).build()) {
            runtime.drain(home);

            assertThatThrownBy(() -> idempotency(runtime, DynamoDbIdempotencyStore.HomeRegionMode.STRICT)
                    .execute(key, "p", this::charge)).isInstanceOf(NoRegionAvailableException.class);
        }
        assertThat(sideEffects).hasValue(0);
        REGIONS.forEach(r -> assertThat(rawItem(r, key)).as(r).isEmpty());
    }

    @Test
    void lambdaInvocationsClaimInTheTableLastsExactlyItsRemainingTime() {
        String key = key();
        InstantSource clock = InstantSource.fixed(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table(TABLE)
                .client(regions.client("eu-west-1")).clock(clock).build();
        Idempotency idempotency = Idempotency.builder().store(store).clock(clock)
                .inProgressTimeout(Duration.ofMinutes(5)).build();
        AtomicReference<Map<String, AttributeValue>> whileRunning = new AtomicReference<>();

        String result = LambdaIdempotency.execute(idempotency, new LambdaIdempotencyTest.FixedRemainingTime(42_000),
                key, "p", () -> {
                    whileRunning.set(rawItem("eu-west-1", key));
                    return charge();
                }, ResultCodec.string());

        assertThat(result).isEqualTo("receipt-1");
        assertThat(whileRunning.get().get("status").s()).isEqualTo("INPROGRESS");
        assertThat(whileRunning.get().get("in_progress_expiration").n())
                .isEqualTo(Long.toString(clock.instant().plusMillis(42_000).toEpochMilli()));
    }

    /** The item as stored in {@code region}'s table; empty map when absent. */
    private static Map<String, AttributeValue> rawItem(String region, String key) {
        Map<String, AttributeValue> item = regions.client(region).getItem(GetItemRequest.builder().tableName(TABLE)
                .key(Map.of("id", AttributeValue.fromS(key))).consistentRead(true).build()).item();
        return item == null ? Map.of() : item;
    }

    private static void pauseAllLinks() {
        forEachLink(regions::pauseReplication);
    }

    private static void resumeAllLinks() {
        forEachLink(regions::resumeReplication);
    }

    private static void forEachLink(BiConsumer<String, String> action) {
        for (String from : REGIONS) {
            for (String to : REGIONS) {
                if (!from.equals(to)) {
                    action.accept(from, to);
                }
            }
        }
    }
}
