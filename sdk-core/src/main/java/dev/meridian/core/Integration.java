package dev.meridian.core;

import dev.meridian.core.control.RegionControl;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.routing.RoutingRandom;
import dev.meridian.core.routing.RoutingRequest;
import dev.meridian.core.spi.AnsweredCall;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.core.spi.RegionalAttempt;
import dev.meridian.core.spi.RegionalBind;
import dev.meridian.core.spi.SnapshotParticipant;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * The {@link MultiRegionSpi} of one runtime: each call goes to the runtime's own executor and router, so the user
 * façade and the integration face share one router, one executor and one set of breakers.
 */
final class Integration extends MultiRegionSpi {
    static {
        grant(new Access());
    }

    private final MultiRegion runtime;
    private final RegionalExecutor executor;
    private final Router router;
    private final RoutingRandom random;
    /** The runtime's region controls, or null when no control source is configured. */
    private final @Nullable RegionControl control;

    Integration(MultiRegion runtime, RegionalExecutor executor, Router router, RoutingRandom random,
            @Nullable RegionControl control) {
        this.runtime = runtime;
        this.executor = executor;
        this.router = router;
        this.random = random;
        this.control = control;
    }

    @Override
    public <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call) {
        return executor.execute(op, ctx, call, executor.classifier());
    }

    @Override
    public <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call, FailureClassifier classifier) {
        return executor.execute(op, ctx, call, Objects.requireNonNull(classifier, "classifier"));
    }

    @Override
    public <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call, Predicate<Region> cold) {
        return executor.execute(op, ctx, call, executor.classifier(), cold);
    }

    @Override
    public <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
            Function<Region, CompletableFuture<T>> call) {
        return executor.executeAsync(op, ctx, call, executor.classifier());
    }

    @Override
    public <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
            Function<Region, CompletableFuture<T>> call, Predicate<Region> cold) {
        return executor.executeAsync(op, ctx, call, executor.classifier(), cold);
    }

    @Override
    public <T> CompletableFuture<T> callAsync(Operation op, RoutingContext ctx, AnsweredCall<T> call,
            Predicate<Region> cold) {
        return executor.callAsync(op, ctx, call, cold);
    }

    @Override
    public <T, E extends Exception> T bind(Operation op, RoutingContext ctx, FailureClassifier classifier,
            RegionalBind<T, E> work) throws E {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(classifier, "classifier");
        return executor.bind(op, ctx, Objects.requireNonNull(work, "work"), classifier);
    }

    @Override
    public <T, E extends Exception> T attempt(Operation op, Region region, FailureClassifier classifier,
            RegionalAttempt<T, E> call) throws E {
        Objects.requireNonNull(op, "op");
        runtime.requireRegion(region);
        Objects.requireNonNull(classifier, "classifier");
        Objects.requireNonNull(call, "call");
        return executor.attempt(op, region, call, classifier);
    }

    @Override
    public void recordFailure(Operation op, Region region, Throwable failure, FailureClassifier classifier) {
        Objects.requireNonNull(op, "op");
        runtime.requireRegion(region);
        executor.recordFailure(op, region, Objects.requireNonNull(failure, "failure"),
                Objects.requireNonNull(classifier, "classifier"));
    }

    @Override
    public RoutingPlan plan(Operation op, RoutingContext ctx) {
        return router.plan(op, ctx);
    }

    @Override
    public Set<Region> allowedRegions(RoutingContext ctx) {
        return router.allowedRegions(Objects.requireNonNull(ctx, "ctx"));
    }

    @Override
    public boolean footprintMatters(RoutingContext ctx) {
        return router.footprintMatters(Objects.requireNonNull(ctx, "ctx"));
    }

    @Override
    public void checkResidency(Operation op, RoutingContext ctx, Set<Region> replicaFootprint) {
        router.checkFootprint(Objects.requireNonNull(op, "op"), Objects.requireNonNull(ctx, "ctx"),
                replicaFootprint);
    }

    @Override
    public ResidencyViolationException refuse(Operation op, RoutingContext ctx, String reason) {
        return router.refuse(Objects.requireNonNull(op, "op"), Objects.requireNonNull(ctx, "ctx"),
                Objects.requireNonNull(reason, "reason"), null);
    }

    @Override
    public Region homeRegion(Operation op) {
        return router.home(Objects.requireNonNull(op, "op"), RoutingContext.empty(),
                Set.copyOf(runtime.config().regionList()));
    }

    @Override
    public RoutingRequest routingRequest(Operation op, RoutingContext ctx) {
        return new RoutingRequest(op, ctx, runtime.config().localRegion(), router.weights(), router.latency(), random);
    }

    @Override
    public SnapshotParticipant.Registration onSnapshot(SnapshotParticipant participant) {
        return runtime.onSnapshot(participant);
    }

    @Override
    public Optional<RegionControl> control() {
        return Optional.ofNullable(control);
    }

    @Override
    public CircuitBreakerRegistry circuitBreakers() {
        return runtime.circuitBreakers();
    }

    @Override
    public Optional<MeterRegistry> meterRegistry() {
        return runtime.meterRegistry();
    }

    @Override
    public Optional<ObservationRegistry> observationRegistry() {
        return runtime.observationRegistry();
    }

    @Override
    public String toString() {
        return "MultiRegionSpi[" + runtime.config().regionList() + ']';
    }

    /** How {@link MultiRegionSpi#of} reaches a runtime's face; a class rather than a method reference spun cold. */
    private static final class Access implements Function<MultiRegion, MultiRegionSpi> {
        @Override
        public MultiRegionSpi apply(MultiRegion runtime) {
            return runtime.integration();
        }
    }
}
