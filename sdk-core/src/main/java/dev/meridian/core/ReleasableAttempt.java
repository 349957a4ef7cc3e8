package dev.meridian.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 */
final class ReleasableAttempt {
    private static final int RUNNING = 0;
    private static final int RELEASED = 1;
    private static final int FINISHED = 2;
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

    /**
     * The SDK schedules {@code command} on the attempt's thread while the attempt is armed: the first one is kept.
     * A released attempt's tasks are due at once.
     */
    ScheduledFuture<?> scheduled(Runnable command, long delay, TimeUnit unit, ScheduledExecutorService timer) {
        if (TASK.compareAndSet(this, null, command)) {
            if ((int) STATE.getVolatile(this) == RELEASED && TASK.compareAndSet(this, command, SPENT)) {
                return timer.schedule(command, 0, unit); // released before the SDK scheduled its timeout
            }
            return timer.schedule(command, delay, unit);
        }
        // An attempt timeout (or, for a released call, whatever the SDK schedules next: its retries end at once).
        return timer.schedule(command, (int) STATE.getVolatile(this) == RELEASED ? 0 : delay, unit);
    }

    /**
     * Releases the caller from its SDK call (a hedge won); does nothing once the call returned. On the winner's thread.
     */
    void release() {
        if (!STATE.compareAndSet(this, RUNNING, RELEASED)) {
            return;
        }
        Runnable t = (Runnable) TASK.getAndSet(this, SPENT);
        if (t != null && t != SPENT) {
            t.run();
        }
    }

    /**
     * The caller's SDK call returned (on the caller's thread, after it was disarmed): a release from now on does
     * nothing. True when it had been released.
     */
    boolean finish() {
        return !STATE.compareAndSet(this, RUNNING, FINISHED);
    }

    /** Whether the SDK scheduled its timeout task in this attempt (the client is releasable, as expected). */
    boolean scheduledAny() {
        return TASK.getVolatile(this) != null;
    }
}
