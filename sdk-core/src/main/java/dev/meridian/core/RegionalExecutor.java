package dev.meridian.core;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.FailureDecision;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.regions.Region;

/**
 * Runs one operation over its {@link RoutingPlan}: every attempt goes through that region's circuit breaker and
 * records its latency; on failure the {@link FailureClassifier} decides:
 * <ul>
 *   <li>{@link FailureDecision#CALLER_ERROR}: rethrown at once, no other region is tried;</li>
 *   <li>{@link FailureDecision#REGIONAL_NOT_APPLIED}: any kind moves on to the next region;</li>
 *   <li>{@link FailureDecision#REGIONAL_MAYBE_APPLIED}: READ and IDEMPOTENT_WRITE move on, WRITE is rethrown (it
 *       may have been applied, repeating it elsewhere could apply it twice).</li>
 * </ul>
 * At most {@code min(config.maxRegionsPerCall(), op.maxRegions())} regions are tried. When all tried regions
 * failed, the last failure is rethrown with the earlier ones attached as suppressed ({@link NoRegionAvailableException}
 * when the last region's breaker had opened). That holds for residency-limited plans too: the call is never routed
 * outside its allowed regions, and an outage of every allowed region is reported as that outage, not as a
 * {@link dev.meridian.core.residency.ResidencyViolationException} — only a call for which no allowed region could be
 * planned is a residency refusal (thrown by the {@link Router}). Each failover is logged at INFO (correlation id in
 * MDC) and metered.
 *
 * <p>Every attempt goes through its region's circuit breaker — or, with
 * {@link dev.meridian.core.health.HealthConfig#perResourceBreakers()} and an operation that names a resource, through
 * that region × resource breaker, so that one resource's failures never open the breaker of its whole region.
 *
 * <p>With {@link HedgingConfig hedging} enabled, a READ that has not answered after the hedge delay is also sent
 * to the next region; the first success wins and the other attempt is cancelled (interrupting a synchronous
 * attempt). Synchronous hedged reads run every attempt, the first included, on Meridian's hedge threads with the
 * caller's {@link RoutingContext} while the caller waits for the first success (see {@code executeHedged} for why
 * the first attempt does not run on the caller's thread). The routing context is captured when {@code execute*} is
 * called. Thread-safe.
 */
final class RegionalExecutor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionalExecutor.class);

    private final MultiRegionConfig config;
    private final Router router;
    private final RegionHealth health;
    private final LatencyTracker latency;
    private final FailureClassifier classifier;
    private final Metrics metrics;
    private final HedgingConfig hedging;
    private final Hedger hedger;
    private final boolean perResourceBreakers;

    RegionalExecutor(MultiRegionConfig config, Router router, RegionHealth health,
            FailureClassifier classifier, Metrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.router = Objects.requireNonNull(router, "router");
        this.health = Objects.requireNonNull(health, "health");
        this.latency = router.latency();
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.hedging = config.hedging();
        this.hedger = hedging.enabled() ? new Hedger() : null;
        this.perResourceBreakers = health.config().perResourceBreakers();
    }

    FailureClassifier classifier() {
        return classifier;
    }

    /** Runs {@code call} under {@link RoutingContext#current()} with the runtime's classifier. */
    <T> T execute(Operation op, Function<Region, T> call) {
        return execute(op, RoutingContext.current(), call, classifier);
    }

    /** Runs {@code call} under {@link RoutingContext#current()} with {@code classifier}. */
    <T> T execute(Operation op, Function<Region, T> call, FailureClassifier classifier) {
        return execute(op, RoutingContext.current(), call, classifier);
    }

    /** Runs {@code call} (returning futures) under {@link RoutingContext#current()} with the runtime's classifier. */
    <T> CompletableFuture<T> executeAsync(Operation op, Function<Region, CompletableFuture<T>> call) {
        return executeAsync(op, RoutingContext.current(), call, classifier);
    }

    /** Runs {@code call} in the regions of the plan for {@code op} and {@code ctx}. */
    <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call, FailureClassifier classifier) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(ctx, "ctx");
        RoutingPlan plan = router.plan(op, ctx);
        int limit = limit(op, plan.regions().size());
        if (hedger != null && op.kind() == OperationKind.READ && limit > 1) {
            return executeHedged(op, ctx, plan, limit, call, classifier);
        }
        Failover failover = new Failover(op, ctx, plan, limit);
        while (true) {
            Region region = failover.region(failover.take());
            CircuitBreaker cb = breaker(op, region);
            Throwable failure;
            FailureDecision decision;
            if (!cb.tryAcquirePermission()) {
                failure = CallNotPermittedException.createCallNotPermittedException(cb);
                decision = FailureDecision.REGIONAL_NOT_APPLIED;
            } else {
                long start = System.nanoTime();
                try {
                    T result = call.apply(region);
                    succeeded(op, region, cb, System.nanoTime() - start);
                    return result;
                } catch (Throwable t) {
                    failure = t;
                    decision = failed(op, region, cb, System.nanoTime() - start, t, classifier);
                }
            }
            if (!failover.movesOn(failure, decision) || Thread.currentThread().isInterrupted()) {
                throw sneaky(failure);
            }
            if (!failover.hasNext()) {
                throw sneaky(failover.exhausted());
            }
            failover(ctx, op, region, failover.region(failover.peek()), failure, decision);
        }
    }

    /**
     * One attempt of {@code op} in {@code region} through the region's (or region × resource) circuit breaker, with
     * its latency recorded and its failure classified by {@code classifier}: the primitive that integrations which
     * choose their own region (a JDBC data source binding a connection) share with the failover loop.
     *
     * @throws CallNotPermittedException when the breaker does not let the attempt through
     */
    <T, E extends Exception> T attempt(Operation op, Region region, RegionalCall<T, E> call,
            FailureClassifier classifier) throws E {
        CircuitBreaker cb = breaker(op, region);
        if (!cb.tryAcquirePermission()) {
            throw CallNotPermittedException.createCallNotPermittedException(cb);
        }
        long start = System.nanoTime();
        T result;
        try {
            result = call.call();
        } catch (Throwable t) {
            failed(op, region, cb, System.nanoTime() - start, t, classifier);
            throw t;
        }
        succeeded(op, region, cb, System.nanoTime() - start);
        return result;
    }

    /** Records a failure seen after an attempt had succeeded (e.g. a pooled connection that died mid-statement). */
    void recordFailure(Operation op, Region region, Throwable failure, FailureClassifier classifier) {
        CircuitBreaker cb = breaker(op, region);
        if (classifier.classify(failure).isRegional()) {
            cb.onError(0, TimeUnit.NANOSECONDS, failure);
            metrics.call(region, op.name(), Metrics.REGIONAL_FAILURE, 0);
        }
    }

    /** Runs {@code call} (returning futures) in the regions of the plan; fails over when a future fails. */
    @SuppressWarnings("try") // the scope only makes the captured context current while the call is made
    <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
            Function<Region, CompletableFuture<T>> call, FailureClassifier classifier) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(ctx, "ctx");
        RoutingPlan plan;
        try {
            plan = router.plan(op, ctx);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        int limit = limit(op, plan.regions().size());
        boolean hedge = hedger != null && op.kind() == OperationKind.READ && limit > 1;
        Function<Region, CompletableFuture<T>> launch = region -> {
            if (RoutingContext.current() == ctx) {
                return call.apply(region);
            }
            try (RoutingContext.Scope s = ctx.open()) {
                return call.apply(region);
            }
        };
        return new Run<>(op, ctx, plan, limit, classifier, launch, hedge).start();
    }

    @Override
    public void close() {
        if (hedger != null) {
            hedger.close();
        }
    }

    /**
     * A synchronous hedged read. Every attempt — the first one too — runs on a hedge thread while the caller waits
     * for the first success. Running the first attempt on the caller's thread would save one thread hand-off
     * (microseconds, next to a network call of milliseconds), but then the caller could return only when that
     * attempt returns: a won hedge would have to interrupt the caller's own thread, and blocking socket reads of the
     * SDK's sync HTTP clients (Apache, URL connection) do not react to interrupts, so the caller would stay pinned to
     * the slow region — the case hedging exists for — and the interrupt could land in application code after the
     * attempt. On a hedge thread the loser is interrupted best-effort and finishes in the background; only
     * Meridian's own threads are ever interrupted.
     */
    @SuppressWarnings("try")
    private <T> T executeHedged(Operation op, RoutingContext ctx, RoutingPlan plan, int limit,
            Function<Region, T> call, FailureClassifier classifier) {
        Function<Region, CompletableFuture<T>> launch = region -> hedger.run(() -> {
            try (RoutingContext.Scope s = ctx.open()) {
                return call.apply(region);
            }
        });
        CompletableFuture<T> result = new Run<>(op, ctx, plan, limit, classifier, launch, true).start();
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw sneaky(e.getCause());
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw AbortedException.create("Interrupted while waiting for " + op.name(), e);
        }
    }

    /** The breaker an attempt of {@code op} in {@code region} goes through (region × resource when configured). */
    private CircuitBreaker breaker(Operation op, Region region) {
        if (perResourceBreakers || op.breakerPerResource()) {
            Optional<String> resource = op.resource();
            if (resource.isPresent()) {
                return health.circuitBreaker(region, resource.get());
            }
        }
        return health.circuitBreaker(region);
    }

    private int limit(Operation op, int planned) {
        return Math.min(planned, Math.min(config.maxRegionsPerCall(), op.maxRegions()));
    }

    private static boolean movesOn(FailureDecision decision, OperationKind kind) {
        switch (decision) {
            case REGIONAL_NOT_APPLIED:
                return true;
            case REGIONAL_MAYBE_APPLIED:
                return kind != OperationKind.WRITE;
            default:
                return false;
        }
    }

    private void succeeded(Operation op, Region region, CircuitBreaker cb, long nanos) {
        cb.onSuccess(nanos, TimeUnit.NANOSECONDS);
        latency.record(region, nanos);
        metrics.call(region, op.name(), Metrics.SUCCESS, nanos);
    }

    private FailureDecision failed(Operation op, Region region, CircuitBreaker cb, long nanos, Throwable t,
            FailureClassifier classifier) {
        FailureDecision decision = classifier.classify(t);
        if (decision.isRegional()) {
            cb.onError(nanos, TimeUnit.NANOSECONDS, t);
            latency.recordFailure(region, nanos);
            metrics.call(region, op.name(), Metrics.REGIONAL_FAILURE, nanos);
        } else {
            // The region answered: a caller error says nothing against its health.
            cb.onSuccess(nanos, TimeUnit.NANOSECONDS);
            metrics.call(region, op.name(), Metrics.CALLER_ERROR, nanos);
        }
        return decision;
    }

    private void failover(RoutingContext ctx, Operation op, Region from, Region to, Throwable failure,
            FailureDecision decision) {
        metrics.failover(from, to, op.name());
        if (!LOG.isInfoEnabled()) {
            return;
        }
        String id = ctx.correlationId().orElse(null);
        boolean setMdc = id != null && !id.equals(MDC.get(RoutingContext.MDC_KEY));
        if (setMdc) {
            MDC.put(RoutingContext.MDC_KEY, id);
        }
        try {
            LOG.info("Failing over {} from {} to {} after {} ({}) [correlationId={}]", op.name(), from.id(), to.id(),
                    failure.getClass().getSimpleName(), decision, id == null ? "-" : id);
        } finally {
            if (setMdc) {
                MDC.remove(RoutingContext.MDC_KEY);
            }
        }
    }

    /**
     * The failure of a call whose planned regions all failed. Never a residency refusal: every region tried was
     * allowed, so callers can tell this outage from a policy refusal.
     */
    private static Throwable exhausted(Operation op, RoutingPlan plan, Throwable last, List<Throwable> earlier) {
        Throwable carrier = last;
        if (last instanceof CallNotPermittedException) {
            // A breaker that opened after planning is Meridian's decision, not the service's: say so in our own type.
            // It also carries the earlier failures: Resilience4j's exception does not record suppressed ones.
            carrier = new NoRegionAvailableException("No region could take " + op.name() + ": the regions planned "
                    + plan.regions() + " failed or are behind an open circuit breaker", last);
        }
        if (earlier != null) {
            for (Throwable e : earlier) {
                if (e != carrier) {
                    carrier.addSuppressed(e);
                }
            }
        }
        return carrier;
    }

    static Throwable unwrapCompletion(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /**
     * The failover bookkeeping of one execution — which region is next, the failures so far, whether a failure lets
     * the call move on, and what to surface when the plan is exhausted — shared by the blocking loop of
     * {@code execute} and the callbacks of {@link Run}. Not thread-safe: {@code Run} guards it with its own lock.
     */
    private final class Failover {
        private final Operation op;
        private final RoutingContext ctx;
        private final RoutingPlan plan;
        private final int limit;
        private int next;
        private Throwable last;
        private List<Throwable> earlier;

        Failover(Operation op, RoutingContext ctx, RoutingPlan plan, int limit) {
            this.op = op;
            this.ctx = ctx;
            this.plan = plan;
            this.limit = limit;
        }

        Region region(int index) {
            return plan.regions().get(index);
        }

        boolean hasNext() {
            return next < limit;
        }

        int peek() {
            return next;
        }

        /** The index of the next region to try. */
        int take() {
            return next++;
        }

        /**
         * Records a failed attempt. False when the call must stop with {@code failure}: a caller error, or a write
         * that may have been applied (repeating it elsewhere could apply it twice).
         */
        boolean movesOn(Throwable failure, FailureDecision decision) {
            if (!RegionalExecutor.movesOn(decision, op.kind())) {
                return false;
            }
            if (last != null) {
                if (earlier == null) {
                    earlier = new ArrayList<>(2);
                }
                earlier.add(last);
            }
            last = failure;
            return true;
        }

        /** What the call fails with once every planned region failed. */
        Throwable exhausted() {
            return RegionalExecutor.exhausted(op, plan, last, earlier);
        }
    }

    /** One asynchronous (or hedged) execution: attempts in flight, failover and hedge state. */
    private final class Run<T> {
        private final Operation op;
        private final RoutingContext ctx;
        private final RoutingPlan plan;
        private final List<Region> regions;
        private final FailureClassifier classifier;
        private final Function<Region, CompletableFuture<T>> launch;
        private final boolean hedge;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private final List<Attempt> inflight = new ArrayList<>(2);
        private final Failover failover;
        private boolean done;
        private boolean hedgeSent;
        private Region hedgeRegion;

        Run(Operation op, RoutingContext ctx, RoutingPlan plan, int limit, FailureClassifier classifier,
                Function<Region, CompletableFuture<T>> launch, boolean hedge) {
            this.op = op;
            this.ctx = ctx;
            this.plan = plan;
            this.regions = plan.regions();
            this.classifier = classifier;
            this.launch = launch;
            this.hedge = hedge;
            this.failover = new Failover(op, ctx, plan, limit);
        }

        CompletableFuture<T> start() {
            result.whenComplete((v, e) -> {
                if (result.isCancelled()) {
                    List<Attempt> losers;
                    synchronized (this) {
                        done = true;
                        losers = new ArrayList<>(inflight);
                        inflight.clear();
                    }
                    losers.forEach(a -> a.cancel());
                }
            });
            int firstIndex;
            synchronized (this) {
                firstIndex = failover.take();
            }
            launchAttempt(firstIndex);
            if (hedge) {
                long delay = hedging.delayNanos(latency.p95Nanos(regions.get(firstIndex)));
                hedger.schedule(this::hedge, delay);
            }
            return result;
        }

        private void hedge() {
            int index;
            synchronized (this) {
                if (done || hedgeSent || inflight.size() != 1 || !failover.hasNext()) {
                    return;
                }
                hedgeSent = true;
                index = failover.take();
                hedgeRegion = regions.get(index);
            }
            metrics.hedgeSent(hedgeRegion);
            LOG.debug("Hedging {} to {}", op.name(), hedgeRegion.id());
            launchAttempt(index);
        }

        private void launchAttempt(int index) {
            Region region = regions.get(index);
            CircuitBreaker cb = breaker(op, region);
            if (!cb.tryAcquirePermission()) {
                onFailure(null, region, CallNotPermittedException.createCallNotPermittedException(cb),
                        FailureDecision.REGIONAL_NOT_APPLIED);
                return;
            }
            Attempt a = new Attempt(region, cb);
            synchronized (this) {
                if (done) {
                    cb.releasePermission();
                    return;
                }
                inflight.add(a);
            }
            CompletableFuture<T> f;
            try {
                f = launch.apply(region);
                if (f == null) {
                    f = CompletableFuture.failedFuture(new NullPointerException(op.name() + " returned no future"));
                }
            } catch (Throwable t) {
                f = CompletableFuture.failedFuture(t);
            }
            a.future = f;
            boolean cancelNow;
            synchronized (this) {
                // A hedge may have won while this attempt was being launched: it was cancelled before it had a
                // future to cancel, so cancel that future now.
                cancelNow = a.cancelled || done && inflight.contains(a);
            }
            if (cancelNow) {
                a.cancel();
            }
            f.whenComplete((v, e) -> completed(a, v, e));
        }

        private void completed(Attempt a, T value, Throwable error) {
            long nanos = System.nanoTime() - a.start;
            Throwable e = error == null ? null : unwrapCompletion(error);
            if (e == null) {
                succeeded(op, a.region, a.cb, nanos);
                List<Attempt> losers;
                synchronized (this) {
                    inflight.remove(a);
                    if (done) {
                        return;
                    }
                    done = true;
                    losers = new ArrayList<>(inflight);
                    inflight.clear();
                }
                cancelLosers(losers);
                if (a.region.equals(hedgeRegion)) {
                    metrics.hedgeWon(a.region);
                }
                result.complete(value);
                return;
            }
            if (e instanceof CancellationException || a.cancelled) {
                a.cb.releasePermission();
                metrics.call(a.region, op.name(), Metrics.CANCELLED, nanos);
                synchronized (this) {
                    inflight.remove(a);
                    if (done) {
                        return;
                    }
                }
                onFailure(a, a.region, e, FailureDecision.CALLER_ERROR);
                return;
            }
            FailureDecision decision = failed(op, a.region, a.cb, nanos, e, classifier);
            onFailure(a, a.region, e, decision);
        }

        private void onFailure(Attempt a, Region region, Throwable e, FailureDecision decision) {
            List<Attempt> losers = List.of();
            Throwable fail = null;
            int startIndex = -1;
            synchronized (this) {
                if (a != null) {
                    inflight.remove(a);
                }
                if (done) {
                    return;
                }
                if (!failover.movesOn(e, decision)) {
                    done = true;
                    losers = new ArrayList<>(inflight);
                    inflight.clear();
                    fail = e;
                } else if (inflight.isEmpty()) {
                    if (failover.hasNext()) {
                        startIndex = failover.take();
                    } else {
                        done = true;
                        fail = failover.exhausted();
                    }
                }
            }
            cancelLosers(losers);
            if (fail != null) {
                result.completeExceptionally(fail);
            } else if (startIndex >= 0) {
                failover(ctx, op, region, regions.get(startIndex), e, decision);
                launchAttempt(startIndex);
            }
        }

        private void cancelLosers(List<Attempt> losers) {
            for (Attempt l : losers) {
                l.cancel();
                metrics.hedgeCancelled(l.region);
            }
        }

        private final class Attempt {
            final Region region;
            final CircuitBreaker cb;
            final long start = System.nanoTime();
            volatile CompletableFuture<T> future;
            volatile boolean cancelled;

            Attempt(Region region, CircuitBreaker cb) {
                this.region = region;
                this.cb = cb;
            }

            void cancel() {
                cancelled = true;
                CompletableFuture<T> f = future;
                if (f != null) {
                    f.cancel(true);
                }
            }
        }
    }
}
