package dev.meridian.core;

import dev.meridian.core.internal.NumberedDaemons;
import dev.meridian.core.internal.SettingRules;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Threads for hedged reads, created only when hedging is enabled: a bounded pool of daemon workers running
 * synchronous attempts (so a losing attempt can be interrupted; at most {@code maxWorkers}, idle ones exit after
 * 60 s, no queue) and one daemon timer for the hedge delays of asynchronous reads (cancelled timers are removed at
 * once) and the process-stall meter's tick. Each thread starts on its first task, not when the hedger is built. When every worker
 * is busy {@link #run} refuses the task ({@link Saturated}) instead of queueing it behind slow attempts: the caller
 * then runs the attempt on its own thread or skips the hedge. Closed by {@link #close()}.
 */
final class Hedger implements AutoCloseable {
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor timer;
    private volatile @Nullable ScheduledFuture<?> periodic;

    Hedger(int maxWorkers) {
        SettingRules.atLeast(maxWorkers, 1, "HedgingConfig.withMaxWorkers", "allow at least one worker");
        this.workers = new ThreadPoolExecutor(0, maxWorkers, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                new NumberedDaemons("meridian-hedge-"));
        this.timer = new ScheduledThreadPoolExecutor(1, new NumberedDaemons("meridian-hedge-timer-"));
        this.timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Runs {@code task} on a worker; cancelling the returned future interrupts the worker.
     *
     * @throws Saturated when every worker is busy (nothing was started)
     */
    <T> CompletableFuture<T> run(Callable<T> task) {
        Task<T> t = new Task<>(task);
        try {
            workers.execute(t);
        } catch (RejectedExecutionException e) {
            throw Saturated.INSTANCE;
        }
        return t;
    }

    /** Runs {@code r} after the delay; cancel the returned future once the hedge is no longer needed. */
    ScheduledFuture<?> schedule(Runnable r, long delayNanos) {
        return timer.schedule(r, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Runs {@code r} on the timer every {@code periodNanos} after its previous run ended, until {@link #close()} (one
     * periodic task: the process-stall meter).
     */
    void every(long periodNanos, Runnable r) {
        periodic = timer.scheduleWithFixedDelay(r, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Hedge timers pending (cancelled ones are removed at once; the periodic task is not a hedge timer). */
    int pendingTimers() {
        return timer.getQueue().size() - (periodic == null ? 0 : 1);
    }

    /** Workers alive now (busy or idle). */
    int workers() {
        return workers.getPoolSize();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdownNow();
    }

    /**
     * A task and its result in one object: every synchronous hedged read runs one, so it replaces the executor's
     * {@code FutureTask}, its adapter and a completion callback that would relay a cancellation to it (allocation on
     * every read: benchmarks/RESULTS.md). Cancelling it interrupts its worker while, and only while, the task runs.
     */
    private static final class Task<T> extends CompletableFuture<T> implements Runnable {
        private final Callable<T> body;
        /** The worker running the body; guarded by this, so an interrupt never reaches the worker's next task. */
        private @Nullable Thread runner;

        Task(Callable<T> body) {
            this.body = body;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (isDone()) {
                    return; // cancelled before a worker took it
                }
                runner = Thread.currentThread();
            }
            try {
                complete(body.call());
            } catch (Throwable t) {
                completeExceptionally(t);
            } finally {
                synchronized (this) {
                    runner = null;
                }
                // A cancellation that interrupted the body after it finished must not reach the worker's next task.
                Thread.interrupted();
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                synchronized (this) {
                    if (runner != null) {
                        runner.interrupt();
                    }
                }
            }
            return cancelled;
        }
    }

    /** Every hedge worker is busy: the task was not started. */
    static final class Saturated extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Saturated INSTANCE = new Saturated();

        private Saturated() {
            super("every hedge worker is busy", null, false, false);
        }
    }
}
