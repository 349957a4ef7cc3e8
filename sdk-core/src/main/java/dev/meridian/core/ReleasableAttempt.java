package dev.meridian.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A synchronous attempt running on its caller's own thread that a won hedge can release: armed on that thread
 * ({@link SdkTimeoutScheduler#arm}) while the SDK call runs, it keeps the first task the SDK schedules through
 * {@link SdkTimeoutScheduler} — the call's timeout task — and {@link #release} runs that task early: the SDK aborts
 * the HTTP request (a socket read the interrupt alone would not end), ends the call with a non-retried
 * {@code ApiCallTimeoutException} and clears the interrupt it set before the call returns. Meridian itself never
 * interrupts the caller's thread.
 *
 * <p>Which of "the call returned" ({@link #finish}) and "a hedge won" ({@link #release}) came first is decided by one
 * compare-and-set, so a release after the caller's call returned does nothing; and the SDK cancels its timeout task
 * before its call returns, after which running it does nothing either: no interrupt or abort reaches a later call on
 * the same thread. A release before the SDK scheduled its timeout (the client still starting up) makes that timeout
 * due at once, and so the attempt timeouts of the SDK's retries of a released call.
 *
 * <p><b>The hedge timer rides on the SDK's.</b> Given a due time ({@link #timerAt}), the attempt schedules itself in
 * place of the SDK's call timeout task when that is due later, and hands the SDK itself as the task's future: when the
 * due time comes, {@link #onTimer} runs (the hedge), then the SDK's task is scheduled for its own deadline; when the
 * SDK's call ends first, it cancels this future, which cancels the timer. A hedged read so adds no timer task of its
 * own to the one the SDK schedules anyway. The SDK only ever cancels that future ({@code ApiCallTimeoutTracker}).
 */
class ReleasableAttempt implements Runnable, ScheduledFuture<Object> {
    static final int RUNNING = 0;
    /** A hedge run adopted the attempt (it may release it); the caller still runs it. */
    static final int HEDGED = 1;
    static final int RELEASED = 2;
    static final int FINISHED = 3;
    /** A released call not yet returned gets its timeout task run again after this, then at doubling intervals. */
    private static final long RELEASE_AGAIN_FIRST_MS = 5;
    private static final long RELEASE_AGAIN_MAX_MS = 1_000;
    /** In {@link #task} once the task was run or handed to the timer as due now. */
    private static final Runnable SPENT = () -> { };
    private static final VarHandle STATE;
    private static final VarHandle TASK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(ReleasableAttempt.class, "state", int.class);
            TASK = l.findVarHandle(ReleasableAttempt.class, "task", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    /** The SDK's call timeout task once scheduled; {@link #SPENT} once run. */
    @SuppressWarnings("unused") // through TASK
    private volatile @Nullable Runnable task;

    /** When {@link #onTimer} is due ({@link System#nanoTime()}); 0: never. Guarded by this once the call started. */
    private long timerDue;
    /**
     * The SDK task's deadline, once the SDK scheduled it; guarded by this. Both timers run on
     * {@link SdkTimeoutScheduler#timer()}, so no executor is kept: one attempt per hedged read, each field counts.
     */
    private long sdkDeadline;
    /** The timer task now pending (this, or the SDK's task); guarded by this. */
    private @Nullable ScheduledFuture<?> current;
    /** Whether the SDK cancelled its timeout (its call ended); guarded by this. */
    private boolean sdkDone;

    /**
     * This attempt, typed as what releases its caller. Storing a subclass where a {@code ReleasableAttempt} is expected
     * makes the verifier load that subclass with the storing class; handed over through this call it does not, so the
     * hedge threads' run ({@code RegionalExecutor.Run}, on every cold client's first read) does not load the
     * caller-first attempt's classes it does not use.
     */
    final ReleasableAttempt releasable() {
        return this;
    }

    /** Asks for {@link #onTimer} at {@code due} ({@link System#nanoTime()}, not 0), before the attempt's call. */
    final void timerAt(long due) {
        timerDue = due;
    }

    /**
     * The timer is due: returns when it is due next ({@link System#nanoTime()}), or 0 for never. On the timer thread,
     * while the SDK call has not ended (or just ended: the owner's own compare-and-set decides).
     */
    protected long onTimer(long due, long now) {
        return 0;
    }

    /** The attempt's state: {@link #RUNNING}, {@link #HEDGED}, {@link #RELEASED} or {@link #FINISHED}. */
    final int state() {
        return (int) STATE.getVolatile(this);
    }

    /** A hedge run adopts the running attempt; false when its call returned first. */
    final boolean adopt() {
        return STATE.compareAndSet(this, RUNNING, HEDGED);
    }

    /**
     * The SDK schedules {@code command} on the attempt's thread while the attempt is armed: the first one is kept.
     * A released attempt's tasks are due at once. Everything runs on {@link SdkTimeoutScheduler#timer()}.
     */
    final ScheduledFuture<?> scheduled(Runnable command, long delay, TimeUnit unit) {
        ScheduledExecutorService on = SdkTimeoutScheduler.timer();
        if (!TASK.compareAndSet(this, null, command)) {
            // An attempt timeout (or, for a released call, whatever the SDK schedules next: its retries end at once).
            return on.schedule(command, state() == RELEASED ? 0 : delay, unit);
        }
        if (state() == RELEASED && TASK.compareAndSet(this, command, SPENT)) {
            return on.schedule(command, 0, unit); // released before the SDK scheduled its timeout
        }
        long now = System.nanoTime();
        synchronized (this) {
            long deadline = now + unit.toNanos(delay);
            if (timerDue == 0 || timerDue - deadline >= 0) {
                return on.schedule(command, delay, unit);
            }
            sdkDeadline = deadline;
            current = on.schedule(this, Math.max(0, timerDue - now), TimeUnit.NANOSECONDS);
            return this;
        }
    }

    /** The timer ridden on the SDK's: runs {@link #onTimer}, then waits for it again or for the SDK's deadline. */
    @Override
    public final void run() {
        long due;
        synchronized (this) {
            if (sdkDone) {
                return;
            }
            due = timerDue;
        }
        long next = onTimer(due, System.nanoTime());
        synchronized (this) {
            Runnable sdkTask = task;
            // Scheduled only after the SDK's task was kept; a release since then spent it.
            if (sdkDone || sdkTask == null || sdkTask == SPENT) {
                return;
            }
            ScheduledExecutorService on = SdkTimeoutScheduler.timer();
            long now = System.nanoTime();
            if (next != 0 && next - sdkDeadline < 0) {
                timerDue = next;
                current = on.schedule(this, Math.max(0, next - now), TimeUnit.NANOSECONDS);
            } else {
                current = on.schedule(sdkTask, Math.max(0, sdkDeadline - now), TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * Releases the caller from its SDK call (a hedge won); does nothing once the call returned. On the winner's thread.
     */
    final void release() {
        if (!STATE.compareAndSet(this, RUNNING, RELEASED) && !STATE.compareAndSet(this, HEDGED, RELEASED)) {
            return;
        }
        Runnable t = (Runnable) TASK.getAndSet(this, SPENT);
        if (t != null && t != SPENT) {
            t.run();
            releaseAgain(t, RELEASE_AGAIN_FIRST_MS);
        }
    }

    /**
     * Runs the SDK's timeout task once more in {@code delayMs} (then at doubling intervals) while the caller's call
     * has not returned. The SDK names the request its timeout aborts just after its last interrupt check before
     * sending it: a release landing in between interrupts a request that ignores the interrupt and aborts nothing;
     * running the task again aborts it. That is harmless otherwise: until the SDK's call ends the task does what the
     * SDK's own timeout would (the SDK clears the interrupt before it returns), and after, the SDK has cancelled it and
     * it does nothing; the caller's {@link #finish} ends the repetition (the one already due finds the attempt
     * finished).
     */
    private void releaseAgain(Runnable sdkTask, long delayMs) {
        SdkTimeoutScheduler.timer().schedule(() -> {
            if (state() == RELEASED) {
                sdkTask.run();
                releaseAgain(sdkTask, Math.min(2 * delayMs, RELEASE_AGAIN_MAX_MS));
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /**
     * The caller's SDK call returned (on the caller's thread, after it was disarmed): a release from now on does
     * nothing, and a released attempt stops running the SDK's timeout task again ({@link #releaseAgain}: otherwise
     * every hedge the process ever won would keep a task, and the read it holds, on the timer for good). Returns the
     * state it was in: {@link #RUNNING}, {@link #HEDGED} or {@link #RELEASED}.
     */
    final int finish() {
        if (STATE.compareAndSet(this, RUNNING, FINISHED)) {
            return RUNNING;
        }
        if (STATE.compareAndSet(this, HEDGED, FINISHED)) {
            return HEDGED;
        }
        if (STATE.compareAndSet(this, RELEASED, FINISHED)) {
            return RELEASED;
        }
        return state();
    }

    /** The SDK's call ended (its timeout tracker cancels the future it was given): the timer is cancelled. */
    @Override
    public final boolean cancel(boolean mayInterruptIfRunning) {
        ScheduledFuture<?> f;
        synchronized (this) {
            sdkDone = true;
            f = current;
            current = null;
        }
        if (f != null) {
            f.cancel(false);
        }
        return true;
    }

    @Override
    public final synchronized boolean isCancelled() {
        return sdkDone;
    }

    @Override
    public final synchronized boolean isDone() {
        return sdkDone;
    }

    /** Not used by the SDK, which only cancels the future of its timeout; nothing to wait for. */
    @Override
    public final Object get() {
        throw new UnsupportedOperationException("the SDK's timeout future is only cancelled");
    }

    /** Not used by the SDK, which only cancels the future of its timeout; nothing to wait for. */
    @Override
    public final Object get(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("the SDK's timeout future is only cancelled");
    }

    @Override
    public final long getDelay(TimeUnit unit) {
        ScheduledFuture<?> f;
        synchronized (this) {
            f = current;
        }
        return f == null ? 0 : f.getDelay(unit);
    }

    @Override
    public final int compareTo(Delayed other) {
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
}
