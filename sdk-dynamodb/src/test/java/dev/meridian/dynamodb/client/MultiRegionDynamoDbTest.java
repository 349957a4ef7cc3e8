package dev.meridian.dynamodb.client;

import dev.meridian.dynamodb.FakeRegionClient;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/** The routed client over in-memory region clients: routing decisions without servers. */
class MultiRegionDynamoDbTest {
    private static final Region EU_WEST_1 = Region.EU_WEST_1;
    private static final Region EU_CENTRAL_1 = Region.EU_CENTRAL_1;
    private static final Region US_EAST_1 = Region.US_EAST_1;

    private final Map<Region, FakeRegionClient> fakes = new ConcurrentHashMap<>();
    private final MultiRegion runtime = MultiRegion.builder(MultiRegionConfig.builder()
            .region(RegionSpec.of(EU_WEST_1).jurisdiction("EU"))
            .region(RegionSpec.of(EU_CENTRAL_1).jurisdiction("EU"))
            .region(RegionSpec.of(US_EAST_1).jurisdiction("US"))
            .localRegion(EU_WEST_1)
            .build()).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private FakeRegionClient fake(Region region) {
        return fakes.computeIfAbsent(region, FakeRegionClient::new);
    }

    private MultiRegionDynamoDb.Builder builder() {
        return MultiRegionDynamoDb.builder().multiRegion(runtime).clientFactory(this::fake)
                .table(TableConfig.builder("orders").partitionKey("pk").build());
    }

    private static Map<String, AttributeValue> item(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS("x"));
    }

    private static RuntimeException unavailable() {
        return DynamoDbException.builder().statusCode(503).message("unavailable").build();
    }

    private static RuntimeException timedOutAfterSend() {
        return SdkClientException.create("read timed out", new SocketTimeoutException("Read timed out"));
    }

    @Test
    void callsGoToTheLocalRegionAndFailOverOnServiceUnavailable() {
        DynamoDbClient client = builder().build();
        client.putItem(p -> p.tableName("orders").item(item("a")));
        fake(EU_WEST_1).failure = MultiRegionDynamoDbTest::unavailable;
        client.putItem(p -> p.tableName("orders").item(item("b")));

        assertThat(fake(EU_WEST_1).received).containsExactly("PutItem", "PutItem");
        assertThat(fake(EU_CENTRAL_1).received).containsExactly("PutItem");
        assertThat(fake(EU_CENTRAL_1).items).containsKey("b");
    }

    @Test
    void plainWriteIsNotRepeatedAfterAFailureThatMayHaveBeenApplied() {
        DynamoDbClient client = builder().build();
        fake(EU_WEST_1).failure = MultiRegionDynamoDbTest::timedOutAfterSend;

        assertThatThrownBy(() -> client.putItem(p -> p.tableName("orders").item(item("a"))))
                .isInstanceOf(SdkClientException.class);
        assertThat(fakes).doesNotContainKey(EU_CENTRAL_1);

        client.putItem(p -> p.tableName("orders").item(item("a")).conditionExpression("attribute_not_exists(pk)"));
        assertThat(fake(EU_CENTRAL_1).received).containsExactly("PutItem");
    }

    @Test
    void restrictedDataIsRefusedBeforeAnythingIsSentWhenTheTableReplicatesOutsideItsJurisdiction() {
        DynamoDbClient client = builder()
                .table(TableConfig.builder("eu_only").partitionKey("pk").replicaRegions(EU_WEST_1, EU_CENTRAL_1)
                        .build())
                .table(TableConfig.builder("orders").partitionKey("pk")
                        .replicaRegions(EU_WEST_1, EU_CENTRAL_1, US_EAST_1).build())
                .build();
        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                .open()) {
            assertThatThrownBy(() -> client.putItem(p -> p.tableName("orders").item(item("de"))))
                    .isInstanceOf(ResidencyViolationException.class);
            assertThat(fakes).isEmpty();

            client.putItem(p -> p.tableName("eu_only").item(item("de")));
            assertThat(fake(EU_WEST_1).received).containsExactly("PutItem");
        }
    }

    @Test
    void aSubjectWithoutADataClassTakesTheTablesDefaultDataClass() {
        DynamoDbClient client = builder()
                .table(TableConfig.builder("ledger").partitionKey("pk")
                        .replicaRegions(EU_WEST_1, EU_CENTRAL_1, US_EAST_1).defaultDataClass(DataClass.RESTRICTED)
                        .build())
                .table(TableConfig.builder("eu_ledger").partitionKey("pk").replicaRegions(EU_WEST_1, EU_CENTRAL_1)
                        .defaultDataClass(DataClass.RESTRICTED).build())
                .build();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").open()) {
            assertThatThrownBy(() -> client.putItem(p -> p.tableName("ledger").item(item("de"))))
                    .as("RESTRICTED by the table's default: the table replicates to us-east-1")
                    .isInstanceOf(ResidencyViolationException.class).hasMessageContaining("RESTRICTED");
            assertThat(fakes).isEmpty();
            client.putItem(p -> p.tableName("eu_ledger").item(item("de")));
        }
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("US").open()) {
            assertThatThrownBy(() -> client.putItem(p -> p.tableName("eu_ledger").item(item("us"))))
                    .isInstanceOf(ResidencyViolationException.class);
        }
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("US").dataClass(DataClass.INTERNAL)
                .open()) {
            client.putItem(p -> p.tableName("eu_ledger").item(item("us-internal")));
        }
        assertThat(fake(EU_WEST_1).items).containsOnlyKeys("de", "us-internal");
        assertThat(fakes).doesNotContainKey(US_EAST_1);
    }

    @Test
    void aSubjectWithoutADataClassTakesTheConfiguredDefaultDataClassWhenTheTableHasNone() {
        MultiRegion failClosed = MultiRegion.builder(MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(US_EAST_1).jurisdiction("US"))
                .localRegion(US_EAST_1)
                .defaultDataClass(DataClass.RESTRICTED)
                .build()).build();
        try (failClosed; DynamoDbClient client = MultiRegionDynamoDb.builder().multiRegion(failClosed)
                .clientFactory(this::fake).table(TableConfig.builder("orders").partitionKey("pk")
                        .replicaRegions(EU_WEST_1, EU_CENTRAL_1, US_EAST_1).build())
                .table(TableConfig.builder("eu_orders").partitionKey("pk").replicaRegions(EU_WEST_1, EU_CENTRAL_1)
                        .build())
                .build();
                RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").open()) {
            assertThatThrownBy(() -> client.putItem(p -> p.tableName("orders").item(item("de"))))
                    .isInstanceOf(ResidencyViolationException.class).hasMessageContaining("RESTRICTED");
            client.putItem(p -> p.tableName("eu_orders").item(item("de")));
        }
        assertThat(fake(EU_WEST_1).items).containsOnlyKeys("de");
        assertThat(fakes).doesNotContainKey(US_EAST_1);
    }

    /**
     * {@code requireContext} refuses every call made without a context; a table's default data class says what such a
     * call's data is, not that it has a context. Before the fix the table default declared it, and a call with no
     * context open (or under one declaring nothing) on a PUBLIC-by-default table went to the local region
     * (NoContextSuspectRegionIT found it).
     */
    @Test
    void requireContextRefusesACallWithoutAContextAlsoOnATableWithADefaultDataClass() {
        MultiRegion requireContext = MultiRegion.builder(MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(US_EAST_1).jurisdiction("US"))
                .localRegion(EU_WEST_1)
                .requireContext(true)
                .build()).build();
        try (requireContext; DynamoDbClient client = MultiRegionDynamoDb.builder().multiRegion(requireContext)
                .clientFactory(this::fake).table(TableConfig.builder("catalog").partitionKey("pk")
                        .defaultDataClass(DataClass.PUBLIC).build())
                .build()) {
            assertThatThrownBy(() -> client.putItem(p -> p.tableName("catalog").item(item("none"))))
                    .isInstanceOf(ResidencyViolationException.class).hasMessageContaining("REQUIRE_CONTEXT");
            try (RoutingContext.Scope s = RoutingContext.builder().correlationId("c-1").open()) {
                assertThatThrownBy(() -> client.getItem(g -> g.tableName("catalog").key(item("none"))))
                        .isInstanceOf(ResidencyViolationException.class).hasMessageContaining("REQUIRE_CONTEXT");
            }
            assertThat(fakes).isEmpty();
            try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("US").open()) {
                client.putItem(p -> p.tableName("catalog").item(item("us")));
            }
        }
        assertThat(fake(EU_WEST_1).items).as("a declared subject takes the table's PUBLIC default")
                .containsOnlyKeys("us");
    }

    @Test
    void theIdempotencyStoreAppliesItsTablesDefaultDataClassLikeTheClient() {
        DynamoDbClient client = builder().table(TableConfig.builder("idempotency").partitionKey("id")
                .replicaRegions(EU_WEST_1, EU_CENTRAL_1).defaultDataClass(DataClass.RESTRICTED).build()).build();
        DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table("idempotency").client(client)
                .replicaRegions(EU_WEST_1, EU_CENTRAL_1).build();
        Instant now = Instant.now();

        assertThatThrownBy(() -> store.claim("k-1", "hash", now.plusSeconds(60), now.plusSeconds(3600)))
                .as("no context: RESTRICTED by the table's default, no subject").isInstanceOf(
                        ResidencyViolationException.class);
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("US").open()) {
            assertThatThrownBy(() -> store.claim("k-2", "hash", now.plusSeconds(60), now.plusSeconds(3600)))
                    .as("a US subject without a data class: RESTRICTED, the table is in the EU only")
                    .isInstanceOf(ResidencyViolationException.class);
        }
        assertThat(fakes).isEmpty();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").open()) {
            store.claim("k-3", "hash", now.plusSeconds(60), now.plusSeconds(3600));
        }
        assertThat(fakes).doesNotContainKey(US_EAST_1);
    }

    @Test
    void unknownTablesAreDescribedOnceAndAssumedToReplicateEverywhere() {
        DynamoDbClient client = builder().build();
        client.getItem(g -> g.tableName("unlisted").key(item("a")));
        client.getItem(g -> g.tableName("unlisted").key(item("b")));
        assertThat(fake(EU_WEST_1).received).containsExactly("DescribeTable", "GetItem", "GetItem");

        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                .open()) {
            assertThatThrownBy(() -> client.getItem(g -> g.tableName("unlisted").key(item("a"))))
                    .isInstanceOf(ResidencyViolationException.class);
        }
    }

    @Test
    void paginatorsAndConsumerOverloadsAreRoutedPageByPage() {
        DynamoDbClient client = builder().build();
        fake(EU_WEST_1).failure = MultiRegionDynamoDbTest::unavailable;
        client.queryPaginator(q -> q.tableName("orders").keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("a")))).items().forEach(i -> { });
        assertThat(fake(EU_CENTRAL_1).received).containsExactly("Query");
        assertThat(client.serviceName()).isEqualTo(DynamoDbClient.SERVICE_NAME);
    }

    @Test
    void readYourWritesPinsTheNextReadToTheWritingRegion() {
        DynamoDbClient client = builder().readYourWrites(ReadYourWrites.within(Duration.ofSeconds(30))).build();
        fake(EU_WEST_1).failure = MultiRegionDynamoDbTest::unavailable;
        try (RoutingContext.Scope s = RoutingContext.builder().correlationId("alice").open()) {
            client.putItem(p -> p.tableName("orders").item(item("a")));
        }
        fake(EU_WEST_1).failure = null;
        try (RoutingContext.Scope s = RoutingContext.builder().correlationId("alice").open()) {
            assertThat(client.getItem(g -> g.tableName("orders").key(item("a"))).hasItem()).isTrue();
        }
        try (RoutingContext.Scope s = RoutingContext.builder().correlationId("bob").open()) {
            assertThat(client.getItem(g -> g.tableName("orders").key(item("a"))).hasItem()).isFalse();
        }
        assertThat(fake(EU_CENTRAL_1).received).containsExactly("PutItem", "GetItem");
    }

    @Test
    void clientMethodsThatAreNotCallsAreAnsweredWithoutTouchingAnyRegion() {
        DynamoDbClient client = builder().build();
        assertThat(client.serviceName()).isEqualTo(DynamoDbClient.SERVICE_NAME);
        assertThat(client.toString()).startsWith("MultiRegionDynamoDbClient[");
        assertThat(client).isEqualTo(client).hasSameHashCodeAs(client);
        assertThat(client.waiter()).isNotNull();
        assertThat(fakes).isEmpty();
    }

    @Test
    void aBuildThatFailsLeavesNoPerRegionClientOpen() {
        MultiRegionConfig oneRegion = MultiRegionConfig.builder().region(RegionSpec.of(EU_WEST_1))
                .localRegion(EU_WEST_1).build();
        assertThatThrownBy(() -> MultiRegionDynamoDb.builder().config(oneRegion).clientFactory(this::fake)
                .replicationLagProbe(ReplicationLagProbe.config("heartbeats")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ReplicationLagProbe.client must be given for at least two regions, was"
                        + " [eu-west-1]; ");
        assertThat(fakes).as("the lag probe looks its clients up per call: none is built before its first round")
                .isEmpty();
    }

    @Test
    void closingTheClientClosesThePerRegionClients() {
        DynamoDbClient client = builder().build();
        client.putItem(p -> p.tableName("orders").item(item("a")));
        client.close();
        assertThat(fake(EU_WEST_1).closed).isTrue();
    }
}
