package dev.meridian.dynamodb.idempotency;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyClaim;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.IdempotencyKeyReuseException;
import dev.meridian.core.idempotency.IdempotencyResultNotStoredException;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.Tables;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.time.Instant;
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
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReplicaDescription;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Residency, stable homes and exactly-once of {@link DynamoDbIdempotencyStore} on DynamoDB Local behind fault proxies
 * (issue 9, items 5 and 9): the store's table footprint is checked before anything is written, a key has one home
 * whatever the context, a crashed claim is not taken over by another payload, an oversized result is recorded as not
 * stored instead of re-running, and a failure that may have been applied keeps the claim.
 */
@LocalRegionsConfig
class DynamoDbIdempotencySafetyIT {

    private static final String TABLE = "idempotency_safety";
    private static final String ORDERS = "orders_safety";
    private static final List<String> ITEM_WRITES = List.of("PutItem", "UpdateItem", "DeleteItem");

    private static LocalRegions regions;

    private final AtomicInteger sideEffects = new AtomicInteger();
    private MultiRegion runtime;

    @BeforeAll
    static void createTables() {
        Tables.create(regions, TABLE, "id", null);
        regions.createGlobalTable(LocalRegions.pkTable(ORDERS));
    }

    @BeforeEach
    void newRuntime() {
        runtime = MultiRegion.builder(TestRegions.config()).build();
    }

    @AfterEach
    void healAll() {
        runtime.close();
    }

    private DynamoDbIdempotencyStore.Builder store() {
        return DynamoDbIdempotencyStore.builder().table(TABLE).client(TestRegions.routed(runtime, r -> TestRegions.client(regions, r)));
    }

    private static Idempotency idempotency(DynamoDbIdempotencyStore store) {
        return Idempotency.builder().store(store).ttl(Duration.ofMinutes(10))
                .inProgressTimeout(Duration.ofSeconds(30)).build();
    }

    private static RoutingContext.Scope restrictedGerman() {
        return RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE").open();
    }

    private String charge() {
        return "receipt-" + sideEffects.incrementAndGet();
    }

    private static String key() {
        return "order-" + UUID.randomUUID();
    }

    private static long writes(String region) {
        return ITEM_WRITES.stream().mapToLong(op -> regions.journal(region).count(op)).sum();
    }

    /** A key whose rendezvous order over all three configured regions starts with {@code first}. */
    private static String keyHomedOverAllRegionsIn(DynamoDbIdempotencyStore overAllRegions, Region first) {
        while (true) {
            String key = key();
            if (overAllRegions.homeRegion(key).orElseThrow().equals(first)) {
                return key;
            }
        }
    }

    @Test
    void restrictedClaimIsRefusedBeforeAnythingIsWrittenWhenTheTableFootprintIsUnknown() {
        Idempotency idempotency = idempotency(store().build());

        try (RoutingContext.Scope s = restrictedGerman()) {
            assertThatThrownBy(() -> idempotency.execute(key(), "p", this::charge))
                    .isInstanceOf(ResidencyViolationException.class)
                    .hasMessageContaining("replicates to [us-east-1] outside the allowed regions");
        }

        assertThat(sideEffects).hasValue(0);
        for (String region : IDS) {
            assertThat(writes(region)).as("writes in %s", region).isZero();
        }
    }

    @Test
    void restrictedClaimIsRefusedWithoutADescribeWhenTheDeclaredFootprintLeavesTheEu() {
        Idempotency idempotency = idempotency(store().replicaRegions(EU_WEST_1, EU_CENTRAL_1, US_EAST_1).build());

        try (RoutingContext.Scope s = restrictedGerman()) {
            assertThatThrownBy(() -> idempotency.execute(key(), "p", this::charge))
                    .isInstanceOf(ResidencyViolationException.class);
        }

        assertThat(sideEffects).hasValue(0);
        for (String region : IDS) {
            assertThat(regions.journal(region).count()).as("requests to %s", region).isZero();
        }
    }

    @Test
    void restrictedCallsOnAnEuOnlyTableRunAndNeverTouchTheUs() {
        Idempotency idempotency = idempotency(store().replicaRegions(EU_WEST_1, EU_CENTRAL_1).build());

        try (RoutingContext.Scope s = restrictedGerman()) {
            for (int i = 0; i < 10; i++) {
                String key = key();
                assertThat(idempotency.execute(key, "p", this::charge)).isEqualTo("receipt-" + (i + 1));
                assertThat(idempotency.execute(key, "p", this::charge)).isEqualTo("receipt-" + (i + 1));
            }
        }

        assertThat(regions.journal("us-east-1").count()).isZero();
        assertThat(sideEffects).hasValue(10);
    }

    @Test
    void aKeyMeetsTheSameRecordWithAndWithoutAContext() {
        DynamoDbIdempotencyStore store = store().replicaRegions(EU_WEST_1, EU_CENTRAL_1).build();
        DynamoDbIdempotencyStore overAllRegions = store().build();
        Instant now = Instant.now();
        // Replication off: a claim made in another region than the first one would be acquired a second time.
        regions.isolate("eu-west-1");
        regions.isolate("eu-central-1");
        regions.isolate("us-east-1");
        List<String> keysTheContextUsedToMove = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String key = i % 2 == 0 ? key() : keyHomedOverAllRegionsIn(overAllRegions, US_EAST_1);
            if (overAllRegions.homeRegion(key).orElseThrow().equals(US_EAST_1)) {
                keysTheContextUsedToMove.add(key);
            }
            IdempotencyClaim withContext;
            try (RoutingContext.Scope s = restrictedGerman()) {
                withContext = store.claim(key, "hash", now.plusSeconds(30), now.plusSeconds(600));
            }
            IdempotencyClaim without = store.claim(key, "hash", now.plusSeconds(30), now.plusSeconds(600));

            assertThat(withContext.acquired()).as("first claim of %s", key).isTrue();
            assertThat(without.acquired()).as("duplicate of %s without a context", key).isFalse();
        }
        assertThat(keysTheContextUsedToMove).hasSizeGreaterThanOrEqualTo(25);
    }

    @Test
    void concurrentDuplicatesWithAndWithoutAContextRunOnce() throws Exception {
        DynamoDbIdempotencyStore store = store().replicaRegions(EU_WEST_1, EU_CENTRAL_1).build();
        String key = keyHomedOverAllRegionsIn(store().build(), US_EAST_1);
        Idempotency idempotency = idempotency(store);
        regions.isolate("eu-west-1");
        regions.isolate("eu-central-1");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                boolean withContext = i % 2 == 0;
                calls.add(pool.submit(() -> {
                    start.await();
                    try (RoutingContext.Scope s = withContext ? restrictedGerman()
                            : RoutingContext.empty().open()) {
                        return Optional.of(idempotency.execute(key, "p", this::charge));
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
    void strictHomeOutsideTheAllowedRegionsIsRefusedAndInsideRuns() {
        // The table's described footprint is the EU, so RESTRICTED German calls pass the footprint check; without
        // declared replica regions keys are homed over every configured region, so some are homed in us-east-1.
        DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table(TABLE)
                .client(TestRegions.routed(runtime, r -> new DescribedAsEuOnly(TestRegions.client(regions, r)))).build();
        String usHomed = keyHomedOverAllRegionsIn(store, US_EAST_1);
        String euHomed = keyHomedOverAllRegionsIn(store, EU_CENTRAL_1);
        Idempotency idempotency = idempotency(store);

        try (RoutingContext.Scope s = restrictedGerman()) {
            assertThatThrownBy(() -> idempotency.execute(usHomed, "p", this::charge))
                    .isInstanceOf(ResidencyViolationException.class)
                    .hasMessageContaining("home region us-east-1 is outside the allowed regions");
            assertThat(idempotency.execute(euHomed, "p", this::charge)).isEqualTo("receipt-1");
        }
        assertThat(writes("us-east-1")).isZero();
        assertThat(sideEffects).hasValue(1);
    }

    @Test
    void crashedClaimIsNotTakenOverByAnotherPayload() {
        String key = key();
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        DynamoDbIdempotencyStore store = store().clock(now::get).build();
        Idempotency idempotency = Idempotency.builder().store(store).clock(now::get)
                .inProgressTimeout(Duration.ofSeconds(30)).build();
        store.claim(key, Idempotency.sha256Hex("amount=10"), now.get().plusSeconds(30), now.get().plusSeconds(600));

        now.updateAndGet(t -> t.plusSeconds(31));

        assertThatThrownBy(() -> idempotency.execute(key, "amount=99", this::charge))
                .isInstanceOf(IdempotencyKeyReuseException.class)
                .hasMessageNotContaining(key).hasMessageContaining(Idempotency.keyHash(key));
        assertThat(sideEffects).hasValue(0);
        assertThat(idempotency.execute(key, "amount=10", this::charge)).isEqualTo("receipt-1");
    }

    @Test
    void resultOverTheItemLimitIsNeverSentAndDuplicatesDoNotRunAgain() {
        String key = key();
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        DynamoDbIdempotencyStore store = store().clock(now::get).build();
        Idempotency idempotency = Idempotency.builder().store(store).clock(now::get)
                .inProgressTimeout(Duration.ofSeconds(30)).build();
        String home = store.homeRegion(key).orElseThrow().id();
        Supplier<String> largeReceipt = () -> charge() + "x".repeat(DynamoDbIdempotencyStore.DEFAULT_MAX_RESULT_BYTES);

        assertThatThrownBy(() -> idempotency.execute(key, "p", largeReceipt))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("over maxResultBytes 300000")
                .satisfies(e -> assertThat(((IdempotencyResultNotStoredException) e).result()).isPresent());
        Map<String, AttributeValue> item = rawItem(home, key);
        assertThat(item.get("status").s()).isEqualTo("COMPLETED");
        assertThat(item).containsKey("_mr_result_not_stored").doesNotContainKey("data");
        now.updateAndGet(t -> t.plusSeconds(31));

        assertThatThrownBy(() -> idempotency.execute(key, "p", largeReceipt))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("already ran its operation");
        assertThat(sideEffects).hasValue(1);
    }

    @Test
    void storeRefusesAResultOverItsLimitEvenWhenCalledDirectly() {
        String key = key();
        DynamoDbIdempotencyStore store = store().maxResultBytes(1_000).build();
        Instant now = Instant.now();
        IdempotencyClaim claim = store.claim(key, null, now.plusSeconds(30), now.plusSeconds(600));

        assertThatThrownBy(() -> store.complete(claim, new byte[1_001], now.plusSeconds(600)))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("1001 bytes").hasMessageNotContaining(key);

        assertThat(store.find(key)).get().satisfies(r -> {
            assertThat(r.result()).isEmpty();
            assertThat(r.resultNotStoredReason()).isPresent();
        });
        assertThatThrownBy(() -> store().maxResultBytes(300_001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DynamoDbIdempotencyStore.maxResultBytes must be in 1..300000");
    }

    /**
     * Issue 15: {@code complete} used to be an unconditional update routed as repeat-safe. After a 500 in the home
     * region it moved on, created a completed record without payload hash and owner in the next region, replication
     * carried that record over the home's claim, and the key reused with another payload replayed the first result.
     */
    @Test
    void completeThatMayHaveBeenAppliedIsNotSentElsewhereAndAReusedKeyIsStillRefused() {
        String key = key();
        // Patient clients: a cold first call on a loaded machine must not time out before the fault is reached.
        DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table(TABLE).client(TestRegions.routed(
                runtime, r -> TestRegions.client(regions, r, Duration.ofSeconds(20)))).build();
        Idempotency idempotency = idempotency(store);
        String home = store.homeRegion(key).orElseThrow().id();
        for (String region : IDS) {
            regions.isolate(region);
        }
        regions.faults(home).only("UpdateItem").status(500);

        assertThatThrownBy(() -> idempotency.execute(key, "amount=10", this::charge))
                .isInstanceOf(IdempotencyResultNotStoredException.class);

        for (String region : IDS) {
            if (!region.equals(home)) {
                assertThat(rawItem(region, key)).as("record written in %s, outside the home %s", region, home)
                        .isEmpty();
            }
        }
        assertThat(rawItem(home, key)).containsKeys("validation", "_mr_owner");
        regions.healAll();
        regions.resumeReplication();
        regions.awaitReplication();
        runtime.resetHealth();

        assertThatThrownBy(() -> idempotency.execute(key, "amount=99", this::charge))
                .isInstanceOf(IdempotencyKeyReuseException.class);
        assertThat(sideEffects).hasValue(1);
    }

    @Test
    void timeoutAfterTheWriteWasSentKeepsTheClaimSoAnImmediateRetryDoesNotWriteAgain() {
        String key = key();
        Idempotency idempotency = idempotency(DynamoDbIdempotencyStore.builder().table(TABLE)
                .client(TestRegions.client(regions, EU_WEST_1)).build());
        regions.faults("eu-central-1").only("PutItem").latency(Duration.ofSeconds(2));
        try (DynamoDbClient orders = impatientClient(EU_CENTRAL_1)) {
            Supplier<String> placeOrder = () -> placeOrder(orders, key);

            assertThatThrownBy(() -> idempotency.execute(key, "p", placeOrder))
                    .isInstanceOfAny(ApiCallAttemptTimeoutException.class, ApiCallTimeoutException.class);
            assertThatThrownBy(() -> idempotency.execute(key, "p", placeOrder))
                    .isInstanceOf(IdempotencyInProgressException.class);
        }

        assertThat(regions.journal("eu-central-1").count("PutItem")).as("order writes sent").isEqualTo(1);
        assertThat(rawItem("eu-west-1", key).get("status").s()).isEqualTo("INPROGRESS");
    }

    @Test
    void connectionRefusedIsNotAppliedSoTheClaimIsReleasedAndARetryRuns() {
        String key = key();
        Idempotency idempotency = idempotency(DynamoDbIdempotencyStore.builder().table(TABLE)
                .client(TestRegions.client(regions, EU_WEST_1)).build());
        regions.faults("eu-central-1").down();
        try (DynamoDbClient orders = impatientClient(EU_CENTRAL_1)) {
            assertThatThrownBy(() -> idempotency.execute(key, "p", () -> placeOrder(orders, key)))
                    .isInstanceOf(SdkClientException.class);
            regions.faults("eu-central-1").heal();

            assertThat(idempotency.execute(key, "p", () -> placeOrder(orders, key))).isEqualTo("placed");
        }
        assertThat(rawItem("eu-west-1", key).get("status").s()).isEqualTo("COMPLETED");
    }

    private String placeOrder(DynamoDbClient orders, String key) {
        sideEffects.incrementAndGet();
        orders.putItem(PutItemRequest.builder().tableName(ORDERS)
                .item(Map.of("pk", AttributeValue.fromS(key), "status", AttributeValue.fromS("PLACED"))).build());
        return "placed";
    }

    /** A plain regional client that gives up after 300 ms, without retrying. */
    private static DynamoDbClient impatientClient(Region region) {
        return regions.clientBuilder(region.id())
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(1, Duration.ofMillis(300)))
                .build();
    }

    /** The item as stored in {@code region}'s table; empty map when absent. */
    private static Map<String, AttributeValue> rawItem(String region, String key) {
        Map<String, AttributeValue> item = regions.client(region).getItem(GetItemRequest.builder().tableName(TABLE)
                .key(Map.of("id", AttributeValue.fromS(key))).consistentRead(true).build()).item();
        return item == null ? Map.of() : item;
    }

    /**
     * A region's real client whose {@code DescribeTable} reports the EU replicas a real global table would (DynamoDB
     * Local reports none).
     */
    private static final class DescribedAsEuOnly implements DynamoDbClient {
        private final DynamoDbClient delegate;

        DescribedAsEuOnly(DynamoDbClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public DescribeTableResponse describeTable(DescribeTableRequest request) {
            DescribeTableResponse described = delegate.describeTable(request);
            return described.toBuilder().table(described.table().toBuilder().replicas(
                    ReplicaDescription.builder().regionName("eu-west-1").build(),
                    ReplicaDescription.builder().regionName("eu-central-1").build()).build()).build();
        }

        @Override
        public PutItemResponse putItem(PutItemRequest request) {
            return delegate.putItem(request);
        }

        @Override
        public UpdateItemResponse updateItem(UpdateItemRequest request) {
            return delegate.updateItem(request);
        }

        @Override
        public DeleteItemResponse deleteItem(DeleteItemRequest request) {
            return delegate.deleteItem(request);
        }

        @Override
        public GetItemResponse getItem(GetItemRequest request) {
            return delegate.getItem(request);
        }

        @Override
        public String serviceName() {
            return delegate.serviceName();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
