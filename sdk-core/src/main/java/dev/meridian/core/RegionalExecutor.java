package dev.meridian.core;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.FailureDecision;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.internal.Observations;
import dev.meridian.core.routing.ContextualFuture;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.spi.AnsweredCall;
import dev.meridian.core.spi.RegionalAttempt;
import dev.meridian.core.spi.RegionalBind;
import dev.meridian.core.spi.ReleasableCall;
import dev.meridian.core.spi.ServedRegion;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.regions.Region;

/**
 * Runs one operation over its {@link RoutingPlan}: every attempt goes through that region's circuit breaker and
 * records its latency; on failure the {@link FailureClassifier} decides:
 * <ul>
 *   <li>{@link FailureDecision#CALLER_ERROR}: rethrown at once, no other region is tried;</li>
 *   <li>{@link FailureDecision#ABORTED} (the caller's thread interrupted or its future cancelled mid-attempt):
 *       rethrown at once whatever the kind — a write may have been applied, a read is not wanted any more — with the
 *       attempt's breaker permission given back (the region is not blamed) and the thread's interrupt status left
 *       as it is;</li>
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
 * Throttling never counts against a region's breaker: it is recorded on the region × resource breaker of the
 * throttled resource only (created on first throttling), which the router then consults for that resource alone.
 *
 * <p><b>Request budget.</b> One logical call makes at most {@code min(maxRegionsPerCall, op.maxRegions(), planned
 * regions)} regional attempts — a hedge and a half-open trial each count as one of them, never as an extra — and
 * each attempt makes at most the per-region client's SDK attempts in HTTP requests (2 with
 * {@link RegionalClientDefaults}). So a call sends at most {@code maxRegionsPerCall × SDK attempts} requests: 6 with
 * the defaults.
 *
 * <p><b>Half-open trials.</b> A READ whose first region is behind a half-open breaker starts in the next region, and
 * the half-open region gets a detached trial attempt whose answer only feeds its breaker: no caller waits on a region
 * that may still be black-holed. The trial runs on a hedge thread (asynchronous or hedged reads) or on a {@link Trials}
 * thread (synchronous reads without hedging); with a health probe, which makes a half-open region breaker's trials,
 * a synchronous read sends none to it. The probe drives only the region breakers it probes: a half-open region ×
 * resource breaker, e.g. of a table that was throttled, gets its trials from the users' reads, or a read-only table
 * would never return to its region.
 *
 * <p><b>Writes and a region in question.</b> A WRITE or IDEMPOTENT_WRITE can be neither hedged nor detached: sent to a
 * black-holed region it holds its caller for an attempt timeout. With another region left in its plan it starts there
 * when its region is suspect or its breaker half-open ({@link WatchedBreaker#writesGoElsewhere}), leaving the question
 * to the reads' detached trials or the probe; it was never sent to the region it passes, so nothing is applied twice.
 * A write with nowhere else to go, or once the question has lasted the breakers' wait in the open state (a workload
 * of writes only sends no read trials), is sent there and is the trial. An unhedged read (a consistent one:
 * {@link Operation#unhedged()}) gets no trial out of a hedge either, so it passes a suspect region the same way,
 * synchronous or asynchronous (a half-open region gets its detached trial, as for every read); unlike a write, it goes
 * back to the region it passed when every other region it tried failed retryably, as a hedged read does (below).
 *
 * <p><b>Hedge budget and fast ejection.</b> Each hedgeable read earns a share of a {@link HedgeBudget} token and a hedge
 * spends one (refused when none is left). A refused hedge is not final: its timer (the hedge timer, the waiting
 * caller's, or the SDK call timeout a caller-first attempt rides) asks again after each further hedge delay; the hedge
 * is sent when a token came free, or past the budget once the first attempt's region is suspect or ejected
 * ({@link WatchedBreaker#givenUp}): that is the failover of a read stuck in a region Meridian gave up on, not extra load
 * on a region that browns out, which the budget keeps capping. A read asking again finds the region suspect itself when
 * nothing was heard from it since its attempt started, for {@value #UNHEARD_HEDGE_DELAYS} hedge delays (at least
 * {@value #UNHEARD_RUNNING_DELAYS} of them of the process's running time), while the hedge's region answered meanwhile
 * ({@link WatchedBreaker#suspectUnheard}): on a loaded machine the first losers are excused as process stalls, and the
 * region would otherwise be given up on only when the first attempts time out. When the region is that silent but
 * nothing was heard from the hedge's region either (the budget was spent before the fault, so no hedge went there),
 * one read stuck there sends a <em>proof hedge</em> on a borrowed token ({@link HedgeBudget#tryBorrow}: the bucket goes
 * to one token of debt at most, repaid by later reads' shares; one proof out per region at a time,
 * {@link WatchedBreaker#tryProve}): its answer shows that the process receives, and the reads asking again find the
 * region suspect. A read whose refused hedge was never
 * sent counts as refused once its run ends ({@code meridian.hedge.refused}); one sent later counts as sent and retried,
 * not as refused. The adaptive delay is the {@link TailLatency} of the
 * operation in the first region at its p99, or the next region's when the operation is degraded in the first
 * ({@link TailLatency#hedgeAfter}).
 * A warm attempt that timed out counts as a stall of its breaker ({@link WatchedBreaker#stalled});
 * {@code HealthConfig.ejectAfterStalls} of them in a row open it at once. As many first attempts in a row still
 * unanswered when their call's hedge answered make the region suspect ({@link WatchedBreaker#lostUnanswered}): hedged
 * reads start in the next region and, at most once per hedge delay, one is sent there as a detached trial, which
 * clears the suspicion when it answers within the hedge delay; trials left unanswered open the breaker
 * ({@link WatchedBreaker#tryTrial}). A read that started past a suspect region and failed retryably in every other
 * region it tried goes back to the suspect region rather than fail: it takes the answer of the detached trial it sent
 * there, or, when it sent none (another read's trial was underway, or the read is unhedged), makes an attempt there in
 * the slot it passed the region in; either way within the call's budget. An attempt the process stall excuses (below)
 * is not a stall.
 *
 * <p>With {@link HedgingConfig hedging} enabled, a READ that has not answered after the hedge delay (when its first
 * attempt goes through a cold client, at least a quarter of the first-attempt timeout: {@link #hedgeDelayNanos}) is
 * also sent to the next region; the first success wins (only its region is told to a {@link ServedRegion} call) and
 * the other attempt is cancelled (interrupting one on a hedge thread, releasing the caller's own), its elapsed time
 * recorded as a lower bound of its latency so that adaptive hedging follows the real tail;
 * the hedge of a synchronous read is sent by its caller when its wait for the first success reaches the delay, that of
 * an asynchronous read by the hedge timer (cancelled when the call completed first). A synchronous hedged read whose
 * first attempt goes through a warm client a won hedge can release ({@link ReleasableCall}: built with
 * {@link RegionalClientDefaults}) runs that attempt on the caller's own thread, its hedge timer riding on the SDK's
 * call timeout ({@link CallerFirst});
 * other synchronous hedged reads run every attempt, the first included, on Meridian's hedge threads with the
 * caller's {@link RoutingContext} while the caller waits for the first success (see {@code executeHedged}). The
 * routing context is captured when {@code execute*} is called.
 *
 * <p><b>What is held against a region.</b> An attempt's time counts in its region's breaker (slow calls) and latency
 * only for the part that is the region's: an attempt through a client that has not answered a call yet (the caller
 * says so; its time is the client's start-up) counts with no time and is not a latency sample, and the time the
 * process itself was stalled ({@link ProcessStalls}, measured by a {@link StallMeter}: on the hedge timer thread when
 * hedging is on, otherwise on a thread of its own started the first time an attempt is slow or times out) is taken
 * off; a timed-out attempt during which the process was stalled for at least a quarter of its time is not recorded
 * against the region at all (metered as {@code meridian.process.stall}). A hedge due while the process was stalled
 * during its first attempt waits once more for as long as the stall (at most the hedge delay), since the attempt's
 * answer may have arrived unread. What the caller sees does not change: the failover decision is the classifier's.
 *
 * <p><b>Heard at the wire.</b> Calls that may lose to a hedge (hedged synchronous reads, every asynchronous call) name
 * their attempt (a detached trial: its region's breaker) to {@link HeardAtTheWire}, the interceptor
 * {@link RegionalClientDefaults} installs in the per-region clients, so that every HTTP response (any status) marks the
 * region as answering when it arrives, inside the SDK's retries: a hedge loser whose region answered after it started
 * (a throttled attempt backing off) is no stall. A loser cancelled after a throttling answer is recorded as the
 * throttled attempt it would have completed as (the region × resource breaker, no latency), so a throttled table's
 * hedged reads move away as fast as unhedged ones; and a hedgeable read whose only attempt was throttled is hedged at
 * once (within the budget), since the SDK backs off before its retry. Through a client without the interceptor the
 * region is heard only when an attempt completes. Thread-safe.
 */
final class RegionalExecutor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionalExecutor.class);

    private final MultiRegionConfig config;
    private final Router router;
    private final RegionHealth health;
    private final LatencyTracker latency;
    private final FailureClassifier classifier;
    private final Metrics metrics;
    private final Observations observations;
    private final HedgingConfig hedging;
    private final @Nullable Hedger hedger;
    private final boolean perResourceBreakers;
    /**
     * With a health probe, the trials of a half-open region breaker are the probe's; synchronous reads then skip such
     * regions. The probe drives no region × resource breaker: a half-open one still takes the users' calls as trials.
     */
    private final boolean probeMakesTrials;
    private final ProcessStalls stalls = new ProcessStalls();
    /** Caps hedges to a share of hedgeable reads; null when hedging is off. */
    private final @Nullable HedgeBudget budget;
    /** The adaptive hedge delay's estimate; null unless hedging is adaptive. */
    private final @Nullable TailLatency tail;
    /** Stalled attempts in a row that eject a region (0: never). */
    private final int ejectAfterStalls;
    /**
     * How long a suspect or half-open region sends the writes that have another region to go to there: the breakers'
     * wait in the open state.
     */
    private final long writesGoElsewhereNanos;
    /** Runs detached half-open trials for synchronous reads that have no hedge thread; built on first need. */
    private final Trials trials;
    private final StallMeter stallMeter;
    /** An attempt at least this long (the breakers' slow-call duration) needs the stall meter to be judged. */
    private final long slowNanos;
    /**
     * Made at first need ({@link #callerThreadLoop}, {@link #failedAttempts}, ...): their classes stay off a first
     * read.
     */
    private @Nullable FailedAttempts failedAttempts;
    private @Nullable HalfOpenTrials halfOpenTrials;
    private @Nullable Bindings bindings;
    private @Nullable AsyncStarts async;
    private @Nullable CallerThreadLoop callerThreadLoop;
    /**
     * The share of a region's attempts of one operation the adaptive delay lets go unhedged at most: it targets their
     * p99 (or the budget's share when that is smaller), so healthy traffic sends about 1 % hedges and the rest of the
     * budget is left for the reads that need it.
     */
    private static final double ADAPTIVE_TAIL_SHARE = 0.01;
    /** A cold first attempt is hedged after {@code firstAttemptTimeout / COLD_HEDGE_DIVISOR} at the earliest. */
    static final int COLD_HEDGE_DIVISOR = 4;
    /** A hedge the budget refused is asked for again no sooner than this after the last time. */
    static final long HEDGE_RETRY_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * Hedge delays a read's first attempt waits unheard, while the next region answers, before its region is suspect
     * ({@link Run.Hedge#silent}); at least {@link #UNHEARD_RUNNING_DELAYS} of them of the process's running time.
     */
    static final int UNHEARD_HEDGE_DELAYS = 4;
    /**
     * Hedge delays of that wait the process must have been running (not stalled): an answer that arrived while it was
     * stalled has had the time to be read. Less than the whole wait, since on a machine loaded enough that the stall
     * meter's tick is late most of the time the whole wait would be many times as long.
     */
    static final int UNHEARD_RUNNING_DELAYS = 2;

    RegionalExecutor(MultiRegionConfig config, Router router, RegionHealth health,
            FailureClassifier classifier, Metrics metrics) {
        this(config, router, health, classifier, metrics, Observations.none());
    }

    /** With an {@link Observations} of every regional attempt ({@code meridian.call}). */
    RegionalExecutor(MultiRegionConfig config, Router router, RegionHealth health,
            FailureClassifier classifier, Metrics metrics, Observations observations) {
        this.observations = Objects.requireNonNull(observations, "observations");
        this.config = Objects.requireNonNull(config, "config");
        this.router = Objects.requireNonNull(router, "router");
        this.health = Objects.requireNonNull(health, "health");
        this.latency = router.latency();
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.hedging = config.hedging();
        this.hedger = hedging.enabled() ? new Hedger(hedging.maxWorkers()) : null;
        this.stallMeter = new StallMeter(stalls, hedger);
        this.budget = hedger == null ? null : new HedgeBudget(hedging.budgetShare(), hedging.budgetBurst());
        if (budget != null) {
            metrics.hedgeBudget(new BudgetTokens(budget));
        }
        this.tail = hedger != null && hedging.adaptive()
                ? new TailLatency(1 - Math.min(hedging.budgetShare(), ADAPTIVE_TAIL_SHARE)) : null;
        this.ejectAfterStalls = health.config().ejectAfterStalls();
        this.writesGoElsewhereNanos = health.config().waitInOpenState().toNanos();
        this.trials = new Trials(health.config().permittedCallsInHalfOpenState());
        this.slowNanos = health.config().slowCallDuration().toNanos();
        this.perResourceBreakers = health.config().perResourceBreakers();
        this.probeMakesTrials = health.config().probe().isPresent();
    }

    FailureClassifier classifier() {
        return classifier;
    }

    LatencyTracker latency() {
        return latency;
    }

    /** When the process itself was stalled, as far as this executor's timers saw. */
    ProcessStalls stalls() {
        return stalls;
    }

    /** What runs the stall meter's tick. */
    StallMeter stallMeter() {
        return stallMeter;
    }

    /** The hedge threads, or null when hedging is off. */
    @Nullable Hedger hedger() {
        return hedger;
    }

    /** The hedge budget, or null when hedging is off. */
    @Nullable HedgeBudget hedgeBudget() {
        return budget;
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
        return execute(op, ctx, call, classifier, NeverCold.INSTANCE);
    }

    /**
     * As {@link #execute(Operation, RoutingContext, Function, FailureClassifier)}; {@code cold} tells, before an
     * attempt, whether it goes through a client that has not answered a call yet.
     */
    <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call, FailureClassifier classifier,
            Predicate<Region> cold) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(ctx, "ctx");
        RoutingPlan plan = router.plan(op, ctx);
        int limit = limit(op, plan.regions().size());
        if (hedger != null && op.kind() == OperationKind.READ && !op.unhedged() && limit > 1) {
            return executeHedged(op, ctx, plan, limit, call, classifier, cold);
        }
        return callerThreadLoop().execute(op, ctx, plan, limit, call, classifier, cold);
    }

    /** Runs {@code call} (returning futures) in the regions of the plan; fails over when a future fails. */
    @SuppressWarnings("try") // the scope only makes the captured context current while the call is made
    <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
            Function<Region, CompletableFuture<T>> call, FailureClassifier classifier) {
        return executeAsync(op, ctx, call, classifier, NeverCold.INSTANCE);
    }

    /**
     * One attempt of {@code op} in {@code region} through the region's (or region × resource) circuit breaker, with
     * its latency recorded and its failure classified by {@code classifier}: the primitive that integrations which
     * choose their own region (a JDBC data source binding a connection) share with the failover loop.
     *
     * @throws CallNotPermittedException when the breaker does not let the attempt through
     */
    <T, E extends Exception> T attempt(Operation op, Region region, RegionalAttempt<T, E> call,
            FailureClassifier classifier) throws E {
        return bindings().attempt(op, region, call, classifier);
    }

    /** Records a failure seen after an attempt had succeeded (e.g. a pooled connection that died mid-statement). */
    void recordFailure(Operation op, Region region, Throwable failure, FailureClassifier classifier) {
        bindings().recordFailure(op, region, failure, classifier);
    }

    /**
     * Walks the plan of {@code op} under {@code ctx} for work whose result the caller then holds (a JDBC connection):
     * one attempt at a time on the caller's thread, never hedged (a losing hedge would leave what it took open), with
     * the rules of {@code execute} — the same breakers, attempt budget and move rule, kept by one {@link Failover}.
     * Regions the work is not served in are left out before the budget applies; a region the work turns down after
     * reaching it is passed without counting against its breaker.
     *
     * @throws NoRegionAvailableException when no planned region gave a result (the last failure its cause, the
     *         earlier ones suppressed), as when none could be planned
     */
    <T, E extends Exception> T bind(Operation op, RoutingContext ctx, RegionalBind<T, E> work,
            FailureClassifier classifier) throws E {
        return bindings().bind(op, ctx, work, classifier);
    }

    /** As {@link #executeAsync(Operation, RoutingContext, Function, FailureClassifier)}, told which clients are cold. */
    @SuppressWarnings("try") // the scope only makes the captured context current while the call is made
    <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
            Function<Region, CompletableFuture<T>> call, FailureClassifier classifier, Predicate<Region> cold) {
        return async().executeAsync(op, ctx, call, classifier, cold);
    }

    /**
     * Runs an {@link AnsweredCall} ({@link dev.meridian.core.spi.MultiRegionSpi#callAsync}): the future returned is
     * the call's {@link AsyncCall}, completed by the executor itself. A read whose first region takes it as is starts
     * there with no {@link Run} ({@link AsyncCall#startAlone}); any other call runs as {@link #executeAsync} does, its
     * run completing that same future.
     */
    <T> CompletableFuture<T> callAsync(Operation op, RoutingContext ctx, AnsweredCall<T> call, Predicate<Region> cold) {
        return async().callAsync(op, ctx, call, cold);
    }

    private CallerThreadLoop callerThreadLoop() {
        CallerThreadLoop b = callerThreadLoop;
        if (b == null) {
            b = new CallerThreadLoop(); // stateless: a race makes two, either will do
            callerThreadLoop = b;
        }
        return b;
    }

    /** The accounting of failed attempts, made at the first one. */
    private FailedAttempts failedAttempts() {
        FailedAttempts f = failedAttempts;
        if (f == null) {
            f = new FailedAttempts(); // stateless: a race makes two, either will do
            failedAttempts = f;
        }
        return f;
    }

    private HalfOpenTrials halfOpenTrials() {
        HalfOpenTrials t = halfOpenTrials;
        if (t == null) {
            t = new HalfOpenTrials(); // stateless: a race makes two, either will do
            halfOpenTrials = t;
        }
        return t;
    }

    private Bindings bindings() {
        Bindings b = bindings;
        if (b == null) {
            b = new Bindings(); // stateless: a race makes two, either will do
            bindings = b;
        }
        return b;
    }

    private AsyncStarts async() {
        AsyncStarts a = async;
        if (a == null) {
            a = new AsyncStarts(); // stateless: a race makes two, either will do
            async = a;
        }
        return a;
    }

    @Override
    public void close() {
        trials.close();
        stallMeter.close();
        if (hedger != null) {
            hedger.close();
        }
    }

    /**
     * A synchronous hedged read. When the first attempt's client can be released mid-call ({@link ReleasableCall}:
     * built with {@link RegionalClientDefaults}) and it is warm, in a region neither half-open nor suspect, the caller
     * runs that attempt itself ({@link CallerFirst}), the hedge is sent to a hedge thread when it is due, and a
     * winning hedge releases the caller through the SDK's own call timeout ({@link ReleasableAttempt}: the SDK aborts
     * the HTTP request and clears the interrupt it set), so the read costs no thread hand-off. Otherwise every attempt — the first one too — runs on a hedge thread while the caller waits
     * for the first success: a blocking socket read of the SDK's sync HTTP clients (Apache, URL connection) does not
     * react to an interrupt, so only an abort can free a thread pinned to the slow region, and only the SDK can abort
     * its request; there the loser is interrupted best-effort and finishes in the background, and only Meridian's own
     * threads are ever interrupted.
     */
    private <T> T executeHedged(Operation op, RoutingContext ctx, RoutingPlan plan, int limit,
            Function<Region, T> call, FailureClassifier classifier, Predicate<Region> cold) {
        // A call with its own failure classifier takes the hand-off: CallerFirst keeps no classifier (none of the
        // callers that can release theirs has one of its own).
        if (call instanceof ReleasableCall releasable && classifier == this.classifier) {
            Region first = plan.regions().get(0);
            String resource = op.resource().orElse(null);
            boolean byResource = byResource(op, resource);
            WatchedBreaker primary = breaker(first, resource, byResource);
            WatchedBreaker throttle = throttleBreaker(first, resource, byResource);
            // A half-open or suspect first region, or a cold client, takes the run's own rules (a detached trial, the
            // cold hedge delay) on the hedge threads; so does a client a won hedge could not release.
            if (!halfOpen(primary, throttle) && !primary.suspect() && !cold.test(first)
                    && releasable.releasable(first) && acquire(primary, throttle) == null) {
                return new CallerFirst<>(op, ctx, plan, call, cold, primary, byResource, throttle).call();
            }
        }
        Run<T> run = hedgedRun(op, ctx, plan, limit, call, classifier, cold);
        run.start();
        return awaitRun(run, op);
    }

    /**
     * A synchronous hedged read's run, whose attempts run on hedge threads (see {@link #executeHedged}): each attempt
     * is its hedge worker's task ({@link Run.Attempt#call}), so a cold client's first read spins no lambda and makes
     * no object of its own to start one (cold start).
     */
    private <T> Run<T> hedgedRun(Operation op, RoutingContext ctx, RoutingPlan plan, int limit,
            Function<Region, T> call, FailureClassifier classifier, Predicate<Region> cold) {
        return new Run<>(op, ctx, plan, limit, classifier, null, call, true, cold, servedRegion(call),
                new CompletableFuture<>(), null);
    }

    /**
     * A detached trial of a synchronous hedged read on a hedge thread, heard at the wire by its region's breaker
     * ({@link Run.Detour#trial}); loaded only by such trials.
     */
    private static final class TrialOnHedgeThread<T> implements Callable<T> {
        private final HeardAtTheWire.Listener listener;
        private final RoutingContext ctx;
        private final Function<Region, T> call;
        private final Region region;

        TrialOnHedgeThread(HeardAtTheWire.Listener listener, RoutingContext ctx, Function<Region, T> call,
                Region region) {
            this.listener = listener;
            this.ctx = ctx;
            this.call = call;
            this.region = region;
        }

        @Override
        @SuppressWarnings("try") // the scope only makes the captured context current while the call is made
        public T call() {
            HeardAtTheWire.Listener before = HeardAtTheWire.listen(listener);
            try (RoutingContext.Scope s = ctx.open()) {
                return call.apply(region);
            } finally {
                HeardAtTheWire.listen(before);
            }
        }
    }

    /** The result of a synchronous run, waited for on the caller's thread. */
    private static <T> T awaitRun(Run<T> run, Operation op) {
        try {
            return run.await();
        } catch (ExecutionException e) {
            throw sneaky(Objects.requireNonNull(e.getCause(), "cause"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AbortedException.create("Interrupted while waiting for " + op.name(), e);
        }
    }

    /** The call as a {@link ServedRegion}, or null when it does not want to know where it was served. */
    private static @Nullable ServedRegion servedRegion(Object call) {
        return call instanceof ServedRegion served ? served : null;
    }

    /** The breaker an attempt of {@code op} in {@code region} goes through (region × resource when configured). */
    private WatchedBreaker breaker(Operation op, Region region) {
        return breaker(op, region, op.resource().orElse(null));
    }

    /** As {@link #breaker(Operation, Region)}, given the operation's resource (null when it names none). */
    private WatchedBreaker breaker(Operation op, Region region, @Nullable String resource) {
        return breaker(region, resource, byResource(op, resource));
    }

    /** Whether the attempts of {@code op}, naming {@code resource} (or null), go through region × resource breakers. */
    private boolean byResource(Operation op, @Nullable String resource) {
        return resource != null && (perResourceBreakers || op.breakerPerResource());
    }

    /** The primary breaker of an attempt in {@code region}: the region × resource one when {@code byResource}. */
    private WatchedBreaker breaker(Region region, @Nullable String resource, boolean byResource) {
        return byResource ? health.watched(region, Objects.requireNonNull(resource, "resource"))
                : health.watched(region);
    }

    /**
     * The region × resource breaker that throttling created, which an attempt on its region's breaker also goes
     * through; null when there is none, or when the primary breaker is that one ({@code byResource}).
     */
    private @Nullable WatchedBreaker throttleBreaker(Region region, @Nullable String resource, boolean byResource) {
        return resource == null || byResource ? null : health.existingBreaker(region, resource);
    }

    /** Null when the breakers let the attempt through (a permission is then held), else why not. */
    private static @Nullable CallNotPermittedException acquire(WatchedBreaker primary,
            @Nullable WatchedBreaker throttle) {
        if (!primary.tryAcquire()) {
            return CallNotPermittedException.createCallNotPermittedException(primary.breaker());
        }
        if (throttle != null && !throttle.tryAcquire()) {
            primary.release();
            return CallNotPermittedException.createCallNotPermittedException(throttle.breaker());
        }
        return null;
    }

    /** Whether an attempt through these breakers would be a half-open breaker's trial call. */
    private static boolean halfOpen(WatchedBreaker primary, @Nullable WatchedBreaker throttle) {
        return primary.state() == CircuitBreaker.State.HALF_OPEN
                || throttle != null && throttle.state() == CircuitBreaker.State.HALF_OPEN;
    }

    /**
     * The hedge delay of a call: {@code warmDelayNanos} (the configured one), but when the first attempt goes through
     * a cold client at least a quarter of the first-attempt timeout ({@code 2.5 s} by default). That attempt's time is mostly the client's start-up (class
     * loading, signing, first connection: hundreds of milliseconds in a fresh JVM, a few seconds in a starved one or a
     * small Lambda), which the warm delay (no sample yet: the floor) would take for a slow region: every cold start
     * would build a second region's client and make a second cold call. A quarter still answers a cold start into a
     * black-holed region from the next one long before the first attempt's own budget runs out.
     */
    static long hedgeDelayNanos(long warmDelayNanos, boolean cold, Duration firstAttemptTimeout) {
        return cold ? Math.max(warmDelayNanos, firstAttemptTimeout.toNanos() / COLD_HEDGE_DIVISOR) : warmDelayNanos;
    }

    /**
     * When a hedge the budget refused is asked for again: after another hedge delay, at least
     * {@link #HEDGE_RETRY_MIN_NANOS} (a zero delay would spin the timer).
     */
    static long hedgeRetryNanos(long hedgeDelayNanos) {
        return Math.max(hedgeDelayNanos, HEDGE_RETRY_MIN_NANOS);
    }

    private int limit(Operation op, int planned) {
        return Math.min(planned, Math.min(config.maxRegionsPerCall(), op.maxRegions()));
    }

    private void succeeded(Operation op, Gate gate, long nanos) {
        succeeded(op, gate, nanos, System.nanoTime());
    }

    /**
     * As {@link #succeeded(Operation, Gate, long)} for an attempt that ended at {@code end}
     * ({@link System#nanoTime()}): the caller's own clock reading is reused, since each further one costs tens of
     * nanoseconds on the per-call path.
     */
    private void succeeded(Operation op, Gate gate, long nanos, long end) {
        succeeded(op, gate.primary, gate.primaryIsResource, gate.throttle, gate.cold, gate.observation, nanos, end);
    }

    /**
     * As {@link #succeeded(Operation, Gate, long, long)}, given the gate's parts (the first attempt of a hedged read
     * on its caller's thread keeps them in its {@link CallerFirst}, not in a gate of its own).
     */
    private void succeeded(Operation op, WatchedBreaker primary, boolean primaryIsResource,
            @Nullable WatchedBreaker throttle, boolean cold, @Nullable Object observation, long nanos, long end) {
        Region region = primary.region();
        if (!cold && nanos >= slowNanos) {
            stallMeter.needed(); // as meterIfSlow
        }
        long held = cold ? 0 : stalls.unstalledNanos(end, nanos);
        succeeded(primary, primaryIsResource, throttle, held, end);
        if (!cold) {
            latency.record(region, held);
            if (tail != null) {
                tail.record(region, op.name(), held);
            }
        }
        metrics.call(region, op.name(), Metrics.SUCCESS, nanos);
        observations.stop(observation, Metrics.SUCCESS, null);
    }

    /** The breakers' side of a success ({@link Gate#succeeded(long, long)}). */
    private void succeeded(WatchedBreaker primary, boolean primaryIsResource, @Nullable WatchedBreaker throttle,
            long nanos, long now) {
        // The primary breaker is the region's own unless it is a region × resource one: no lookup then.
        (primaryIsResource ? health.watched(primary.region()) : primary).heard(now);
        primary.success(nanos);
        if (throttle != null) {
            throttle.success(nanos);
        }
    }

    /**
     * The failover loop of a synchronous call on the caller's thread: writes, unhedged reads, and every call when
     * hedging is off. A class of its own, loaded at the first such call: a cold client's first hedged read runs on the
     * hedge threads ({@link Run}) and does not carry it (cold start).
     */
    private final class CallerThreadLoop {
        <T> T execute(Operation op, RoutingContext ctx, RoutingPlan plan, int limit,
                Function<Region, T> call, FailureClassifier classifier, Predicate<Region> cold) {
            // The failover bookkeeping is made at the first failure: most calls succeed in the first region they try.
            Failover failover = null;
            int next = 0;
            Object parent = observations.current();
            int attempts = 0;
            String resource = op.resource().orElse(null);
            boolean byResource = byResource(op, resource);
            // The suspect region an unhedged read started past, and the one it goes back to (-1: none): a read is safe
            // to repeat, so when every other region failed retryably it is tried there in the slot it passed
            // (Run.Detour#goBack).
            int passed = -1;
            int back = -1;
            while (true) {
                int index = back >= 0 ? back : failover == null ? next++ : failover.take();
                back = -1;
                Region region = plan.regions().get(index);
                // The attempt's breakers are locals, not a Gate: a gate is made only for a detached trial or a failure,
                // so an attempt that succeeds allocates none, whatever the JIT inlined (one object less per call).
                WatchedBreaker primary = breaker(region, resource, byResource);
                WatchedBreaker throttle = throttleBreaker(region, resource, byResource);
                boolean more = failover == null ? next < limit : failover.hasNext();
                if (op.kind() == OperationKind.READ && more && halfOpen(primary, throttle)) {
                    Gate gate = new Gate(primary, byResource, throttle);
                    // A user's read does not wait on a region that may still be black-holed while another region can
                    // answer: the health probe makes a half-open region breaker's trials, or a detached trial does.
                    if (probeMakesTrials && gate.probedHalfOpen()) {
                        LOG.debug("Skipping half-open region {} for {}: the health probe makes its trial calls",
                                region.id(), op.name());
                    } else {
                        halfOpenTrials().trialDetached(op, ctx, gate, call, classifier, cold, parent, ++attempts);
                    }
                    continue;
                }
                // An unhedged (consistent) read gets no trial out of its hedge: past a suspect region like a write.
                if ((op.kind() != OperationKind.READ || op.unhedged()) && more
                        && primary.writesGoElsewhere(writesGoElsewhereNanos)) {
                    FailoverLog.startsPast(op, region);
                    if (op.kind() == OperationKind.READ && passed < 0) {
                        passed = index;
                    }
                    continue;
                }
                Throwable failure = acquire(primary, throttle);
                FailureDecision decision;
                if (failure != null) {
                    decision = FailureDecision.REGIONAL_NOT_APPLIED;
                } else {
                    boolean coldClient = cold.test(region);
                    Object observation = observations.start(parent, region, op.name(), ++attempts);
                    // An unguarded write's call is fenced at the wire: a call timeout during the SDK's back-off after
                    // throttled answers then proves it was not applied. Reads and guarded writes move anyway.
                    ThrottleFence fence = op.kind() == OperationKind.WRITE ? new ThrottleFence() : null;
                    HeardAtTheWire.Listener heardBefore = fence != null ? HeardAtTheWire.listen(fence) : null;
                    long start = System.nanoTime();
                    try {
                        T result = call.apply(region);
                        long end = System.nanoTime();
                        succeeded(op, primary, byResource, throttle, coldClient, observation, end - start, end);
                        if (call instanceof ServedRegion served) {
                            served.served(region);
                        }
                        return result;
                    } catch (Throwable t) {
                        failure = t;
                        Gate gate = new Gate(primary, byResource, throttle);
                        gate.cold = coldClient;
                        gate.observation = observation;
                        decision = failedAttempts().failed(op, gate, System.nanoTime() - start, t, classifier, fence);
                    } finally {
                        if (fence != null) {
                            HeardAtTheWire.listen(heardBefore);
                        }
                    }
                }
                if (failover == null) {
                    failover = new Failover(op, ctx, plan, limit, next);
                }
                if (!failover.movesOn(failure, decision) || Thread.currentThread().isInterrupted()) {
                    throw sneaky(failure);
                }
                if (!failover.hasNext()) {
                    if (passed < 0) {
                        throw sneaky(failover.exhausted());
                    }
                    back = passed;
                    passed = -1;
                }
                FailoverLog.failover(metrics, ctx, op, region, failover.region(back >= 0 ? back : failover.peek()),
                        failure, decision);
            }
        }
    }

    /**
     * What an attempt that failed does to its region's health, latency and meters: throttling, timeouts, stalls,
     * losers left unanswered. A class of its own, loaded at the first failed attempt and not by a first read that
     * succeeds (cold start); stateless, one per executor ({@link #failedAttempts}).
     */
    private final class FailedAttempts {
        FailureDecision failed(Operation op, Gate gate, long nanos, Throwable t, FailureClassifier classifier) {
            return failed(op, gate, nanos, t, classifier, null);
        }

        /**
         * As {@link #failed(Operation, Gate, long, Throwable, FailureClassifier)}, for an attempt whose call was
         * listened to by {@code fence} (null: none): a timeout that ended the call while the SDK backed off after
         * throttled answers only — nothing in flight, nothing applied, the resend refused — is not applied, and is
         * recorded as the throttled attempt it was.
         */
        FailureDecision failed(Operation op, Gate gate, long nanos, Throwable t, FailureClassifier classifier,
                @Nullable ThrottleFence fence) {
            FailureDecision decision = classifier.classify(t);
            SdkServiceException fencedThrottling = null;
            if (fence != null && decision == FailureDecision.REGIONAL_MAYBE_APPLIED && isTimeout(t) && fence.fence()) {
                decision = FailureDecision.REGIONAL_NOT_APPLIED;
                fencedThrottling = fence.lastThrottling();
                LOG.debug("{} in region {} timed out while the SDK backed off after throttled answers only: nothing "
                        + "in flight, not applied; its resend is fenced", op.name(), gate.region().id());
            }
            if (decision == FailureDecision.ABORTED) {
                // The caller gave up mid-attempt: that says nothing about the region, so its breakers record nothing.
                gate.release();
                metrics.call(gate.region(), op.name(), Metrics.CANCELLED, nanos);
                observations.stop(gate.observation, Metrics.CANCELLED, t);
            } else if (decision.isRegional()) {
                boolean timedOut = isTimeout(t);
                meterIfSlow(gate, nanos, timedOut);
                if (fencedThrottling != null) {
                    // Its time went to the SDK's back-off after a hot resource's answers, not to a stalled region.
                    throttled(gate, op, nanos, fencedThrottling);
                } else if (isThrottling(t)) {
                    // A hot resource, not a sick region: its answer was fast, so its latency says nothing either.
                    throttled(gate, op, nanos, t);
                } else if (!gate.cold && timedOut && stalls.excuses(System.nanoTime(), nanos)) {
                    // The process was not running for much of the attempt: the region did not get its time to answer.
                    gate.release();
                    metrics.processStall(gate.region());
                    LOG.debug("{} in region {} timed out while the process was stalled: not held against the region",
                            op.name(), gate.region().id());
                } else {
                    long held = heldAgainstRegion(gate, nanos);
                    gate.failed(held, t);
                    if (!gate.cold) {
                        latency.recordFailure(gate.region(), held);
                        if (tail != null) {
                            tail.recordAtLeast(gate.region(), op.name(), held);
                        }
                        if (timedOut) {
                            timedOut(op, gate, System.nanoTime() - nanos);
                        }
                    }
                }
                metrics.call(gate.region(), op.name(), Metrics.REGIONAL_FAILURE, nanos);
                observations.stop(gate.observation, Metrics.REGIONAL_FAILURE, t);
            } else {
                // The region answered: a caller error says nothing against its health.
                gate.succeeded(nanos);
                metrics.call(gate.region(), op.name(), Metrics.CALLER_ERROR, nanos);
                observations.stop(gate.observation, Metrics.CALLER_ERROR, t);
            }
            return decision;
        }

        /**
         * Starts the stall meter if it does not run yet and a warm client's attempt was slow or timed out: from then on
         * whether such slowness is the region's or the process's matters (a cold client's time is not held at all).
         */
        private void meterIfSlow(Gate gate, long nanos, boolean timedOut) {
            if (!gate.cold && (timedOut || nanos >= slowNanos)) {
                stallMeter.needed();
            }
        }

        /**
         * The part of an attempt's time that is its region's: none of a cold client's start-up, none of the time the
         * process itself was stalled.
         */
        long heldAgainstRegion(Gate gate, long nanos) {
            return gate.cold ? 0 : stalls.unstalledNanos(System.nanoTime(), nanos);
        }

        /**
         * Counts a warm client's attempt started at {@code start} that timed out against its breaker, and ejects the
         * region at the configured run of them (or at once when the region was already suspect when it started).
         */
        private void timedOut(Operation op, Gate gate, long start) {
            if (gate.primary.stalled(ejectAfterStalls, start)) {
                LOG.info("Region {} ejected for {}: {} attempts in a row stalled (the last timed out) or it timed out "
                        + "while suspect; its circuit breaker is open", gate.region().id(), op.name(),
                        ejectAfterStalls);
            }
        }

        /**
         * Counts a hedge loser of a warm client started at {@code start} that its region left unanswered while
         * {@code winner} answered; the configured run of them makes the region suspect ({@link WatchedBreaker#lostUnanswered}).
         */
        void lostUnanswered(Operation op, Gate gate, long start, Region winner) {
            WatchedBreaker.Stall s = gate.primary.lostUnanswered(ejectAfterStalls, start);
            if (s == WatchedBreaker.Stall.SUSPECTED) {
                metrics.regionSuspicion(gate.region(), "suspected");
                LOG.info("Region {} suspect for {}: {} attempts in a row unanswered while {} answered; reads start "
                        + "in the next region while a detached trial finds out whether it answers", gate.region().id(),
                        op.name(), ejectAfterStalls, winner.id());
            } else if (s == WatchedBreaker.Stall.EJECTED) {
                LOG.info("Region {} ejected for {}: unanswered while suspect; its circuit breaker is open",
                        gate.region().id(), op.name());
            }
        }

        static Throwable unwrapCompletion(Throwable e) {
            Throwable t = e;
            while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
                t = t.getCause();
            }
            return t;
        }

        /** A throttled attempt through {@code gate}: counts against its resource's breaker, never its region's. */
        void throttled(Gate gate, Operation op, long nanos, Throwable t) {
            Region region = gate.region();
            health.watched(region).heard();
            if (gate.primaryIsResource) {
                gate.primary.error(nanos, t);
                return;
            }
            gate.primary.release();
            String resource = op.resource().orElse(null);
            if (resource != null) {
                (gate.throttle != null ? gate.throttle : health.watched(region, resource)).error(nanos, t);
            }
        }

        /** Whether the attempt ran out of its time (the SDK's call or attempt timeout). */
        static boolean isTimeout(Throwable failure) {
            Throwable c = unwrapCompletion(failure);
            for (int depth = 0; c != null && depth < 16; depth++, c = c.getCause() == c ? null : c.getCause()) {
                if (c instanceof ApiCallAttemptTimeoutException || c instanceof ApiCallTimeoutException) {
                    return true;
                }
            }
            return false;
        }

        /** Whether the service throttled the request (throughput of a table or account exceeded). */
        static boolean isThrottling(Throwable failure) {
            Throwable c = unwrapCompletion(failure);
            for (int depth = 0; c != null && depth < 16; depth++, c = c.getCause() == c ? null : c.getCause()) {
                if (c instanceof SdkServiceException && ((SdkServiceException) c).isThrottlingException()) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Logs and meters a call moving past a region: a failover, a region started past. A class of its own, loaded
     * when a call first moves on (cold start).
     */
    private static final class FailoverLog {
        static void failover(Metrics metrics, RoutingContext ctx, Operation op, Region from, Region to,
                Throwable failure, FailureDecision decision) {
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
                LOG.info("Failing over {} from {} to {} after {} ({}) [correlationId={}]", op.name(), from.id(),
                        to.id(), failure.getClass().getSimpleName(), decision, id == null ? "-" : id);
            } finally {
                if (setMdc) {
                    MDC.remove(RoutingContext.MDC_KEY);
                }
            }
        }

        /**
         * A write or an unhedged read passes a region that is suspect or behind a half-open breaker without being sent
         * there: nothing was sent, so nothing can be applied twice (as when a breaker refuses it). Only a read may come
         * back to it, when every other region it tried failed retryably.
         */
        static void startsPast(Operation op, Region region) {
            LOG.debug("{} starts past region {}: it is suspect or half-open, and reads' trials decide whether it "
                    + "answers (a read comes back to it when every other region fails)", op.name(), region.id());
        }
    }

    /**
     * The detached trials of synchronous reads in regions behind a half-open breaker. A class of its own, loaded at
     * the first such trial (cold start); stateless, one per executor ({@link #halfOpenTrials}).
     */
    private final class HalfOpenTrials {
        /**
         * A trial of a synchronous read in a region behind a half-open breaker, on a trial thread: its answer only
         * feeds the breaker, and the caller goes on to the next region at once. When the breaker has no trial
         * permission left or no trial thread is free, nothing is sent.
         */
        @SuppressWarnings("try")
        <T> void trialDetached(Operation op, RoutingContext ctx, Gate gate, Function<Region, T> call,
                FailureClassifier classifier, Predicate<Region> cold, Object parent, int attempt) {
            if (gate.acquire() != null) {
                return;
            }
            Region region = gate.region();
            gate.cold = cold.test(region);
            gate.observation = observations.start(parent, region, op.name(), attempt);
            boolean started = trials.run(() -> {
                long start = System.nanoTime();
                try (RoutingContext.Scope s = ctx.open()) {
                    call.apply(region);
                    succeeded(op, gate, System.nanoTime() - start);
                } catch (Throwable t) {
                    failedAttempts().failed(op, gate, System.nanoTime() - start, t, classifier);
                }
            });
            if (started) {
                LOG.debug("Trial of {} in half-open region {}", op.name(), region.id());
            } else {
                gate.release();
                observations.stop(gate.observation, Metrics.CANCELLED, null);
            }
        }
    }

    /**
     * The attempts of integrations that choose or hold their region ({@link #attempt}, {@link #bind},
     * {@link #recordFailure}: a JDBC data source). Loaded only by them: kept off the first read (cold start).
     */
    private final class Bindings {
        /** See {@link RegionalExecutor#attempt}. */
        <T, E extends Exception> T attempt(Operation op, Region region, RegionalAttempt<T, E> call,
                FailureClassifier classifier) throws E {
            Gate gate = new Gate(op, region);
            CallNotPermittedException refused = gate.acquire();
            if (refused != null) {
                throw refused;
            }
            gate.observation = observations.start(observations.current(), region, op.name(), 1);
            long start = System.nanoTime();
            T result;
            try {
                result = call.call();
            } catch (Throwable t) {
                failedAttempts().failed(op, gate, System.nanoTime() - start, t, classifier);
                throw t;
            }
            long end = System.nanoTime();
            succeeded(op, gate, end - start, end);
            return result;
        }

        /** See {@link RegionalExecutor#recordFailure}. */
        void recordFailure(Operation op, Region region, Throwable failure, FailureClassifier classifier) {
            WatchedBreaker cb = breaker(op, region);
            if (classifier.classify(failure).isRegional()) {
                cb.error(0, failure);
                metrics.call(region, op.name(), Metrics.REGIONAL_FAILURE, 0);
            }
        }

        /** See {@link RegionalExecutor#bind}. */
        <T, E extends Exception> T bind(Operation op, RoutingContext ctx, RegionalBind<T, E> work,
                FailureClassifier classifier) throws E {
            List<Region> served = new ArrayList<>();
            for (Region r : router.plan(op, ctx).regions()) {
                if (work.servedIn(r)) {
                    served.add(r);
                }
            }
            if (served.isEmpty()) {
                throw new NoRegionAvailableException("No region planned for " + op.name() + " can serve it");
            }
            Failover failover = new Failover(op, ctx, RoutingPlan.of(served), limit(op, served.size()));
            Object parent = observations.current();
            int attempts = 0;
            while (failover.hasNext()) {
                Region region = failover.region(failover.take());
                Gate gate = new Gate(op, region);
                if (probeMakesTrials && op.kind() == OperationKind.READ && failover.hasNext()
                        && gate.probedHalfOpen()) {
                    continue;
                }
                Throwable failure = gate.acquire();
                FailureDecision decision = FailureDecision.REGIONAL_NOT_APPLIED;
                if (failure == null) {
                    gate.observation = observations.start(parent, region, op.name(), ++attempts);
                    long start = System.nanoTime();
                    try {
                        Optional<T> taken = Objects.requireNonNull(work.in(region), "RegionalBind.in returned null");
                        succeeded(op, gate, System.nanoTime() - start);
                        if (taken.isPresent()) {
                            return taken.get();
                        }
                        continue;
                    } catch (Throwable t) {
                        failure = t;
                        decision = failedAttempts().failed(op, gate, System.nanoTime() - start, t, classifier);
                    }
                }
                if (!failover.movesOn(failure, decision) || Thread.currentThread().isInterrupted()) {
                    throw sneaky(failure);
                }
                work.movedPast(region, failure);
                if (failover.hasNext()) {
                    FailoverLog.failover(metrics, ctx, op, region, failover.region(failover.peek()), failure, decision);
                }
            }
            NoRegionAvailableException none = new NoRegionAvailableException("No region could take " + op.name()
                    + ": the regions planned " + served + " failed, turned it down or are behind an open circuit "
                    + "breaker", failover.last);
            if (failover.earlier != null) {
                failover.earlier.forEach(none::addSuppressed);
            }
            throw none;
        }
    }

    /**
     * How asynchronous calls start ({@link #executeAsync}, {@link #callAsync}). Loaded only by them: kept off a
     * synchronous client's first read (cold start).
     */
    private final class AsyncStarts {
        /** See RegionalExecutor's {@code executeAsync}. */
        <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
                Function<Region, CompletableFuture<T>> call, FailureClassifier classifier, Predicate<Region> cold) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(ctx, "ctx");
            RoutingPlan plan;
            try {
                plan = router.plan(op, ctx);
            } catch (RuntimeException e) {
                return new Unplanned<>(ctx, e);
            }
            int limit = limit(op, plan.regions().size());
            // The caller's dependents run under the call's context, as a routed client's (ContextualFuture): a
            // continuation that makes another call is routed as the caller's own would be, residency included. No one
            // is told of attempts or answers, and failures are not wrapped (as this method's futures always were).
            return new AsyncCall<>(op, ctx, plan, call, false, classifier, cold, hedgesAsync(op, limit)).started(limit);
        }

        /** See {@link RegionalExecutor#callAsync}. */
        <T> CompletableFuture<T> callAsync(Operation op, RoutingContext ctx, AnsweredCall<T> call,
                Predicate<Region> cold) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(ctx, "ctx");
            RoutingPlan plan;
            try {
                plan = router.plan(op, ctx);
            } catch (RuntimeException e) {
                // Wrapped as a stage chained after a failed execution would have been.
                return new Unplanned<>(ctx, new CompletionException(e));
            }
            int limit = limit(op, plan.regions().size());
            // Returned by the call's own method, typed as a CompletableFuture: returning the AsyncCall here would make
            // verifying this class load it (18 KB) on every synchronous cold start.
            return new AsyncCall<>(op, ctx, plan, call, true, classifier, cold, hedgesAsync(op, limit)).started(limit);
        }

        /** Whether an asynchronous call of {@code op} that may try {@code limit} regions is hedged. */
        boolean hedgesAsync(Operation op, int limit) {
            return hedger != null && op.kind() == OperationKind.READ && !op.unhedged() && limit > 1;
        }

        /** Starts an asynchronous attempt of {@code call} in a region, under {@code ctx}. */
        @SuppressWarnings("try") // the scope only makes the captured context current while the call is made
        static <T> Function<Region, CompletableFuture<T>> asyncLaunch(RoutingContext ctx,
                Function<Region, CompletableFuture<T>> call) {
            return region -> {
                if (RoutingContext.current() == ctx) {
                    return call.apply(region);
                }
                try (RoutingContext.Scope s = ctx.open()) {
                    return call.apply(region);
                }
            };
        }
    }

    /** The failed future of an asynchronous call that could not be planned; its dependents run under its context. */
    private static final class Unplanned<T> extends ContextualFuture<T> {
        Unplanned(RoutingContext ctx, Throwable failure) {
            super(ctx);
            completeExceptionally(failure);
        }
    }

    /**
     * For calls whose clients are never cold (their caller does not track start-up). A named class, not a lambda, and
     * loaded only by the calls that use it: kept off the first read (cold start).
     */
    private static final class NeverCold implements Predicate<Region> {
        static final NeverCold INSTANCE = new NeverCold();

        @Override
        public boolean test(Region region) {
            return false;
        }
    }

    /** The hedge budget's tokens left, as a gauge reads them: a named class, as a lambda costs more at a cold start. */
    private static final class BudgetTokens implements Supplier<Number> {
        private final HedgeBudget budget;

        BudgetTokens(HedgeBudget budget) {
            this.budget = budget;
        }

        @Override
        public Number get() {
            return budget.available();
        }
    }

    /**
     * The breakers one attempt of an operation in a region goes through: the primary one (the region's, or with
     * per-resource breakers the region × resource one) and, for an operation naming a resource on its region's
     * breaker, the region × resource breaker if throttling created one. Throttling counts only against the region ×
     * resource breaker: one hot table never opens its region's breaker nor moves the other tables' traffic.
     */
    private final class Gate {
        // One per attempt, on every call: its region and resource are read from its breaker and its operation rather
        // than kept, which keeps it at 32 bytes (from 40); on the hot paths it is made from breakers looked up by its
        // maker, so that its constructor stays trivial and the JIT can scalar-replace it.
        final WatchedBreaker primary;
        final boolean primaryIsResource;
        final @Nullable WatchedBreaker throttle;
        /** The attempt's observation handle, once it started (null when nothing observes). */
        @Nullable Object observation;
        /** Whether the attempt goes through a client that has not answered a call yet. */
        boolean cold;

        Gate(Operation op, Region region) {
            String resource = op.resource().orElse(null);
            this.primaryIsResource = byResource(op, resource);
            this.primary = breaker(region, resource, primaryIsResource);
            this.throttle = throttleBreaker(region, resource, primaryIsResource);
        }

        Gate(WatchedBreaker primary, boolean primaryIsResource, @Nullable WatchedBreaker throttle) {
            this.primary = primary;
            this.primaryIsResource = primaryIsResource;
            this.throttle = throttle;
        }

        /** The attempt's region. */
        Region region() {
            return primary.region();
        }

        /** Null when the breakers let the attempt through (a permission is then held), else why not. */
        @Nullable CallNotPermittedException acquire() {
            return RegionalExecutor.acquire(primary, throttle);
        }

        /**
         * Whether the health probe makes this attempt's trial: the region's own breaker is half-open (the probe drives
         * no region × resource breaker).
         */
        boolean probedHalfOpen() {
            return !primaryIsResource && primary.state() == CircuitBreaker.State.HALF_OPEN;
        }

        /** Whether this attempt would be a half-open breaker's trial call. */
        boolean halfOpen() {
            return RegionalExecutor.halfOpen(primary, throttle);
        }

        /** Gives the permissions back unused (an attempt cancelled or never started). */
        void release() {
            primary.release();
            if (throttle != null) {
                throttle.release();
            }
        }

        void succeeded(long nanos) {
            succeeded(nanos, System.nanoTime());
        }

        /** As {@link #succeeded(long)}, the region heard at {@code now} ({@link System#nanoTime()}). */
        void succeeded(long nanos, long now) {
            RegionalExecutor.this.succeeded(primary, primaryIsResource, throttle, nanos, now);
        }

        void failed(long nanos, Throwable t) {
            primary.error(nanos, t);
            if (throttle != null) {
                throttle.release();
            }
        }

    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /**
     * The failover bookkeeping of one execution — which region is next, the failures so far, whether a failure lets
     * the call move on, and what to surface when the plan is exhausted — shared by the caller-thread loop of
     * {@code execute} and the callbacks of {@link Run}. Not thread-safe: {@code Run} guards it with its own lock.
     */
    private final class Failover {
        private final Operation op;
        private final RoutingContext ctx;
        private final RoutingPlan plan;
        private final int limit;
        private int next;
        private @Nullable Throwable last;
        private @Nullable List<Throwable> earlier;

        Failover(Operation op, RoutingContext ctx, RoutingPlan plan, int limit) {
            this(op, ctx, plan, limit, 0);
        }

        /** Bookkeeping taken over after the plan's first {@code next} regions were handed out. */
        Failover(Operation op, RoutingContext ctx, RoutingPlan plan, int limit, int next) {
            this.op = op;
            this.ctx = ctx;
            this.plan = plan;
            this.limit = limit;
            this.next = next;
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
            if (!decision.movesOn(op.kind())) {
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
            // Called only after movesOn recorded a failure, so there is a last one.
            return NoRegionErrors.exhausted(op, plan, Objects.requireNonNull(last, "last"), earlier);
        }
    }

    /**
     * A synchronous hedged read whose first attempt runs on its caller's own thread, through a client a won hedge can
     * release ({@link ReleasableCall}). It is the read's only state until something happens: the hedge timer rides on
     * the SDK's own call timeout ({@link ReleasableAttempt}), and when the hedge is due (or the SDK backs off after a
     * throttled answer) a {@link Run} adopts the running attempt and sends the hedge, as it would have sent it for an
     * attempt on a hedge thread — same budget, process-stall grace, breaker and latency accounting, loser rules —
     * while the caller keeps running its attempt until it returns or the winning hedge releases it. A read whose
     * attempt answers before the hedge is due (nearly all of them) allocates nothing else; one whose attempt failed is
     * handed to a run too, which fails over as any synchronous read does. Whether the run or the returning caller
     * came first is one compare-and-set ({@link ReleasableAttempt#adopt} against {@link ReleasableAttempt#finish}).
     */
    private final class CallerFirst<T> extends ReleasableAttempt implements HeardAtTheWire.Listener {
        // One per hedged read, and it escapes (armed on the thread, told what the wire heard): it keeps only what a
        // run needs that cannot be derived (the attempt limit is recomputed from op and plan when a run is built, the
        // classifier is the executor's) and holds its first region's breakers itself rather than in a Gate (one object
        // less per read; a run that adopts the attempt makes the gate: gateOfFirst).
        final Operation op;
        final RoutingContext ctx;
        final RoutingPlan plan;
        final Function<Region, T> call;
        final Predicate<Region> cold;
        /** The first region's breakers (as a {@link Gate}'s), their permission already held; the client is warm. */
        final WatchedBreaker primary;
        final boolean primaryIsResource;
        final @Nullable WatchedBreaker throttle;
        /** The attempt's observation handle, once it started (null when nothing observes). */
        @Nullable Object observation;
        /** The caller's observation, the parent of the read's attempts on any thread. */
        final Object parent = observations.current();
        long start;
        long delay;
        /** Whether the hedge already waited out a process stall, and whether there was one: read by the run. */
        volatile boolean graced;
        volatile boolean stalledBeforeHedge;
        /** The throttling error of the attempt's last answer, until a run adopts the attempt. */
        volatile @Nullable SdkServiceException throttling;
        /** The run that adopted the attempt; published before the state says so. */
        volatile @Nullable Run<T> run;

        CallerFirst(Operation op, RoutingContext ctx, RoutingPlan plan, Function<Region, T> call,
                Predicate<Region> cold, WatchedBreaker primary, boolean primaryIsResource,
                @Nullable WatchedBreaker throttle) {
            this.op = op;
            this.ctx = ctx;
            this.plan = plan;
            this.call = call;
            this.cold = cold;
            this.primary = primary;
            this.primaryIsResource = primaryIsResource;
            this.throttle = throttle;
        }

        /** The first attempt's gate, for a run that adopts the attempt. */
        Gate gateOfFirst() {
            Gate gate = new Gate(primary, primaryIsResource, throttle);
            gate.observation = observation;
            return gate;
        }

        T call() {
            Region region = primary.region();
            Objects.requireNonNull(budget, "budget").earn(); // a hedged read runs only with hedging on
            stallMeter.needed(); // before the attempt starts, so that a stall of the process during it is seen
            observation = observations.start(parent, region, op.name(), 1);
            delay = hedging.delayNanos(tail == null ? -1 : tail.hedgeAfter(region, plan.regions().get(1), op.name()));
            start = System.nanoTime();
            long due = start + delay;
            timerAt(due == 0 ? 1 : due);
            T value;
            try {
                value = callArmed(region);
            } catch (Throwable t) {
                if (finish() == RUNNING) {
                    // Failed before its hedge was due: a run takes it over and fails over, the caller timing the
                    // next attempt's hedge.
                    Run<T> r = hedgedRun(op, ctx, plan, limit(op, plan.regions().size()), call, classifier, cold);
                    completeWith(adoptedBy(r, true), null, t);
                    return awaitRun(r, op);
                }
                return adoptedOutcome(null, t);
            }
            if (finish() == RUNNING) {
                long end = System.nanoTime();
                succeeded(op, primary, primaryIsResource, throttle, false, observation, end - start, end);
                ServedRegion served = servedRegion(call);
                if (served != null) {
                    served.served(region);
                }
                return value;
            }
            return adoptedOutcome(value, null);
        }

        /**
         * Hands the running attempt to {@code r} — when its hedge is due, or when it failed — instead of
         * {@link Run#start}: the attempt is the run's first, its outcome reported through the returned attempt's
         * future, and a winning hedge releases the caller ({@link Run.Attempt#cancel}). With
         * {@code callerTimesHedge}, the caller times the hedge of a later attempt itself ({@link Run#await}). Here, not
         * in the run: the hedge threads' run of a cold client's first read does not carry it (cold start).
         */
        Run<T>.Attempt adoptedBy(Run<T> r, boolean callerTimesHedge) {
            Run<T>.Attempt a = r.new Attempt(gateOfFirst(), start);
            a.release = releasable();
            a.throttling = throttling;
            CompletableFuture<T> f = new CompletableFuture<>();
            a.future = f;
            synchronized (r) {
                r.failover.take();
                r.inflight.add(a);
                r.attempts = 1;
                r.adopted = a;
            }
            r.parentObservation = parent;
            r.hedgeDelay = delay;
            r.hedgeDue = start + delay;
            r.hedgeGraced = graced;
            r.stalledBeforeHedge = stalledBeforeHedge;
            r.hedgeArmed = callerTimesHedge;
            f.whenComplete(a);
            return a;
        }

        /** Completes the attempt {@code a} run adopted with what the call returned or threw (nothing once cancelled). */
        private void completeWith(Run<T>.Attempt a, @Nullable T value, @Nullable Throwable error) {
            CompletableFuture<T> f = Objects.requireNonNull(a.future, "future");
            if (error == null) {
                f.complete(value);
            } else {
                f.completeExceptionally(error);
            }
        }

        /** The call in {@code region}, armed for a release and heard at the wire, under the read's context. */
        @SuppressWarnings("try") // the scope only makes the captured context current while the call is made
        private T callArmed(Region region) {
            ReleasableAttempt armedBefore = SdkTimeoutScheduler.arm(this);
            HeardAtTheWire.Listener heardBefore = HeardAtTheWire.listen(this);
            try (RoutingContext.Scope s = RoutingContext.current() == ctx ? null : ctx.open()) {
                return call.apply(region);
            } finally {
                SdkTimeoutScheduler.restore(armedBefore);
                HeardAtTheWire.listen(heardBefore);
            }
        }

        /** The adopting run decides (it may have cancelled the attempt, whose outcome it then recorded). */
        private T adoptedOutcome(@Nullable T value, @Nullable Throwable error) {
            Run<T> r = Objects.requireNonNull(run, "run");
            completeWith(Objects.requireNonNull(r.adopted, "adopted"), value, error);
            return awaitRun(r, op);
        }

        /** The hedge is due (on the SDK timeout thread): waits out a process stall once, then sends the hedge. */
        @Override
        protected long onTimer(long due, long now) {
            stalls.timerFired(due, now);
            if (!graced) {
                graced = true;
                long grace = stalls.hedgeGrace(start, now, delay);
                if (grace > 0) {
                    stalledBeforeHedge = true;
                    LOG.debug("Hedge of {} waits {} µs more: the process was stalled while its first attempt waited",
                            op.name(), grace / 1_000);
                    return now + grace;
                }
            }
            // A hedge the budget refused is asked for again after another delay, on the timer the SDK's call rides.
            return hedge() ? now + hedgeRetryNanos(delay) : 0;
        }

        /**
         * Hands the running attempt to a run and sends its hedge (again, if the budget refused it); nothing once the
         * caller's call returned. True when the budget refused the hedge.
         */
        private boolean hedge() {
            Run<T> r;
            synchronized (this) {
                r = run;
                if (r != null) {
                    if (state() != HEDGED) {
                        return false;
                    }
                } else {
                    if (state() != RUNNING) {
                        return false;
                    }
                    r = hedgedRun(op, ctx, plan, limit(op, plan.regions().size()), call, classifier, cold);
                    adoptedBy(r, false);
                    run = r;
                    if (!adopt()) {
                        run = null; // the caller's call returned first: it reports its attempt itself
                        return false;
                    }
                }
            }
            return r.hedge();
        }

        private Run<T>.@Nullable Attempt adopted() {
            Run<T> r = run;
            return r != null && state() != RUNNING ? r.adopted : null;
        }

        @Override
        public void heard() {
            Run<T>.@Nullable Attempt a = adopted();
            if (a != null) {
                a.heard();
                return;
            }
            throttling = null;
            health.watched(primary.region()).heard();
        }

        @Override
        public void throttled(SdkServiceException e) {
            Run<T>.@Nullable Attempt a = adopted();
            if (a != null) {
                a.throttled(e);
                return;
            }
            throttling = e;
            // The SDK backs off before its retry, which the hedge delay would only wait out: hedge now, on the hedge
            // timer thread (this is the SDK's).
            Objects.requireNonNull(hedger, "hedger").schedule(this::hedge, 0);
        }
    }

    /**
     * The future of one asynchronous call ({@link #callAsync} of an {@link AnsweredCall}, or {@link #executeAsync}),
     * which the executor completes itself under the call's context: no stage is chained after the execution, nor a
     * {@link ContextualFuture#of} wrapper after that. Cancelling it abandons the call (its attempts in flight are
     * cancelled). An answered call's failures are wrapped as a chained stage's would be; {@code executeAsync}'s are
     * the run's own (a failed attempt's exception, {@link NoRegionAvailableException}).
     *
     * <p>A read whose first region takes it as is (breakers closed, not suspect, a warm client) starts there alone
     * ({@link #startAlone}): this object is then the attempt's completion, hedge timer and listener of what the wire
     * hears, and the read's only state until something happens — as a synchronous read's {@link CallerFirst} — so a
     * read answered before its hedge is due (nearly all) makes no {@link Run}, no attempt or gate object and no
     * completion callback per attempt. When the hedge is due (or the SDK backs off after a throttled answer) or the
     * attempt failed, a run adopts the attempt ({@link #adoptedBy}) and goes on exactly as for an attempt it
     * started: same budget, process-stall grace, breaker and latency accounting, failover and loser rules. Which of
     * "the attempt completed alone" and "a run adopted it" came first is decided under this object's lock. Any other
     * call runs as {@link #executeAsync} does from the start ({@link #startRun}), its run completing this future.
     */
    private final class AsyncCall<T> extends ContextualFuture<T>
            implements BiConsumer<T, Throwable>, Runnable, HeardAtTheWire.Listener {
        final Operation op;
        final RoutingPlan plan;
        final Function<Region, CompletableFuture<T>> call;
        /**
         * Whether the call is an {@link AnsweredCall} ({@link #callAsync}), told of attempts and answers, whose
         * failures are wrapped as a chained stage's; not for {@link #executeAsync}, whose failures are the run's own.
         * A flag, not a second reference to the call: it fits this object's padding (8 bytes less per call).
         */
        final boolean tells;
        final FailureClassifier classifier;
        final Predicate<Region> cold;
        final boolean hedge;
        /** The caller's observation, the parent of the call's attempts on any thread. */
        final Object parent = observations.current();
        // The first attempt started alone (startAlone): its breakers, as a Gate's (their permission held; one object
        // less per read, a run that adopts the attempt makes the gate: gateOfFirst), and its state.
        @Nullable WatchedBreaker primary;
        boolean primaryIsResource;
        @Nullable WatchedBreaker throttle;
        @Nullable Object observation;
        long start;
        /** The hedge delay, once armed. */
        long delay;
        /** The attempt's own future, once launched; guarded by this. */
        @Nullable CompletableFuture<T> attempt;
        /** The hedge timer while it is pending; guarded by this. */
        @Nullable ScheduledFuture<?> timer;
        /** Whether the hedge already waited out a process stall, and whether there was one; guarded by this. */
        boolean graced;
        boolean stalledBeforeHedge;
        /** The throttling error of the attempt's last answer, until a run adopts the attempt. */
        volatile @Nullable SdkServiceException throttling;
        /** Whether the attempt completed with no run (its outcome is this object's); guarded by this. */
        boolean finished;
        /** The run that completes the call, once there is one; guarded by this. */
        @Nullable Run<T> run;

        /** {@code tells}: {@code call} is an {@link AnsweredCall} ({@link #callAsync}). */
        AsyncCall(Operation op, RoutingContext ctx, RoutingPlan plan, Function<Region, CompletableFuture<T>> call,
                boolean tells, FailureClassifier classifier, Predicate<Region> cold, boolean hedge) {
            super(ctx);
            this.op = op;
            this.plan = plan;
            this.call = call;
            this.tells = tells;
            this.classifier = classifier;
            this.cold = cold;
            this.hedge = hedge;
        }

        /** The call to tell of attempts and answers, when it is an {@link AnsweredCall}. */
        @Nullable AnsweredCall<T> told() {
            return tells ? (AnsweredCall<T>) call : null;
        }

        /** Starts the call: a read alone in its first region when that region takes it as is, else a run. */
        CompletableFuture<T> started(int limit) {
            if (op.kind() != OperationKind.READ || !startAlone()) {
                startRun(limit);
            }
            return this;
        }

        /** Runs the call as {@link #executeAsync} does (a run from the start). */
        void startRun(int limit) {
            Run<T> r = newRun(limit);
            synchronized (this) {
                run = r;
            }
            r.start();
            if (isCancelled()) {
                r.abandon(); // cancelled before the run was known to this future
            }
        }

        private Run<T> newRun(int limit) {
            return new Run<>(op, context(), plan, limit, classifier, AsyncStarts.asyncLaunch(context(), call), null,
                    hedge, cold, servedRegion(call), this, this);
        }

        /**
         * Starts the first attempt alone when its region takes it as is: false, with nothing done, when the run's
         * rules apply to it (a half-open or suspect region: detached trials and passing; a cold client: the cold hedge
         * delay; a breaker that refuses it: failover).
         */
        boolean startAlone() {
            Region first = plan.regions().get(0);
            String resource = op.resource().orElse(null);
            boolean byResource = byResource(op, resource);
            WatchedBreaker p = breaker(first, resource, byResource);
            WatchedBreaker t = throttleBreaker(first, resource, byResource);
            if (halfOpen(p, t) || p.suspect() || cold.test(first) || acquire(p, t) != null) {
                return false;
            }
            primary = p;
            primaryIsResource = byResource;
            throttle = t;
            if (hedge) {
                Objects.requireNonNull(budget, "budget").earn(); // a hedged read exists only with hedging on
                stallMeter.needed(); // before the attempt starts, so that a stall of the process during it is seen
            }
            observation = observations.start(parent, first, op.name(), 1);
            start = System.nanoTime();
            CompletableFuture<T> f = launched(first);
            synchronized (this) {
                attempt = f;
            }
            if (isCancelled()) {
                f.cancel(true); // cancelled while it was launched
            }
            if (f.isDone() && !f.isCompletedExceptionally()) {
                accept(f.join(), null); // answered at once: no completion callback
                return true;
            }
            if (hedge && !f.isDone()) {
                // Computed here, not by calling hedgeDelay(): this method's size (over C2's FreqInlineSize, 325
                // bytecodes) keeps it from being inlined into its caller, and compiled on its own the breaker's metrics
                // snapshot of the success is scalar-replaced; inlined, it was not in most forks (40 B more per call:
                // benchmarks/RESULTS.md).
                long d = hedging.delayNanos(tail == null ? -1
                        : tail.hedgeAfter(first, plan.regions().get(1), op.name()));
                delay = hedgeDelayNanos(d, false, config.firstAttemptTimeout());
                arm(this, delay);
            }
            f.whenComplete(this);
            return true;
        }

        /** The delay after which the first attempt (warm) is hedged, as a run computes it. */
        private long hedgeDelay() {
            long d = hedging.delayNanos(tail == null ? -1
                    : tail.hedgeAfter(plan.regions().get(0), plan.regions().get(1), op.name()));
            return hedgeDelayNanos(d, false, config.firstAttemptTimeout());
        }

        /** The first attempt's future, launched under the call's context and heard at the wire by this. */
        @SuppressWarnings("try") // the scope only makes the captured context current while the call is made
        private CompletableFuture<T> launched(Region region) {
            HeardAtTheWire.Listener before = HeardAtTheWire.listen(this);
            RoutingContext ctx = context();
            try (RoutingContext.Scope s = RoutingContext.current() == ctx ? null : ctx.open()) {
                CompletableFuture<T> f = call.apply(region);
                return f != null ? f
                        : CompletableFuture.failedFuture(new NullPointerException(op.name() + " returned no future"));
            } catch (Throwable t) {
                return CompletableFuture.failedFuture(t);
            } finally {
                HeardAtTheWire.listen(before);
            }
        }

        /** Schedules {@code task} on the hedge timer after {@code delayNanos}, unless the attempt already finished. */
        private synchronized void arm(Runnable task, long delayNanos) {
            if (!finished && run == null) {
                timer = Objects.requireNonNull(hedger, "hedger").schedule(task, delayNanos);
            }
        }

        private void cancelTimer() {
            ScheduledFuture<?> t;
            synchronized (this) {
                t = timer;
                timer = null;
            }
            if (t != null) {
                t.cancel(false); // removed at once, not left to fire for nothing
            }
        }

        /** The first attempt completed (started alone): answers the call, or hands the failure to a run. */
        @Override
        public void accept(T value, @Nullable Throwable error) {
            long end = System.nanoTime();
            synchronized (this) {
                if (run != null) {
                    return; // adopted: the run has its own callback on the attempt
                }
                finished = true;
            }
            cancelTimer();
            if (error == null) {
                WatchedBreaker p = Objects.requireNonNull(primary, "primary");
                Region region = p.region();
                AnsweredCall<T> t = told();
                if (t != null) {
                    t.attempted(region, null);
                }
                succeeded(op, p, primaryIsResource, throttle, false, observation, end - start, end);
                ServedRegion served = t == null && !isDone() ? servedRegion(call) : null;
                if (served != null) {
                    served.served(region); // as a run tells it; an answered call is told by its answer
                }
                if (!isDone()) { // else cancelled by the caller: the attempt's success is recorded, nothing more
                    answer(region, value);
                }
                return;
            }
            // A run takes the failed attempt over, as one it started (its callback, run at once on the failed future,
            // tells the call and the run): it fails over, or records an abandoned attempt.
            Run<T> r = newRun(limit(op, plan.regions().size()));
            Run<T>.Attempt a = adoptedBy(r);
            CompletableFuture<T> f;
            synchronized (this) {
                run = r;
                f = Objects.requireNonNull(attempt, "attempt");
            }
            if (isCancelled()) {
                r.abandon();
            }
            f.whenComplete(a);
            hedgeAfterFailed(r);
        }

        /**
         * Hands the attempt started alone to {@code r} — when its hedge is due, or when it failed — as a caller-first
         * read's is handed ({@link CallerFirst#adoptedBy}): the attempt is the run's first, and its future this call's
         * own, which a winning hedge cancels. The caller hands the attempt's outcome to the returned attempt (it
         * registers it on the future, or completes it with the failure it saw).
         */
        private Run<T>.Attempt adoptedBy(Run<T> r) {
            Run<T>.Attempt a = r.new Attempt(gateOfFirst(), start);
            a.throttling = throttling;
            a.future = attempt;
            synchronized (r) {
                r.failover.take();
                r.inflight.add(a);
                r.attempts = 1;
                r.adopted = a;
            }
            r.parentObservation = parent;
            r.hedgeDelay = delay;
            r.hedgeGraced = graced;
            r.stalledBeforeHedge = stalledBeforeHedge;
            return a;
        }

        /**
         * After the attempt started alone failed and run {@code r} took it over: the hedge timer goes on for the run's
         * next attempt, due when the first attempt's was (computed now when it failed at once), as in a run started
         * from the start, whose timer outlives a failed first attempt.
         */
        private void hedgeAfterFailed(Run<T> r) {
            if (!r.hedge || r.result.isDone()) {
                return;
            }
            if (r.hedgeDelay == 0) {
                r.hedgeDelay = hedgeDelay();
            }
            long due = start + r.hedgeDelay;
            r.hedgeTimer(start, due, Math.max(0, due - System.nanoTime()));
        }

        /** The hedge is due (on the hedge timer): waits out a process stall once, then sends the hedge. */
        @Override
        public void run() {
            fired(start + delay);
        }

        private void fired(long due) {
            long now = System.nanoTime();
            stalls.timerFired(due, now);
            long grace = 0;
            synchronized (this) {
                if (finished) {
                    return;
                }
                if (!graced && run == null) {
                    graced = true;
                    grace = stalls.hedgeGrace(start, now, delay);
                    stalledBeforeHedge = grace > 0;
                }
            }
            if (grace > 0) {
                LOG.debug("Hedge of {} waits {} µs more: the process was stalled while its first attempt waited",
                        op.name(), grace / 1_000);
                long again = now + grace;
                arm(() -> fired(again), grace);
                return;
            }
            Run<T> r = adopted();
            if (r != null && r.hedge()) {
                // Refused by the budget: asked again after another delay, by the run's own timer.
                long again = hedgeRetryNanos(delay);
                r.hedgeTimer(start, now + again, again);
            }
        }

        /** The run that has the attempt, adopting it now; null once the attempt completed alone or the call ended. */
        private @Nullable Run<T> adopted() {
            Run<T> r;
            Run<T>.Attempt a;
            CompletableFuture<T> f;
            synchronized (this) {
                if (finished || run != null || isDone()) {
                    return finished ? null : run;
                }
                r = newRun(limit(op, plan.regions().size()));
                a = adoptedBy(r);
                run = r;
                f = Objects.requireNonNull(attempt, "attempt");
            }
            f.whenComplete(a);
            return r;
        }

        /** The first attempt's gate, for a run that adopts the attempt. */
        Gate gateOfFirst() {
            Gate gate = new Gate(Objects.requireNonNull(primary, "primary"), primaryIsResource, throttle);
            gate.observation = observation;
            return gate;
        }

        private Run<T>.@Nullable Attempt adoptedAttempt() {
            Run<T> r;
            synchronized (this) {
                r = run;
            }
            return r != null ? r.adopted : null;
        }

        @Override
        public void heard() {
            Run<T>.@Nullable Attempt a = adoptedAttempt();
            if (a != null) {
                a.heard();
                return;
            }
            throttling = null;
            health.watched(Objects.requireNonNull(primary, "primary").region()).heard();
        }

        @Override
        public void throttled(SdkServiceException e) {
            Run<T>.@Nullable Attempt a = adoptedAttempt();
            if (a != null) {
                a.throttled(e);
                return;
            }
            throttling = e;
            if (hedge) {
                // The SDK backs off before its retry, which the hedge delay would only wait out: hedge now, on the
                // hedge timer thread (this is the SDK's).
                Objects.requireNonNull(hedger, "hedger").schedule(() -> {
                    Run<T> r = adopted();
                    if (r != null) {
                        r.hedge();
                    }
                }, 0);
            }
        }

        /** Completes the call with {@code value} of its attempt in {@code region}, once the call was told. */
        @SuppressWarnings("try") // the scope only makes the call's context current while its dependents run
        void answer(Region region, T value) {
            cancelTimer();
            AnsweredCall<T> t = told();
            if (t != null) {
                try {
                    t.answered(region, value);
                } catch (Throwable e) {
                    fail(e);
                    return;
                }
            }
            RoutingContext ctx = context();
            try (RoutingContext.Scope s = RoutingContext.current() == ctx ? null : ctx.open()) {
                complete(value);
            }
        }

        /** Fails the call; an answered call's failure wrapped as a stage chained after the execution would see it. */
        @SuppressWarnings("try")
        void fail(Throwable failure) {
            cancelTimer();
            Throwable wrapped = !tells || failure instanceof CompletionException ? failure
                    : new CompletionException(failure);
            RoutingContext ctx = context();
            try (RoutingContext.Scope s = RoutingContext.current() == ctx ? null : ctx.open()) {
                completeExceptionally(wrapped);
            }
        }

        /** The caller's cancellation abandons the call: its attempts in flight are cancelled. */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                abandon();
            }
            return cancelled;
        }

        private void abandon() {
            Run<T> r;
            CompletableFuture<T> f;
            synchronized (this) {
                r = run;
                f = attempt;
            }
            if (r != null) {
                r.abandon();
                return;
            }
            cancelTimer();
            if (f != null) {
                f.cancel(true); // its completion (accept) records the abandoned attempt
            }
        }
    }

    /**
     * One asynchronous (or hedged) execution: attempts in flight, failover and hedge state. A READ whose first region
     * is behind a half-open breaker starts in the next region and sends the half-open region a detached trial
     * attempt: the breaker learns whether the region recovered without a caller waiting on it (the trial's answer is
     * not used, and the trial counts as one of the call's regional attempts).
     */
    private final class Run<T> {
        private final Operation op;
        private final RoutingContext ctx;
        private final RoutingPlan plan;
        private final List<Region> regions;
        private final FailureClassifier classifier;
        /** Starts an attempt of an asynchronous run in a region; null for a synchronous one ({@link #syncCall}). */
        private final @Nullable Function<Region, CompletableFuture<T>> launch;
        /**
         * A synchronous read's call, which its attempts make on the hedge threads, each the task of its worker
         * ({@link Attempt#call}); null for an asynchronous run.
         */
        private final @Nullable Function<Region, T> syncCall;
        private final boolean hedge;
        private final Predicate<Region> cold;
        /** Told the region of the one attempt whose success completes the run (a later success is a loser's). */
        private final @Nullable ServedRegion served;
        /**
         * What the run completes: a synchronous read's plain future, or the future its asynchronous caller holds (an
         * {@link AsyncCall}), which abandons the run when cancelled.
         */
        private final CompletableFuture<T> result;
        /**
         * The same {@link AsyncCall} when it is one, else null: a field, not {@code instanceof}, which would load that
         * class (18 KB) on every synchronous cold start's first read.
         */
        private final @Nullable AsyncCall<T> call;
        private final List<Attempt> inflight = new ArrayList<>(2);
        private final Failover failover;
        /**
         * The caller's observation, taken on its thread as the call starts: attempts started later on hedge or timer
         * threads, or by a completion, are its children too.
         */
        private Object parentObservation = observations.current();
        private boolean done;
        private boolean hedgeSent;
        /**
         * Where the hedge the budget refused would have gone (null: not refused): it is asked again after each further
         * hedge delay ({@link #hedge}), and counted as refused only if the run ends without it ({@link #end}).
         */
        private @Nullable Region refusedTo;
        /**
         * The breaker of the first attempt's region when this read's hedge is that region's proof hedge
         * ({@link Hedge#pastTheBudget}): given back when the run ends ({@link #end}).
         */
        private @Nullable WatchedBreaker proving;
        private @Nullable Region hedgeRegion;
        private int attempts;
        /**
         * Whether the caller fires the hedge itself while it waits ({@link #await}): a synchronous read's caller waits
         * anyway, so it needs no timer task per read; an asynchronous one's hedge is fired by the hedge timer.
         */
        private final boolean callerTimesHedge;
        /**
         * The first attempt when it runs on the caller's thread ({@link CallerFirst}) or was started alone
         * ({@link AsyncCall}); null otherwise.
         */
        private @Nullable Attempt adopted;
        /** When the caller of a synchronous read is to fire the hedge ({@link System#nanoTime()}), once armed. */
        private long hedgeDue;
        /** The hedge delay, once armed. */
        private long hedgeDelay;
        private boolean hedgeArmed;
        /** Whether the hedge already waited out a process stall ({@link Hedge#grace}): it does so once. */
        private boolean hedgeGraced;
        /**
         * Whether the process was stalled while the first attempt waited for its hedge: if the hedge wins, the loser
         * is no stall of its region (the wait was the process's).
         */
        private volatile boolean stalledBeforeHedge;
        /**
         * The index of the suspect region a read started past ({@code -1}: none, or already gone back to): when every
         * other region it tried failed retryably, the read goes back to it rather than fail ({@link Detour#goBack}).
         */
        private int passed = -1;
        /** The detached trial this run sent to the {@link #passed} region; null when it sent none. */
        private @Nullable CompletableFuture<T> passedTrial;

        /**
         * @param launch starts an attempt of an asynchronous run in a region; null for a synchronous run
         * @param syncCall the call of a synchronous run; null for an asynchronous one
         */
        Run(Operation op, RoutingContext ctx, RoutingPlan plan, int limit, FailureClassifier classifier,
                @Nullable Function<Region, CompletableFuture<T>> launch, @Nullable Function<Region, T> syncCall,
                boolean hedge, Predicate<Region> cold, @Nullable ServedRegion served, CompletableFuture<T> result,
                @Nullable AsyncCall<T> call) {
            this.op = op;
            this.ctx = ctx;
            this.plan = plan;
            this.regions = plan.regions();
            this.classifier = classifier;
            this.launch = launch;
            this.syncCall = syncCall;
            this.hedge = hedge;
            this.cold = cold;
            this.served = served;
            this.result = result;
            this.call = call;
            this.failover = new Failover(op, ctx, plan, limit);
            this.callerTimesHedge = syncCall != null;
        }

        CompletableFuture<T> start() {
            int firstIndex;
            Region trialRegion = null;
            Region suspectRegion = null;
            long suspectTrialNanos = -1;
            @Nullable Region next;
            synchronized (this) {
                firstIndex = failover.take();
                if (op.kind() == OperationKind.READ && failover.hasNext()) {
                    Region first = regions.get(firstIndex);
                    Gate gate = new Gate(op, first);
                    if (gate.halfOpen()) {
                        trialRegion = first;
                        firstIndex = failover.take();
                    } else if (hedge && gate.primary.suspect()) {
                        // Suspect after a run of unanswered losers: the read starts in the next region and, once per
                        // hedge delay, the region gets it as a detached trial.
                        passed = firstIndex;
                        firstIndex = failover.take();
                        suspectTrialNanos = new Detour().suspectTrial(gate, regions.get(firstIndex));
                        if (suspectTrialNanos >= 0) {
                            suspectRegion = first;
                        }
                    } else if (op.unhedged() && gate.primary.writesGoElsewhere(writesGoElsewhereNanos)) {
                        // An unhedged (consistent) read gets no trial out of its hedge: past a suspect region like a
                        // write, as CallerThreadLoop#execute does, but unlike a write it may go back there (goBack).
                        FailoverLog.startsPast(op, first);
                        passed = firstIndex;
                        firstIndex = failover.take();
                    }
                } else if (op.kind() != OperationKind.READ && failover.hasNext()
                        && breaker(op, regions.get(firstIndex)).writesGoElsewhere(writesGoElsewhereNanos)) {
                    FailoverLog.startsPast(op, regions.get(firstIndex));
                    firstIndex = failover.take();
                }
                next = failover.hasNext() ? regions.get(failover.peek()) : null;
            }
            if (trialRegion != null) {
                new Detour().trial(trialRegion, -1);
            }
            if (suspectRegion != null) {
                CompletableFuture<T> t = new Detour().trial(suspectRegion, suspectTrialNanos);
                synchronized (this) {
                    passedTrial = t;
                }
            }
            if (hedge) {
                // A hedged run exists only with hedging on, which makes the hedger and its budget.
                Objects.requireNonNull(budget, "budget").earn();
                if (!callerTimesHedge) {
                    // Before the first attempt starts, so that a stall of the process during it is seen (the hedge
                    // timer that runs the tick is started for this read's hedge anyway).
                    stallMeter.needed();
                }
            }
            boolean firstCold = launchAttempt(firstIndex, false);
            if (hedge && !result.isDone()) {
                long delay = hedging.delayNanos(tail == null ? -1 : tail.hedgeAfter(regions.get(firstIndex), next,
                        op.name()));
                delay = hedgeDelayNanos(delay, firstCold, config.firstAttemptTimeout());
                long due = System.nanoTime() + delay;
                hedgeDelay = delay;
                if (callerTimesHedge) {
                    hedgeDue = due;
                    hedgeArmed = true;
                } else {
                    hedgeTimer(due - delay, due, delay);
                }
            }
            return result;
        }

        /**
         * The result of a synchronous run, waited for on the caller's thread, which sends the hedge when it is due and
         * no attempt answered (as late as the hedge timer would have been in a stalled process, so the lateness is
         * measured the same way, and the hedge waits out a stall the same way: {@link Hedge#grace}). Interrupted, it
         * cancels the run's attempts.
         */
        T await() throws InterruptedException, ExecutionException {
            try {
                long start = hedgeDue - hedgeDelay;
                while (hedgeArmed && !result.isDone()) {
                    try {
                        return result.get(hedgeDue - System.nanoTime(), TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        new Hedge().dueOnCaller(start);
                    }
                }
                return result.get();
            } catch (InterruptedException e) {
                result.cancel(true);
                abandon();
                throw e;
            }
        }

        /**
         * Ends the run (under its lock, once): a hedge the budget refused and that was never sent counts as refused
         * now, so that a read counts once, in {@code meridian.hedge.refused} or in {@code meridian.hedge.sent}.
         */
        private void end() {
            done = true;
            Region refused = refusedTo;
            if (refused != null && !hedgeSent) {
                metrics.hedgeRefused(refused);
            }
            WatchedBreaker p = proving;
            if (p != null) {
                p.proofEnded();
                proving = null;
            }
        }

        /** Starts an attempt in the region at {@code index}; true when it went through a cold client. */
        private boolean launchAttempt(int index, boolean isHedge) {
            Region region = regions.get(index);
            Gate gate = new Gate(op, region);
            CallNotPermittedException refused = gate.acquire();
            if (refused != null) {
                new Detour().onFailure(null, region, refused, FailureDecision.REGIONAL_NOT_APPLIED);
                return false;
            }
            gate.cold = cold.test(region);
            if (hedge && !gate.cold) {
                // Before the attempt starts, so that a stall of the process during it is seen. A synchronous read's
                // attempt through a cold client needs no tick: its time is never held against its region, and its
                // caller, who sends the hedge at the cold delay, measures its own late wake-up (Run.await); so a cold
                // start's first read starts no timer thread.
                stallMeter.needed();
            }
            Attempt a = new Attempt(gate);
            int attempt;
            synchronized (this) {
                if (done) {
                    gate.release();
                    return false;
                }
                inflight.add(a);
                attempt = ++attempts;
            }
            // Set before a.future is published: whoever completes or cancels the attempt sees it.
            gate.observation = observations.start(parentObservation, region, op.name(), attempt);
            CompletableFuture<T> f;
            HeardAtTheWire.Listener before = HeardAtTheWire.listen(a);
            try {
                // A synchronous run exists only with hedging on, which makes the hedger.
                f = syncCall != null ? Objects.requireNonNull(hedger, "hedger").run(a)
                        : Objects.requireNonNull(launch, "launch").apply(region);
                if (f == null) {
                    f = CompletableFuture.failedFuture(new NullPointerException(op.name() + " returned no future"));
                }
            } catch (Hedger.Saturated e) {
                if (isHedge) {
                    // No worker for the hedge: the first attempt goes on alone.
                    synchronized (this) {
                        inflight.remove(a);
                    }
                    gate.release();
                    observations.stop(gate.observation, Metrics.CANCELLED, null);
                    return false;
                }
                // Every hedge worker is busy: the attempt runs here, on the thread that launches it, without a hedge.
                f = a.onLaunchingThread();
            } catch (Throwable t) {
                f = CompletableFuture.failedFuture(t);
            } finally {
                HeardAtTheWire.listen(before);
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
            f.whenComplete(a);
            return gate.cold;
        }

        private void completed(Attempt a, T value, @Nullable Throwable error) {
            long nanos = System.nanoTime() - a.start;
            Region region = a.gate.region();
            if (error != null) {
                new Detour().failed(a, region, error, nanos);
                return;
            }
            succeeded(op, a.gate, nanos);
            List<Attempt> losers;
            synchronized (this) {
                inflight.remove(a);
                if (done) {
                    return;
                }
                end();
                losers = new ArrayList<>(inflight);
                inflight.clear();
            }
            if (!losers.isEmpty()) {
                new Hedge().cancelLosers(losers, a);
            }
            if (region.equals(hedgeRegion)) {
                metrics.hedgeWon(region);
            }
            answer(region, value);
        }

        /** Completes the run with the answer of its attempt in {@code region}. */
        private void answer(Region region, T value) {
            if (served != null) {
                served.served(region);
            }
            AsyncCall<T> c = call;
            if (c != null) {
                c.answer(region, value);
            } else {
                result.complete(value);
            }
        }

        /** Tells an {@link AnsweredCall} how an attempt of its in {@code region} completed. */
        private void attempted(Region region, @Nullable Throwable error) {
            AsyncCall<T> c = call;
            AnsweredCall<T> t = c != null ? c.told() : null;
            if (t != null) {
                t.attempted(region, error);
            }
        }

        /** Sends the hedge if it is still wanted and allowed; true when the budget refused it ({@link Hedge#send}). */
        boolean hedge() {
            return new Hedge().send();
        }

        /** Arms the hedge timer of an asynchronous read whose first attempt started at {@code start}. */
        void hedgeTimer(long start, long due, long delay) {
            new Hedge().timer(start, due, delay);
        }

        /** Ends the run and cancels the attempts still in flight (the caller gave up on it). */
        void abandon() {
            new Detour().abandon();
        }

        /**
         * The hedge once it is due: sent within the budget or past it, asked for again when refused, the losers
         * cancelled once an attempt won; and an asynchronous read's hedge timer. A class of its own, loaded only when a
         * hedge comes due or an asynchronous run times one, not by a first read answered before its hedge (cold start).
         */
        final class Hedge {
            /** The hedge of a synchronous read is due on its waiting caller's thread ({@link Run#await}). */
            void dueOnCaller(long start) {
                long now = System.nanoTime();
                stalls.timerFired(hedgeDue, now);
                long grace = grace(start, now);
                if (grace > 0) {
                    hedgeDue = now + grace;
                } else if (send()) {
                    hedgeDue = now + hedgeRetryNanos(hedgeDelay);
                } else {
                    hedgeArmed = false;
                }
            }

            /**
             * Arms the hedge timer of an asynchronous read whose first attempt started at {@code start}. The task holds
             * the run, not this: armed on every asynchronous hedged run, this object then does not escape (the JIT
             * allocates none).
             */
            void timer(long start, long due, long delay) {
                Run<T> run = Run.this;
                ScheduledFuture<?> timer = Objects.requireNonNull(hedger, "hedger")
                        .schedule(() -> run.new Hedge().fired(start, due), delay);
                // The timer of a call that completed first is removed at once, not left to fire for nothing.
                result.whenComplete((v, e) -> timer.cancel(false));
            }

            /** The hedge timer armed at {@code start} fired: waits out a process stall once, then sends the hedge. */
            private void fired(long start, long due) {
                long now = System.nanoTime();
                stalls.timerFired(due, now);
                long grace = grace(start, now);
                if (grace > 0) {
                    timer(start, now + grace, grace);
                } else if (send()) {
                    long again = hedgeRetryNanos(hedgeDelay);
                    timer(start, now + again, again);
                }
            }

            /**
             * How much longer the hedge due now waits: once, as long as the process was stalled while the first attempt
             * waited (its answer may be in, unread), so a starved process does not hedge healthy reads.
             */
            private long grace(long start, long now) {
                if (hedgeGraced) {
                    return 0;
                }
                hedgeGraced = true;
                long grace = stalls.hedgeGrace(start, now, hedgeDelay);
                if (grace > 0) {
                    stalledBeforeHedge = true;
                    LOG.debug("Hedge of {} waits {} µs more: the process was stalled while its first attempt waited",
                            op.name(), grace / 1_000);
                }
                return grace;
            }

            /**
             * Sends the hedge if it is still wanted and allowed: with a budget token, or past the budget
             * ({@link #pastTheBudget}) when the first attempt's region has been given up on
             * ({@link WatchedBreaker#givenUp}: suspect, or ejected) or is found suspect now,
             * {@linkplain #silent silent} while the hedge's region answered. Such a hedge is no extra load on a region
             * that browns out but the failover of a read stuck in a region Meridian no longer sends reads to; the
             * budget still caps the hedges of reads to a slow region that answers. A hedge the budget refuses is not
             * final: true is returned and the hedge's timer asks again after another hedge delay
             * ({@link RegionalExecutor#hedgeRetryNanos}), by when a token may have come free or the region been given
             * up on.
             */
            boolean send() {
                int index;
                String retried;
                synchronized (Run.this) {
                    if (done || hedgeSent || inflight.size() != 1 || !failover.hasNext()) {
                        return false;
                    }
                    boolean spent = Objects.requireNonNull(budget, "budget").trySpend();
                    String past = spent ? null : pastTheBudget(inflight.get(0), regions.get(failover.peek()));
                    if (!spent && past == null) {
                        if (refusedTo == null) {
                            refusedTo = regions.get(failover.peek());
                            LOG.debug("Hedge of {} refused: the hedge budget is spent; asked again after the hedge "
                                    + "delay", op.name());
                        }
                        return true;
                    }
                    hedgeSent = true;
                    index = failover.take();
                    hedgeRegion = regions.get(index);
                    retried = past != null ? past : refusedTo != null ? "budget" : null;
                }
                metrics.hedgeSent(hedgeRegion);
                if (retried != null) {
                    metrics.hedgeRetried(hedgeRegion, retried);
                    LOG.debug("Hedging {} to {} {}", op.name(), hedgeRegion.id(), sentBecause(retried));
                } else {
                    LOG.debug("Hedging {} to {}", op.name(), hedgeRegion.id());
                }
                launchAttempt(index, true);
                return false;
            }

            /**
             * Why the hedge goes out although the budget has no token for it, or null when it does not:
             * {@code failover} when the {@code first} attempt's region has been given up on
             * ({@link WatchedBreaker#givenUp}), or is found suspect now because it went {@linkplain #silent silent}
             * while {@code next} answered; {@code proof} when it went silent but nothing was heard from {@code next}
             * either since the attempt started (the budget was spent before the fault, so no hedge went there) and this
             * read sends the region's one proof hedge on a borrowed token ({@link #prove}): if {@code next} answers it
             * while the first region stays silent, the reads asking again find the region suspect by the rule above.
             */
            private @Nullable String pastTheBudget(Attempt first, Region next) {
                WatchedBreaker primary = first.gate.primary;
                if (primary.givenUp()) {
                    return "failover";
                }
                if (first.gate.cold || !silent(first)) {
                    return null;
                }
                if (!health.watched(next).heardSince(first.start)) {
                    return prove(first, next) ? "proof" : null;
                }
                Region region = first.gate.region();
                if (primary.suspectUnheard()) {
                    metrics.regionSuspicion(region, "suspected");
                    LOG.info("Region {} suspect for {}: nothing heard from it for {} ms since an attempt started "
                            + "while {} answered; reads start in the next region while a detached trial finds out "
                            + "whether it answers", region.id(), op.name(),
                            (System.nanoTime() - first.start) / 1_000_000, next.id());
                }
                return primary.givenUp() ? "failover" : null;
            }

            /**
             * Whether the {@code first} attempt's region has not been heard from (no answer of any kind, to any call)
             * since the attempt started, for {@value RegionalExecutor#UNHEARD_HEDGE_DELAYS} hedge delays (at least
             * {@value RegionalExecutor#UNHEARD_RUNNING_DELAYS} of them of the time the process was running). With the
             * hedge's region answering meanwhile the process evidently sends and receives, so this is no stall of the
             * process, and the region is suspect ({@link #pastTheBudget}); a slow region that answers other calls is
             * heard. This finds a black hole when the first losers were excused as process stalls and the budget
             * refuses the hedges of the reads stuck there, which would otherwise wait until their attempts time out.
             */
            private boolean silent(Attempt first) {
                long now = System.nanoTime();
                long waited = now - first.start;
                long delay = hedgeRetryNanos(hedgeDelay);
                return waited >= UNHEARD_HEDGE_DELAYS * delay && !health.watched(first.gate.region()).heardSince(first.start)
                        && stalls.unstalledNanos(now, waited) >= UNHEARD_RUNNING_DELAYS * delay;
            }

            /**
             * Takes the silent {@code first} region's one proof hedge ({@link WatchedBreaker#tryProve}) and a borrowed
             * budget token ({@link HedgeBudget#tryBorrow}: one token of debt at most, repaid by later reads' shares, so
             * the hedges stay within the budget and one); false when another read's proof is out or the budget is
             * already in debt. Nothing else would show whether the process receives while the region is silent.
             */
            private boolean prove(Attempt first, Region next) {
                WatchedBreaker region = health.watched(first.gate.region());
                if (!region.tryProve()) {
                    return false;
                }
                if (!Objects.requireNonNull(budget, "budget").tryBorrow()) {
                    region.proofEnded();
                    return false;
                }
                proving = region;
                LOG.debug("Proof hedge of {} to {}: nothing heard from {} for {} ms since the attempt started, nor "
                        + "from {}", op.name(), next.id(), region.region().id(),
                        (System.nanoTime() - first.start) / 1_000_000, next.id());
                return true;
            }

            /** Why a hedge went out although the budget had no token for it (the log says). */
            private static String sentBecause(String retried) {
                return switch (retried) {
                    case "failover" -> "past the spent hedge budget: its first region is suspect or ejected";
                    case "proof" -> "on a borrowed hedge budget token: a proof that the process receives";
                    default -> "after a refusal: a hedge budget token came free";
                };
            }

            /**
             * Sends the hedge now, not when its delay is up, when the only attempt in flight was throttled: the SDK
             * backs off before its retry (a jittered delay of up to a second), which the delay would only wait out. On
             * a hedge thread: the answer arrived on the SDK's thread, which must not make the next region's call.
             */
            void now(Attempt throttled) {
                if (!hedge) {
                    return;
                }
                synchronized (Run.this) {
                    if (done || hedgeSent || inflight.size() != 1 || inflight.get(0) != throttled) {
                        return;
                    }
                }
                Objects.requireNonNull(hedger, "hedger").schedule(this::send, 0);
            }

            /**
             * Cancels the attempts still in flight. An attempt that started before the {@code winner} and had not
             * answered when it did stalled while another region answered: that counts towards ejecting its region
             * (unless its client was cold, the process was stalled for a quarter of its time or while it waited for the
             * hedge, or its region answered anything since the attempt started: a throttled call the SDK is backing off
             * is not a dead region).
             */
            void cancelLosers(List<Attempt> losers, @Nullable Attempt winner) {
                for (Attempt l : losers) {
                    l.cancel();
                    metrics.hedgeCancelled(l.gate.region());
                    long now = System.nanoTime();
                    if (winner != null && l.start - winner.start < 0 && !l.gate.cold && !stalledBeforeHedge
                            && !stalls.excuses(now, now - l.start) && !health.watched(l.gate.region()).heardSince(l.start)) {
                        failedAttempts().lostUnanswered(op, l.gate, l.start, winner.gate.region());
                    }
                }
            }
        }

        /**
         * A run's ways off a first attempt that succeeds: starting past its first region (a detached trial there), a
         * failed or cancelled attempt, failover, going back to a region passed, the caller giving up. A class of its
         * own, loaded only when one is taken, not by a first read that succeeds (cold start).
         */
        final class Detour {
            /**
             * For a read starting past its suspect first region ({@code gate}'s, {@code next} taking it): the hedge
             * delay (never negative) the answer of the detached trial it sends there must come within, or -1 when it
             * sends none (another read's trial is under way, or unanswered trials just ejected the region).
             */
            long suspectTrial(Gate gate, Region next) {
                Region first = gate.region();
                long delay = hedging.delayNanos(tail == null ? -1 : tail.hedgeAfter(first, next, op.name()));
                WatchedBreaker.Trial t = gate.primary.tryTrial(ejectAfterStalls, delay);
                if (t == WatchedBreaker.Trial.SEND) {
                    return delay;
                }
                if (t == WatchedBreaker.Trial.EJECTED) {
                    LOG.info("Region {} ejected for {}: {} trials in a row unanswered within the hedge delay while "
                            + "suspect; its circuit breaker is open", first.id(), op.name(), ejectAfterStalls);
                }
                return -1;
            }

            /**
             * A detached trial attempt in a region behind a half-open breaker, or in a suspect region
             * ({@code fastNanos} at least 0: the hedge delay its answer must come within to clear the suspicion); its
             * outcome only feeds the breaker.
             */
            @Nullable CompletableFuture<T> trial(Region region, long fastNanos) {
                Gate gate = new Gate(op, region);
                boolean suspectTrial = fastNanos >= 0;
                if (gate.acquire() != null) {
                    return null;
                }
                gate.cold = cold.test(region);
                gate.observation = observations.start(parentObservation, region, op.name(), nextAttempt());
                long start = System.nanoTime();
                CompletableFuture<T> f;
                HeardAtTheWire.Listener before = HeardAtTheWire.listen(health.watched(region));
                try {
                    Function<Region, T> sync = syncCall;
                    f = sync != null ? Objects.requireNonNull(hedger, "hedger")
                            .run(new TrialOnHedgeThread<>(health.watched(region), ctx, sync, region))
                            : Objects.requireNonNull(launch, "launch").apply(region);
                } catch (Hedger.Saturated e) {
                    f = null;
                } catch (Throwable t) {
                    f = CompletableFuture.failedFuture(t);
                } finally {
                    HeardAtTheWire.listen(before);
                }
                if (f == null) {
                    gate.release();
                    observations.stop(gate.observation, Metrics.CANCELLED, null);
                    return null;
                }
                LOG.debug("Trial of {} in {} region {}", op.name(), suspectTrial ? "suspect" : "half-open",
                        region.id());
                f.whenComplete((v, error) -> {
                    long nanos = System.nanoTime() - start;
                    attempted(region, error);
                    if (error == null) {
                        succeeded(op, gate, nanos);
                        // Only the time the process ran: a trial slowed by a stall of the process is the process's.
                        if (suspectTrial && failedAttempts().heldAgainstRegion(gate, nanos) <= fastNanos) {
                            gate.primary.trialAnsweredInTime();
                            metrics.regionSuspicion(region, "cleared");
                            LOG.info("Region {} answered its trial ({} in {} ms): no longer suspect", region.id(),
                                    op.name(), nanos / 1_000_000);
                        }
                    } else {
                        // A trial that timed out ejects the suspect region (WatchedBreaker#stalled); any other failure
                        // leaves it to the next trial.
                        failedAttempts().failed(op, gate, nanos, FailedAttempts.unwrapCompletion(error), classifier);
                    }
                });
                return f;
            }

            private int nextAttempt() {
                synchronized (Run.this) {
                    return ++attempts;
                }
            }

            /** An attempt that failed, or was cancelled ({@code error} the failure its future completed with). */
            void failed(Attempt a, Region region, Throwable error, long nanos) {
                Throwable e = FailedAttempts.unwrapCompletion(error);
                if (e instanceof CancellationException || a.cancelled) {
                    SdkServiceException throttling = a.throttling;
                    if (throttling != null) {
                        // Cancelled while the SDK backed off after a throttled answer: recorded as the throttled
                        // attempt it would have completed as (the table's breaker, no latency), as for an unhedged
                        // read.
                        failedAttempts().throttled(a.gate, op, nanos, throttling);
                    } else {
                        a.gate.release();
                        // Abandoned, not finished: it would have taken at least this long, which the tail estimate
                        // must see or adaptive hedging would only ever learn from the attempts fast enough to win.
                        latency.recordAbandoned(region, nanos);
                        if (tail != null && !a.gate.cold) {
                            // Only the time the process ran: a stall of the process says nothing of the region's tail.
                            tail.recordAtLeast(region, op.name(), failedAttempts().heldAgainstRegion(a.gate, nanos));
                        }
                    }
                    metrics.call(region, op.name(), Metrics.CANCELLED, nanos);
                    observations.stop(a.gate.observation, Metrics.CANCELLED, null);
                    synchronized (Run.this) {
                        inflight.remove(a);
                        if (done) {
                            return;
                        }
                    }
                    onFailure(a, region, e, FailureDecision.ABORTED);
                    return;
                }
                FailureDecision decision = failedAttempts().failed(op, a.gate, nanos, e, classifier,
                        op.kind() == OperationKind.WRITE ? a : null);
                onFailure(a, region, e, decision);
            }

            void onFailure(@Nullable Attempt a, Region region, Throwable e, FailureDecision decision) {
                List<Attempt> losers = List.of();
                Throwable fail = null;
                int startIndex = -1;
                CompletableFuture<T> backTo = null;
                synchronized (Run.this) {
                    if (a != null) {
                        inflight.remove(a);
                    }
                    if (done) {
                        return;
                    }
                    if (!failover.movesOn(e, decision)) {
                        end();
                        losers = new ArrayList<>(inflight);
                        inflight.clear();
                        fail = e;
                    } else if (inflight.isEmpty()) {
                        if (failover.hasNext()) {
                            startIndex = failover.take();
                        } else if (passed >= 0) {
                            startIndex = passed;
                            passed = -1;
                            backTo = passedTrial;
                        } else {
                            end();
                            fail = failover.exhausted();
                        }
                    }
                }
                if (!losers.isEmpty()) {
                    new Hedge().cancelLosers(losers, null);
                }
                if (fail != null) {
                    fail(fail);
                } else if (backTo != null) {
                    FailoverLog.failover(metrics, ctx, op, region, regions.get(startIndex), e, decision);
                    goBack(regions.get(startIndex), backTo);
                } else if (startIndex >= 0) {
                    FailoverLog.failover(metrics, ctx, op, region, regions.get(startIndex), e, decision);
                    launchAttempt(startIndex, false);
                }
            }

            /**
             * Goes back to the suspect region the read started past, now that every other region it tried failed
             * retryably: the read is answered by the detached trial this run sent there (it already is one of the
             * call's attempts, so the budget holds), or fails as exhausted when the trial fails too. A run that sent no
             * trial there makes a plain attempt in its place (the slot the region was passed in).
             */
            private void goBack(Region region, CompletableFuture<T> trial) {
                trial.whenComplete((v, error) -> {
                    Throwable fail;
                    synchronized (Run.this) {
                        if (done) {
                            return;
                        }
                        end();
                        fail = error == null ? null : failover.exhausted();
                    }
                    if (fail == null) {
                        answer(region, v);
                    } else {
                        fail.addSuppressed(FailedAttempts.unwrapCompletion(error));
                        fail(fail);
                    }
                });
            }

            private void fail(Throwable failure) {
                AsyncCall<T> c = call;
                if (c != null) {
                    c.fail(failure);
                } else {
                    result.completeExceptionally(failure);
                }
            }

            /** Ends the run and cancels the attempts still in flight (the caller gave up on it). */
            void abandon() {
                List<Attempt> losers;
                synchronized (Run.this) {
                    if (!done) {
                        end();
                    }
                    losers = new ArrayList<>(inflight);
                    inflight.clear();
                }
                losers.forEach(Attempt::cancel);
            }
        }

        /**
         * One attempt in flight; it is its own completion callback, the listener of its call's answers
         * ({@link HeardAtTheWire}) and its call's {@link ThrottleFence}, one object less per attempt each.
         */
        final class Attempt extends ThrottleFence implements BiConsumer<T, Throwable>, Callable<T> {
            final Gate gate;
            final long start;
            volatile @Nullable CompletableFuture<T> future;
            volatile boolean cancelled;
            /** The throttling error of the call's last answer; null when it answered otherwise or not yet. */
            volatile @Nullable SdkServiceException throttling;
            /** Set when the caller runs this attempt itself: what releases it from its SDK call. */
            @Nullable ReleasableAttempt release;

            Attempt(Gate gate) {
                this.gate = gate;
                this.start = System.nanoTime();
            }

            /** The caller's own attempt, started at {@code start}, taken over by the run. */
            Attempt(Gate gate, long start) {
                this.gate = gate;
                this.start = start;
            }

            /** The attempt of a synchronous run on its hedge thread: heard at the wire by this, under its context. */
            @Override
            @SuppressWarnings("try") // the scope only makes the captured context current while the call is made
            public T call() {
                HeardAtTheWire.Listener before = HeardAtTheWire.listen(this);
                try (RoutingContext.Scope s = ctx.open()) {
                    return Objects.requireNonNull(syncCall, "syncCall").apply(gate.region());
                } finally {
                    HeardAtTheWire.listen(before);
                }
            }

            /** The attempt of a synchronous run on the thread that launches it, when no hedge worker is free. */
            @SuppressWarnings("try") // the scope only makes the captured context current while the call is made
            CompletableFuture<T> onLaunchingThread() {
                try (RoutingContext.Scope s = ctx.open()) {
                    return CompletableFuture.completedFuture(
                            Objects.requireNonNull(syncCall, "syncCall").apply(gate.region()));
                } catch (Throwable t) {
                    return CompletableFuture.failedFuture(t);
                }
            }

            void cancel() {
                cancelled = true;
                ReleasableAttempt r = release;
                if (r != null) {
                    r.release(); // the caller's own call: the SDK ends it (its call timeout, run now)
                }
                CompletableFuture<T> f = future;
                if (f != null) {
                    f.cancel(true);
                }
            }

            @Override
            public void accept(T value, Throwable error) {
                attempted(gate.region(), error);
                completed(this, value, error);
            }

            @Override
            public void heard() {
                super.heard();
                throttling = null;
                health.watched(gate.region()).heard();
            }

            @Override
            public void throttled(SdkServiceException e) {
                super.throttled(e);
                throttling = e;
                new Hedge().now(this);
            }
        }
    }
}
