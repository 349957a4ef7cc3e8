package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * A read-only table throttled in its local region opens that region × table breaker (never the region's); once the
 * throttling ends, the table's reads come back to the local region — also with a health probe configured, which
 * drives only the region breakers it probes. The journals are the witness of where the reads went.
 */
@LocalRegionsConfig
class ThrottledTableRecoveryIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String US = "us-east-1";
    private static final String TABLE = "catalog";

    private static LocalRegions regions;

    /** Test-only classifier: every call names its table, so throttling is recorded against that table. */
    private static final OperationClassifier CLASSIFIER = (method, args) -> Operation.builder(method.getName(),
            method.getName().startsWith("get") ? OperationKind.READ : OperationKind.WRITE).resource(TABLE).build();

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        for (String r : regions.regions()) {
            regions.client(r).putItem(PutItemRequest.builder().tableName(TABLE)
                    .item(Map.of("pk", AttributeValue.fromS("sku-1"))).build());
        }
    }

    @ParameterizedTest(name = "per-resource breakers: {0}")
    @ValueSource(booleans = {false, true})
    void aThrottledReadOnlyTableReturnsToItsLocalRegionWithAHealthProbeConfigured(boolean perResourceBreakers) {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).endpoint(regions.endpoint(WEST)))
                .region(RegionSpec.of(CENTRAL).endpoint(regions.endpoint(CENTRAL)))
                .region(RegionSpec.of(US).endpoint(regions.endpoint(US)))
                .localRegion(WEST)
                .health(HealthConfig.builder().slidingWindowSize(4).minimumNumberOfCalls(4)
                        .waitInOpenState(Duration.ofMillis(300)).permittedCallsInHalfOpenState(2)
                        .perResourceBreakers(perResourceBreakers)
                        // A real probe through each region's endpoint: the region answers, only the table throttles.
                        .probe(region -> regions.client(region.id()).listTables().sdkHttpResponse().isSuccessful(),
                                Duration.ofMillis(100))
                        .build())
                .build();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (MultiRegion runtime = MultiRegion.builder(config).meterRegistry(meters).build()) {
            DynamoDbClient catalog = runtime.wrapClient(DynamoDbClient.class, (region, spec) -> regions
                    .clientBuilder(region.id()).endpointOverride(spec.endpoint().orElseThrow())
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build(), CLASSIFIER);
            CircuitBreaker tableInWest = runtime.circuitBreakers().circuitBreaker(WEST + "/" + TABLE);

            regions.faults(WEST).only("GetItem").throttle();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                assertThat(catalog.getItem(get()).hasItem()).isTrue();
                return tableInWest.getState() == CircuitBreaker.State.OPEN;
            });
            assertThat(runtime.circuitBreakers().circuitBreaker(WEST).getState())
                    .as("throttling is the table's, not the region's").isEqualTo(CircuitBreaker.State.CLOSED);
            regions.faults(WEST).heal();

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                assertThat(catalog.getItem(get()).hasItem()).isTrue();
                return tableInWest.getState() == CircuitBreaker.State.CLOSED;
            });
            regions.journalsClear();
            double hedgesBefore = hedgesSent(meters, CENTRAL);
            for (int i = 0; i < 5; i++) {
                assertThat(catalog.getItem(get()).hasItem()).isTrue();
            }
            assertThat(regions.journal(WEST).count("GetItem")).as("reads are back in the local region").isEqualTo(5);
            // Hedging is on by default: on a busy machine a read in the local region may still be hedged, but no read
            // fails over (every request eu-central-1 saw is a hedge; a cancelled hedge may never reach it).
            assertThat(regions.journal(CENTRAL).count("GetItem")).as("eu-central-1 saw hedges only")
                    .isLessThanOrEqualTo((int) (hedgesSent(meters, CENTRAL) - hedgesBefore));
            assertThat(regions.journal(US).count("GetItem")).isZero();
        }
    }

    private static double hedgesSent(SimpleMeterRegistry meters, String region) {
        Counter sent = meters.find("meridian.hedge.sent").tag("region", region).counter();
        return sent == null ? 0 : sent.count();
    }

    private static GetItemRequest get() {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("sku-1"))).build();
    }
}
