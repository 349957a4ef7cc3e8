package dev.meridian.core;

import dev.meridian.core.control.RegionControl;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.routing.RoutingRequest;
import dev.meridian.core.spi.AnsweredCall;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.core.spi.RegionalAttempt;
import dev.meridian.core.spi.RegionalBind;
import dev.meridian.core.spi.SnapshotParticipant;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import software.amazon.awssdk.regions.Region;

/**
 * The {@link MultiRegionSpi} of one runtime: each call is the runtime's own (package-private) one, so the user façade
 * and the integration face share one router, one executor and one set of breakers.
 */
final class Integration extends MultiRegionSpi {
    static {
        grant(MultiRegion::integration);
    }

    private final MultiRegion runtime;

    Integration(MultiRegion runtime) {
        this.runtime = runtime;
    }

    @Override
    public <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call) {
        return runtime.execute(op, ctx, call);
    }

    @Override
    public <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call, FailureClassifier classifier) {
        return runtime.execute(op, ctx, call, classifier);
    }

    @Override
    public <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call, Predicate<Region> cold) {
        return runtime.execute(op, ctx, call, cold);
    }

    @Override
    public <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
            Function<Region, CompletableFuture<T>> call) {
        return runtime.executeAsync(op, ctx, call);
    }

    @Override
    public <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
            Function<Region, CompletableFuture<T>> call, Predicate<Region> cold) {
        return runtime.executeAsync(op, ctx, call, cold);
    }

    @Override
    public <T> CompletableFuture<T> callAsync(Operation op, RoutingContext ctx, AnsweredCall<T> call,
            Predicate<Region> cold) {
        return runtime.callAsync(op, ctx, call, cold);
    }

    @Override
    public <T, E extends Exception> T bind(Operation op, RoutingContext ctx, FailureClassifier classifier,
            RegionalBind<T, E> work) throws E {
        return runtime.bind(op, ctx, classifier, work);
    }

    @Override
    public <T, E extends Exception> T attempt(Operation op, Region region, FailureClassifier classifier,
            RegionalAttempt<T, E> call) throws E {
        return runtime.attempt(op, region, classifier, call);
    }

    @Override
    public void recordFailure(Operation op, Region region, Throwable failure, FailureClassifier classifier) {
        runtime.recordFailure(op, region, failure, classifier);
    }

    @Override
    public RoutingPlan plan(Operation op, RoutingContext ctx) {
        return runtime.plan(op, ctx);
    }

    @Override
    public Set<Region> allowedRegions(RoutingContext ctx) {
        return runtime.allowedRegions(ctx);
    }

    @Override
    public boolean footprintMatters(RoutingContext ctx) {
        return runtime.footprintMatters(ctx);
    }

    @Override
    public void checkResidency(Operation op, RoutingContext ctx, Set<Region> replicaFootprint) {
        runtime.checkResidency(op, ctx, replicaFootprint);
    }

    @Override
    public ResidencyViolationException refuse(Operation op, RoutingContext ctx, String reason) {
        return runtime.refuse(op, ctx, reason);
    }

    @Override
    public Region homeRegion(Operation op) {
        return runtime.homeRegion(op);
    }

    @Override
    public RoutingRequest routingRequest(Operation op, RoutingContext ctx) {
        return runtime.routingRequest(op, ctx);
    }

    @Override
    public SnapshotParticipant.Registration onSnapshot(SnapshotParticipant participant) {
        return runtime.onSnapshot(participant);
    }

    @Override
    public Optional<RegionControl> control() {
        return runtime.control();
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
}
