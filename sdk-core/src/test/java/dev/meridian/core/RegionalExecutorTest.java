package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

class RegionalExecutorTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Region> touched = new CopyOnWriteArrayList<>();
    private RegionalExecutor executor;
    private RegionHealth health;

    private RegionalExecutor executor(MultiRegionConfig config) {
        Metrics metrics = Metrics.forRegistry(meters);
        health = new RegionHealth(config.regionList(), config.health(), metrics);
        Router router = new Router(config, health, new LatencyTracker(), metrics);
        executor = new RegionalExecutor(config, router, health, FailureClassifier.aws(), metrics);
        return executor;
    }

    private RegionalExecutor executor() {
        return executor(TestTopology.threeRegions().build());
    }

    @AfterEach
    void close() {
        if (executor != null) {
            executor.close();
        }
    }

    private static RuntimeException refused() {
        return SdkClientException.create("Unable to execute HTTP request", new ConnectException("refused"));
    }

    /** What DynamoDB answers when one table is unavailable in a region: a 503 (regional, not applied). */
    private static RuntimeException serviceUnavailable() {
        return DynamoDbException.builder().statusCode(503).message("Service unavailable").build();
    }

    private static RuntimeException timedOut() {
        return ApiCallAttemptTimeoutException.create(100);
    }

    private Function<Region, String> failingIn(Region failing, RuntimeException failure) {
        return region -> {
            touched.add(region);
            if (region.equals(failing)) {
                throw failure;
            }
            return region.id();
        };
    }

    @Test
    void breakerThatOpensAfterPlanningSurfacesAsNoRegionAvailableNotAsResilience4jException() {
        RegionalExecutor exec = executor();
        RuntimeException first = refused();
        Function<Region, String> call = region -> {
            touched.add(region);
            health.circuitBreaker(EU_CENTRAL).transitionToForcedOpenState();
            health.circuitBreaker(US_EAST).transitionToForcedOpenState();
            throw first;
        };
        assertThatThrownBy(() -> exec.execute(Operation.of("GetItem", OperationKind.READ), call))
                .isInstanceOf(NoRegionAvailableException.class)
                .hasMessageContaining("GetItem")
                .hasCauseInstanceOf(CallNotPermittedException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).contains(first));
        assertThat(touched).containsExactly(EU_WEST);
    }

    @ParameterizedTest
    @EnumSource(OperationKind.class)
    void notAppliedRegionalFailureFailsOverForEveryKind(OperationKind kind) {
        String result = executor().execute(Operation.of("Op", kind), failingIn(EU_WEST, refused()));
        assertThat(result).isEqualTo("eu-central-1");
        assertThat(touched).containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(meters.get("meridian.failover").tag("region", "eu-west-1").tag("from", "eu-west-1")
                .tag("to", "eu-central-1")
                .tag("operation", "Op").counter().count()).isEqualTo(1.0);
    }

    @Test
    void maybeAppliedFailureFailsOverForReadsAndIdempotentWrites() {
        RegionalExecutor ex = executor();
        assertThat(ex.execute(Operation.of("Get", OperationKind.READ), failingIn(EU_WEST, timedOut())))
                .isEqualTo("eu-central-1");
        assertThat(ex.execute(Operation.of("Put", OperationKind.IDEMPOTENT_WRITE), failingIn(EU_WEST, timedOut())))
                .isEqualTo("eu-central-1");
    }

    @Test
    void maybeAppliedFailureOfAPlainWriteIsRethrownWithoutTryingAnotherRegion() {
        RuntimeException timeout = timedOut();
        assertThatThrownBy(() -> executor().execute(Operation.of("Put", OperationKind.WRITE),
                failingIn(EU_WEST, timeout))).isSameAs(timeout);
        assertThat(touched).containsExactly(EU_WEST);
    }

    @Test
    void callerErrorIsRethrownAtOnceAndDoesNotCountAgainstTheRegion() {
        RuntimeException conditional = ConditionalCheckFailedException.builder().statusCode(400).message("no").build();
        assertThatThrownBy(() -> executor().execute(Operation.of("Get", OperationKind.READ),
                failingIn(EU_WEST, conditional))).isSameAs(conditional);
        assertThat(touched).containsExactly(EU_WEST);
        assertThat(health.circuitBreaker(EU_WEST).getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void whenEveryRegionFailsTheLastFailureIsRethrownWithEarlierOnesSuppressed() {
        RuntimeException a = refused();
        RuntimeException b = refused();
        RuntimeException c = refused();
        Function<Region, String> all = region -> {
            touched.add(region);
            throw region.equals(EU_WEST) ? a : region.equals(EU_CENTRAL) ? b : c;
        };
        assertThatThrownBy(() -> executor().execute(Operation.of("Get", OperationKind.READ), all))
                .isSameAs(c).satisfies(t -> assertThat(t.getSuppressed()).containsExactly(a, b));
        assertThat(touched).containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
    }

    @Test
    void attemptBudgetCapsTheRegionsTried() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().maxRegionsPerCall(2).build());
        Function<Region, String> all = region -> {
            touched.add(region);
            throw refused();
        };
        assertThatThrownBy(() -> ex.execute(Operation.of("Get", OperationKind.READ), all))
                .isInstanceOf(SdkClientException.class);
        assertThat(touched).containsExactly(EU_WEST, EU_CENTRAL);
        touched.clear();
        Operation single = Operation.builder("Put", OperationKind.IDEMPOTENT_WRITE).maxRegions(1).build();
        assertThatThrownBy(() -> ex.execute(single, all)).isInstanceOf(SdkClientException.class);
        assertThat(touched).containsExactly(EU_WEST);
    }

    @Test
    void restrictedDataWhoseAllowedRegionsAllFailIsAnOutageNotARefusalAndNeverSentOutside() {
        RegionalExecutor ex = executor();
        RuntimeException westRefused = refused();
        RuntimeException centralRefused = refused();
        Function<Region, String> euDown = region -> {
            touched.add(region);
            if (region.equals(US_EAST)) {
                return "us";
            }
            throw region.equals(EU_WEST) ? westRefused : centralRefused;
        };
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            assertThatThrownBy(() -> ex.execute(Operation.of("Get", OperationKind.READ), euDown))
                    .isSameAs(centralRefused)
                    .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(westRefused));
        }
        assertThat(touched).containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(meters.find("meridian.residency.refused").counter()).isNull();
    }

    @Test
    void restrictedCallFailingOnlyFromThrottlingSurfacesTheThrottlingNotAResidencyViolation() {
        RegionalExecutor ex = executor();
        Function<Region, CompletableFuture<String>> throttled = region -> {
            touched.add(region);
            return CompletableFuture.failedFuture(DynamoDbException.builder().statusCode(400)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException")
                            .errorMessage("Rate exceeded").build())
                    .message("Rate exceeded in " + region.id()).build());
        };
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            assertThatThrownBy(() -> ex.executeAsync(Operation.of("Put", OperationKind.WRITE), throttled).join())
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOf(DynamoDbException.class)
                    .hasMessageContaining("eu-central-1")
                    .satisfies(e -> assertThat(((DynamoDbException) e).isThrottlingException()).isTrue())
                    .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
        }
        assertThat(touched).containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(meters.find("meridian.residency.refused").counter()).isNull();
    }

    @Test
    void restrictedCallWhoseAllowedRegionsAreAllOpenIsAnOutageNotARefusalAndNeverLeaves() {
        RegionalExecutor ex = executor();
        health.circuitBreaker(EU_WEST).transitionToForcedOpenState();
        health.circuitBreaker(EU_CENTRAL).transitionToForcedOpenState();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            assertThatThrownBy(() -> ex.execute(Operation.of("Get", OperationKind.READ), failingIn(US_EAST,
                    refused()))).isInstanceOf(NoRegionAvailableException.class)
                    .hasMessageContaining("residency allows");
        }
        assertThat(touched).isEmpty();
        assertThat(meters.find("meridian.residency.refused").counter()).isNull();
    }

    @Test
    void restrictedCallWithNoAllowedRegionAtAllIsARefusal() {
        RegionalExecutor ex = executor();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("BR").dataClass(DataClass.RESTRICTED)
                .open()) {
            assertThatThrownBy(() -> ex.execute(Operation.of("Get", OperationKind.READ), failingIn(US_EAST,
                    refused()))).isInstanceOf(ResidencyViolationException.class)
                    .hasMessageContaining("subject country BR is unmapped");
        }
        assertThat(touched).isEmpty();
    }

    @Test
    void repeatedRegionalFailuresOpenTheBreakerAndLaterCallsSkipTheRegion() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .slidingWindowSize(4).minimumNumberOfCalls(4).waitInOpenState(Duration.ofHours(1)).build()).build());
        for (int i = 0; i < 4; i++) {
            ex.execute(Operation.of("Get", OperationKind.READ), failingIn(EU_WEST, refused()));
        }
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.OPEN);
        touched.clear();
        assertThat(ex.execute(Operation.of("Get", OperationKind.READ), failingIn(EU_WEST, refused())))
                .isEqualTo("eu-central-1");
        assertThat(touched).containsExactly(EU_CENTRAL);
        assertThat(meters.get("meridian.calls").tag("region", "eu-west-1").tag("outcome", "regional_failure")
                .counter().count()).isEqualTo(4.0);
    }

    @Test
    void asyncFailureFailsOverToTheNextRegionWithTheCapturedContext() throws Exception {
        RegionalExecutor ex = executor();
        List<String> correlation = new CopyOnWriteArrayList<>();
        CompletableFuture<String> result;
        try (RoutingContext.Scope s = RoutingContext.builder().correlationId("c-42").open()) {
            result = ex.executeAsync(Operation.of("Get", OperationKind.READ), region -> {
                touched.add(region);
                correlation.add(RoutingContext.current().correlationId().orElse("none"));
                if (region.equals(EU_WEST)) {
                    return CompletableFuture.supplyAsync(() -> {
                        throw refused();
                    });
                }
                return CompletableFuture.completedFuture(region.id());
            });
        }
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(touched).containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(correlation).containsOnly("c-42");
    }

    @Test
    void asyncWriteThatMayHaveBeenAppliedFailsWithoutFailover() {
        RuntimeException timeout = timedOut();
        CompletableFuture<String> result = executor().executeAsync(Operation.of("Put", OperationKind.WRITE),
                region -> {
                    touched.add(region);
                    return CompletableFuture.failedFuture(timeout);
                });
        assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCause(timeout);
        assertThat(touched).containsExactly(EU_WEST);
    }

    @Test
    void hedgedSyncReadTakesTheFirstSuccessAndInterruptsTheLoser() throws Exception {
        RegionalExecutor ex = executor(TestTopology.threeRegions().hedging(HedgingConfig.fixed(Duration.ZERO)).build());
        CountDownLatch loserRunning = new CountDownLatch(1);
        CountDownLatch loserInterrupted = new CountDownLatch(1);
        String result = ex.execute(Operation.of("Get", OperationKind.READ), region -> {
            touched.add(region);
            try {
                if (region.equals(EU_WEST)) {
                    loserRunning.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        loserInterrupted.countDown();
                    }
                    return "never";
                }
                // The hedge wins only once the first attempt runs: a loser that never started has nothing to
                // interrupt (seen on a loaded machine, where its thread started after the hedge had won).
                loserRunning.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return region.id();
        });
        assertThat(result).isEqualTo("eu-central-1");
        assertThat(loserInterrupted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(meters.get("meridian.hedge.sent").tag("region", "eu-central-1").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("meridian.hedge.won").tag("region", "eu-central-1").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("meridian.hedge.cancelled").tag("region", "eu-west-1").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void hedgedAsyncReadCancelsTheLosingFuture() throws Exception {
        RegionalExecutor ex = executor(TestTopology.threeRegions().hedging(HedgingConfig.fixed(Duration.ZERO)).build());
        CompletableFuture<String> slow = new CompletableFuture<>();
        CompletableFuture<String> result = ex.executeAsync(Operation.of("Get", OperationKind.READ), region ->
                region.equals(EU_WEST) ? slow : CompletableFuture.completedFuture(region.id()));
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(slow).isCancelled();
    }

    @Test
    void primaryThatAnswersBeforeTheHedgeDelayNeedsNoHedge() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().hedging(HedgingConfig.fixed(Duration.ofHours(1)))
                .build());
        assertThat(ex.execute(Operation.of("Get", OperationKind.READ), failingIn(US_EAST, refused())))
                .isEqualTo("eu-west-1");
        assertThat(touched).containsExactly(EU_WEST);
        assertThat(meters.find("meridian.hedge.sent").counters()).isEmpty();
    }

    @Test
    void hedgedReadStillFailsOverWhenThePrimaryFailsFast() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().hedging(HedgingConfig.fixed(Duration.ofHours(1)))
                .build());
        assertThat(ex.execute(Operation.of("Get", OperationKind.READ), failingIn(EU_WEST, refused())))
                .isEqualTo("eu-central-1");
    }

    @Test
    void everyAttemptIsTimedPerRegionAndOperation() {
        RegionalExecutor ex = executor();
        ex.execute(Operation.of("Get", OperationKind.READ), failingIn(EU_WEST, refused()));
        assertThat(meters.get("meridian.call.latency").tag("region", "eu-central-1").tag("operation", "Get").timer()
                .count()).isEqualTo(1);
        assertThat(meters.get("meridian.calls").tag("region", "eu-central-1").tag("outcome", "success").counter()
                .count()).isEqualTo(1.0);
    }

    @Test
    void adaptiveHedgeDelayFollowsTheObservedP95ButNeverGoesBelowTheFloor() {
        HedgingConfig adaptive = HedgingConfig.adaptive(Duration.ofMillis(20));
        assertThat(adaptive.delayNanos(-1)).isEqualTo(Duration.ofMillis(20).toNanos());
        assertThat(adaptive.delayNanos(Duration.ofMillis(5).toNanos())).isEqualTo(Duration.ofMillis(20).toNanos());
        assertThat(adaptive.delayNanos(Duration.ofMillis(80).toNanos())).isEqualTo(Duration.ofMillis(80).toNanos());
        assertThat(HedgingConfig.fixed(Duration.ofMillis(20)).delayNanos(Duration.ofMillis(80).toNanos()))
                .isEqualTo(Duration.ofMillis(20).toNanos());
        LatencyTracker tracker = new LatencyTracker();
        for (int i = 0; i < 50; i++) {
            tracker.record(EU_WEST, i % 2 == 0 ? 10_000_000 : 30_000_000);
        }
        assertThat(tracker.p95Nanos(EU_WEST)).isGreaterThan(tracker.averageNanos(EU_WEST));
    }

    @Test
    void hedgedSyncReadReturnsTheHedgeWhileTheFirstAttemptIgnoresInterruptsLikeABlockingSocketRead()
            throws Exception {
        RegionalExecutor ex = executor(TestTopology.threeRegions().hedging(HedgingConfig.fixed(Duration.ZERO)).build());
        CountDownLatch release = new CountDownLatch(1);
        Function<Region, String> read = region -> {
            if (region.equals(EU_WEST)) {
                awaitUninterruptibly(release);
            }
            return region.id();
        };
        // The caller runs on its own thread so that a first attempt pinned to the caller fails this test, not hangs it.
        CompletableFuture<String> caller = CompletableFuture.supplyAsync(() -> {
            String result = ex.execute(Operation.of("Get", OperationKind.READ), read);
            return result + (Thread.currentThread().isInterrupted() ? " (caller interrupted)" : "");
        });
        try {
            assertThat(caller.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        } finally {
            release.countDown();
        }
        assertThat(meters.get("meridian.hedge.won").tag("region", "eu-central-1").counter().count()).isEqualTo(1.0);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void perResourceBreakersMoveOnlyTheFailingTablesTrafficOutOfTheRegion() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .slidingWindowSize(4).minimumNumberOfCalls(4).waitInOpenState(Duration.ofHours(1))
                .perResourceBreakers(true).build()).build());
        Operation orders = Operation.builder("GetItem", OperationKind.READ).resource("orders").build();
        Operation customers = Operation.builder("GetItem", OperationKind.READ).resource("customers").build();
        Function<Region, String> ordersDownInWest = region -> {
            touched.add(region);
            if (region.equals(EU_WEST)) {
                throw serviceUnavailable();
            }
            return region.id();
        };
        for (int i = 0; i < 4; i++) {
            assertThat(ex.execute(orders, ordersDownInWest)).isEqualTo("eu-central-1");
        }
        assertThat(health.circuitBreaker(EU_WEST, "orders").getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);

        touched.clear();
        assertThat(ex.execute(orders, ordersDownInWest)).isEqualTo("eu-central-1");
        assertThat(touched).containsExactly(EU_CENTRAL);
        touched.clear();
        assertThat(ex.execute(customers, failingIn(US_EAST, refused()))).isEqualTo("eu-west-1");
        assertThat(ex.execute(Operation.of("ListTables", OperationKind.READ), failingIn(US_EAST, refused())))
                .isEqualTo("eu-west-1");
        assertThat(touched).containsExactly(EU_WEST, EU_WEST);
    }

    @Test
    void asyncCallsAlsoGoThroughTheirPerResourceBreaker() throws Exception {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .slidingWindowSize(4).minimumNumberOfCalls(4).waitInOpenState(Duration.ofHours(1))
                .perResourceBreakers(true).build()).build());
        Operation orders = Operation.builder("GetItem", OperationKind.READ).resource("orders").build();
        Function<Region, CompletableFuture<String>> ordersDownInWest = region -> {
            touched.add(region);
            return region.equals(EU_WEST) ? CompletableFuture.failedFuture(serviceUnavailable())
                    : CompletableFuture.completedFuture(region.id());
        };
        for (int i = 0; i < 4; i++) {
            assertThat(ex.executeAsync(orders, ordersDownInWest).get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        }
        assertThat(health.circuitBreaker(EU_WEST, "orders").getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
        touched.clear();
        assertThat(ex.executeAsync(orders, ordersDownInWest).get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(touched).containsExactly(EU_CENTRAL);
    }

    @Test
    void withoutPerResourceBreakersOneTablesOutageOpensTheWholeRegionsBreaker() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .slidingWindowSize(4).minimumNumberOfCalls(4).waitInOpenState(Duration.ofHours(1)).build()).build());
        Operation orders = Operation.builder("GetItem", OperationKind.READ).resource("orders").build();
        Operation customers = Operation.builder("GetItem", OperationKind.READ).resource("customers").build();
        for (int i = 0; i < 4; i++) {
            ex.execute(orders, failingIn(EU_WEST, serviceUnavailable()));
        }
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.OPEN);
        touched.clear();
        assertThat(ex.execute(customers, failingIn(US_EAST, refused()))).isEqualTo("eu-central-1");
        assertThat(touched).containsExactly(EU_CENTRAL);
    }

    @Test
    void writesAreNeverHedged() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().hedging(HedgingConfig.fixed(Duration.ZERO)).build());
        assertThat(ex.execute(Operation.of("Put", OperationKind.IDEMPOTENT_WRITE), failingIn(US_EAST, refused())))
                .isEqualTo("eu-west-1");
        assertThat(touched).containsExactly(EU_WEST);
    }

    private static RuntimeException throttled() {
        return DynamoDbException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException")
                        .errorMessage("Rate exceeded").build())
                .message("Rate exceeded").build();
    }

    @Test
    void throttlingOfOneHotTableNeverOpensTheRegionBreakerAndMovesOnlyThatTablesTraffic() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .slidingWindowSize(4).minimumNumberOfCalls(4).waitInOpenState(Duration.ofHours(1)).build()).build());
        Operation orders = Operation.builder("PutItem", OperationKind.WRITE).resource("orders").build();
        Operation customers = Operation.builder("GetItem", OperationKind.READ).resource("customers").build();
        for (int i = 0; i < 6; i++) {
            // Throttling proves nothing was applied: even a plain write moves on.
            assertThat(ex.execute(orders, failingIn(EU_WEST, throttled()))).isEqualTo("eu-central-1");
        }
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(health.circuitBreaker(EU_WEST, "orders").getState()).isEqualTo(CircuitBreaker.State.OPEN);
        touched.clear();
        assertThat(ex.execute(orders, failingIn(EU_WEST, throttled()))).isEqualTo("eu-central-1");
        assertThat(ex.execute(customers, failingIn(US_EAST, refused()))).isEqualTo("eu-west-1");
        assertThat(touched).containsExactly(EU_CENTRAL, EU_WEST);
        // A fast throttling answer is no latency penalty for the region.
        assertThat(executorLatency().averageNanos(EU_WEST)).isLessThan(LatencyTracker.FAILURE_PENALTY_NANOS);
    }

    @Test
    void withPerResourceBreakersThrottlingCountsAgainstTheResourceBreakerOnly() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .slidingWindowSize(4).minimumNumberOfCalls(4).waitInOpenState(Duration.ofHours(1))
                .perResourceBreakers(true).build()).build());
        Operation orders = Operation.builder("GetItem", OperationKind.READ).resource("orders").build();
        for (int i = 0; i < 4; i++) {
            ex.execute(orders, failingIn(EU_WEST, throttled()));
        }
        assertThat(health.circuitBreaker(EU_WEST, "orders").getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void throttlingOfACallNamingNoResourceCountsAgainstNoBreaker() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .slidingWindowSize(4).minimumNumberOfCalls(4).waitInOpenState(Duration.ofHours(1)).build()).build());
        for (int i = 0; i < 6; i++) {
            ex.execute(Operation.of("ListTables", OperationKind.READ), failingIn(EU_WEST, throttled()));
        }
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aHedgeIsOneOfTheCallsRegionalAttemptsNeverAnExtraOne() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().maxRegionsPerCall(2)
                .hedging(HedgingConfig.fixed(Duration.ZERO)).build());
        CountDownLatch bothStarted = new CountDownLatch(2);
        Function<Region, String> slowFailure = region -> {
            touched.add(region);
            bothStarted.countDown();
            awaitUninterruptibly(bothStarted);
            throw serviceUnavailable();
        };
        assertThatThrownBy(() -> ex.execute(Operation.of("Get", OperationKind.READ), slowFailure))
                .isInstanceOf(DynamoDbException.class);
        assertThat(touched).containsExactlyInAnyOrder(EU_WEST, EU_CENTRAL);
    }

    @Test
    void theHedgeTimerOfACallThatCompletedIsCancelled() {
        RegionalExecutor ex = executor(TestTopology.threeRegions()
                .hedging(HedgingConfig.fixed(Duration.ofHours(1))).build());
        for (int i = 0; i < 5; i++) {
            assertThat(ex.execute(Operation.of("Get", OperationKind.READ), failingIn(US_EAST, refused())))
                    .isEqualTo("eu-west-1");
        }
        assertThat(ex.hedger().pendingTimers()).isZero();
    }

    /** The waiting caller of a synchronous hedged read sends its hedge: no timer task is scheduled per read. */
    @Test
    void aSynchronousHedgedReadSchedulesNoHedgeTimer() throws Exception {
        RegionalExecutor ex = executor(TestTopology.threeRegions()
                .hedging(HedgingConfig.fixed(Duration.ofHours(1))).build());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> ex.execute(
                Operation.of("Get", OperationKind.READ), region -> {
                    started.countDown();
                    awaitUninterruptibly(release);
                    return region.id();
                }));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ex.hedger().pendingTimers()).as("hedge timers while the read waits").isZero();
        release.countDown();
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo("eu-west-1");
    }

    @Test
    void whenEveryHedgeWorkerIsBusyAReadRunsOnTheCallersThreadAndTheHedgeIsSkipped() throws Exception {
        RegionalExecutor ex = executor(TestTopology.threeRegions()
                .hedging(HedgingConfig.fixed(Duration.ZERO).withMaxWorkers(1)).build());
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> ex.execute(
                Operation.of("Get", OperationKind.READ), region -> {
                    touched.add(region);
                    started.countDown();
                    awaitUninterruptibly(blocking);
                    return region.id();
                }));
        started.await(10, TimeUnit.SECONDS);
        Thread caller = Thread.currentThread();
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        Function<Region, String> recordingThread = region -> {
            ranOn.add(Thread.currentThread());
            return region.id();
        };
        assertThat(ex.execute(Operation.of("Get", OperationKind.READ), recordingThread)).isEqualTo("eu-west-1");
        assertThat(ranOn).containsExactly(caller);
        blocking.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("eu-west-1");
        assertThat(touched).containsExactly(EU_WEST);
        assertThat(ex.hedger().workers()).isLessThanOrEqualTo(1);
    }

    @Test
    void aReadWhoseFirstRegionIsHalfOpenIsServedByTheNextWhileADetachedTrialTestsTheRegion() throws Exception {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .permittedCallsInHalfOpenState(1).build()).build());
        health.circuitBreaker(EU_WEST).transitionToOpenState();
        health.circuitBreaker(EU_WEST).transitionToHalfOpenState();
        CompletableFuture<String> blackholed = new CompletableFuture<>();
        CompletableFuture<String> result = ex.executeAsync(Operation.of("Get", OperationKind.READ), region -> {
            touched.add(region);
            return region.equals(EU_WEST) ? blackholed : CompletableFuture.completedFuture(region.id());
        });
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(touched).containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        blackholed.complete("eu-west-1");
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void withAHealthProbeASynchronousReadSkipsAHalfOpenRegionAndLeavesTheTrialToTheProbe() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .permittedCallsInHalfOpenState(1).probe(region -> true, Duration.ofHours(1)).build()).build());
        health.circuitBreaker(EU_WEST).transitionToOpenState();
        health.circuitBreaker(EU_WEST).transitionToHalfOpenState();
        String answer = ex.execute(Operation.of("Get", OperationKind.READ), region -> {
            touched.add(region);
            return region.id();
        });
        assertThat(answer).isEqualTo("eu-central-1");
        assertThat(touched).containsExactly(EU_CENTRAL);
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        health.probeAll(region -> true);
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);

        health.circuitBreaker(EU_WEST).transitionToOpenState();
        health.circuitBreaker(EU_WEST).transitionToHalfOpenState();
        touched.clear();
        Function<Region, String> put = region -> {
            touched.add(region);
            return region.id();
        };
        assertThat(ex.execute(Operation.of("Put", OperationKind.WRITE), put))
                .as("a write with another region to go to is not a half-open breaker's trial").isEqualTo("eu-central-1");
        assertThat(touched).containsExactly(EU_CENTRAL);
    }

    /**
     * Without a probe or hedging a synchronous read used to be the half-open region's trial: its caller waited on a
     * region that may still be black-holed (issue 19: 12 of 24 calls that paid the attempt timeout). Now the trial
     * is detached: it runs on a trial thread and only feeds the breaker, the caller's read goes to the next region.
     */
    @Test
    void withoutAProbeOrHedgingASynchronousReadSendsADetachedTrialAndDoesNotWaitForIt() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .permittedCallsInHalfOpenState(1).build()).build());
        health.circuitBreaker(EU_WEST).transitionToOpenState();
        health.circuitBreaker(EU_WEST).transitionToHalfOpenState();
        CountDownLatch blackholed = new CountDownLatch(1);
        Function<Region, String> get = region -> {
            touched.add(region);
            if (region.equals(EU_WEST)) {
                awaitQuietly(blackholed);
            }
            return region.id();
        };
        assertThat(ex.execute(Operation.of("Get", OperationKind.READ), get)).isEqualTo("eu-central-1");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(touched).contains(EU_WEST));
        assertThat(health.state(EU_WEST)).as("the trial is still out").isEqualTo(CircuitBreaker.State.HALF_OPEN);
        blackholed.countDown();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> health.state(EU_WEST) == CircuitBreaker.State.CLOSED);
    }

    /** Waits for the latch, for 10 s at most (a caller held by its trial would otherwise wait forever). */
    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aHalfOpenTrialThatFailsReopensTheBreakerWithoutFailingTheCall() throws Exception {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .permittedCallsInHalfOpenState(1).build()).build());
        health.circuitBreaker(EU_WEST).transitionToOpenState();
        health.circuitBreaker(EU_WEST).transitionToHalfOpenState();
        Function<Region, CompletableFuture<String>> westTimesOut = region -> region.equals(EU_WEST)
                ? CompletableFuture.failedFuture(timedOut()) : CompletableFuture.completedFuture(region.id());
        String answer = ex.executeAsync(Operation.of("Get", OperationKind.READ), westTimesOut).get(10, TimeUnit.SECONDS);
        assertThat(answer).isEqualTo("eu-central-1");
        // The trial is detached: the call does not wait for it, so its outcome may reach the breaker after the answer.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.OPEN));
    }

    /**
     * The caller gave up while the attempt was in flight: the SDK reports an abort (the thread's interrupt kept), or
     * an I/O failure caused by the interrupt. Whatever the kind, the call ends there: a write may have been applied
     * and is never repeated elsewhere, a read is not wanted any more; the region is not blamed.
     */
    @ParameterizedTest
    @EnumSource(OperationKind.class)
    void anInterruptedAttemptEndsTheCallWithoutFailoverOrBreakerPenaltyAndKeepsTheInterrupt(OperationKind kind) {
        RegionalExecutor ex = executor();
        RuntimeException aborted = AbortedException.create("Thread was interrupted", new InterruptedException());
        try {
            assertThatThrownBy(() -> ex.execute(Operation.of("Op", kind), region -> {
                touched.add(region);
                Thread.currentThread().interrupt();
                throw aborted;
            })).isSameAs(aborted);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt status is preserved").isTrue();
        } finally {
            Thread.interrupted();
        }
        RuntimeException interruptedIo = SdkClientException.create("Unable to execute HTTP request",
                interruptedIo());
        assertThatThrownBy(() -> ex.execute(Operation.of("Op", kind), failingIn(EU_WEST, interruptedIo)))
                .isSameAs(interruptedIo);
        assertThat(touched).containsExactly(EU_WEST, EU_WEST);
        assertThat(health.circuitBreaker(EU_WEST).getMetrics().getNumberOfFailedCalls()).isZero();
    }

    /** Apache's shape of an interrupt while waiting (an I/O exception caused by the InterruptedException). */
    private static InterruptedIOException interruptedIo() {
        InterruptedIOException e = new InterruptedIOException("Request aborted");
        e.initCause(new InterruptedException());
        return e;
    }

    @ParameterizedTest
    @EnumSource(OperationKind.class)
    void anAsyncAttemptAbortedByAnInterruptEndsTheCallWithoutFailover(OperationKind kind) {
        RegionalExecutor ex = executor();
        RuntimeException interrupted = SdkClientException.create("Unable to execute HTTP request", interruptedIo());
        CompletableFuture<String> result = ex.executeAsync(Operation.of("Op", kind), region -> {
            touched.add(region);
            return region.equals(EU_WEST) ? CompletableFuture.failedFuture(interrupted)
                    : CompletableFuture.completedFuture(region.id());
        });
        assertThatThrownBy(result::join).hasCause(interrupted);
        assertThat(touched).containsExactly(EU_WEST);
        assertThat(health.circuitBreaker(EU_WEST).getMetrics().getNumberOfFailedCalls()).isZero();
    }

    /**
     * The health probe drives only the region breakers it probes. A table's own breaker (opened by throttling) in
     * half-open still gets the users' reads' trials, or a read-only table would never come back to its region; the
     * trial is detached: the read itself is answered by the next region.
     */
    @ParameterizedTest(name = "per-resource breakers: {0}")
    @ValueSource(booleans = {false, true})
    void withAHealthProbeASynchronousReadSendsADetachedTrialToAHalfOpenTableBreakerTheProbeDoesNotDrive(
            boolean perResourceBreakers) {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .permittedCallsInHalfOpenState(1).perResourceBreakers(perResourceBreakers)
                .probe(region -> true, Duration.ofHours(1)).build()).build());
        CircuitBreaker table = health.circuitBreaker(EU_WEST, "catalog");
        table.transitionToOpenState();
        table.transitionToHalfOpenState();
        Operation read = Operation.builder("GetItem", OperationKind.READ).resource("catalog").build();
        Function<Region, String> get = region -> {
            touched.add(region);
            return region.id();
        };
        assertThat(ex.execute(read, get)).isEqualTo("eu-central-1");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> table.getState() == CircuitBreaker.State.CLOSED);
        assertThat(touched).containsExactlyInAnyOrder(EU_WEST, EU_CENTRAL);
    }

    private RegionalExecutor ejectingAfter(int stalls) {
        return executor(TestTopology.threeRegions().health(HealthConfig.builder().ejectAfterStalls(stalls).build())
                .build());
    }

    /** Issue 19: a black-holed region paid the attempt timeout 10 times before its window of 10 opened the breaker. */
    @Test
    void consecutiveTimeoutsEjectTheRegionWithoutWaitingForTheWindow() {
        RegionalExecutor ex = ejectingAfter(3);
        Operation get = Operation.of("Get", OperationKind.READ);
        for (int i = 0; i < 2; i++) {
            assertThat(ex.execute(get, failingIn(EU_WEST, timedOut()))).isEqualTo("eu-central-1");
        }
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(ex.execute(get, failingIn(EU_WEST, timedOut()))).isEqualTo("eu-central-1");
        assertThat(health.state(EU_WEST)).as("ejected at the third timeout in a row")
                .isEqualTo(CircuitBreaker.State.OPEN);
        touched.clear();
        assertThat(ex.execute(get, failingIn(EU_WEST, timedOut()))).isEqualTo("eu-central-1");
        assertThat(touched).containsExactly(EU_CENTRAL);
    }

    @Test
    void aSuccessBetweenTimeoutsStartsTheCountAgain() {
        RegionalExecutor ex = ejectingAfter(3);
        Operation get = Operation.of("Get", OperationKind.READ);
        ex.execute(get, failingIn(EU_WEST, timedOut()));
        ex.execute(get, failingIn(EU_WEST, timedOut()));
        ex.execute(get, failingIn(US_EAST, timedOut()));
        ex.execute(get, failingIn(EU_WEST, timedOut()));
        ex.execute(get, failingIn(EU_WEST, timedOut()));
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void timeoutsOfAColdClientDoNotEjectItsRegion() {
        RegionalExecutor ex = ejectingAfter(2);
        Operation get = Operation.of("Get", OperationKind.READ);
        for (int i = 0; i < 4; i++) {
            ex.execute(get, RoutingContext.current(), failingIn(EU_WEST, timedOut()), ex.classifier(),
                    region -> true);
        }
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void timeoutsWhileTheProcessWasStalledDoNotEjectTheRegion() {
        RegionalExecutor ex = ejectingAfter(2);
        Operation get = Operation.of("Get", OperationKind.READ);
        Function<Region, String> starved = region -> {
            touched.add(region);
            if (region.equals(EU_WEST)) {
                // The process's own timer is a second late, a stall covering the whole attempt (and its
                // bookkeeping): a CPU-starved process.
                long now = System.nanoTime();
                ex.stalls().timerFired(now - TimeUnit.SECONDS.toNanos(1), now + TimeUnit.SECONDS.toNanos(1));
                throw timedOut();
            }
            return region.id();
        };
        for (int i = 0; i < 4; i++) {
            assertThat(ex.execute(get, starved)).isEqualTo("eu-central-1");
        }
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void fastEjectionCanBeTurnedOff() {
        RegionalExecutor ex = ejectingAfter(0);
        Operation get = Operation.of("Get", OperationKind.READ);
        for (int i = 0; i < 9; i++) {
            ex.execute(get, failingIn(EU_WEST, timedOut()));
        }
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    private LatencyTracker executorLatency() {
        return executor.latency();
    }

    /** Makes {@code region} suspect: as many hedge losers in a row left unanswered as the configuration ejects at. */
    private void makeSuspect(Region region) {
        long start = System.nanoTime() - 1_000_000L;
        int limit = health.config().ejectAfterStalls();
        for (int i = 0; i < limit; i++) {
            health.watched(region).lostUnanswered(limit, start);
        }
        assertThat(health.isSuspect(region)).isTrue();
    }

    /**
     * Issue 19, item 3: a write cannot be hedged or detached, so one sent to a suspect, black-holed region waits its
     * attempt timeout (and every write sent before the first timed out does too). With another region planned it
     * starts there: it was never sent to the suspect region, so it cannot be applied twice.
     */
    @Test
    void aWriteWithAnotherRegionToGoToStartsPastASuspectRegionSyncAndAsync() throws Exception {
        RegionalExecutor ex = executor();
        makeSuspect(EU_WEST);
        Function<Region, String> put = region -> {
            touched.add(region);
            return region.id();
        };
        assertThat(ex.execute(Operation.of("Put", OperationKind.WRITE), put)).isEqualTo("eu-central-1");
        assertThat(ex.execute(Operation.of("Put", OperationKind.IDEMPOTENT_WRITE), put)).isEqualTo("eu-central-1");
        CompletableFuture<String> async = ex.executeAsync(Operation.of("Put", OperationKind.WRITE), region -> {
            touched.add(region);
            return CompletableFuture.completedFuture(region.id());
        });
        assertThat(async.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(touched).containsOnly(EU_CENTRAL);
        assertThat(health.isSuspect(EU_WEST)).as("writes do not decide the suspicion").isTrue();
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /**
     * An unhedged (consistent) read starts past a suspect region like a write, but a read is safe to repeat: when
     * every other region fails retryably it goes back there, synchronous or asynchronous, rather than fail; a
     * RESTRICTED one does within its jurisdiction only. Before, it failed with the last region's 503.
     */
    @Test
    void anUnhedgedReadPastASuspectRegionGoesBackToItWhenEveryOtherRegionFailsSyncAndAsync() throws Exception {
        RegionalExecutor ex = executor();
        makeSuspect(EU_WEST);
        Operation get = Operation.builder("Get", OperationKind.READ).unhedged().build();
        Function<Region, String> onlyWest = region -> {
            touched.add(region);
            if (!region.equals(EU_WEST)) {
                throw serviceUnavailable();
            }
            return region.id();
        };
        assertThat(ex.execute(get, onlyWest)).isEqualTo("eu-west-1");
        assertThat(ex.executeAsync(get, region -> CompletableFuture.supplyAsync(() -> onlyWest.apply(region)))
                .get(10, TimeUnit.SECONDS)).isEqualTo("eu-west-1");
        assertThat(touched).containsExactly(EU_CENTRAL, US_EAST, EU_WEST, EU_CENTRAL, US_EAST, EU_WEST);
        touched.clear();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            assertThat(ex.execute(get, onlyWest)).isEqualTo("eu-west-1");
            assertThat(ex.executeAsync(get, region -> CompletableFuture.supplyAsync(() -> onlyWest.apply(region)))
                    .get(10, TimeUnit.SECONDS)).isEqualTo("eu-west-1");
        }
        assertThat(touched).as("never outside the EU").containsExactly(EU_CENTRAL, EU_WEST, EU_CENTRAL, EU_WEST);
    }

    @Test
    void aWritePastASuspectRegionNeverGoesBackToIt() {
        RegionalExecutor ex = executor();
        makeSuspect(EU_WEST);
        Function<Region, String> put = region -> {
            touched.add(region);
            throw serviceUnavailable();
        };
        assertThatThrownBy(() -> ex.execute(Operation.of("Put", OperationKind.IDEMPOTENT_WRITE), put));
        assertThat(touched).as("never sent to the suspect region").containsExactly(EU_CENTRAL, US_EAST);
    }

    @Test
    void aWritePinnedToASuspectRegionIsSentThere() {
        RegionalExecutor ex = executor();
        makeSuspect(EU_WEST);
        String served = ex.execute(Operation.builder("Put", OperationKind.WRITE).maxRegions(1).build(), region -> {
            touched.add(region);
            return region.id();
        });
        assertThat(served).isEqualTo("eu-west-1");
        assertThat(touched).containsExactly(EU_WEST);
    }

    /**
     * Issue 19, item 3 with writes in the traffic: a write that was a half-open breaker's trial waited an attempt
     * timeout whenever the region was still black-holed, once per wait in the open state; the reads' detached trials
     * (or the probe) decide instead, and the write starts in the next region.
     */
    @Test
    void aWriteWithAnotherRegionToGoToIsNotAHalfOpenBreakersTrialSyncAndAsync() throws Exception {
        RegionalExecutor ex = executor();
        health.circuitBreaker(EU_WEST).transitionToOpenState();
        health.circuitBreaker(EU_WEST).transitionToHalfOpenState();
        Function<Region, String> put = region -> {
            touched.add(region);
            return region.id();
        };
        assertThat(ex.execute(Operation.of("Put", OperationKind.WRITE), put)).isEqualTo("eu-central-1");
        CompletableFuture<String> async = ex.executeAsync(Operation.of("Put", OperationKind.WRITE), region -> {
            touched.add(region);
            return CompletableFuture.completedFuture(region.id());
        });
        assertThat(async.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(touched).containsOnly(EU_CENTRAL);
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(ex.execute(Operation.builder("Put", OperationKind.WRITE).maxRegions(1).build(), put))
                .as("pinned to its region, the write is the trial").isEqualTo("eu-west-1");
    }

    @Test
    void aHalfOpenBreakerNoReadDecidedWithinTheWaitInOpenStateTakesTheWriteAsItsTrial() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .waitInOpenState(Duration.ofMillis(1)).permittedCallsInHalfOpenState(1).build()).build());
        health.circuitBreaker(EU_WEST).transitionToOpenState();
        health.circuitBreaker(EU_WEST).transitionToHalfOpenState();
        await().atMost(Duration.ofSeconds(10)).until(() -> ex.execute(Operation.of("Put", OperationKind.WRITE),
                region -> region.id()).equals("eu-west-1"));
        assertThat(health.state(EU_WEST)).as("the write was the trial").isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aSuspicionNoReadSettledWithinTheWaitInOpenStateNoLongerMovesWrites() {
        RegionalExecutor ex = executor(TestTopology.threeRegions().health(HealthConfig.builder()
                .waitInOpenState(Duration.ofMillis(1)).build()).build());
        makeSuspect(EU_WEST);
        // A workload of writes only sends no trial: past the breaker's wait the write is sent, as a half-open
        // breaker's trial is.
        await().atMost(Duration.ofSeconds(10)).until(() -> ex.execute(Operation.of("Put", OperationKind.WRITE),
                region -> region.id()).equals("eu-west-1"));
        assertThat(health.isSuspect(EU_WEST)).isTrue();
    }
}
