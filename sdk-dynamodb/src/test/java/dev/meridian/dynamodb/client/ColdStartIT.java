package dev.meridian.dynamodb.client;

import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
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
 * The first write through freshly built per-region clients, on DynamoDB Local: each client's first request pays a
 * start-up after the request was sent (as a new client loads the classes that read the answer, slow on a loaded
 * machine) that outlasts the client's attempt timeout. The write was applied; the caller must not be told it failed,
 * and the start-up must not count as the region's slowness.
 */
class ColdStartIT {
    private static final String TABLE = "cold_orders";
    /** The warm clients' attempt and call timeout. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(500);
    /** A new client's start-up on its first request, after it was sent: longer than the attempt timeout. */
    private static final Duration START_UP = Duration.ofMillis(1500);

    private static LocalRegions regions;

    @BeforeAll
    static void start() {
        regions = LocalRegions.start(IDS);
        regions.createGlobalTable(TestRegions.table(TABLE));
    }

    @AfterAll
    static void stop() {
        regions.close();
    }

    /** Delays a client's first request after it was sent, once: the client's own start-up. */
    private static final class StartUp implements ExecutionInterceptor {
        private final AtomicBoolean started = new AtomicBoolean();

        @Override
        public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
            if (started.compareAndSet(false, true)) {
                try {
                    Thread.sleep(START_UP.toMillis());
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
                        ATTEMPT_TIMEOUT).addExecutionInterceptor(new StartUp()))
                .build();
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
