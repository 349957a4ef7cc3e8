package dev.meridian.dynamodb.client;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.Order;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Residency on every path: every public method of {@code DynamoDbClient} and {@code DynamoDbAsyncClient},
 * enumerated by reflection (request, consumer-builder and no-argument overloads, paginators, the waiter), through
 * both ways of making the client ({@link MultiRegionDynamoDb} and {@code MultiRegion.wrap}), called for a German subject's RESTRICTED
 * data while the process runs in us-east-1. Paginators and waiters are made inside the scope and used after it
 * closed. The witness is us-east-1's request journal: not one request may reach it. A method the SDK adds later
 * is enumerated too.
 */
@LocalRegionsConfig
class ResidencyOnEveryMethodIT {
    private static final String TABLE = "eu_orders";
    private static LocalRegions regions;
    private static final List<AutoCloseable> OPEN = new ArrayList<>();

    @BeforeAll
    static void createTables() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : OPEN) {
            c.close();
        }
    }

    /** us-east-1 is the local region: every call would go there first if residency did not hold. */
    private static MultiRegionConfig config() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(US_EAST_1).jurisdiction("US"))
                .region(RegionSpec.of(EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(EU_CENTRAL_1).jurisdiction("EU"))
                .localRegion(US_EAST_1)
                .routing(RoutingStrategy.localFirst())
                .build();
    }

    private static RoutingContext restrictedGerman() {
        return RoutingContext.builder().subjectCountry("de").dataClass(DataClass.RESTRICTED).build();
    }

    static Stream<Arguments> syncMethods() {
        DynamoDbClient viaBuilder = MultiRegionDynamoDb.builder().config(config())
                .clientFactory(r -> TestRegions.client(regions, r))
                .table(TableConfig.builder(TABLE).partitionKey("pk").replicaRegions(EU_WEST_1, EU_CENTRAL_1).build())
                .build();
        DynamoDbClient viaWrap = MultiRegion.wrap(DynamoDbClient.class, r -> TestRegions.client(regions, r), config(),
                (m, a) -> null);
        OPEN.add(viaBuilder);
        OPEN.add(viaWrap);
        return RoutedClientSources.methods(DynamoDbClient.class).stream()
                .filter(m -> !m.getName().equals("close"))
                .flatMap(m -> Stream.of(Arguments.of("MultiRegionDynamoDb", viaBuilder, m),
                        Arguments.of("MultiRegion.wrap", viaWrap, m)));
    }

    static Stream<Arguments> asyncMethods() {
        DynamoDbAsyncClient viaBuilder = MultiRegionDynamoDb.builder().config(config())
                .asyncClientFactory(r -> TestRegions.asyncClient(regions, r))
                .table(TableConfig.builder(TABLE).partitionKey("pk").replicaRegions(EU_WEST_1, EU_CENTRAL_1).build())
                .buildAsyncClient();
        OPEN.add(viaBuilder);
        return RoutedClientSources.methods(DynamoDbAsyncClient.class).stream()
                .filter(m -> !m.getName().equals("close"))
                .map(m -> Arguments.of("MultiRegionDynamoDb async", viaBuilder, m));
    }

    @ParameterizedTest(name = "{0} {2}", autoCloseArguments = false)
    @MethodSource("syncMethods")
    void restrictedCallsNeverReachARegionOutsideTheJurisdiction(String madeBy, DynamoDbClient client, Method method)
            throws Exception {
        callAndUseLaterStaysInTheEu(madeBy, client, method);
    }

    @ParameterizedTest(name = "{0} {2}", autoCloseArguments = false)
    @MethodSource("asyncMethods")
    void restrictedAsyncCallsNeverReachARegionOutsideTheJurisdiction(String madeBy, DynamoDbAsyncClient client,
            Method method) throws Exception {
        callAndUseLaterStaysInTheEu(madeBy, client, method);
    }

    /** Calls {@code method} inside a RESTRICTED DE scope, uses what it made after the scope, checks us-east-1. */
    private static void callAndUseLaterStaysInTheEu(String madeBy, Object client, Method method) throws Exception {
        regions.journalsClear();
        Object made;
        try (RoutingContext.Scope s = restrictedGerman().open()) {
            made = EveryMethod.invoke(client, method, TABLE);
        }
        EveryMethod.useLater(made, TABLE);
        assertThat(regions.journal("us-east-1").count()).as(madeBy + " " + method).isZero();
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("enhancedClients")
    void enhancedClientLazyStreamsKeepTheirContext(String madeBy, DynamoDbClient client) {
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(client).build();
        DynamoDbTable<Order> table = enhanced.table(TABLE, TableSchema.fromBean(Order.class));
        regions.journalsClear();
        try {
            Stream<?> items;
            Stream<?> scanned;
            try (RoutingContext.Scope s = restrictedGerman().open()) {
                items = table.query(QueryConditional.keyEqualTo(Key.builder().partitionValue("p-1").build()))
                        .items().stream();
                scanned = table.scan().items().stream();
            }
            items.count();
            scanned.count();
            assertThat(regions.journal("eu-west-1").count() + regions.journal("eu-central-1").count()).isPositive();
        } catch (ResidencyViolationException e) {
            // MultiRegion.wrap knows no replica regions for the table: unknown footprint, refused (fail closed).
            assertThat(madeBy).isEqualTo("MultiRegion.wrap");
        }
        assertThat(regions.journal("us-east-1").count()).as(madeBy).isZero();
    }

    static Stream<Arguments> enhancedClients() {
        return syncMethods().map(a -> a.get()).map(a -> Arguments.of(a[0], a[1])).distinct().limit(2);
    }
}
