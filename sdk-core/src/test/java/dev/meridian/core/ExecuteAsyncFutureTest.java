package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.ContextualFuture;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;

/**
 * The future {@link MultiRegion#executeAsync} returns: a {@link ContextualFuture} of the caller's context, completed
 * with that context open on the completing thread, whose dependents run under it; cancelling it abandons the call
 * (its attempts in flight are cancelled); a failure completes it with the attempt's own exception, a planning failure
 * with the router's. Attempts are futures the test completes.
 */
class ExecuteAsyncFutureTest {
    private static final Region WEST = Region.EU_WEST_1;
    private static final Region CENTRAL = Region.EU_CENTRAL_1;
    private static final long WAIT_SECONDS = 10;
    private static final RoutingContext GERMAN = RoutingContext.builder().correlationId("call-7").subjectCountry("DE")
            .dataClass(DataClass.RESTRICTED).build();
    private static final Operation GET = Operation.of("Get", OperationKind.READ);

    /** Each region's next attempt: a future the test completes (a region with none answers its id at once). */
    private final Map<Region, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    /** The regions attempts were sent to. */
    private final List<Region> tried = new CopyOnWriteArrayList<>();
    private final ExecutorService sdkThread = Executors.newSingleThreadExecutor();
    private MultiRegion runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
        sdkThread.shutdownNow();
    }

    private MultiRegion runtime(HedgingConfig hedging) {
        runtime = MultiRegion.builder(MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).jurisdiction("EU"))
                .region(RegionSpec.of(CENTRAL).jurisdiction("EU"))
                .localRegion(WEST)
                .hedging(hedging)
                .build()).build();
        return runtime;
    }

    @SuppressWarnings("try") // the scope makes the caller's context current for the call
    private CompletableFuture<String> get(RoutingContext ctx) {
        try (RoutingContext.Scope s = ctx.open()) {
            return runtime.executeAsync(GET, region -> {
                tried.add(region);
                CompletableFuture<String> next = pending.remove(region);
                return next != null ? next : CompletableFuture.completedFuture(region.id());
            });
        }
    }

    @Test
    void cancellingTheFutureCancelsTheAttemptInFlight() {
        runtime(HedgingConfig.disabled());
        CompletableFuture<String> west = new CompletableFuture<>();
        pending.put(WEST, west);

        CompletableFuture<String> answer = get(GERMAN);
        answer.cancel(true);

        assertThat(west).as("the attempt's own future").isCancelled();
        assertThat(tried).as("no other region was tried").containsExactly(WEST);
    }

    @Test
    void cancellingAHedgedReadCancelsBothAttempts() {
        runtime(HedgingConfig.fixed(Duration.ofMillis(1)));
        CompletableFuture<String> west = new CompletableFuture<>();
        CompletableFuture<String> central = new CompletableFuture<>();
        pending.put(WEST, west);
        pending.put(CENTRAL, central);
        CompletableFuture<String> answer = get(RoutingContext.empty());
        await().atMost(WAIT_SECONDS, TimeUnit.SECONDS).until(pending::isEmpty); // the hedge went out

        answer.cancel(true);

        assertThat(west).as("the first attempt").isCancelled();
        assertThat(central).as("the hedge").isCancelled();
    }

    @Test
    void dependentsRunUnderTheCallsContextAndTheCompletionIsDeliveredUnderIt() throws Exception {
        runtime(HedgingConfig.disabled());
        CompletableFuture<String> west = new CompletableFuture<>();
        pending.put(WEST, west);

        CompletableFuture<String> answer = get(GERMAN);
        CompletableFuture<RoutingContext> dependent = answer.thenApply(v -> RoutingContext.current());
        // allOf's stage is a plain future: its dependent runs as the completion is delivered, on the completing thread.
        CompletableFuture<RoutingContext> delivered = CompletableFuture.allOf(answer)
                .thenApply(v -> RoutingContext.current());
        sdkThread.execute(() -> west.complete("from west"));

        assertThat(dependent.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(GERMAN);
        assertThat(delivered.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(GERMAN);
        assertThat(sdkThread.submit(RoutingContext::current).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .as("the completing thread is restored").isSameAs(RoutingContext.empty());
        assertThat(answer).isInstanceOfSatisfying(ContextualFuture.class, f -> assertThat(f.context()).isSameAs(GERMAN));
        assertThat(answer.join()).isEqualTo("from west");
        assertThat(answer.thenApply(v -> RoutingContext.current()).join()).as("chained after the answer")
                .isSameAs(GERMAN);
    }

    @Test
    void aFailureCompletesTheFutureWithTheAttemptsOwnException() throws Exception {
        runtime(HedgingConfig.disabled());
        // A 400 is the caller's own error: no region would answer otherwise, so the call fails with it.
        AwsServiceException invalid = AwsServiceException.builder().statusCode(400).message("ValidationException")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationException").build()).build();
        pending.put(WEST, CompletableFuture.failedFuture(invalid));

        CompletableFuture<String> answer = get(GERMAN);

        assertThat(answer.handle((v, e) -> e).get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(invalid);
        assertThat(answer).isInstanceOf(ContextualFuture.class);
        assertThat(tried).containsExactly(WEST);
    }

    @Test
    void aPlanningFailureCompletesAContextualFutureWithTheRoutersException() throws Exception {
        runtime(HedgingConfig.disabled());
        runtime.drain(WEST);
        runtime.drain(CENTRAL);

        CompletableFuture<String> answer = get(GERMAN);

        assertThat(answer).isInstanceOfSatisfying(ContextualFuture.class, f -> assertThat(f.context()).isSameAs(GERMAN));
        assertThat(answer.handle((v, e) -> e).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(NoRegionAvailableException.class);
        assertThat(answer.exceptionally(e -> "x").thenApply(v -> RoutingContext.current()).join()).isSameAs(GERMAN);
        assertThat(tried).isEmpty();
    }
}
