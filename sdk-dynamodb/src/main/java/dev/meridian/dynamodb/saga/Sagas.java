package dev.meridian.dynamodb.saga;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.FailureDecision;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.IdempotencyResultNotStoredException;
import dev.meridian.core.idempotency.IdempotencyStore;
import dev.meridian.core.idempotency.ResultCodec;
import dev.meridian.core.internal.NumberedDaemons;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Runs {@link Saga sagas} across regions: each step's action and each compensation at most once (through sdk-core's
 * {@link Idempotency}, keyed {@code <saga>/<id>/<step>/do} and {@code .../undo}), the saga's progress in a saga log
 * on a DynamoDB global table, so any instance in any region can {@link #resume(String) resume} a saga whose run
 * crashed.
 *
 * <pre>{@code
 * Sagas sagas = Sagas.builder()
 *         .client(dynamo)                      // the multi-region client from MultiRegionDynamoDb
 *         .table("saga_log")                   // partition key "id" (S), a global table
 *         .idempotencyStore(idempotencyStore)  // e.g. a DynamoDbIdempotencyStore on the same client
 *         .saga(order)
 *         .build();
 * SagaResult r = sagas.start(order, orderId, orderJson);   // runs on this thread; COMPLETED or COMPENSATED
 * }</pre>
 *
 * <p><b>How a run goes.</b> {@link #start} writes the saga's log item (RUNNING, every step PENDING) with a lease for
 * this run, then runs the steps in order: each action through {@code Idempotency} (so a repeat replays the recorded
 * result instead of running it again), then one conditional write records its result. A step that throws fails the
 * saga: the log records it (COMPENSATING) and the steps that ran are compensated in reverse order — the failed step
 * too when its failure may have applied it (a {@link SagaStep.Builder#timeout timeout}, an ambiguous AWS failure,
 * an interrupt; see {@link SagaStepStatus#FAILED_MAYBE_APPLIED}). The outcome is recorded: {@link SagaState#COMPLETED},
 * {@link SagaState#COMPENSATED}, or {@link SagaState#FAILED} when a compensation threw (an operator fixes the cause and
 * calls {@link #resume(String)}, which retries the remaining compensations).
 *
 * <p><b>The log.</b> One item per saga (partition key {@code id}; see docs/sagas.md for the attributes), homed in
 * one region by its id exactly as {@code DynamoDbIdempotencyStore} homes keys: the first region of the id's
 * rendezvous-hash order over the table's regions ({@link Builder#replicaRegions}, else every configured region),
 * whatever the caller's context; reads are consistent reads there, and when the home is down the saga waits for it
 * (calls fail, nothing runs twice). Every write is a whole-item put conditional on the version it replaces.
 *
 * <p><b>Residency.</b> A run uses a {@code RoutingContext} with the saga's {@link Saga#dataClass() data class} (else
 * the data class of the context that started it) and the starting context's subject country, both recorded in the
 * log so a resume elsewhere runs under the same context. Before the log is written the table's replica footprint is
 * checked against it, and the router refuses a home region it does not allow: a RESTRICTED saga's log is never
 * written outside the subject's jurisdiction. The idempotency records and the steps' own routed calls run under the
 * same context.
 *
 * <p><b>Crashes and racing instances.</b> A run holds a lease on the log item (owner and expiry, renewed by each of
 * its writes to cover the next step). {@link #resume(String)} takes it over only when it has expired; two instances
 * resuming at once race on the conditional write and one wins ({@link SagaInProgressException} for the other). If a
 * slow run's lease expires and another takes over, the slow run's next write fails and it stops; a step it was still
 * running is held by its idempotency claim, so the new run gets {@code SagaInProgressException} instead of running
 * it again until the claim's in-progress expiry (the step's timeout, else the lease duration) has passed. An
 * {@link Error} thrown by a step (a crash) is not caught: the saga stays as logged until a resume or a
 * {@link #sweep(Duration) sweep}. {@link #sweep(Duration)} resumes unfinished sagas idle longer than a duration: call
 * it on a schedule, or let {@link Builder#sweepEvery} run it on one background thread, which {@link #close()} stops.
 *
 * <p><b>What is not guaranteed.</b> A step action that crashes (or times out) after its side effect and before its
 * idempotency record completes is run again by a resume after the claim's in-progress expiry: make effects that must
 * not repeat keyed downstream ({@link SagaContext#effectKey(String)}). Step records live for
 * {@link Builder#stepRecordTtl} (default 7 days): resume a saga within that time. See docs/sagas.md.
 *
 * <p>Meters (when Micrometer and a registry are there): {@code meridian.saga.outcomes} (tags {@code region},
 * {@code saga}, {@code outcome}). Logs name sagas by name and id, never input or results. Thread-safe.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Sagas implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Sagas.class);
    /** The largest saga input, in UTF-8 bytes: the log item holds it with every result within DynamoDB's 400 KB. */
    static final int MAX_INPUT_BYTES = 64 * 1024;
    /** The longest saga id, in UTF-8 bytes (the log item's partition key). */
    static final int MAX_ID_BYTES = 1024;
    /** The largest step result, in UTF-8 bytes (see {@link #MAX_INPUT_BYTES}). */
    static final int MAX_RESULT_BYTES = 32 * 1024;
    private static final String COMPENSATED_MARK = "compensated";
    private static final int MAX_CAUSES = 64;

    /** Receives each outcome a run records; the Micrometer implementation is used when a registry exists. */
    interface OutcomeListener {
        void outcome(String saga, SagaState state);
    }

    private final SagaLog sagaLog;
    private final Idempotency idempotency;
    private final FailureClassifier classifier;
    private final InstantSource clock;
    private final Map<String, Saga> sagas;
    private final Duration leaseDuration;
    private final OutcomeListener outcomes;
    private final Object executorLock = new Object();
    private @Nullable ExecutorService stepExecutor;
    private final @Nullable ScheduledExecutorService sweeper;
    private volatile boolean closed;

    private Sagas(Builder b, MultiRegionDynamoDb.Shared shared) {
        this.sagaLog = new SagaLog(Objects.requireNonNull(b.table, "table"), shared, b.replicaRegions);
        this.clock = b.clock;
        this.sagas = Map.copyOf(b.sagas);
        this.leaseDuration = b.leaseDuration;
        FailureClassifier aws = FailureClassifier.aws();
        // A timed-out action may still land: like an interrupted call, its idempotency claim is kept.
        this.classifier = failure -> failure instanceof SagaStepTimeoutException
                ? FailureDecision.ABORTED : aws.classify(failure);
        this.idempotency = Idempotency.builder()
                .store(Objects.requireNonNull(b.store, "store"))
                .ttl(b.stepRecordTtl)
                .inProgressTimeout(leaseDuration)
                .clock(clock)
                .failureClassifier(classifier)
                .build();
        String region = shared.runtime().config().localRegion().id();
        // Deliberately no method reference: linking SagaMetrics loads MeterRegistry, and Micrometer is optional.
        Optional<?> registry = b.meterRegistry != null ? Optional.of(b.meterRegistry)
                : MultiRegionSpi.of(shared.runtime()).meterRegistry();
        this.outcomes = registry.isPresent()
                ? new SagaMetrics((MeterRegistry) registry.get(), region)
                : (saga, state) -> { };
        Duration every = b.sweepEvery;
        Duration idle = b.sweepIdle;
        if (every != null && idle != null) {
            this.sweeper = Executors.newSingleThreadScheduledExecutor(new NumberedDaemons("meridian-saga-sweep-"));
            sweeper.scheduleWithFixedDelay(() -> scheduledSweep(idle), every.toNanos(), every.toNanos(),
                    TimeUnit.NANOSECONDS);
        } else {
            this.sweeper = null;
        }
    }

    /** A builder; client, table, idempotency store and at least one saga are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts saga {@code id} of {@code saga} with {@code input} and runs it on this thread to its outcome.
     * Starting an id that exists with the same saga and input resumes it instead (a retried start is harmless).
     *
     * @return the saga as logged at the end of the run: COMPLETED, COMPENSATED or FAILED
     * @throws SagaInProgressException when another run holds the saga (a retried start while it runs)
     * @throws IllegalArgumentException when the saga is not registered, the id is used by another saga or input, or
     *         the input is too large
     * @throws dev.meridian.core.residency.ResidencyViolationException when the log table or the saga's home region is
     *         outside the regions the saga's data class allows (nothing is written, no step runs)
     */
    public SagaResult start(Saga saga, String id, String input) {
        requireOpen();
        Saga definition = registered(Objects.requireNonNull(saga, "saga").name());
        checkId(id);
        Objects.requireNonNull(input, "input");
        SettingRules.check(utf8Length(input) <= MAX_INPUT_BYTES, "saga input", "must be at most " + MAX_INPUT_BYTES
                + " UTF-8 bytes (it lives in the saga log item)", utf8Length(input) + " bytes",
                "pass an id or reference and keep the document elsewhere");
        RoutingContext current = RoutingContext.current();
        RoutingContext ctx = sagaLog.context(definition.dataClass()
                .map(dc -> current.toBuilder().dataClass(dc).build()).orElse(current));
        Instant now = clock.instant();
        SagaRecord record = SagaRecord.started(id, definition, input,
                ctx.isDataClassDeclared() ? ctx.dataClass().name() : null, ctx.subjectCountry().orElse(null), now);
        Run run = new Run(definition, record, ctx);
        record.leasedTo(run.runId, leaseUntil(now, definition, 0));
        try (RoutingContext.Scope scope = ctx.open()) {
            if (!sagaLog.create(record, ctx)) {
                SagaRecord existing = sagaLog.read(id, ctx).orElseThrow(() -> new IllegalStateException(
                        "saga " + id + " was there when starting it and is gone now: its log item was deleted"));
                if (!run.runId.equals(existing.owner)) {
                    SettingRules.check(existing.sagaName.equals(definition.name()) && existing.input.equals(input),
                            "saga id", "is already used by another saga or input", SettingRules.quoted(id),
                            "give every saga its own id");
                    return resume(id);
                }
                // This run's own create, answered after an SDK retry: carry on from what it wrote.
                run.record = existing;
            }
            log.info("Saga {}/{} started; its log is homed in {}", definition.name(), id, sagaLog.home(id));
            return run.drive();
        }
    }

    /**
     * Resumes saga {@code id} from its log, on this thread, from any instance in any region (the saga's definition must
     * be registered here): runs the remaining steps or compensations, each at most once. A COMPLETED or COMPENSATED
     * saga is returned as it is; a FAILED one has its remaining compensations retried.
     *
     * @throws SagaInProgressException when another run holds the saga's lease, wins the race for it, or holds the
     *         claim of the step that is next (retry later)
     * @throws NoSuchElementException when the log has no saga {@code id}
     */
    public SagaResult resume(String id) {
        return resume(id, true);
    }

    /** Resumes the saga; a FAILED one only when an operator asks ({@code retryFailed}), not from a sweep. */
    private SagaResult resume(String id, boolean retryFailed) {
        requireOpen();
        checkId(id);
        RoutingContext current = sagaLog.context(RoutingContext.current());
        SagaRecord record = sagaLog.read(id, current).orElseThrow(() -> new NoSuchElementException(
                "no saga " + id + " in the saga log table '" + sagaLog.table() + "'"));
        if (record.state.isTerminal() || (record.state == SagaState.FAILED && !retryFailed)) {
            return record.toResult();
        }
        Saga saga = registered(record.sagaName);
        SettingRules.check(record.matches(saga), "saga '" + saga.name() + "' steps",
                "must be the steps saga " + id + " was started with " + record.stepNames,
                saga.steps().stream().map(SagaStep::name).toList(),
                "resume it with the definition it started with (deploy step changes under a new saga name)");
        RoutingContext ctx = contextOf(record, current);
        try (RoutingContext.Scope scope = ctx.open()) {
            Run run = new Run(saga, record, ctx);
            run.acquire();
            return run.drive();
        }
    }

    /** Saga {@code id} as its log records it now (a consistent read in its home region). */
    public Optional<SagaResult> find(String id) {
        checkId(id);
        return sagaLog.read(id, sagaLog.context(RoutingContext.current())).map(SagaRecord::toResult);
    }

    /**
     * Resumes every unfinished saga (RUNNING or COMPENSATING) whose log item was last written more than
     * {@code idleLongerThan} ago, as {@link #resume(String)} does. Sagas another run holds are skipped, and a saga
     * whose resume fails is logged and skipped; FAILED sagas are left to an operator. The log is scanned in one region
     * (so a saga written elsewhere within the replication lag is found by the next sweep).
     *
     * @return the sagas resumed, as each run left them
     */
    public List<SagaResult> sweep(Duration idleLongerThan) {
        requireOpen();
        SettingRules.positive(idleLongerThan, "Sagas.sweep idleLongerThan",
                "pass a duration longer than your steps take, such as 5 min");
        Instant cutoff = clock.instant().minus(idleLongerThan);
        List<SagaResult> resumed = new ArrayList<>();
        for (String id : sagaLog.idle(cutoff, sagaLog.context(RoutingContext.current()))) {
            try {
                // The scanned replica may lag: the home's record decides, and a FAILED saga waits for an operator.
                SagaResult result = resume(id, false);
                if (result.state() != SagaState.FAILED) {
                    resumed.add(result);
                }
            } catch (SagaInProgressException e) {
                log.debug("Sweep skipped saga {}: another run holds it", id);
            } catch (RuntimeException e) {
                log.warn("Sweep could not resume saga {} ({}); the next sweep tries again", id,
                        e.getClass().getName());
            }
        }
        return resumed;
    }

    /** Stops the scheduled sweep and the thread pool of step timeouts (interrupting running timed steps). */
    @Override
    public void close() {
        closed = true;
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        synchronized (executorLock) {
            if (stepExecutor != null) {
                stepExecutor.shutdownNow();
            }
        }
    }

    private void scheduledSweep(Duration idle) {
        try {
            sweep(idle);
        } catch (RuntimeException e) {
            log.warn("Scheduled saga sweep failed ({}); it runs again at the next interval", e.getClass().getName());
        }
    }

    private Saga registered(String name) {
        Saga saga = sagas.get(name);
        if (saga == null) {
            throw SettingRules.invalid("saga", "must be registered with Sagas.Builder.saga(..)", SettingRules.quoted(name),
                    "register the same definition on every instance that may start or resume it; registered: "
                            + sagas.keySet());
        }
        return saga;
    }

    /** The context a resumed saga runs under: its recorded data class and subject, else the caller's context. */
    private RoutingContext contextOf(SagaRecord record, RoutingContext current) {
        RoutingContext.Builder ctx = current.toBuilder();
        if (record.dataClass != null) {
            ctx.dataClass(DataClass.of(record.dataClass));
        }
        if (record.subjectCountry != null) {
            ctx.subjectCountry(record.subjectCountry);
        }
        return sagaLog.context(ctx.build());
    }

    /** The lease a write gives its run: long enough for step {@code next}'s action (its timeout) on top. */
    private Instant leaseUntil(Instant now, Saga saga, int next) {
        Duration lease = leaseDuration;
        if (next >= 0 && next < saga.steps().size()) {
            lease = lease.plus(saga.steps().get(next).timeout().orElse(Duration.ZERO));
        }
        return now.plus(lease);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("Sagas is closed; build a new one");
        }
    }

    private static void checkId(String id) {
        String checked = SettingRules.required(id, "saga id", "pass the saga's id, e.g. the order id");
        SettingRules.check(!checked.isEmpty() && utf8Length(checked) <= MAX_ID_BYTES, "saga id",
                "must be 1 to " + MAX_ID_BYTES + " UTF-8 bytes",
                SettingRules.quoted(checked), "use a shorter id, e.g. a UUID");
    }

    private ExecutorService stepExecutor() {
        synchronized (executorLock) {
            requireOpen();
            ExecutorService executor = stepExecutor;
            if (executor == null) {
                executor = Executors.newCachedThreadPool(new NumberedDaemons("meridian-saga-step-"));
                stepExecutor = executor;
            }
            return executor;
        }
    }


    /** Whether a step's failure may have applied it: the rule {@code Idempotency} keeps a claim by. */
    private boolean mayHaveBeenApplied(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> pending = new ArrayDeque<>();
        pending.add(failure);
        while (!pending.isEmpty() && seen.size() < MAX_CAUSES) {
            Throwable t = pending.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof Error || classifier.classify(t).mayHaveBeenApplied()) {
                return true;
            }
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
            pending.addAll(List.of(t.getSuppressed()));
        }
        return false;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One run of one saga: holds its lease and writes its progress. Confined to the calling thread. */
    private final class Run {
        final Saga saga;
        final RoutingContext ctx;
        final String runId = UUID.randomUUID().toString();
        SagaRecord record;

        Run(Saga saga, SagaRecord record, RoutingContext ctx) {
            this.saga = saga;
            this.record = record;
            this.ctx = ctx;
        }

        /** Takes the saga's lease over (only once it has expired); a FAILED saga goes back to compensating. */
        void acquire() {
            Instant now = clock.instant();
            if (record.leaseLive(now)) {
                throw new SagaInProgressException(record.id, "saga " + record.id + " is held by another run until "
                        + record.leaseUntil + "; resume it after that", record.leaseUntil, null);
            }
            if (record.state == SagaState.FAILED) {
                log.info("Saga {}/{} was FAILED; retrying its remaining compensations", saga.name(), record.id);
                record.state = SagaState.COMPENSATING;
            }
            int next = record.state == SagaState.RUNNING ? record.firstPending() : -1;
            record.leasedTo(runId, leaseUntil(now, saga, next));
            write("took over");
        }

        SagaResult drive() {
            while (true) {
                switch (record.state) {
                    case RUNNING -> {
                        int next = record.firstPending();
                        if (next < 0) {
                            return finish(SagaState.COMPLETED);
                        }
                        runStep(next);
                    }
                    case COMPENSATING -> {
                        int last = record.lastToCompensate();
                        if (last < 0) {
                            return finish(SagaState.COMPENSATED);
                        }
                        compensate(last);
                    }
                    case FAILED, COMPLETED, COMPENSATED -> {
                        return record.toResult();
                    }
                }
            }
        }

        private void runStep(int index) {
            SagaStep step = saga.steps().get(index);
            SagaContext context = context(step);
            String key = context.effectKey("do");
            String result;
            try {
                result = idempotency.execute(key, utf8(key), inProgressTimeout(step),
                        () -> StepFailure.around(() -> act(step, context)), ResultCodec.string());
            } catch (StepFailure e) {
                stepFailed(index, mayHaveBeenApplied(e), e.getCause());
                return;
            } catch (IdempotencyInProgressException e) {
                throw heldElsewhere(step, e.inProgressExpiry().orElse(null), e);
            } catch (IdempotencyResultNotStoredException e) {
                // The action ran; this run holds its result unless it ran in an earlier run.
                Optional<Object> kept = e.result();
                if (kept.isEmpty() || !(kept.get() instanceof String text)) {
                    stepFailed(index, true, e);
                    return;
                }
                result = text;
            } catch (RuntimeException e) {
                throw stopped(step, e);
            }
            if (utf8Length(result) > MAX_RESULT_BYTES) {
                stepFailed(index, true, new IllegalStateException("the result of step '" + step.name() + "' has "
                        + utf8Length(result) + " UTF-8 bytes, over " + MAX_RESULT_BYTES
                        + "; return an id or reference"));
                return;
            }
            record.statuses.put(step.name(), SagaStepStatus.DONE);
            record.results.put(step.name(), result);
            // Refused now, the step is compensated; written, DynamoDB would refuse the item at every run.
            if (SagaLog.itemBytesBound(record) > SagaLog.MAX_ITEM_BYTES) {
                record.results.remove(step.name());
                stepFailed(index, true, new IllegalStateException("the result of step '" + step.name() + "' ("
                        + utf8Length(result) + " UTF-8 bytes) does not fit in the saga log item with the input and"
                        + " the results before it (DynamoDB's 400 KB); return ids or references"));
                return;
            }
            record.leasedTo(runId, leaseUntil(clock.instant(), saga, index + 1));
            write("step " + step.name() + " done");
        }

        /**
         * The step records could not be reached (the store's claim or record failed, not the step): the saga is not
         * failed for it. The run stops, gives the saga back (best effort) and rethrows; a resume carries on.
         */
        private RuntimeException stopped(SagaStep step, RuntimeException failure) {
            log.warn("Saga {}/{}: the record of step {} could not be reached ({}); the run stops and the saga stays"
                    + " {} for a resume", saga.name(), record.id, step.name(), failure.getClass().getName(),
                    record.state);
            return givingBack(failure);
        }

        /** Gives the saga's lease back (best effort) so a resume need not wait for it, and returns {@code e}. */
        private <E extends RuntimeException> E givingBack(E e) {
            try {
                record.leasedTo(null, null);
                write("its lease given back");
            } catch (RuntimeException release) {
                e.addSuppressed(release);
            }
            return e;
        }

        private void stepFailed(int index, boolean mayHaveBeenApplied, RuntimeException failure) {
            SagaStep step = saga.steps().get(index);
            record.statuses.put(step.name(), mayHaveBeenApplied
                    ? SagaStepStatus.FAILED_MAYBE_APPLIED : SagaStepStatus.FAILED);
            record.state = SagaState.COMPENSATING;
            record.failure = "step '" + step.name() + "' failed: " + failure.getClass().getName();
            record.leasedTo(runId, leaseUntil(clock.instant(), saga, -1));
            log.warn("Saga {}/{}: step {} failed with {}{}; compensating", saga.name(), record.id, step.name(),
                    failure.getClass().getName(), mayHaveBeenApplied ? " (it may have been applied)" : "");
            write("step " + step.name() + " failed");
        }

        private void compensate(int index) {
            SagaStep step = saga.steps().get(index);
            SagaContext context = context(step);
            String key = context.effectKey("undo");
            try {
                idempotency.execute(key, utf8(key), leaseDuration, () -> StepFailure.around(() -> {
                    step.compensation().compensate(context);
                    return COMPENSATED_MARK;
                }), ResultCodec.string());
            } catch (IdempotencyInProgressException e) {
                throw heldElsewhere(step, e.inProgressExpiry().orElse(null), e);
            } catch (IdempotencyResultNotStoredException e) {
                // It ran; only its constant result was not kept.
                log.debug("Saga {}/{}: compensation of {} ran, its record has no result", saga.name(), record.id,
                        step.name());
            } catch (StepFailure failure) {
                RuntimeException e = failure.getCause();
                record.state = SagaState.FAILED;
                record.failure = "compensation of step '" + step.name() + "' failed: " + e.getClass().getName();
                record.leasedTo(null, null);
                log.error("Saga {}/{}: compensation of step {} failed with {}; the saga is FAILED and needs an"
                        + " operator (fix the cause, then resume it)", saga.name(), record.id, step.name(),
                        e.getClass().getName());
                write("compensation of " + step.name() + " failed");
                outcomes.outcome(saga.name(), SagaState.FAILED);
                return;
            } catch (RuntimeException e) {
                throw stopped(step, e);
            }
            record.statuses.put(step.name(), SagaStepStatus.COMPENSATED);
            record.leasedTo(runId, leaseUntil(clock.instant(), saga, -1));
            write("step " + step.name() + " compensated");
        }

        private SagaResult finish(SagaState outcome) {
            record.state = outcome;
            record.leasedTo(null, null);
            write(outcome.name());
            log.info("Saga {}/{} {}", saga.name(), record.id, outcome);
            outcomes.outcome(saga.name(), outcome);
            return record.toResult();
        }

        /** Writes the record over the version this run last saw; another run having written since ends this one. */
        private void write(String what) {
            long expected = record.version;
            record.version = expected + 1;
            record.updated = clock.instant();
            if (!sagaLog.replace(record, expected, ctx)) {
                throw new SagaInProgressException(record.id, "saga " + record.id + " was written by another run"
                        + " (this run's lease had expired or another resume won the race) before this run recorded "
                        + what + "; this run stopped, the other one carries on", null, null);
            }
        }

        /** Another run holds the step's claim: give the saga back (best effort) and say when to retry. */
        private SagaInProgressException heldElsewhere(SagaStep step, @Nullable Instant until, RuntimeException cause) {
            return givingBack(new SagaInProgressException(record.id, "step '" + step.name() + "' of saga "
                    + record.id + " is claimed by a run that may still be executing it"
                    + (until == null ? "" : " (until " + until + ")") + "; resume the saga later", until, cause));
        }

        private SagaContext context(SagaStep step) {
            return new SagaContext(record.id, saga.name(), step.name(), record.input, record.results);
        }

        private Duration inProgressTimeout(SagaStep step) {
            return step.timeout().orElse(leaseDuration);
        }

        /** Runs the action, on a pool thread under the saga's context when the step has a timeout. */
        private String act(SagaStep step, SagaContext context) {
            Optional<Duration> timeout = step.timeout();
            if (timeout.isEmpty()) {
                return resultOf(step.action().run(context));
            }
            Future<String> future = stepExecutor().submit(() -> {
                try (RoutingContext.Scope scope = ctx.open()) {
                    return resultOf(step.action().run(context));
                }
            });
            try {
                return future.get(timeout.get().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                throw new SagaStepTimeoutException("step '" + step.name() + "' of saga " + record.id
                        + " ran longer than its timeout of " + timeout.get() + " and was interrupted; it may still"
                        + " have been applied, so it is compensated");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException("step '" + step.name() + "' failed", cause);
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw AbortedException.create("Interrupted while waiting for step '" + step.name() + "'", e);
            }
        }
    }

    /**
     * Carries what a step's action or compensation threw through {@code Idempotency}, so the run tells the step's own
     * failure (the saga compensates, or is FAILED) from a failure to reach its record (the run stops, the saga waits).
     * {@code Idempotency} classifies it by its cause, so the claim is kept exactly when the cause may have applied.
     */
    private static final class StepFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StepFailure(RuntimeException cause) {
            super(null, cause, false, false);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) Objects.requireNonNull(super.getCause());
        }

        static String around(Supplier<String> work) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                throw new StepFailure(e);
            }
        }
    }

    /** A step may return null for "no result": the log and the idempotency record keep {@code ""}. */
    private static String resultOf(@Nullable String result) {
        return result == null ? "" : result;
    }

    /** Builder for {@link Sagas}; validates each setting as it is given. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private MultiRegionDynamoDb.@Nullable Shared shared;
        private @Nullable String table;
        private @Nullable IdempotencyStore store;
        private InstantSource clock = InstantSource.system();
        private final Map<String, Saga> sagas = new LinkedHashMap<>();
        private @Nullable Set<Region> replicaRegions;
        private Duration leaseDuration = Duration.ofMinutes(1);
        private Duration stepRecordTtl = Duration.ofDays(7);
        private @Nullable Object meterRegistry;
        private @Nullable Duration sweepEvery;
        private @Nullable Duration sweepIdle;

        private Builder() {
        }

        /** The multi-region client from {@code MultiRegionDynamoDb} (required): the log shares its runtime and clients. */
        public Builder client(DynamoDbClient client) {
            Objects.requireNonNull(client, "client");
            this.shared = MultiRegionDynamoDb.shared(client).orElseThrow(() -> SettingRules.invalid("Sagas.client",
                    "must be a multi-region client", client.getClass().getName(),
                    "pass the client MultiRegionDynamoDb.builder() built: the saga log is homed per saga id"));
            return this;
        }

        /** The saga log table (required): a global table with partition key {@code id} (S). */
        public Builder table(String table) {
            String fix = "name the saga log table (3 to 255 characters)";
            String checked = SettingRules.required(table, "Sagas.table", fix);
            SettingRules.check(checked.length() >= 3 && checked.length() <= 255, "Sagas.table",
                    "must have 3 to 255 characters", SettingRules.quoted(checked), fix);
            this.table = checked;
            return this;
        }

        /**
         * Where step and compensation records live (required), e.g. a {@code DynamoDbIdempotencyStore} on the same
         * client; give it the same clock.
         */
        public Builder idempotencyStore(IdempotencyStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Registers a saga this instance may start or resume (names are unique). */
        public Builder saga(Saga saga) {
            Objects.requireNonNull(saga, "saga");
            SettingRules.check(!sagas.containsKey(saga.name()), "Sagas saga name", "must be registered once",
                    SettingRules.quoted(saga.name()), "register each saga definition once");
            sagas.put(saga.name(), saga);
            return this;
        }

        /** Clock for leases, idleness and step records (default the system clock). */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The regions the log table replicates to: bounds where sagas are homed and is the footprint residency
         * checks (default: what {@code DescribeTable} reports for residency, every configured region for homing).
         */
        public Builder replicaRegions(Region... regions) {
            Objects.requireNonNull(regions, "regions");
            SettingRules.check(regions.length > 0, "Sagas.replicaRegions", "must name at least one region", 0,
                    "name the regions the saga log table replicates to, or leave it unset");
            this.replicaRegions = Set.of(regions);
            return this;
        }

        /**
         * How long a run holds a saga without writing to its log before another instance may take it over (default
         * 1 minute); a step's timeout is added while it runs. A step without a timeout should finish well within it.
         */
        public Builder leaseDuration(Duration leaseDuration) {
            this.leaseDuration = SettingRules.positive(leaseDuration, "Sagas.leaseDuration",
                    "pass a duration longer than a step takes, such as 1 min");
            return this;
        }

        /** How long step and compensation records are kept (default 7 days): resume sagas within that time. */
        public Builder stepRecordTtl(Duration stepRecordTtl) {
            this.stepRecordTtl = SettingRules.positive(stepRecordTtl, "Sagas.stepRecordTtl",
                    "pass a duration longer than a saga may wait to be resumed, such as 7 d");
            return this;
        }

        /** Counts outcomes as {@code meridian.saga.outcomes} (default: the runtime's registry, if any). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Runs {@link Sagas#sweep(Duration) sweep(idleLongerThan)} every {@code every} on one background thread
         * (off by default; {@link Sagas#close()} stops it).
         */
        public Builder sweepEvery(Duration every, Duration idleLongerThan) {
            this.sweepEvery = SettingRules.positive(every, "Sagas.sweepEvery every", "pass an interval such as 1 min");
            this.sweepIdle = SettingRules.positive(idleLongerThan, "Sagas.sweepEvery idleLongerThan",
                    "pass a duration longer than your steps take, such as 5 min");
            return this;
        }

        /** Builds it. */
        public Sagas build() {
            MultiRegionDynamoDb.Shared shared = this.shared;
            SettingRules.check(shared != null, "Sagas.client", "is required", null,
                    "pass the multi-region client from MultiRegionDynamoDb");
            SettingRules.check(table != null, "Sagas.table", "is required", null, "name the saga log table");
            SettingRules.check(store != null, "Sagas.idempotencyStore", "is required", null,
                    "pass the IdempotencyStore step records live in, e.g. a DynamoDbIdempotencyStore");
            SettingRules.check(!sagas.isEmpty(), "Sagas sagas", "must register at least one saga", 0,
                    "register the sagas this instance runs with saga(..)");
            return new Sagas(this, Objects.requireNonNull(shared));
        }
    }
}
