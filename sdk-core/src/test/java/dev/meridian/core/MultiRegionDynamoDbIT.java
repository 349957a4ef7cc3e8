package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/** A real DynamoDbClient wrapped by MultiRegion over three local "regions" with injected faults. */
@LocalRegionsConfig
class MultiRegionDynamoDbIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String US = "us-east-1";
    private static final String TABLE = "orders";
    /**
     * Long enough that a healthy region's answer beats it on a busy machine (at 800 ms a slow answer from
     * eu-central-1 failed over to us-east-1 under two forks at load 30), short enough to keep the black-hole test quick.
     */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

    private static LocalRegions regions;

    private MultiRegion runtime;
    private DynamoDbClient orders;

    /** Test-only classifier: Get/Query/Scan are reads, everything else writes (the real one is in sdk-dynamodb). */
    static final OperationClassifier CLASSIFIER = (method, args) -> {
        String n = method.getName();
        boolean read = n.startsWith("get") || n.startsWith("query") || n.startsWith("scan")
                || n.startsWith("batchGet");
        return Operation.of(n, read ? OperationKind.READ : OperationKind.WRITE);
    };

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        for (String r : regions.regions()) {
            regions.client(r).putItem(PutItemRequest.builder().tableName(TABLE)
                    .item(Map.of("pk", s("order-1"), "status", s("SHIPPED"))).build());
        }
    }

    @BeforeEach
    void wrap() {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).endpoint(regions.endpoint(WEST)))
                .region(RegionSpec.of(CENTRAL).endpoint(regions.endpoint(CENTRAL)))
                .region(RegionSpec.of(US).endpoint(regions.endpoint(US)))
                .localRegion(WEST)
                // An open breaker stays open for 2 s: a test that checks the next call skips the region must make
                // that call before the breaker half-opens (300 ms was outlasted under load: its trial reached it).
                .health(HealthConfig.builder().slidingWindowSize(4).minimumNumberOfCalls(4)
                        .waitInOpenState(Duration.ofSeconds(2)).permittedCallsInHalfOpenState(2).build())
                // Failover one region at a time: the tests count each region's requests (HedgedReadsIT and
                // FastEjectionIT cover hedging, on by default).
                .hedging(HedgingConfig.disabled())
                .build();
        runtime = MultiRegion.builder(config).build();
        orders = runtime.wrapClient(DynamoDbClient.class, (region, spec) -> regions.clientBuilder(region.id())
                .endpointOverride(spec.endpoint().orElseThrow())
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, ATTEMPT_TIMEOUT))
                .build(), CLASSIFIER);
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    private static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    private static GetItemRequest getOrder() {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", s("order-1"))).build();
    }

    @Test
    void readsSucceedFromTheNextRegionWhenTheLocalRegionIsDown() {
        regions.faults(WEST).down();
        for (int i = 0; i < 20; i++) {
            assertThat(orders.getItem(getOrder()).item()).containsEntry("status", s("SHIPPED"));
        }
        assertThat(regions.journal(CENTRAL).count("GetItem")).isEqualTo(20);
        assertThat(regions.journal(US).count()).isZero();
    }

    @Test
    void consumerBuilderOverloadIsRoutedAsOneCallPerRegion() {
        regions.faults(WEST).down();
        assertThat(orders.getItem(b -> b.tableName(TABLE).key(Map.of("pk", s("order-1")))).hasItem()).isTrue();
        assertThat(regions.journal(CENTRAL).count("GetItem")).isEqualTo(1);
        assertThat(regions.journal(US).count()).isZero();
    }

    @Test
    void serviceUnavailableOpensTheBreakerMovesTrafficAndHealingClosesIt() {
        regions.faults(WEST).status(503);
        for (int i = 0; i < 6; i++) {
            assertThat(orders.getItem(getOrder()).hasItem()).isTrue();
        }
        assertThat(runtime.status(Region.EU_WEST_1).breaker()).isEqualTo(RegionStatus.BreakerState.OPEN);
        int westBefore = regions.journal(WEST).count();
        int centralBefore = regions.journal(CENTRAL).count("GetItem");
        orders.getItem(getOrder());
        assertThat(regions.journal(WEST).count()).isEqualTo(westBefore);
        assertThat(regions.journal(CENTRAL).count("GetItem")).isEqualTo(centralBefore + 1);

        regions.faults(WEST).heal();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            orders.getItem(getOrder());
            assertThat(runtime.status(Region.EU_WEST_1).breaker()).isEqualTo(RegionStatus.BreakerState.CLOSED);
        });
        regions.journalsClear();
        orders.getItem(getOrder());
        assertThat(regions.journal(WEST).count("GetItem")).isEqualTo(1);
    }

    @Test
    void blackholedRegionCostsAtMostOneAttemptTimeoutPerCall() {
        // Warm eu-west-1's client first: a cold client's first attempt gets the first-attempt budget (10 s), not the
        // attempt timeout bounded here (sdk-core/README.md, "Cold is not sick"; CoreReadmeWireIT covers the cold case).
        assertThat(orders.getItem(getOrder()).hasItem()).isTrue();
        regions.faults(WEST).blackhole();
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            assertThat(orders.getItem(getOrder()).hasItem()).isTrue();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).isLessThan(ATTEMPT_TIMEOUT.toMillis() + 1_500);
        }
    }

    @Test
    void restrictedDataForAGermanSubjectNeverReachesTheUsEvenWhenEuIsDown() {
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .correlationId("it-residency").open()) {
            regions.faults(WEST).down();
            assertThat(orders.getItem(getOrder()).hasItem()).isTrue();
            regions.faults(CENTRAL).down();
            for (int i = 0; i < 3; i++) {
                // An outage of every allowed region, not a policy refusal: the caller sees the regional failure.
                assertThatThrownBy(() -> orders.getItem(getOrder()))
                        .isInstanceOf(SdkClientException.class)
                        .hasRootCauseInstanceOf(ConnectException.class)
                        .satisfies(e -> assertThat(e.getSuppressed()).as("eu-west-1's failure is attached")
                                .anySatisfy(w -> assertThat(w).hasMessageContaining("SDK Attempt Count")));
            }
        }
        assertThat(regions.journal(US).count()).isZero();
        assertThat(regions.journal(US).isEmpty()).isTrue();
    }

    @Test
    void validationErrorIsNotRetriedInAnotherRegion() {
        GetItemRequest wrongKeyType = GetItemRequest.builder().tableName(TABLE)
                .key(Map.of("pk", AttributeValue.builder().n("1").build())).build();
        assertThatThrownBy(() -> orders.getItem(wrongKeyType)).isInstanceOf(DynamoDbException.class)
                .satisfies(e -> assertThat(((DynamoDbException) e).statusCode()).isEqualTo(400));
        assertThat(regions.journal(WEST).count("GetItem")).isEqualTo(1);
        assertThat(regions.journal(CENTRAL).count()).isZero();
        assertThat(regions.journal(US).count()).isZero();
    }

    @Test
    void asyncClientFailsOverWhenTheLocalRegionIsDown() throws Exception {
        DynamoDbAsyncClient async = runtime.wrapClient(DynamoDbAsyncClient.class, (region, spec) ->
                DynamoDbAsyncClient.builder().region(region).endpointOverride(spec.endpoint().orElseThrow())
                        .credentialsProvider(regions.client(WEST).serviceClientConfiguration().credentialsProvider())
                        // Netty's acquire bounded as docs/configuration.md asks: a refused connect lost on the
                        // never-connected pool would otherwise wait 10 s, the cold client's whole first-attempt budget.
                        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                                .connectionAcquisitionTimeout(ATTEMPT_TIMEOUT.dividedBy(2)))
                        .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, ATTEMPT_TIMEOUT))
                        .build(), CLASSIFIER);
        regions.faults(WEST).down();
        for (int i = 0; i < 5; i++) {
            assertThat(async.getItem(getOrder()).get(10, TimeUnit.SECONDS).item())
                    .containsEntry("status", s("SHIPPED"));
        }
        assertThat(regions.journal(CENTRAL).count("GetItem")).isEqualTo(5);
        assertThat(regions.journal(US).count()).isZero();
    }
}
