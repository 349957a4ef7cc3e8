package dev.meridian.core;

import dev.meridian.core.internal.NumberedDaemons;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Threads for the detached half-open trials of synchronous reads that run without hedge threads: a region behind a
 * half-open breaker gets its trial here while the caller's read goes on to the next region, so no caller waits on a
 * region that may still be black-holed. Built the first time a trial is needed (a breaker opened), at most
 * {@code maxThreads} daemon threads ({@code meridian-trial-N}, the breaker's half-open permits), idle ones exit after
 * 60 s, no queue: a trial finding every thread busy is not run. Closed by {@link #close()}. Thread-safe.
 */
final class Trials implements AutoCloseable {
    private final int maxThreads;
    private @Nullable ThreadPoolExecutor pool;
    private boolean closed;

    Trials(int maxThreads) {
        this.maxThreads = Math.max(1, maxThreads);
    }

    /** Runs {@code trial} on a trial thread; false (nothing started) when every one is busy or this is closed. */
    boolean run(Runnable trial) {
        ThreadPoolExecutor p;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (pool == null) {
                pool = new ThreadPoolExecutor(0, maxThreads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                        new NumberedDaemons("meridian-trial-"));
            }
            p = pool;
        }
        try {
            p.execute(trial);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
