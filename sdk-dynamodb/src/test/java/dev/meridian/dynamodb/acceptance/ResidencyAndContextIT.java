package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * README.md's "Use it" example and docs/configuration.md's "Residency" section read as a user: a DE RESTRICTED write
 * goes only to EU regions, {@code ResidencyViolationException} when none is allowed, {@code NoRegionAvailableException}
 * when none is healthy, never another region; what a call with no context is (INTERNAL by default, or refused under a
 * RESTRICTED default or require-context, also on a table with a default data class); a subject without a data class
 * takes the default; a table's replica regions bound every call. The journals witness where requests went.
 */
@LocalRegionsConfig
class ResidencyAndContextIT {
    private static final String TABLE = "rc_orders";
    private static final String EU_TABLE = "rc_eu_profiles";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static LocalRegions regions;
    private DynamoDbClient client;

    @BeforeAll
    static void createTables() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(EU_TABLE), java.util.List.of("eu-west-1", "eu-central-1"));
    }

    @AfterEach
    void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    /** The README's configuration: EU, EU, US, local eu-west-1 (or {@code local}), local-first. */
    private static MultiRegionConfig.Builder readmeConfig(Region local) {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").priority(2))
                .localRegion(local)
                .routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.disabled());
    }

    private DynamoDbClient client(MultiRegionConfig config, TableConfig... tables) {
        client = MultiRegionDynamoDb.builder().config(config)
                .clientFactory(r -> TestRegions.client(regions, r))
                .tables(java.util.List.of(tables))
                .build();
        return client;
    }

    private static PutItemRequest put(String table) {
        return PutItemRequest.builder().tableName(table)
                .item(Map.of("pk", AttributeValue.fromS("k-" + KEYS.incrementAndGet()))).build();
    }

    private static int puts(String region) {
        return regions.journal(region).count("PutItem");
    }

    /**
     * RESTRICTED data needs a table that replicates only inside its jurisdiction: a footprint reaching us-east-1 is
     * refused before sending (sdk-dynamodb README, "Residency").
     */
    private static TableConfig euTable() {
        return TableConfig.builder(EU_TABLE).partitionKey("pk")
                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build();
    }

    private static RoutingContext.Scope restrictedDe() {
        return RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED).open();
    }

    @Test
    void aGermanRestrictedPutGoesOnlyToEuRegionsEvenFromUsEast1() {
        DynamoDbClient orders = client(readmeConfig(Region.US_EAST_1).build(), euTable());
        try (RoutingContext.Scope s = restrictedDe()) {
            orders.putItem(put(EU_TABLE));
        }
        assertThat(puts("eu-west-1")).isEqualTo(1);
        assertThat(puts("us-east-1")).isZero();
    }

    @Test
    void aGermanRestrictedPutFailsOverWithinTheEuOnly() {
        DynamoDbClient orders = client(readmeConfig(Region.EU_WEST_1).build(), euTable());
        regions.faults("eu-west-1").down();
        try (RoutingContext.Scope s = restrictedDe()) {
            orders.putItem(put(EU_TABLE));
        }
        assertThat(puts("eu-central-1")).isEqualTo(1);
        assertThat(puts("us-east-1")).isZero();
    }

    /**
     * "None is healthy" is the breakers' word: while the EU regions are still tried, the call ends with the last EU
     * region's own failure; once their breakers have opened (10 calls, the default minimum), with
     * {@code NoRegionAvailableException} and nothing sent. Never us-east-1 either way.
     */
    @Test
    void whenNoEuRegionIsHealthyAGermanRestrictedPutIsNoRegionAvailableAndNeverReachesUsEast1() {
        DynamoDbClient orders = client(readmeConfig(Region.EU_WEST_1).build(), euTable());
        regions.faults("eu-west-1").down();
        regions.faults("eu-central-1").down();
        for (int i = 0; i < 10; i++) {
            try (RoutingContext.Scope s = restrictedDe()) {
                assertThat(catchThrowable(() -> orders.putItem(put(EU_TABLE)))).as("call %d", i)
                        .isInstanceOfAny(NoRegionAvailableException.class, SdkException.class);
            }
        }
        try (RoutingContext.Scope s = restrictedDe()) {
            assertThatThrownBy(() -> orders.putItem(put(EU_TABLE))).isInstanceOf(NoRegionAvailableException.class);
        }
        assertThat(regions.journal("us-east-1").isEmpty()).isTrue();
    }

    @Test
    void whenNoRegionIsAllowedTheCallIsAResidencyViolationAndNothingIsSent() {
        DynamoDbClient orders = client(readmeConfig(Region.EU_WEST_1).build(),
                TableConfig.builder(EU_TABLE).partitionKey("pk")
                        .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build());
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("US")
                .dataClass(DataClass.RESTRICTED).open()) {
            assertThatThrownBy(() -> orders.putItem(put(EU_TABLE))).isInstanceOf(ResidencyViolationException.class);
        }
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("BR")
                .dataClass(DataClass.RESTRICTED).open()) {
            assertThatThrownBy(() -> orders.putItem(put(TABLE)))
                    .as("a subject whose country is not mapped: refused naming the country as unmapped")
                    .isInstanceOf(ResidencyViolationException.class)
                    .hasMessageContaining("BR").hasMessageContaining("unmapped");
        }
        for (String id : TestRegions.IDS) {
            assertThat(puts(id)).as(id).isZero();
        }
    }

    @Test
    void aCallWithNoContextIsInternalAndMayGoToAnyRegion() {
        DynamoDbClient orders = client(readmeConfig(Region.EU_WEST_1).build());
        regions.faults("eu-west-1").down();
        regions.faults("eu-central-1").down();
        orders.putItem(put(TABLE));
        try (RoutingContext.Scope s = RoutingContext.builder().correlationId("only-a-correlation-id").open()) {
            orders.putItem(put(TABLE));   // a context declaring neither data class nor subject is no context
        }
        assertThat(puts("us-east-1")).isEqualTo(2);
    }

    @Test
    void aRestrictedDefaultDataClassRefusesCallsWithNoContextBeforeSending() {
        DynamoDbClient orders = client(readmeConfig(Region.EU_WEST_1).defaultDataClass(DataClass.RESTRICTED).build());
        assertThatThrownBy(() -> orders.putItem(put(TABLE))).isInstanceOf(ResidencyViolationException.class);
        try (RoutingContext.Scope s = RoutingContext.builder().correlationId("c-1").open()) {
            assertThatThrownBy(() -> orders.putItem(put(TABLE))).isInstanceOf(ResidencyViolationException.class);
        }
        for (String id : TestRegions.IDS) {
            assertThat(puts(id)).as(id).isZero();
        }
    }

    @Test
    void aSubjectWithoutADataClassTakesARestrictedDefaultAndStaysInTheEu() {
        DynamoDbClient orders = client(readmeConfig(Region.US_EAST_1).defaultDataClass(DataClass.RESTRICTED).build(), euTable());
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").open()) {
            orders.putItem(put(EU_TABLE));
            regions.faults("eu-west-1").down();
            regions.faults("eu-central-1").down();
            Throwable thrown = catchThrowable(() -> orders.putItem(put(EU_TABLE)));
            assertThat(thrown).isInstanceOfAny(NoRegionAvailableException.class, SdkException.class);
        }
        assertThat(puts("eu-west-1")).isEqualTo(1);
        assertThat(puts("us-east-1")).isZero();
    }

    @Test
    void requireContextRefusesCallsWithNoContextAlsoOnATableWithADefaultDataClass() {
        DynamoDbClient orders = client(readmeConfig(Region.EU_WEST_1).requireContext(true).build(),
                TableConfig.builder(EU_TABLE).partitionKey("pk").defaultDataClass(DataClass.PUBLIC).build());
        for (String table : new String[] {TABLE, EU_TABLE}) {
            assertThatThrownBy(() -> orders.putItem(put(table))).as(table)
                    .isInstanceOf(ResidencyViolationException.class);
            try (RoutingContext.Scope s = RoutingContext.builder().correlationId("c-1").idempotencyKey("i-1").open()) {
                assertThatThrownBy(() -> orders.putItem(put(table))).as(table)
                        .isInstanceOf(ResidencyViolationException.class);
            }
        }
        assertThat(puts("eu-west-1") + puts("eu-central-1") + puts("us-east-1")).isZero();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").open()) {
            orders.putItem(put(TABLE));   // a subject without a data class is a declared context
        }
        assertThat(puts("eu-west-1")).isEqualTo(1);
    }

    @Test
    void aTablesRestrictedDefaultDataClassMakesItsCallsWithNoContextFailClosed() {
        DynamoDbClient orders = client(readmeConfig(Region.EU_WEST_1).build(),
                TableConfig.builder(EU_TABLE).partitionKey("pk").defaultDataClass(DataClass.RESTRICTED).build());
        assertThatThrownBy(() -> orders.putItem(put(EU_TABLE))).isInstanceOf(ResidencyViolationException.class);
        orders.putItem(put(TABLE));   // other tables keep the configuration's default
        assertThat(puts("eu-west-1")).isEqualTo(1);
    }

    @Test
    void aTablesReplicaRegionsBoundItsCallsWithAndWithoutAContext() {
        DynamoDbClient orders = client(readmeConfig(Region.EU_WEST_1).build(),
                TableConfig.builder(EU_TABLE).partitionKey("pk")
                        .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build());
        regions.faults("eu-west-1").down();
        regions.faults("eu-central-1").down();
        for (UnaryOperator<RoutingContext.Builder> context : java.util.List.<UnaryOperator<RoutingContext.Builder>>of(
                b -> b, b -> b.dataClass(DataClass.PUBLIC), b -> b.preferredRegion(Region.US_EAST_1))) {
            try (RoutingContext.Scope s = context.apply(RoutingContext.builder()).open()) {
                assertThatThrownBy(() -> orders.putItem(put(EU_TABLE))).isNotNull();
                assertThatThrownBy(() -> orders.getItem(g -> g.tableName(EU_TABLE)
                        .key(Map.of("pk", AttributeValue.fromS("x"))))).isNotNull();
            }
        }
        assertThat(regions.journal("us-east-1").isEmpty()).isTrue();
    }
}
