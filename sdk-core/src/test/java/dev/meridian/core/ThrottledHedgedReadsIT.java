package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * A throttled table's hedged reads do not eject its region (the cause of the tail2 revert). DynamoDB throttles at once
 * and the SDK backs off before its retry (a jittered delay of up to a second with the standard strategy), so most
 * reads' hedges answer first and their first attempts are cancelled mid back-off. The region did answer, with a 400, which the
 * per-region clients report as soon as it arrives (through {@link RegionalClientDefaults}): the loser is no stall,
 * and the region's breaker stays closed. A black-holed region still is ejected ({@code FastEjectionIT}). The request
 * journals are the witness that every read was hedged and answered by the other region. When the calls name their
 * table, those losers count as throttled attempts of the region × table breaker, which opens as it does for unhedged
 * reads ({@code ThrottledTableRecoveryIT}): the table's reads then go to the next region without a hedge.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class ThrottledHedgedReadsIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String TABLE = "throttled-hedged";
    /** Well past the default run of stalls that ejects a region. */
    private static final int READS = 6 * HealthConfig.DEFAULT_EJECT_AFTER_STALLS;

    private static LocalRegions regions;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<SdkClient> regionalClients = new ArrayList<>();
    private MultiRegion runtime;

    @BeforeAll
    static void createTables() {
        ServedByTable.create(regions, TABLE);
    }

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
        regionalClients.forEach(SdkClient::close);
    }

    /**
     * Names the table of every call, as the DynamoDB module's classifier does: throttling is then recorded against the
     * region × table breaker.
     */
    private static final OperationClassifier BY_TABLE = (method, args) -> Operation.builder(method.getName(),
            method.getName().startsWith("get") ? OperationKind.READ : OperationKind.WRITE).resource(TABLE).build();

    /** Every read is hedged (a budget of one hedge per read) after an adaptive delay. */
    private MultiRegion runtime() {
        return runtime(HedgingConfig.adaptive(Duration.ofMillis(20)).withBudget(1.0, READS));
    }

    private MultiRegion runtime(HedgingConfig hedging) {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).endpoint(regions.endpoint(WEST)))
                .region(RegionSpec.of(CENTRAL).endpoint(regions.endpoint(CENTRAL)))
                .localRegion(WEST)
                .hedging(hedging)
                .environment(name -> null)
                .build();
        runtime = MultiRegion.builder(config).meterRegistry(meters).build();
        return runtime;
    }

    @Test
    void aThrottledTablesHedgedSyncReadsLeaveItsRegionClosed() {
        Map<Region, DynamoDbClient> warmed = warmedClients();
        DynamoDbClient items = runtime().wrapClient(DynamoDbClient.class, warmed::get,
                MultiRegionDynamoDbIT.CLASSIFIER);
        regions.journalsClear();
        regions.faults(WEST).only("GetItem").throttle();

        for (int i = 0; i < READS; i++) {
            assertThat(items.getItem(getItem()).item()).containsEntry("servedBy", s(CENTRAL));
        }

        assertHedgedAndClosed();
    }

    @Test
    void aThrottledTablesHedgedAsyncReadsLeaveItsRegionClosed() throws Exception {
        Map<Region, DynamoDbAsyncClient> warmed = warmedAsyncClients();
        DynamoDbAsyncClient items = runtime().wrapClient(DynamoDbAsyncClient.class, warmed::get,
                MultiRegionDynamoDbIT.CLASSIFIER);
        regions.journalsClear();
        regions.faults(WEST).only("GetItem").throttle();

        for (int i = 0; i < READS; i++) {
            assertThat(items.getItem(getItem()).get(30, TimeUnit.SECONDS).item())
                    .containsEntry("servedBy", s(CENTRAL));
        }

        assertHedgedAndClosed();
    }

    /**
     * The hedge losers cancelled while the SDK backed off after a throttled answer count as throttled attempts of the
     * region × table breaker, as they would have had they completed: it opens, and the table's reads then go to the
     * next region without a hedge, while the region's own breaker stays closed (its other tables are served there).
     */
    @Test
    void aThrottledTablesHedgedSyncReadsOpenItsTableBreakerNotItsRegions() throws Exception {
        Map<Region, DynamoDbClient> warmed = warmedClients();
        DynamoDbClient items = runtime().wrapClient(DynamoDbClient.class, warmed::get, BY_TABLE);
        regions.faults(WEST).only("GetItem").throttle();

        for (int i = 0; i < READS; i++) {
            assertThat(items.getItem(getItem()).item()).containsEntry("servedBy", s(CENTRAL));
        }

        assertTableBreakerOpenRegionClosed(() -> items.getItem(getItem()).item());
    }

    /** As the synchronous case, through an asynchronous client (hedge timer, Netty). */
    @Test
    void aThrottledTablesHedgedAsyncReadsOpenItsTableBreakerNotItsRegions() throws Exception {
        Map<Region, DynamoDbAsyncClient> warmed = warmedAsyncClients();
        DynamoDbAsyncClient items = runtime().wrapClient(DynamoDbAsyncClient.class, warmed::get, BY_TABLE);
        regions.faults(WEST).only("GetItem").throttle();

        for (int i = 0; i < READS; i++) {
            assertThat(items.getItem(getItem()).get(30, TimeUnit.SECONDS).item())
                    .containsEntry("servedBy", s(CENTRAL));
        }

        assertTableBreakerOpenRegionClosed(() -> items.getItem(getItem()).get(30, TimeUnit.SECONDS).item());
    }

    /**
     * A throttled answer sends the hedge at once: the SDK backs off before its retry, which the hedge delay (here far
     * longer than the whole call) would only wait out. Without that, each read would fail over only after the SDK's
     * second throttled attempt, with no hedge sent.
     */
    @Test
    void aThrottledAnswerSendsTheHedgeAtOnce() {
        Map<Region, DynamoDbClient> warmed = warmedClients();
        DynamoDbClient items = runtime(HedgingConfig.fixed(Duration.ofMinutes(1)).withBudget(1.0, READS))
                .wrapClient(DynamoDbClient.class, warmed::get, BY_TABLE);
        regions.faults(WEST).only("GetItem").throttle();
        int reads = 3; // fewer than the table breaker's minimum number of calls: every read starts in eu-west-1

        for (int i = 0; i < reads; i++) {
            assertThat(items.getItem(getItem()).item()).containsEntry("servedBy", s(CENTRAL));
        }

        assertThat(count("meridian.hedge.sent", CENTRAL)).as("each throttled read hedged at once").isEqualTo(reads);
        assertThat(count("meridian.hedge.won", CENTRAL)).isEqualTo(reads);
    }

    private void assertTableBreakerOpenRegionClosed(Callable<Map<String, AttributeValue>> read) throws Exception {
        assertThat(runtime.circuitBreakers().circuitBreaker(WEST + "/" + TABLE).getState())
                .as("the throttled table's breaker in its region, fed by the hedge losers that heard the throttling")
                .isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(runtime.status(Region.of(WEST)).breaker()).as("throttling is the table's, not the region's")
                .isEqualTo(RegionStatus.BreakerState.CLOSED);
        // Meridian's attempts, not the journal: the asynchronous SDK may still send the retry of a loser cancelled
        // mid back-off after this point.
        long attemptsInWest = attempts(WEST);
        double hedges = count("meridian.hedge.sent", CENTRAL);
        for (int i = 0; i < 5; i++) {
            assertThat(read.call()).containsEntry("servedBy", s(CENTRAL));
        }
        assertThat(attempts(WEST)).as("the table's reads left the throttled region").isEqualTo(attemptsInWest);
        assertThat(count("meridian.hedge.sent", CENTRAL)).as("and are not hedged: one region is planned")
                .isEqualTo(hedges);
    }

    private void assertHedgedAndClosed() {
        assertThat(runtime.status(Region.of(WEST)).breaker())
                .as("a throttled table's region answered every attempt: none is a stall")
                .isEqualTo(RegionStatus.BreakerState.CLOSED);
        // Most reads' first attempts were cancelled mid back-off (each one a stall under the completed-attempt rule,
        // which ejected the region at the fifth); the others finished throttled before their hedge was due.
        assertThat(count("meridian.hedge.won", CENTRAL)).as("reads answered by their hedge")
                .isGreaterThanOrEqualTo(2 * HealthConfig.DEFAULT_EJECT_AFTER_STALLS);
        assertThat(regions.journal(WEST).count("GetItem")).as("every first attempt reached the throttled table")
                .isGreaterThanOrEqualTo(READS);
    }

    private <C extends SdkClient> C keep(C client) {
        regionalClients.add(client);
        return client;
    }

    /** A warm-up read that waits as long as a cold client on a loaded machine needs (nothing here is measured). */
    private static GetItemRequest patient(GetItemRequest request) {
        return request.toBuilder().overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(60))
                .apiCallAttemptTimeout(Duration.ofSeconds(60))).build();
    }

    /** Meridian's attempts in a region (every outcome, cancelled ones too). */
    private long attempts(String region) {
        return meters.find("meridian.call.latency").tag("region", region).timers().stream()
                .mapToLong(Timer::count).sum();
    }

    private double count(String meter, String region) {
        Counter c = meters.find(meter).tag("region", region).counter();
        return c == null ? 0 : c.count();
    }

    private static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    private static GetItemRequest getItem() {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", s("item-1"))).build();
    }

    /** Each region's client, as the README builds it, after one answered read (no cold first attempt in the test). */
    private Map<Region, DynamoDbClient> warmedClients() {
        Map<Region, DynamoDbClient> warmed = new LinkedHashMap<>();
        for (String r : regions.regions()) {
            DynamoDbClient c = keep(regions.clientBuilder(r)
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build());
            c.getItem(patient(getItem()));
            warmed.put(Region.of(r), c);
        }
        return warmed;
    }

    /** As {@link #warmedClients()}, asynchronous (Netty). */
    private Map<Region, DynamoDbAsyncClient> warmedAsyncClients() throws Exception {
        Map<Region, DynamoDbAsyncClient> warmed = new LinkedHashMap<>();
        for (String r : regions.regions()) {
            DynamoDbAsyncClient c = keep(DynamoDbAsyncClient.builder().region(Region.of(r))
                    .endpointOverride(regions.endpoint(r))
                    .credentialsProvider(regions.client(r).serviceClientConfiguration().credentialsProvider())
                    .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build());
            c.getItem(patient(getItem())).get(60, TimeUnit.SECONDS);
            warmed.put(Region.of(r), c);
        }
        return warmed;
    }
}
