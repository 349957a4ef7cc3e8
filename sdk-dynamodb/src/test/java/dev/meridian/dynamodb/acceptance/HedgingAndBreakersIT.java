package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
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
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * docs/configuration.md's hedging and circuit-breaker sections read as a user, on three local regions with eu-west-1
 * first: reads are hedged, writes and consistent reads never; the hedge budget bounds the hedges sent; a cold client's
 * first read is not hedged at the 50 ms floor; the first attempt through a new client gets the first-attempt timeout
 * instead of the client's shorter one; {@code eject-after-stalls} timed-out attempts in a row open the region's breaker
 * (0: off); slow calls open it; caller errors never do. The journals witness where requests went.
 */
@LocalRegionsConfig
class HedgingAndBreakersIT {
    private static final String TABLE = "hb_items";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static LocalRegions regions;
    private DynamoDbClient client;

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    @AfterEach
    void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    private static MultiRegionConfig.Builder config() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.EU_WEST_1).routing(RoutingStrategy.localFirst());
    }

    /** A routed client over per-region clients with {@code attemptTimeout}, or the documented 2 s when null. */
    private DynamoDbClient client(MultiRegionConfig config, Duration attemptTimeout, SimpleMeterRegistry meters,
            boolean warm) {
        MultiRegionDynamoDb.Builder b = MultiRegionDynamoDb.builder().config(config)
                .clientFactory(r -> attemptTimeout == null ? TestRegions.client(regions, r)
                        : TestRegions.client(regions, r, attemptTimeout))
                .table(TableConfig.builder(TABLE).partitionKey("pk").build());
        if (meters != null) {
            b.meterRegistry(meters);
        }
        client = b.build();
        if (warm) {   // a warm client per region: a cold client's first attempt has other rules (tested below)
            for (String id : TestRegions.IDS) {
                try (var s = RoutingContext.builder().preferredRegion(Region.of(id)).open()) {
                    get(client, "warm");
                }
            }
            regions.journalsClear();
        }
        return client;
    }

    private static void get(DynamoDbClient c, String pk) {
        c.getItem(g -> g.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(pk))));
    }

    private static String key() {
        return "k-" + KEYS.incrementAndGet();
    }

    private static int count(String region, String operation) {
        return regions.journal(region).count(operation);
    }

    @Test
    void aSlowReadIsHedgedToTheNextRegionButWritesAndConsistentReadsNeverAre() {
        DynamoDbClient c = client(config().hedging(HedgingConfig.fixed(Duration.ofMillis(50))).build(), null, null,
                true);
        regions.faults("eu-west-1").latency(Duration.ofMillis(800));   // slow, but within the 2 s attempt timeout
        get(c, key());
        assertThat(count("eu-central-1", "GetItem")).as("the read was hedged").isPositive();

        c.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(key()))));
        c.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(key())))
                .conditionExpression("attribute_not_exists(pk)"));
        c.getItem(g -> g.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(key()))).consistentRead(true));
        assertThat(count("eu-central-1", "PutItem")).as("a WRITE or IDEMPOTENT_WRITE is never hedged").isZero();
        assertThat(count("eu-central-1", "GetItem")).as("a consistent read is not hedged").isEqualTo(1);
        assertThat(count("us-east-1", "PutItem") + count("us-east-1", "GetItem")).isZero();
    }

    /**
     * The budget: each read earns 10 % of a token, a hedge spends one, at most 10 at once (and one borrowed proof
     * hedge). With eject-after-stalls off the slow region never turns suspect, so every read wants its hedge.
     */
    @Test
    void theHedgeBudgetBoundsHedgesToBurstPlusTenPercentOfReads() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        DynamoDbClient c = client(config().hedging(HedgingConfig.fixed(Duration.ofMillis(50)))
                .health(HealthConfig.builder().ejectAfterStalls(0).build()).build(), null, meters, true);
        regions.faults("eu-west-1").latency(Duration.ofMillis(120));
        int reads = 50;
        for (int i = 0; i < reads; i++) {
            get(c, key());
        }
        double sent = meters.find("meridian.hedge.sent").counters().stream().mapToDouble(Counter::count).sum();
        double failover = meters.find("meridian.hedge.sent.retried").tag("outcome", "failover").counters().stream()
                .mapToDouble(Counter::count).sum();
        assertThat(sent).as("hedges were wanted and sent").isPositive();
        assertThat(sent - failover).as("hedges within the budget").isLessThanOrEqualTo(10 + 0.10 * reads + 1);
        assertThat(count("eu-central-1", "GetItem") + count("us-east-1", "GetItem"))
                .as("requests beyond the first region, as the journals saw them")
                .isLessThanOrEqualTo((int) (10 + 0.10 * reads + 1 + failover));
    }

    @Test
    void aColdClientsFirstReadIsNotHedgedAtTheFloor() {
        DynamoDbClient c = client(config().build(), null, null, false);   // hedging: the defaults (adaptive, 50 ms)
        regions.faults("eu-west-1").latency(Duration.ofMillis(500));     // well under 10 s / 4 = 2.5 s
        get(c, key());
        assertThat(count("eu-west-1", "GetItem")).isEqualTo(1);
        assertThat(count("eu-central-1", "GetItem") + count("us-east-1", "GetItem")).isZero();
    }

    @Test
    void theFirstAttemptThroughANewClientGetsTheFirstAttemptTimeoutInsteadOfTheClientsShorterOne() {
        DynamoDbClient c = client(config().hedging(HedgingConfig.disabled()).firstAttemptTimeout(Duration.ofSeconds(5))
                .build(), Duration.ofMillis(300), null, false);
        regions.faults("eu-west-1").latency(Duration.ofMillis(800));
        c.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(key()))));
        assertThat(count("eu-west-1", "PutItem")).isEqualTo(1);
        Throwable warm = catchThrowable(() -> c.putItem(p -> p.tableName(TABLE)
                .item(Map.of("pk", AttributeValue.fromS(key())))));
        assertThat(warm).as("a warm client's attempt keeps its 300 ms timeout").isInstanceOf(SdkException.class);
        assertThat(count("eu-central-1", "PutItem") + count("us-east-1", "PutItem")).isZero();
    }

    private int readsReachingEuWest1(UnaryOperator<HealthConfig.Builder> health, int reads) {
        DynamoDbClient c = client(config().hedging(HedgingConfig.disabled())
                .health(health.apply(HealthConfig.builder()).build()).build(), Duration.ofMillis(300), null, true);
        regions.faults("eu-west-1").blackhole();
        for (int i = 0; i < reads; i++) {
            get(c, key());   // each read times out in eu-west-1 (if sent there) and is answered by eu-central-1
        }
        assertThat(count("eu-central-1", "GetItem")).isEqualTo(reads);
        return count("eu-west-1", "GetItem");
    }

    @Test
    void fiveTimedOutAttemptsInARowOpenTheRegionsBreakerAtOnce() {
        assertThat(readsReachingEuWest1(b -> b, 8)).as("5 stalls (the default), then no more").isEqualTo(5);
    }

    @Test
    void ejectAfterStallsZeroIsOff() {
        assertThat(readsReachingEuWest1(b -> b.ejectAfterStalls(0), 8)).isEqualTo(8);
    }

    @Test
    void slowCallsOpenTheRegionsBreaker() {
        DynamoDbClient c = client(config().hedging(HedgingConfig.disabled())
                .health(HealthConfig.builder().slowCallDuration(Duration.ofMillis(100)).slidingWindowSize(5)
                        .minimumNumberOfCalls(5).build()).build(), null, null, true);
        regions.faults("eu-west-1").latency(Duration.ofMillis(250));
        for (int i = 0; i < 8; i++) {
            get(c, key());
        }
        // The window holds the warm-up call (fast) and 4 slow ones: 80 % slow reaches the threshold and opens it.
        assertThat(count("eu-west-1", "GetItem")).as("4 slow calls, then no more").isEqualTo(4);
        assertThat(count("eu-central-1", "GetItem")).isEqualTo(4);
    }

    @Test
    void callerErrorsNeverOpenABreaker() {
        DynamoDbClient c = client(config().hedging(HedgingConfig.disabled()).build(), null, null, true);
        String k = key();
        c.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(k))));
        for (int i = 0; i < 25; i++) {
            assertThat(catchThrowable(() -> c.putItem(p -> p.tableName(TABLE)
                    .item(Map.of("pk", AttributeValue.fromS(k))).conditionExpression("attribute_not_exists(pk)"))))
                    .isInstanceOf(ConditionalCheckFailedException.class);
        }
        get(c, k);
        assertThat(count("eu-west-1", "PutItem")).isEqualTo(26);
        assertThat(count("eu-west-1", "GetItem")).isEqualTo(1);
        assertThat(regions.journal("eu-central-1").isEmpty()).isTrue();
    }
}
