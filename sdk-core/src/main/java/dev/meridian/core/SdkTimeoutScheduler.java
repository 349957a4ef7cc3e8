package dev.meridian.core;

import dev.meridian.core.internal.NumberedDaemons;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ScheduledExecutorService} that {@link RegionalClientDefaults} gives the per-region clients, on which the
 * AWS SDK schedules its call and attempt timeouts. It schedules them as any executor would, but it also lets Meridian
 * release a synchronous read's first attempt running on the caller's own thread when a hedge won
 * ({@link ReleasableAttempt}): while such an attempt is armed on the calling thread, the first task the SDK schedules
 * there is the call's timeout task ({@code ApiCallTimeoutTrackingStage} schedules it before the retry loop schedules
 * each attempt's), and running it early is the SDK's own way to end a call blocked in a socket read: it aborts the
 * HTTP request, and the SDK throws a non-retried {@code ApiCallTimeoutException} with the thread's interrupt status
 * cleared.
 *
 * <p>One instance, shared by every client that uses it, because the SDK closes no executor it was given (it wraps a
 * supplied one so that closing the client leaves it running), so nothing could close a per-client one. It owns one
 * daemon thread, started by the first task and ended after a minute without one; {@link #shutdown} and
 * {@link #shutdownNow} do nothing. Thread-safe.
 */
final class SdkTimeoutScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    static final SdkTimeoutScheduler INSTANCE = new SdkTimeoutScheduler();

    /** The attempt armed on the current thread, if any. */
    private static final ThreadLocal<@Nullable ReleasableAttempt> ARMED = new ThreadLocal<>();

    private SdkTimeoutScheduler() {
    }

    /** The timer thread, built on first use (a client built but never called starts none). */
    private static final class Timer {
        static final ScheduledThreadPoolExecutor EXECUTOR = create();

        private static ScheduledThreadPoolExecutor create() {
            AtomicInteger n = new AtomicInteger();
            ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1,
                    r -> NumberedDaemons.daemon(r, "meridian-sdk-timeouts-" + n.incrementAndGet()));
            // Nearly every timeout is cancelled (the call answered): removed at once, not kept for the timeout.
            e.setRemoveOnCancelPolicy(true);
            e.setKeepAliveTime(60, TimeUnit.SECONDS);
            e.allowCoreThreadTimeOut(true);
            return e;
        }
    }

    /**
     * Arms {@code attempt} on the current thread for the SDK call about to be made, returning the attempt armed
     * before (null: none), which the caller restores with {@link #restore} when its call returned.
     */
    static @Nullable ReleasableAttempt arm(ReleasableAttempt attempt) {
        ReleasableAttempt before = ARMED.get();
        ARMED.set(attempt);
        return before;
    }

    /** Restores what {@link #arm} returned. */
    static void restore(@Nullable ReleasableAttempt before) {
        ARMED.set(before); // set, not removed: the thread's next read reuses its entry rather than allocating one
    }

    /** The timer thread's executor, for Meridian's own follow-ups of a release ({@link ReleasableAttempt}). */
    static ScheduledExecutorService timer() {
        return Timer.EXECUTOR;
    }

    /** The attempt armed on the current thread (for tests: none once Meridian returned). */
    static @Nullable ReleasableAttempt armed() {
        return ARMED.get();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        ReleasableAttempt armed = ARMED.get();
        if (armed != null) {
            return armed.scheduled(command, delay, unit);
        }
        return Timer.EXECUTOR.schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return Timer.EXECUTOR.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return Timer.EXECUTOR.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return Timer.EXECUTOR.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void execute(Runnable command) {
        Timer.EXECUTOR.execute(command);
    }

    /** Does nothing: the executor is shared by every client that uses it (see the class comment). */
    @Override
    public void shutdown() {
    }

    /** Does nothing and returns no task: the executor is shared by every client that uses it. */
    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
