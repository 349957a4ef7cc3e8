package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * A healthy region read through a process that stalls during every read, on DynamoDB Local: the stall is simulated by
 * freezing, for {@link #STALL}, both the thread making the request (an interceptor, after the request was signed) and
 * the thread of the executor's stall meter (a task that occupies it), as a GC pause or a starved CPU freezes every
 * thread. The meter sees its tick run late and the slow reads are not held against the region; without the frozen
 * meter (the control) the same reads are the region's slowness and open its breaker. With hedging the meter ticks on
 * the hedge timer from the start; without, on its own thread from the first slow read on.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class ProcessStallIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String TABLE = "stalls";
    private static final Duration STALL = Duration.ofMillis(600);
    private static final Operation GET = Operation.of("GetItem", OperationKind.READ);

    private static LocalRegions regions;

    private final List<DynamoDbClient> clients = new CopyOnWriteArrayList<>();
    private RegionalExecutor executor;
    private RegionHealth health;

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    @AfterEach
    void close() {
        executor.close();
        clients.forEach(DynamoDbClient::close);
    }

    /**
     * Freezes the request's thread for {@link #STALL} and, with {@code timerToo}, the stall meter's thread (if the
     * meter runs).
     */
    private final class Stall implements ExecutionInterceptor {
        private final boolean timerToo;

        Stall(boolean timerToo) {
            this.timerToo = timerToo;
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (timerToo) {
                executor.stallMeter().onTickThread(ProcessStallIT::freeze);
            }
            freeze();
        }
    }

    private static void freeze() {
        try {
            Thread.sleep(STALL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * An executor, with hedging on (its timer thread hosts the stall meter; the hedge delay is long enough never to
     * fire) or off, whose breakers open at half their last 4 reads slower than half the stall, over warmed clients.
     */
    private Map<Region, DynamoDbClient> start(boolean hedging, boolean timerToo) {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST)).region(RegionSpec.of(CENTRAL)).localRegion(WEST)
                .hedging(hedging ? HedgingConfig.fixed(Duration.ofHours(1)) : HedgingConfig.disabled())
                .health(HealthConfig.builder().slidingWindowSize(4).minimumNumberOfCalls(4)
                        .slowCallDuration(STALL.dividedBy(2)).slowCallRateThreshold(50).build())
                .build();
        health = new RegionHealth(config.regionList(), config.health());
        executor = new RegionalExecutor(config, new Router(config, health, new LatencyTracker(), Metrics.noop()),
                health, FailureClassifier.aws(), Metrics.noop());
        Map<Region, DynamoDbClient> byRegion = new LinkedHashMap<>();
        for (String r : regions.regions()) {
            DynamoDbClient warm = regions.clientBuilder(r).build();
            warm.getItem(get());
            warm.close();
            DynamoDbClient c = regions.clientBuilder(r).overrideConfiguration(o -> o
                    .apiCallAttemptTimeout(Duration.ofSeconds(10)).addExecutionInterceptor(new Stall(timerToo)))
                    .build();
            clients.add(c);
            byRegion.put(Region.of(r), c);
        }
        return byRegion;
    }

    private static GetItemRequest get() {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("k"))).build();
    }

    private List<Region> read(int times, Map<Region, DynamoDbClient> byRegion) {
        List<Region> served = new CopyOnWriteArrayList<>();
        for (int i = 0; i < times; i++) {
            executor.execute(GET, region -> {
                byRegion.get(region).getItem(get());
                served.add(region);
                return null;
            });
        }
        return served;
    }

    @Test
    void readsSlowedByAProcessStallLeaveTheHealthyRegionsBreakerClosed() {
        List<Region> served = read(4, start(true, true));
        assertThat(served).as("nothing failed over").containsOnly(Region.of(WEST));
        assertThat(health.state(Region.of(WEST))).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(health.circuitBreaker(Region.of(WEST)).getMetrics().getNumberOfSlowCalls()).isZero();
    }

    @Test
    void theSameSlowReadsWithoutAStallOfTheProcessOpenTheBreaker() {
        read(4, start(true, false));
        assertThat(health.state(Region.of(WEST))).isEqualTo(CircuitBreaker.State.OPEN);
    }

    /**
     * Without hedging the meter starts with the first slow read, which is held against the region as before; the
     * next four, each slowed by a stall the meter sees, push it out of the breaker's window of four.
     */
    @Test
    void withoutHedgingOnceTheMeterRunsReadsSlowedByAProcessStallLeaveTheBreakerClosed() {
        Map<Region, DynamoDbClient> byRegion = start(false, true);
        read(1, byRegion);
        assertThat(health.circuitBreaker(Region.of(WEST)).getMetrics().getNumberOfSlowCalls())
                .as("the read that started the meter").isEqualTo(1);
        List<Region> served = read(4, byRegion);
        assertThat(served).as("nothing failed over").containsOnly(Region.of(WEST));
        assertThat(health.state(Region.of(WEST))).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(health.circuitBreaker(Region.of(WEST)).getMetrics().getNumberOfSlowCalls()).isZero();
    }

    @Test
    void withoutHedgingTheSameSlowReadsWithoutAStallOfTheProcessOpenTheBreaker() {
        read(4, start(false, false));
        assertThat(health.state(Region.of(WEST))).isEqualTo(CircuitBreaker.State.OPEN);
    }
}
