package dev.meridian.core;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for hedged reads, created only when hedging is enabled: a cached pool of daemon workers running
 * synchronous attempts (so a losing attempt can be interrupted) and one daemon timer for hedge delays.
 * Closed by {@link #close()}.
 */
final class Hedger implements AutoCloseable {
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;

    Hedger() {
        this.workers = Executors.newCachedThreadPool(daemon("meridian-hedge-"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("meridian-hedge-timer-"));
    }

    /** Runs {@code task} on a worker; cancelling the returned future interrupts the worker. */
    <T> CompletableFuture<T> run(Callable<T> task) {
        CompletableFuture<T> cf = new CompletableFuture<>();
        Future<?> f = workers.submit(() -> {
            try {
                cf.complete(task.call());
            } catch (Throwable t) {
                cf.completeExceptionally(t);
            }
        });
        cf.whenComplete((v, e) -> {
            if (cf.isCancelled()) {
                f.cancel(true);
            }
        });
        return cf;
    }

    ScheduledFuture<?> schedule(Runnable r, long delayNanos) {
        return timer.schedule(r, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
