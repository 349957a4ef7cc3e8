package dev.meridian.dynamodb.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.idempotency.IdempotencyClaim;
import dev.meridian.core.idempotency.IdempotencyResultNotStoredException;
import dev.meridian.core.idempotency.IdempotencyStatus;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.EmbeddedDynamoDb;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * Where the store sends each call with a multi-region client: the key's home (STRICT) or the next region (AVAILABLE),
 * the claim's own region for complete and fail, and the residency check before anything is sent. Regions are
 * DynamoDB Local in process ({@link EmbeddedDynamoDb}), one database each and no replication, so each region's table
 * shows exactly what was written there.
 */
class DynamoDbIdempotencyStoreRoutingTest {
    private static final String TABLE = "idempotency";
    private static final Region WEST = Region.EU_WEST_1;
    private static final Region CENTRAL = Region.EU_CENTRAL_1;
    private static final Region US = Region.US_EAST_1;
    private static final List<Region> REGIONS = List.of(WEST, CENTRAL, US);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final EmbeddedDynamoDb dynamo = new EmbeddedDynamoDb().table(TABLE, "id", WEST, CENTRAL, US);
    private final MultiRegion runtime = MultiRegion.builder(MultiRegionConfig.builder()
            .region(RegionSpec.of(WEST).jurisdiction("EU"))
            .region(RegionSpec.of(CENTRAL).jurisdiction("EU"))
            .region(RegionSpec.of(US).jurisdiction("US"))
            .localRegion(WEST)
            // One attempt at a time: these tests count each region's requests.
            .hedging(HedgingConfig.disabled())
            .build()).build();
    private final DynamoDbClient routed = MultiRegionDynamoDb.builder().multiRegion(runtime)
            .clientFactory(dynamo::client).build();

    @AfterEach
    void close() {
        routed.close();
        runtime.close();
        dynamo.close();
    }

    private DynamoDbIdempotencyStore.Builder builder() {
        return DynamoDbIdempotencyStore.builder().table(TABLE).client(routed).clock(() -> T0);
    }

    private static IdempotencyClaim claim(DynamoDbIdempotencyStore store, String key) {
        return store.claim(key, "h", T0.plusSeconds(10), T0.plusSeconds(600));
    }

    private Map<String, AttributeValue> raw(Region region, String key) {
        return dynamo.client(region).getItem(g -> g.tableName(TABLE).key(Map.of("id", AttributeValue.fromS(key)))
                .consistentRead(true)).item();
    }

    private Set<Region> holding(String key) {
        return REGIONS.stream().filter(r -> !raw(r, key).isEmpty()).collect(Collectors.toSet());
    }

    private static Supplier<RuntimeException> unavailable() {
        return () -> DynamoDbException.builder().statusCode(503).message("unavailable").build();
    }

    private static Supplier<RuntimeException> timedOut() {
        return () -> SdkClientException.create("read timed out", new SocketTimeoutException("Read timed out"));
    }

    private static List<String> keys(int n) {
        return IntStream.range(0, n).mapToObj(i -> "key-" + i).toList();
    }

    /** A key whose home is {@code home}. */
    private static String keyHomedIn(DynamoDbIdempotencyStore store, Region home) {
        return keys(60).stream().filter(k -> store.homeRegion(k).orElseThrow().equals(home)).findFirst()
                .orElseThrow();
    }

    @Test
    void aStrictClaimIsMadeInTheKeysHomeAndCompletedThereItsTokenNamingIt() {
        DynamoDbIdempotencyStore store = builder().build();
        String key = keyHomedIn(store, CENTRAL);

        IdempotencyClaim claim = claim(store, key);
        store.complete(claim, "done".getBytes(), T0.plusSeconds(600));

        assertThat(claim.owner()).startsWith("eu-central-1/");
        assertThat(dynamo.client(WEST).received).isEmpty();
        assertThat(dynamo.client(US).received).isEmpty();
        assertThat(holding(key)).containsExactly(CENTRAL);
        assertThat(raw(CENTRAL, key)).containsEntry("status", AttributeValue.fromS("COMPLETED"))
                .containsEntry("_mr_owner", AttributeValue.fromS(claim.owner().substring("eu-central-1/".length())));
        assertThat(store.find(key).orElseThrow().status()).isEqualTo(IdempotencyStatus.COMPLETED);
        assertThat(keys(30).stream().map(k -> store.homeRegion(k).orElseThrow()).collect(Collectors.toSet()))
                .as("keys are spread over every configured region").containsExactlyInAnyOrder(WEST, CENTRAL, US);
    }

    @Test
    void declaredReplicaRegionsBoundWhereKeysAreHomed() {
        DynamoDbIdempotencyStore store = builder().replicaRegions(WEST, CENTRAL).build();

        assertThat(keys(30).stream().map(k -> store.homeRegion(k).orElseThrow()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(WEST, CENTRAL);
        assertThatThrownBy(() -> builder().replicaRegions(Region.AP_SOUTHEAST_2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DynamoDbIdempotencyStore.replicaRegions must name a region the runtime is"
                        + " configured with");
    }

    @Test
    void strictModeRefusesWhenTheHomeDidNotTakeTheCallAndSendsNothingElsewhere() {
        DynamoDbIdempotencyStore store = builder().build();
        String key = keyHomedIn(store, CENTRAL);
        dynamo.client(CENTRAL).failure = unavailable();

        assertThatThrownBy(() -> claim(store, key)).isInstanceOf(NoRegionAvailableException.class)
                .hasMessageContaining("lives in its home region eu-central-1")
                .hasMessageContaining("idempotency.claim")
                .hasCauseInstanceOf(DynamoDbException.class);
        dynamo.client(CENTRAL).failure = timedOut();
        assertThatThrownBy(() -> claim(store, key)).as("a failure that may have applied it is reported as it is")
                .isInstanceOf(SdkClientException.class);
        assertThat(dynamo.client(WEST).received).isEmpty();
        assertThat(dynamo.client(US).received).isEmpty();

        dynamo.client(CENTRAL).failure = null;
        runtime.drain(CENTRAL);
        assertThatThrownBy(() -> claim(store, key)).isInstanceOf(NoRegionAvailableException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("lives in its home region"));
        assertThat(holding(key)).isEmpty();
    }

    @Test
    void availableModeClaimsInTheNextRegionAndCompletesThereOnceTheHomeIsBack() {
        DynamoDbIdempotencyStore store = builder().mode(DynamoDbIdempotencyStore.HomeRegionMode.AVAILABLE).build();
        String key = keyHomedIn(store, CENTRAL);
        String failed = keys(60).stream().filter(k -> !k.equals(key)
                && store.homeRegion(k).orElseThrow().equals(CENTRAL)).findFirst().orElseThrow();
        dynamo.client(CENTRAL).failure = unavailable();
        IdempotencyClaim claim = claim(store, key);
        IdempotencyClaim toFail = claim(store, failed);
        dynamo.client(CENTRAL).failure = null;
        Region next = holding(key).iterator().next();

        store.complete(claim, "done".getBytes(), T0.plusSeconds(600));
        store.fail(toFail);

        assertThat(holding(key)).containsExactly(next).doesNotContain(CENTRAL);
        assertThat(claim.owner()).startsWith(next.id() + "/");
        assertThat(raw(next, key)).containsEntry("status", AttributeValue.fromS("COMPLETED"));
        assertThat(holding(failed)).as("released where it was claimed").isEmpty();
        assertThat(dynamo.client(CENTRAL).received).doesNotContain("UpdateItem", "DeleteItem");
    }

    @Test
    void aCompleteMovesOnOnlyWhenTheClaimsRegionProvesItDidNotApplyIt() {
        DynamoDbIdempotencyStore store = builder().build();
        String key = keyHomedIn(store, CENTRAL);
        String other = keys(60).stream().filter(k -> !k.equals(key)
                && store.homeRegion(k).orElseThrow().equals(CENTRAL)).findFirst().orElseThrow();
        IdempotencyClaim claim = claim(store, key);
        IdempotencyClaim maybe = claim(store, other);
        dynamo.client(WEST).received.clear();
        dynamo.client(US).received.clear();

        dynamo.client(CENTRAL).failure = unavailable();
        assertThatThrownBy(() -> store.complete(claim, "r".getBytes(), T0.plusSeconds(600)))
                .as("moved on: no replica of the record there").isInstanceOfSatisfying(
                        IdempotencyResultNotStoredException.class, e -> assertThat(e.reason()).contains("gone"));
        int elsewhere = dynamo.client(WEST).received.size() + dynamo.client(US).received.size();
        assertThat(elsewhere).isEqualTo(1);

        dynamo.client(CENTRAL).failure = timedOut();
        assertThatThrownBy(() -> store.complete(maybe, "r".getBytes(), T0.plusSeconds(600)))
                .isInstanceOf(SdkClientException.class);
        assertThat(dynamo.client(WEST).received.size() + dynamo.client(US).received.size())
                .as("not sent to another region").isEqualTo(elsewhere);
    }

    @Test
    void aTokenWithoutARegionIsReleasedInTheKeysHome() {
        DynamoDbIdempotencyStore store = builder().build();
        String key = keyHomedIn(store, US);

        store.fail(IdempotencyClaim.acquired(key, "/owner"));
        store.fail(IdempotencyClaim.acquired(key, "owner"));

        assertThat(dynamo.client(US).received).containsExactly("DeleteItem", "DeleteItem");
    }

    @Test
    void restrictedClaimsAreRefusedBeforeAnythingIsSentWhenTheTableReplicatesOutsideTheJurisdiction() {
        DynamoDbIdempotencyStore everywhere = builder().build();
        DynamoDbIdempotencyStore declared = builder().replicaRegions(WEST, CENTRAL).build();
        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.INTERNAL).open()) {
            assertThat(claim(everywhere, "internal").acquired()).isTrue();
        }
        assertThat(REGIONS.stream().flatMap(r -> dynamo.client(r).received.stream()))
                .as("residency does not limit INTERNAL data: no footprint, no DescribeTable").containsExactly("PutItem");

        try (DynamoDbClient euTable = MultiRegionDynamoDb.builder().multiRegion(runtime).clientFactory(dynamo::client)
                .table(TableConfig.builder(TABLE).partitionKey("id").replicaRegions(WEST, CENTRAL).build()).build();
                RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED)
                        .subjectCountry("DE").open()) {
            DynamoDbIdempotencyStore known = DynamoDbIdempotencyStore.builder().table(TABLE).client(euTable)
                    .clock(() -> T0).build();
            assertThatThrownBy(() -> claim(everywhere, "a")).as("footprint unknown: assumed everywhere")
                    .isInstanceOf(ResidencyViolationException.class);
            assertThat(REGIONS.stream().flatMap(r -> dynamo.client(r).received.stream()))
                    .as("no item call was sent").containsOnlyOnce("PutItem");
            assertThat(claim(declared, "b").acquired()).isTrue();
            assertThat(claim(known, "c").acquired()).isTrue();
        }
        assertThat(holding("a")).isEmpty();
        assertThat(holding("b")).isNotEmpty().doesNotContain(US);
        assertThat(holding("c")).isNotEmpty().doesNotContain(US);
    }
}
