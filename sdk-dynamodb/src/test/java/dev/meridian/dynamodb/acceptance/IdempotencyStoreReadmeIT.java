package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.IdempotencyKeyReuseException;
import dev.meridian.core.idempotency.IdempotencyResultNotStoredException;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore.HomeRegionMode;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * sdk-dynamodb README's "Idempotency" section read as a user, on LocalRegions with the routed client: one home per key
 * whatever the context (journals); STRICT refuses when the home is down, AVAILABLE moves on; a RESTRICTED claim on a
 * table replicating outside the jurisdiction is refused before anything is sent; which failures release the claim
 * (a jqwik property over the documented kinds); results that cannot be stored; key reuse; keys never in messages.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class IdempotencyStoreReadmeIT {
    private static final String TABLE = "ir_idempotency";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static DynamoDbClient routed;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(CreateTableRequest.builder().tableName(TABLE)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST).build());
        routed = MultiRegionDynamoDb.builder().config(TestRegions.config())
                .clientFactory(r -> TestRegions.client(regions, r, Duration.ofMillis(500))).build();
    }

    @AfterContainer
    static void stop() {
        if (routed != null) {
            routed.close();
        }
    }

    private static DynamoDbIdempotencyStore store(HomeRegionMode mode) {
        return DynamoDbIdempotencyStore.builder().table(TABLE).client(routed).mode(mode)
                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1).build();
    }

    private static Idempotency idempotency(DynamoDbIdempotencyStore store) {
        return Idempotency.builder().store(store).ttl(Duration.ofHours(1)).build();
    }

    private static String key() {
        return "customer-42/order-" + KEYS.incrementAndGet();
    }

    /** A fresh key whose home region is {@code home}. */
    private static String keyHomedIn(DynamoDbIdempotencyStore store, Region home) {
        for (int i = 0; i < 200; i++) {
            String k = key();
            if (store.homeRegion(k).orElseThrow().equals(home)) {
                return k;
            }
        }
        throw new AssertionError("no key homed in " + home);
    }

    private static List<String> regionsThatGotCalls() {
        List<String> got = new ArrayList<>();
        for (String r : TestRegions.IDS) {
            if (regions.journal(r).entries().stream().anyMatch(e -> TABLE.equals(e.table().orElse(null)))) {
                got.add(r);
            }
        }
        return got;
    }

    @Provide
    Arbitrary<RoutingContext> contexts() {
        return Arbitraries.of(
                RoutingContext.builder().subjectCountry("US").build(),
                RoutingContext.builder().subjectCountry("DE").build(),
                RoutingContext.builder().preferredRegion(Region.US_EAST_1).build(),
                RoutingContext.builder().preferredRegion(Region.EU_CENTRAL_1).build(),
                RoutingContext.builder().routingKey("someone-else").build(),
                RoutingContext.builder().idempotencyKey("another-key").build(),
                RoutingContext.builder().excludeRegion(Region.EU_WEST_1).build());
    }

    /** "the same with or without a RoutingContext, so duplicates meet one record": all calls go to the key's home. */
    @Property(tries = 14)
    void aKeysRecordLivesInItsHomeWhateverTheContext(@ForAll("contexts") RoutingContext context) {
        DynamoDbIdempotencyStore store = store(HomeRegionMode.STRICT);
        Idempotency idempotency = idempotency(store);
        String k = key();
        String home = store.homeRegion(k).orElseThrow().id();
        AtomicInteger runs = new AtomicInteger();
        regions.journalsClear();
        assertThat(idempotency.execute(k, "{}", () -> "r" + runs.incrementAndGet())).isEqualTo("r1");
        try (RoutingContext.Scope s = context.toBuilder().open()) {
            assertThat(idempotency.execute(k, "{}", () -> "r" + runs.incrementAndGet())).isEqualTo("r1");
        }
        assertThat(runs).hasValue(1);
        assertThat(regionsThatGotCalls()).containsExactly(home);
    }

    @Example
    void strictRefusesWhenTheHomeIsDownAndAvailableMovesOn() {
        DynamoDbIdempotencyStore strict = store(HomeRegionMode.STRICT);
        String k = keyHomedIn(strict, Region.EU_CENTRAL_1);
        regions.faults("eu-central-1").down();
        regions.journalsClear();
        AtomicInteger runs = new AtomicInteger();
        assertThat(catchThrowable(() -> idempotency(strict).execute(k, "{}", () -> "r" + runs.incrementAndGet())))
                .isNotNull();
        assertThat(runs).hasValue(0);
        assertThat(regionsThatGotCalls()).isEmpty();

        DynamoDbIdempotencyStore available = store(HomeRegionMode.AVAILABLE);
        assertThat(idempotency(available).execute(k, "{}", () -> "r" + runs.incrementAndGet())).isEqualTo("r1");
        assertThat(regionsThatGotCalls()).isNotEmpty().doesNotContain("eu-central-1");
    }

    /** "for RESTRICTED data a table replicating outside the allowed regions is refused". */
    @Example
    void aRestrictedClaimOnATableReplicatingOutsideTheJurisdictionIsRefusedBeforeSending() {
        Idempotency idempotency = idempotency(store(HomeRegionMode.STRICT));
        regions.journalsClear();
        AtomicInteger runs = new AtomicInteger();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            assertThatThrownBy(() -> idempotency.execute(key(), "{}", () -> "r" + runs.incrementAndGet()))
                    .isInstanceOf(ResidencyViolationException.class);
        }
        assertThat(runs).hasValue(0);
        assertThat(regionsThatGotCalls()).isEmpty();
    }

    /** A failure an operation may throw, and whether the README says its claim is released. */
    record Failure(String name, Supplier<RuntimeException> exception, boolean released) {
        @Override
        public String toString() {
            return name;
        }
    }

    @Provide
    Arbitrary<Failure> failures() {
        return Arbitraries.of(
                new Failure("caller error", () -> new IllegalArgumentException("card declined"), true),
                new Failure("throttling", () -> (RuntimeException) DynamoDbException.builder().statusCode(400)
                        .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                                .errorCode("ThrottlingException").build()).message("slow down").build(), true),
                new Failure("503", () -> (RuntimeException) DynamoDbException.builder().statusCode(503)
                        .message("unavailable").build(), true),
                new Failure("connection refused", () -> SdkClientException.builder().message("refused")
                        .cause(new java.net.ConnectException("Connection refused")).build(), true),
                new Failure("500", () -> (RuntimeException) DynamoDbException.builder().statusCode(500)
                        .message("internal").build(), false),
                new Failure("attempt timeout", () -> ApiCallAttemptTimeoutException.create(500), false),
                new Failure("500 suppressed in a caller error", () -> {
                    IllegalStateException e = new IllegalStateException("after the charge");
                    e.addSuppressed(DynamoDbException.builder().statusCode(500).message("internal").build());
                    return e;
                }, false),
                new Failure("500 as the cause", () -> new IllegalStateException("wrapped",
                        DynamoDbException.builder().statusCode(500).message("internal").build()), false));
    }

    /**
     * "When a failed operation's claim is released": a failure known not to have applied the side effect releases it
     * (an immediate retry runs); one that may have been applied keeps it (an immediate retry gets
     * IdempotencyInProgressException and does not run the operation).
     */
    @Property(tries = 16)
    void aClaimIsReleasedOnlyWhenTheFailureIsKnownNotToHaveApplied(@ForAll("failures") Failure failure) {
        Idempotency idempotency = idempotency(store(HomeRegionMode.STRICT));
        String k = key();
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> idempotency.execute(k, "{}", () -> {
            runs.incrementAndGet();
            throw failure.exception().get();
        })).isNotNull();
        if (failure.released()) {
            assertThat(idempotency.execute(k, "{}", () -> "r" + runs.incrementAndGet())).isEqualTo("r2");
        } else {
            assertThatThrownBy(() -> idempotency.execute(k, "{}", () -> "r" + runs.incrementAndGet()))
                    .isInstanceOf(IdempotencyInProgressException.class);
            assertThat(runs).hasValue(1);
        }
    }

    @Example
    void anErrorKeepsTheClaim() {
        Idempotency idempotency = idempotency(store(HomeRegionMode.STRICT));
        String k = key();
        assertThatThrownBy(() -> idempotency.execute(k, "{}", () -> {
            throw new OutOfMemoryError("simulated");
        })).isInstanceOf(OutOfMemoryError.class);
        assertThatThrownBy(() -> idempotency.execute(k, "{}", () -> "ran"))
                .isInstanceOf(IdempotencyInProgressException.class);
    }

    /**
     * "a result that is too large (or null ...) is not swallowed: ... IdempotencyResultNotStoredException is thrown —
     * carrying the result to the call that ran it, and to every duplicate ... so the operation never runs again".
     */
    @Example
    void aResultThatCannotBeStoredIsReportedToTheCallAndEveryDuplicate() {
        DynamoDbIdempotencyStore small = DynamoDbIdempotencyStore.builder().table(TABLE).client(routed)
                .maxResultBytes(64).build();
        Idempotency idempotency = idempotency(small);
        String k = key();
        String big = "x".repeat(200);
        AtomicInteger runs = new AtomicInteger();
        Throwable first = catchThrowable(() -> idempotency.execute(k, "{}", () -> {
            runs.incrementAndGet();
            return big;
        }));
        assertThat(first).isInstanceOf(IdempotencyResultNotStoredException.class);
        assertThat(((IdempotencyResultNotStoredException) first).result()).contains(big);
        Throwable duplicate = catchThrowable(() -> idempotency.execute(k, "{}", () -> "again" + runs.incrementAndGet()));
        assertThat(duplicate).isInstanceOf(IdempotencyResultNotStoredException.class);
        assertThat(runs).hasValue(1);

        String nullKey = key();
        assertThatThrownBy(() -> idempotency.execute(nullKey, "{}", () -> null))
                .isInstanceOf(IdempotencyResultNotStoredException.class);
        assertThatThrownBy(() -> idempotency.execute(nullKey, "{}", () -> "ran"))
                .isInstanceOf(IdempotencyResultNotStoredException.class);
    }

    /** "A key used with another payload is refused"; "exception messages show keyHash(key), never the key". */
    @Example
    void aReusedKeyIsRefusedAndMessagesNeverShowTheKey() {
        Idempotency idempotency = idempotency(store(HomeRegionMode.STRICT));
        String k = key();
        idempotency.execute(k, "{\"amount\":1}", () -> "charged");
        Throwable reuse = catchThrowable(() -> idempotency.execute(k, "{\"amount\":2}", () -> "charged twice"));
        assertThat(reuse).isInstanceOf(IdempotencyKeyReuseException.class);
        assertThat(reuse.getMessage()).doesNotContain(k).contains(Idempotency.keyHash(k));
        assertThat(Idempotency.keyHash(k)).matches("sha256:[0-9a-f]{12}");

        String kept = key();
        assertThatThrownBy(() -> idempotency.execute(kept, "{}", () -> {
            throw DynamoDbException.builder().statusCode(500).message("internal").build();
        })).isNotNull();
        Throwable inProgress = catchThrowable(() -> idempotency.execute(kept, "{}", () -> "ran"));
        assertThat(inProgress).isInstanceOf(IdempotencyInProgressException.class);
        assertThat(inProgress.getMessage()).doesNotContain(kept);
    }
}
