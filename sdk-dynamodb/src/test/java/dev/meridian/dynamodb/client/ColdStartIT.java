package dev.meridian.dynamodb.client;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * The first calls through freshly built per-region clients, on DynamoDB Local: each client's first request pays a
 * start-up after the request was sent (as a new client loads the classes that read the answer, slow on a loaded
 * machine). A first write whose start-up outlasts the client's attempt timeout was applied; the caller must not be
 * told it failed, and the start-up must not count as the region's slowness. A first read with hedging on (the
 * default) is not hedged at the warm delay: a cold client's start-up is not a slow region (the hedge would build a
 * second region's client and make a second cold call), yet a cold start into a black-holed region is answered by the
 * next region well within the first attempt's budget.
 */
@LocalRegionsConfig
class ColdStartIT {
    private static final String TABLE = "cold_orders";
    /** The warm clients' attempt and call timeout. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(500);
    /** A new client's start-up on its first request, after it was sent: longer than the attempt timeout. */
    private static final Duration START_UP = Duration.ofMillis(1500);
    /** A cold start's first read: longer than the default hedge delay (its 50 ms floor), as in a fresh JVM. */
    private static final Duration READ_START_UP = Duration.ofMillis(300);

    private static LocalRegions regions;

    @BeforeAll
    static void createTables() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    /** Delays a client's first request after it was sent, once: the client's own start-up. */
    private static final class StartUp implements ExecutionInterceptor {
        private final AtomicBoolean started = new AtomicBoolean();
        private final Duration startUp;

        StartUp(Duration startUp) {
            this.startUp = startUp;
        }

        @Override
        public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
            if (started.compareAndSet(false, true)) {
                try {
                    Thread.sleep(startUp.toMillis());
                } catch (InterruptedException e) {
                    // The SDK's attempt timeout interrupts the start-up: let it report the timeout.
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static DynamoDbClient coldClient(Region region) {
        return regions.clientBuilder(region.id())
                .overrideConfiguration(o -> RegionalClientDefaults.apply(o, RegionalClientDefaults.MAX_ATTEMPTS,
                        ATTEMPT_TIMEOUT).addExecutionInterceptor(new StartUp(START_UP)))
                .build();
    }

    /** A client built as users should ({@link RegionalClientDefaults}) whose first request pays a read start-up. */
    private static DynamoDbClient coldReadClient(Region region) {
        return regions.clientBuilder(region.id())
                .overrideConfiguration(o -> RegionalClientDefaults.apply(o, RegionalClientDefaults.MAX_ATTEMPTS,
                        RegionalClientDefaults.ATTEMPT_TIMEOUT).addExecutionInterceptor(new StartUp(READ_START_UP)))
                .build();
    }

    /** Three regions, local-first, hedging as configured by default; per-region clients built on first use. */
    private static DynamoDbClient hedgedReads(MultiRegion runtime) {
        return MultiRegionDynamoDb.builder().multiRegion(runtime)
                .clientFactory(ColdStartIT::coldReadClient)
                .table(TableConfig.builder(TABLE).partitionKey("pk")
                        .replicaRegions(EU_WEST_1, EU_CENTRAL_1, US_EAST_1).build())
                .build();
    }

    /** Hedging as by default; a cold first read is hedged after a quarter of {@code firstAttemptTimeout}. */
    private static MultiRegion hedgingRuntime(SimpleMeterRegistry meters, Duration firstAttemptTimeout) {
        MultiRegionConfig.Builder config = MultiRegionConfig.builder().localRegion(EU_WEST_1)
                .hedging(HedgingConfig.defaults()).firstAttemptTimeout(firstAttemptTimeout);
        TestRegions.config().regions().forEach(config::region);
        return MultiRegion.builder(config.build()).meterRegistry(meters).build();
    }

    private static GetItemRequest read(String key) {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(key))).build();
    }

    private static double count(SimpleMeterRegistry meters, String meter, Region region) {
        Counter c = meters.find(meter).tag("region", region.id()).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aColdStartsFirstReadIntoAHealthyRegionSendsNoHedge() {
        regions.journalsClear();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // A cold client's hedge waits 15 s here, beyond any start-up a loaded machine gives a first call; the warm
        // delay (the 50 ms floor) is far shorter than the client's start-up.
        try (MultiRegion runtime = hedgingRuntime(meters, Duration.ofSeconds(60));
                DynamoDbClient items = hedgedReads(runtime)) {
            items.getItem(read("cold-read-1"));

            for (Region other : List.of(EU_CENTRAL_1, US_EAST_1)) {
                assertThat(count(meters, "meridian.hedge.sent", other)).as("hedges sent to " + other).isZero();
                assertThat(regions.journal(other.id()).count("GetItem")).as("reads in " + other).isZero();
            }
            assertThat(regions.journal(EU_WEST_1.id()).count("GetItem")).isEqualTo(1);
        }
    }

    @Test
    void aColdStartsFirstReadIntoABlackHoledRegionIsAnsweredByTheNextWithinTheColdHedgeDelay() {
        regions.journalsClear();
        regions.faults(EU_WEST_1.id()).blackhole();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (MultiRegion runtime = hedgingRuntime(meters, MultiRegionConfig.DEFAULT_FIRST_ATTEMPT_TIMEOUT);
                DynamoDbClient items = hedgedReads(runtime)) {
            long start = System.nanoTime();
            items.getItem(read("cold-read-2"));
            Duration answeredAfter = Duration.ofNanos(System.nanoTime() - start);

            // The hedge answered (not a failover after the first attempt's budget ran out), well before that budget.
            assertThat(count(meters, "meridian.hedge.won", EU_CENTRAL_1)).isEqualTo(1);
            assertThat(meters.find("meridian.failover").counter()).isNull();
            assertThat(answeredAfter).isLessThan(runtime.config().firstAttemptTimeout());
        } finally {
            regions.faults(EU_WEST_1.id()).heal();
        }
    }

    private static PutItemRequest firstWrite(String key) {
        return PutItemRequest.builder().tableName(TABLE)
                .item(Map.of("pk", AttributeValue.fromS(key), "v", AttributeValue.fromS("first")))
                .conditionExpression("attribute_not_exists(pk)").build();
    }

    private static boolean applied(String key) {
        return regions.client(EU_WEST_1.id()).getItem(GetItemRequest.builder().tableName(TABLE).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(key))).build()).hasItem();
    }

    @Test
    void theFirstWriteOfANewClientIsNotFailedByTheClientsStartUp() {
        MultiRegionConfig base = TestRegions.config();
        MultiRegionConfig.Builder config = MultiRegionConfig.builder().localRegion(EU_WEST_1)
                // A start-up this long would be a slow call if it were held against the region.
                .health(HealthConfig.builder().slowCallDuration(Duration.ofSeconds(1)).build());
        base.regions().forEach(config::region);
        try (MultiRegion runtime = MultiRegion.builder(config.build()).build();
                DynamoDbClient orders = MultiRegionDynamoDb.builder().multiRegion(runtime)
                        .clientFactory(ColdStartIT::coldClient)
                        .table(TableConfig.builder(TABLE).partitionKey("pk").build())
                        .build()) {
            orders.putItem(firstWrite("cold-1"));
            assertThat(applied("cold-1")).isTrue();

            CircuitBreaker.Metrics west = MultiRegionSpi.of(runtime).circuitBreakers().circuitBreaker(EU_WEST_1.id()).getMetrics();
            assertThat(west.getNumberOfSlowCalls()).as("slow calls held against eu-west-1").isZero();
            assertThat(runtime.status(EU_WEST_1).latencyP95()).as("the start-up is no latency sample").isEmpty();

            // Warm now: the next write answers within the client's own timeout and is a latency sample.
            orders.putItem(firstWrite("cold-2"));
            assertThat(applied("cold-2")).isTrue();
            assertThat(runtime.status(EU_WEST_1).latencyP95()).isPresent();
        }
    }
}
