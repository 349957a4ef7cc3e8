package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.internal.Observations;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Each regional attempt of a routed call is one {@code meridian.call} observation in a real
 * {@link ObservationRegistry}, seen by a handler that records what it was told on start and stop.
 */
class AttemptObservationsTest {
    private final ObservationRegistry registry = ObservationRegistry.create();
    private final List<Seen> stopped = new CopyOnWriteArrayList<>();
    private final List<String> started = new CopyOnWriteArrayList<>();

    /** What a handler saw of one observation: the parent it had when started, and the thread that started it. */
    record Seen(String name, Map<String, String> keyValues, Throwable error, ObservationView parent,
            Thread startedOn) {
    }

    AttemptObservationsTest() {
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(Observation.Context context) {
                started.add(context.getName());
                context.put(Thread.class, Thread.currentThread());
            }

            @Override
            public void onStop(Observation.Context context) {
                Map<String, String> kv = new TreeMap<>();
                context.getLowCardinalityKeyValues().forEach(k -> kv.put(k.getKey(), k.getValue()));
                stopped.add(new Seen(context.getName(), kv, context.getError(), context.getParentObservation(),
                        context.get(Thread.class)));
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
    }

    private MultiRegion runtime(MultiRegionConfig config) {
        return MultiRegion.builder(config).observationRegistry(registry).build();
    }

    private static RuntimeException refused() {
        return SdkClientException.create("Unable to execute HTTP request", new ConnectException("refused"));
    }

    private static Map<String, String> kv(String region, String operation, int attempt, String outcome) {
        return new TreeMap<>(Map.of("region", region, "operation", operation, "attempt", Integer.toString(attempt),
                "outcome", outcome));
    }

    @Test
    void aFailoverIsTwoObservationsWithTheirRegionsAttemptsAndOutcomes() {
        RuntimeException failure = refused();
        try (MultiRegion runtime = runtime(TestTopology.threeRegions().build())) {
            String result = runtime.execute(Operation.of("GetItem", OperationKind.READ), region -> {
                if (region.equals(EU_WEST)) {
                    throw failure;
                }
                return region.id();
            });

            assertThat(result).isEqualTo("eu-central-1");
        }
        assertThat(stopped).extracting(Seen::name).containsOnly("meridian.call");
        assertThat(stopped).extracting(Seen::keyValues).containsExactly(
                kv("eu-west-1", "GetItem", 1, "regional_failure"), kv("eu-central-1", "GetItem", 2, "success"));
        assertThat(stopped.get(0).error()).isSameAs(failure);
        assertThat(stopped.get(1).error()).isNull();
        assertThat(started).hasSize(2);
    }

    @Test
    void anAsyncFailoverIsObservedPerAttemptToo() throws Exception {
        try (MultiRegion runtime = runtime(TestTopology.threeRegions().build())) {
            CompletableFuture<String> result = runtime.executeAsync(Operation.of("PutItem", OperationKind.WRITE),
                    region -> region.equals(EU_WEST) ? CompletableFuture.failedFuture(refused())
                            : CompletableFuture.supplyAsync(region::id));

            assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        }
        assertThat(stopped).extracting(Seen::keyValues).containsExactly(
                kv("eu-west-1", "PutItem", 1, "regional_failure"), kv("eu-central-1", "PutItem", 2, "success"));
    }

    @Test
    void aCallerErrorIsOneObservationWithItsError() {
        ConditionalCheckFailedException rejected = ConditionalCheckFailedException.builder().statusCode(400)
                .message("The conditional request failed").build();
        try (MultiRegion runtime = runtime(TestTopology.threeRegions().build())) {
            assertThatThrownBy(() -> runtime.execute(Operation.of("PutItem", OperationKind.WRITE), region -> {
                throw rejected;
            })).isSameAs(rejected);
        }
        assertThat(stopped).extracting(Seen::keyValues)
                .containsExactly(kv("eu-west-1", "PutItem", 1, "caller_error"));
        assertThat(stopped.get(0).error()).isSameAs(rejected);
    }

    @Test
    void aHedgedReadObservesTheWinnerAndTheCancelledLoser() {
        CountDownLatch never = new CountDownLatch(1);
        try (MultiRegion runtime = runtime(TestTopology.threeRegions().hedging(HedgingConfig.fixed(Duration.ZERO))
                .build())) {
            String result = runtime.execute(Operation.of("Query", OperationKind.READ), region -> {
                if (region.equals(EU_WEST)) {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("interrupted loser");
                }
                return region.id();
            });

            assertThat(result).isEqualTo(EU_CENTRAL.id());
            await().atMost(Duration.ofSeconds(10)).until(() -> stopped.size() == 2);
        }
        assertThat(stopped).extracting(Seen::keyValues).containsExactlyInAnyOrder(
                kv("eu-west-1", "Query", 1, "cancelled"), kv("eu-central-1", "Query", 2, "success"));
    }

    /** The attempts' observations, without the test's own parent observation. */
    private List<Seen> attempts() {
        return stopped.stream().filter(s -> s.name().equals(Observations.NAME)).toList();
    }

    @Test
    void hedgedAttemptsOnMeridiansThreadsHaveTheCallersObservationAsParent() {
        CountDownLatch never = new CountDownLatch(1);
        Observation request = Observation.start("test.request", registry);
        try (MultiRegion runtime = runtime(TestTopology.threeRegions().hedging(HedgingConfig.fixed(Duration.ZERO))
                .build())) {
            try (Observation.Scope scope = request.openScope()) {
                runtime.execute(Operation.of("Query", OperationKind.READ), region -> {
                    if (region.equals(EU_WEST)) {
                        try {
                            never.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        throw new IllegalStateException("interrupted loser");
                    }
                    return region.id();
                });
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> attempts().size() == 2);
        } finally {
            request.stop();
        }
        assertThat(attempts()).extracting(s -> s.keyValues().get("region"))
                .containsExactlyInAnyOrder("eu-west-1", "eu-central-1");
        assertThat(attempts()).allSatisfy(s -> assertThat(s.parent()).isSameAs(request));
        assertThat(attempts()).filteredOn(s -> s.keyValues().get("region").equals("eu-central-1")).singleElement()
                .satisfies(hedge -> assertThat(hedge.startedOn()).as("a synchronous read's waiting caller sends its hedge")
                        .isSameAs(Thread.currentThread()));
    }

    @Test
    void anAsynchronousHedgeStartedOnTheHedgeTimerHasTheCallersObservationAsParent() throws Exception {
        CompletableFuture<String> never = new CompletableFuture<>();
        Observation request = Observation.start("test.request", registry);
        try (MultiRegion runtime = runtime(TestTopology.threeRegions().hedging(HedgingConfig.fixed(Duration.ZERO))
                .build())) {
            CompletableFuture<String> result;
            try (Observation.Scope scope = request.openScope()) {
                result = runtime.executeAsync(Operation.of("Query", OperationKind.READ),
                        region -> region.equals(EU_WEST) ? never : CompletableFuture.completedFuture(region.id()));
            }
            assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
            await().atMost(Duration.ofSeconds(10)).until(() -> attempts().size() == 2);
        } finally {
            request.stop();
        }
        assertThat(attempts()).allSatisfy(s -> assertThat(s.parent()).isSameAs(request));
        assertThat(attempts()).filteredOn(s -> s.keyValues().get("region").equals("eu-central-1")).singleElement()
                .satisfies(hedge -> assertThat(hedge.startedOn().getName()).as("the hedge starts on the hedge timer")
                        .startsWith("meridian-hedge-timer-"));
    }

    @Test
    void anAsyncFailoverStartedByACompletionOnAnotherThreadHasTheCallersObservationAsParent() throws Exception {
        Observation request = Observation.start("test.request", registry);
        try (MultiRegion runtime = runtime(TestTopology.threeRegions().build())) {
            CompletableFuture<String> result;
            try (Observation.Scope scope = request.openScope()) {
                // The first region fails later, on another thread: that completion starts the failover attempt.
                result = runtime.executeAsync(Operation.of("PutItem", OperationKind.WRITE),
                        region -> region.equals(EU_WEST)
                                ? CompletableFuture.supplyAsync(() -> {
                                    throw refused();
                                }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
                                : CompletableFuture.completedFuture(region.id()));
            }

            assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        } finally {
            request.stop();
        }
        assertThat(attempts()).extracting(Seen::keyValues).containsExactly(
                kv("eu-west-1", "PutItem", 1, "regional_failure"), kv("eu-central-1", "PutItem", 2, "success"));
        assertThat(attempts()).allSatisfy(s -> assertThat(s.parent()).isSameAs(request));
        assertThat(attempts().get(1).startedOn()).as("the failover started on the completing thread")
                .isNotSameAs(Thread.currentThread());
    }

    @Test
    void withoutARegistryNothingIsObserved() {
        try (MultiRegion runtime = MultiRegion.builder(TestTopology.threeRegions().build()).build()) {
            runtime.execute(Operation.of("GetItem", OperationKind.READ), region -> region.id());
            assertThat(runtime.observationRegistry()).isEmpty();
        }
        assertThat(started).isEmpty();
    }
}
