package dev.meridian.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * The region a hedged read reports as the one that served it ({@link RequestModel#afterSuccess}: read-your-writes
 * marks and session tokens are kept by it) is the region whose answer the caller got, also when the losing attempt
 * returns successfully after the winner: the order of the two completions is fixed with latches, at the point where
 * the executor records each attempt's success (its observation stops) — the winner's just before it completes the
 * call, the loser's after it returned its answer and before the caller reads the served region.
 */
class ServedRegionRaceTest {
    private static final Region WEST = Region.EU_WEST_1;
    private static final Region CENTRAL = Region.EU_CENTRAL_1;
    private static final long WAIT_SECONDS = 10;

    private final ObservationRegistry observations = ObservationRegistry.create();
    /** Whether the handler orders the completions (the warm-up read is left alone). */
    private volatile boolean racing;
    /** Opens when the hedge's success is recorded: the first attempt may answer then. */
    private final CountDownLatch westMayAnswer = new CountDownLatch(1);
    /** Opens when the first attempt answered and its success is being recorded. */
    private final CountDownLatch westAnswered = new CountDownLatch(1);
    /** Opens when the caller was told which region served the call. */
    private final CountDownLatch callerTold = new CountDownLatch(1);
    private final AtomicReference<Region> reported = new AtomicReference<>();
    /** The asynchronous client's threads (not the common pool, which may have a single thread). */
    private final ExecutorService io = Executors.newCachedThreadPool();
    private MultiRegion runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
        io.shutdownNow();
    }

    /** The hedge (CENTRAL) wins; the first attempt (WEST) answers after it, before the caller looks. */
    private void orderCompletions() {
        observations.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                KeyValue outcome = context.getLowCardinalityKeyValue("outcome");
                if (!racing || outcome == null || !outcome.getValue().equals("success")) {
                    return;
                }
                String region = context.getLowCardinalityKeyValue("region").getValue();
                if (region.equals(CENTRAL.id())) {
                    westMayAnswer.countDown();
                    await(westAnswered);
                } else {
                    westAnswered.countDown();
                    await(callerTold);
                }
            }
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private MultiRegion runtime() {
        orderCompletions();
        runtime = MultiRegion.builder(MultiRegionConfig.builder()
                        .region(RegionSpec.of(WEST))
                        .region(RegionSpec.of(CENTRAL))
                        .localRegion(WEST)
                        .hedging(HedgingConfig.fixed(Duration.ofMillis(20)))
                        .build())
                .observationRegistry(observations)
                .build();
        return runtime;
    }

    /** Requests are region names to answer from at once, or "race": WEST waits for the hedge to win first. */
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
        public void afterSuccess(String classified, String request, RoutingContext ctx, Region served,
                Object response) {
            if (request.equals("race")) {
                reported.set(served);
                callerTold.countDown();
            }
        }
    }

    @Test
    void aLosingSynchronousAttemptThatAnswersLateIsNotReportedAsTheServedRegion() {
        MultiRegion multiRegion = runtime();
        RegionalClients<Region> clients = new RegionalClients<>("Echo", multiRegion.config(), (region, spec) -> region);
        RoutedClient<Region, String, String> client = new RoutedClient<>(multiRegion, clients, new Model());
        // Warm: the first attempt of the race is then hedged after the configured delay, not a cold client's.
        client.call("get", "warm-up", RoutingContext.current(), (region, request) -> region.id());
        racing = true;

        String answer = client.call("get", "race", RoutingContext.current(), (region, request) -> {
            if (region.equals(WEST)) {
                await(westMayAnswer);
            }
            return region.id();
        });

        assertThat(answer).isEqualTo(CENTRAL.id());
        assertThat(reported.get()).as("the region reported as serving the call").isEqualTo(CENTRAL);
    }

    @Test
    void aLosingAsynchronousAttemptThatAnswersLateIsNotReportedAsTheServedRegion() throws Exception {
        MultiRegion multiRegion = runtime();
        RegionalClients<Region> clients = new RegionalClients<>("Echo", multiRegion.config(), (region, spec) -> region);
        RoutedClient<Region, String, String> client = new RoutedClient<>(multiRegion, clients, new Model());
        client.callAsync("get", "warm-up", RoutingContext.current(),
                (region, request) -> CompletableFuture.completedFuture(region.id())).get(WAIT_SECONDS, TimeUnit.SECONDS);
        racing = true;
        CompletableFuture<String> west = new CompletableFuture<>();

        CompletableFuture<String> answer = client.callAsync("get", "race", RoutingContext.current(),
                (region, request) -> {
                    if (region.equals(WEST)) {
                        // The first attempt answers on another thread once the hedge's success is recorded.
                        io.execute(() -> {
                            ServedRegionRaceTest.await(westMayAnswer);
                            west.complete(WEST.id());
                        });
                        return west;
                    }
                    return CompletableFuture.supplyAsync(region::id, io);
                });

        assertThat(answer.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(CENTRAL.id());
        assertThat(reported.get()).as("the region reported as serving the call").isEqualTo(CENTRAL);
    }

    /** A {@code MultiRegion.executeAsync} call that is a {@link ServedRegion}, answered in its first region alone. */
    private static final class Served implements Function<Region, CompletableFuture<String>>, ServedRegion {
        final AtomicReference<Region> region = new AtomicReference<>();

        @Override
        public CompletableFuture<String> apply(Region r) {
            return CompletableFuture.completedFuture(r.id());
        }

        @Override
        public void served(Region r) {
            region.set(r);
        }
    }

    @Test
    void anExecuteAsyncCallAnsweredInItsFirstRegionIsToldThatRegion() throws Exception {
        MultiRegion multiRegion = runtime();
        Served warm = new Served();
        multiRegion.executeAsync(Operation.of("get", OperationKind.READ), warm).get(WAIT_SECONDS, TimeUnit.SECONDS);
        Served call = new Served();

        assertThat(multiRegion.executeAsync(Operation.of("get", OperationKind.READ), call)
                .get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(WEST.id());
        assertThat(call.region.get()).as("the region reported as serving the call").isEqualTo(WEST);
        assertThat(warm.region.get()).isEqualTo(WEST);
    }
}
