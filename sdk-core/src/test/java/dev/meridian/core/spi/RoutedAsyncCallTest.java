package dev.meridian.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.ContextualFuture;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * A routed asynchronous call's future is completed by the runtime itself ({@link MultiRegionSpi#callAsync}), its
 * first attempt started alone when its region takes it as is: the caller's cancellation reaches the attempt, the
 * future's dependents run under the call's context, a failed first attempt fails over, a hedge's loser is cancelled,
 * and what the request model's {@code afterSuccess} throws fails the call. Clients are futures the test completes.
 */
class RoutedAsyncCallTest {
    private static final Region WEST = Region.EU_WEST_1;
    private static final Region CENTRAL = Region.EU_CENTRAL_1;
    private static final Region NORTH = Region.EU_NORTH_1;
    private static final long WAIT_SECONDS = 10;
    private static final RoutingContext GERMAN = RoutingContext.builder().correlationId("call-7").build();

    /** Each region's next attempt: a future the test completes (a region with none answers its id at once). */
    private final Map<Region, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    /** The regions attempts were sent to. */
    private final List<Region> tried = new CopyOnWriteArrayList<>();
    /** The regions the model was told served a call. */
    private final List<Region> served = new CopyOnWriteArrayList<>();
    private final ExecutorService io = Executors.newSingleThreadExecutor();
    private volatile boolean afterSuccessThrows;
    /** The call's second attempt: never answers when set (null: answers as any other). */
    private volatile CompletableFuture<String> secondAttempt;
    private MultiRegion runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
        io.shutdownNow();
    }

    private final class Model implements RequestModel<String, String> {
        @Override
        public String classify(String operationName, String request, RoutingContext ctx) {
            return operationName;
        }

        @Override
        public Operation operation(String classified, RoutingContext ctx) {
            return Operation.of(classified, OperationKind.READ);
        }

        @Override
        public void afterSuccess(String classified, String request, RoutingContext ctx, Region region,
                Object response) {
            if (afterSuccessThrows) {
                throw new IllegalStateException("marks unavailable");
            }
            served.add(region);
        }
    }

    private RoutedClient<Region, String, String> client(HedgingConfig hedging, Region... more) {
        MultiRegionConfig.Builder config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST))
                .region(RegionSpec.of(CENTRAL))
                .localRegion(WEST)
                .hedging(hedging);
        for (Region r : more) {
            config.region(RegionSpec.of(r));
        }
        runtime = MultiRegion.builder(config.build()).build();
        RegionalClients<Region> clients = new RegionalClients<>("Echo", runtime.config(), (region, spec) -> region);
        RoutedClient<Region, String, String> client = new RoutedClient<>(runtime, clients, new Model());
        // Warm: the clients have answered, so a read's first attempt is started alone.
        get(client, RoutingContext.empty()).join();
        served.clear();
        tried.clear();
        return client;
    }

    private CompletableFuture<String> get(RoutedClient<Region, String, String> client, RoutingContext ctx) {
        return client.callAsync("get", "item", ctx, (region, request) -> {
            tried.add(region);
            CompletableFuture<String> second = secondAttempt;
            if (second != null && tried.size() == 2) {
                return second;
            }
            CompletableFuture<String> next = pending.remove(region);
            return next != null ? next : CompletableFuture.completedFuture(region.id());
        });
    }

    @Test
    void theCallersCancellationReachesTheAttempt() {
        RoutedClient<Region, String, String> client = client(HedgingConfig.disabled());
        CompletableFuture<String> west = new CompletableFuture<>();
        pending.put(WEST, west);

        CompletableFuture<String> answer = get(client, RoutingContext.empty());
        answer.cancel(true);

        assertThat(west).as("the attempt's own future").isCancelled();
        assertThat(tried).as("no other region was tried").containsExactly(WEST);
        assertThat(served).isEmpty();
    }

    @Test
    void theCallersCancellationReachesTheAttemptsOfAHedgedRead() throws Exception {
        RoutedClient<Region, String, String> client = client(HedgingConfig.fixed(Duration.ofMillis(1)));
        CompletableFuture<String> west = new CompletableFuture<>();
        CompletableFuture<String> central = new CompletableFuture<>();
        pending.put(WEST, west);
        pending.put(CENTRAL, central);
        CompletableFuture<String> answer = get(client, RoutingContext.empty());
        // The hedge went out: both attempts are in flight, the run has adopted the first one.
        await().atMost(WAIT_SECONDS, TimeUnit.SECONDS).until(pending::isEmpty);

        answer.cancel(true);

        assertThat(west).as("the first attempt").isCancelled();
        assertThat(central).as("the hedge").isCancelled();
    }

    @Test
    void dependentsRunUnderTheCallsContextOnTheThreadThatCompletesTheAttempt() throws Exception {
        RoutedClient<Region, String, String> client = client(HedgingConfig.disabled());
        CompletableFuture<String> west = new CompletableFuture<>();
        pending.put(WEST, west);

        CompletableFuture<String> answer = get(client, GERMAN);
        CompletableFuture<RoutingContext> seen = answer.thenApply(v -> RoutingContext.current());
        io.execute(() -> west.complete("from west"));

        // Waiting on the dependent, not on the call's future: a thread waiting on a future may run its dependents.
        assertThat(seen.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(GERMAN);
        assertThat(answer).isInstanceOf(ContextualFuture.class);
        assertThat(answer.join()).isEqualTo("from west");
        assertThat(served).containsExactly(WEST);
    }

    @Test
    void aFailedFirstAttemptFailsOverAndTheServingRegionIsTold() throws Exception {
        RoutedClient<Region, String, String> client = client(HedgingConfig.disabled());
        CompletableFuture<String> west = new CompletableFuture<>();
        pending.put(WEST, west);

        CompletableFuture<String> answer = get(client, RoutingContext.empty());
        io.execute(() -> west.completeExceptionally(
                DynamoDbException.builder().statusCode(503).message("Service unavailable").build()));

        assertThat(answer.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(CENTRAL.id());
        assertThat(served).containsExactly(CENTRAL);
    }

    @Test
    void theFailoverAttemptOfAFirstAttemptThatFailedAtOnceIsStillHedged() throws Exception {
        RoutedClient<Region, String, String> client = client(HedgingConfig.fixed(Duration.ofMillis(1)), NORTH);
        pending.put(WEST, CompletableFuture.failedFuture(
                DynamoDbException.builder().statusCode(503).message("Service unavailable").build()));
        CompletableFuture<String> hanging = new CompletableFuture<>();
        secondAttempt = hanging;

        CompletableFuture<String> answer = get(client, RoutingContext.empty());

        assertThat(answer.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(tried.get(2).id());
        assertThat(tried).hasSize(3).startsWith(WEST);
        assertThat(hanging).as("the failover attempt, lost to its hedge").isCancelled();
    }

    @Test
    void aHedgeThatWinsCancelsTheFirstAttempt() throws Exception {
        RoutedClient<Region, String, String> client = client(HedgingConfig.fixed(Duration.ofMillis(1)));
        CompletableFuture<String> west = new CompletableFuture<>();
        pending.put(WEST, west);

        CompletableFuture<String> answer = get(client, RoutingContext.empty());

        assertThat(answer.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(CENTRAL.id());
        assertThat(west).as("the losing first attempt's own future").isCancelled();
        assertThat(served).containsExactly(CENTRAL);
    }

    @Test
    void whatAfterSuccessThrowsFailsTheCallAsAChainedStageWould() {
        RoutedClient<Region, String, String> client = client(HedgingConfig.disabled());
        afterSuccessThrows = true;

        CompletableFuture<String> answer = get(client, RoutingContext.empty());

        assertThatThrownBy(answer::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(answer.handle((v, e) -> e).join()).isInstanceOf(CompletionException.class);
    }
}
