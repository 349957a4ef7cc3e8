package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.routing.Operation;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * A read whose first region is suspect starts in the next region; when that region fails it retryably (HTTP 500),
 * the suspect region, whose black hole is over, is the only one that can answer: the read must be answered there, not
 * failed. Plan [eu-west-1, eu-central-1] on real DynamoDB Locals, the README's configuration (default hedging,
 * per-region clients with {@link RegionalClientDefaults}). So must a strongly consistent ({@code ConsistentRead},
 * {@linkplain Operation#unhedged() unhedged}) read, which passes the suspect region like a write but, being safe to
 * repeat, goes back to it; before its fix it failed with eu-central-1's 500.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class SuspectRegionReadBackIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String TABLE = "suspect-region-read-back";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    /** As sdk-dynamodb classifies them: a {@code ConsistentRead} GetItem is never hedged. */
    private static final OperationClassifier CONSISTENT_UNHEDGED = (method, args) -> {
        Operation op = MultiRegionDynamoDbIT.CLASSIFIER.classify(method, args);
        boolean consistent = op != null && args != null && args.length == 1 && args[0] instanceof GetItemRequest g
                && Boolean.TRUE.equals(g.consistentRead());
        return consistent ? op.toBuilder().unhedged().build() : op;
    };

    private static LocalRegions regions;

    @AutoClose
    private final WarmedRuntime rig = new WarmedRuntime(regions);

    private final List<DynamoDbAsyncClient> asyncClients = new ArrayList<>();

    @BeforeAll
    static void createTables() {
        ServedByTable.create(regions, TABLE);
    }

    @AfterEach
    void closeAsyncClients() {
        asyncClients.forEach(DynamoDbAsyncClient::close);
    }

    @Test
    void aSynchronousReadPastASuspectRegionGoesBackToItWhenTheNextRegionFails() throws Exception {
        DynamoDbClient items = wrap();
        makeWestSuspectThenCentralFail(items);

        GetItemResponse r = items.getItem(getItem());

        assertThat(r.item().get("servedBy").s()).isEqualTo(WEST);
    }

    @Test
    void anAsynchronousReadPastASuspectRegionGoesBackToItWhenTheNextRegionFails() throws Exception {
        DynamoDbClient items = wrap();
        DynamoDbAsyncClient async = wrapAsync();
        makeWestSuspectThenCentralFail(items);

        GetItemResponse r = async.getItem(getItem()).thenCompose(CompletableFuture::completedFuture)
                .get(60, TimeUnit.SECONDS);

        assertThat(r.item().get("servedBy").s()).isEqualTo(WEST);
    }

    @Test
    void aSynchronousConsistentReadPastASuspectRegionGoesBackToItWhenTheNextRegionFails() throws Exception {
        DynamoDbClient items = wrap();
        makeWestSuspectThenCentralFail(items);
        int westBefore = regions.journal(WEST).count("GetItem");

        GetItemResponse r = items.getItem(consistentGetItem());

        assertThat(r.item().get("servedBy").s()).isEqualTo(WEST);
        assertThat(regions.journal(WEST).count("GetItem")).as("the read went back to eu-west-1")
                .isGreaterThan(westBefore);
    }

    @Test
    void anAsynchronousConsistentReadPastASuspectRegionGoesBackToItWhenTheNextRegionFails() throws Exception {
        DynamoDbClient items = wrap();
        DynamoDbAsyncClient async = wrapAsync();
        makeWestSuspectThenCentralFail(items);
        int westBefore = regions.journal(WEST).count("GetItem");

        GetItemResponse r = async.getItem(consistentGetItem()).thenCompose(CompletableFuture::completedFuture)
                .get(60, TimeUnit.SECONDS);

        assertThat(r.item().get("servedBy").s()).isEqualTo(WEST);
        assertThat(regions.journal(WEST).count("GetItem")).as("the read went back to eu-west-1")
                .isGreaterThan(westBefore);
    }

    /**
     * Black-holes eu-west-1 under hedged reads until it is suspect (not ejected), ends the black hole, and makes
     * eu-central-1 answer 500.
     */
    private void makeWestSuspectThenCentralFail(DynamoDbClient items) throws Exception {
        Region west = Region.of(WEST);
        regions.faults(WEST).blackhole();
        // Four readers, each reading again 20 ms after its last read ended: the load's rate, not a wait (unpaced
        // readers' late answers would clear the suspicion before the read under test).
        ScheduledExecutorService readers = Executors.newScheduledThreadPool(4);
        try {
            for (int t = 0; t < 4; t++) {
                readers.scheduleWithFixedDelay(() -> {
                    try {
                        items.getItem(getItem());
                    } catch (RuntimeException e) {
                        // only the suspicion matters here
                    }
                }, 0, 20, TimeUnit.MILLISECONDS);
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                    .until(() -> rig.runtime().status(west).suspect());
        } finally {
            regions.faults(WEST).heal();
            readers.shutdown();
            assertThat(readers.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
        }
        regions.faults(CENTRAL).status(500);
        RegionStatus s = rig.runtime().status(west);
        assertThat(s.suspect()).as("precondition: eu-west-1 still suspect, %s", s).isTrue();
        assertThat(s.breaker()).as("precondition: eu-west-1 not ejected").isEqualTo(RegionStatus.BreakerState.CLOSED);
    }

    private DynamoDbClient wrap() {
        return rig.wrap(rig.config().build(), (r, b) -> b.overrideConfiguration(
                RegionalClientDefaults.overrideConfiguration(2, ATTEMPT_TIMEOUT)), c -> c.getItem(getItem()),
                CONSISTENT_UNHEDGED);
    }

    private DynamoDbAsyncClient wrapAsync() throws Exception {
        Map<Region, DynamoDbAsyncClient> warmed = ServedByTable.warmedAsyncClients(regions, ATTEMPT_TIMEOUT, getItem(),
                asyncClients);
        return rig.runtime().wrapClient(DynamoDbAsyncClient.class, warmed::get, CONSISTENT_UNHEDGED);
    }

    private static GetItemRequest getItem() {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("item-1"))).build();
    }

    private static GetItemRequest consistentGetItem() {
        return getItem().toBuilder().consistentRead(true).build();
    }
}
