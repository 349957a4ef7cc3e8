package dev.meridian.aurora.datasource;

import dev.meridian.core.internal.NumberedDaemons;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the writer while connections to it are awaited, so that a promotion takes the waiting connections to the
 * new writer as soon as the topology names it, instead of after the old writer's pool {@code connectionTimeout}.
 *
 * <p>A thread taking a writer connection registers its wait ({@link #begin}). A wait that lasts {@code checkEvery}
 * (a stopped or unreachable writer: a pooled connection is handed out in microseconds, a new one in milliseconds)
 * makes the watch look the topology up again, and again every {@code checkEvery} while such waits last, unless every
 * connection of the writer's pool is in use (a saturated pool is waited for, a writer that moved is not). Whoever
 * learns that the writer moved — this watch, a failed statement's refresh, the discovery's own background refresh
 * seen by the next connection — calls {@link #writerMoved}, which abandons every wait on the old writer: the waiting
 * thread is interrupted out of the pool's wait, and {@link Wait#end()} clears that interrupt and tells it to connect
 * to the new writer. An abandoned wait has sent nothing of the caller's, so nothing can be applied twice.
 *
 * <p>The look-ups run on one daemon thread, started by the first writer connection and stopped by {@link #close()};
 * between waits it is idle. Thread-safe.
 */
final class WriterWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WriterWatch.class);

    private final Runnable lookUp;
    private final Predicate<Endpoint> poolBusy;
    private final long checkEveryNanos;
    private final String threadName;
    private final Set<Wait> waits = ConcurrentHashMap.newKeySet();
    /** Set while a check is scheduled, so that a burst of waits schedules one. */
    private final AtomicBoolean checkScheduled = new AtomicBoolean();
    /** Guarded by {@code this}. */
    private @Nullable ScheduledExecutorService scheduler;
    private boolean closed;

    /**
     * @param lookUp     looks the topology up again, calling {@link #writerMoved} if the writer moved
     * @param poolBusy   whether every connection of an endpoint's pool is in use: a wait there is for a connection to
     *                   come back (a saturated pool), not for the writer, and looks nothing up
     * @param checkEvery how long a wait lasts before the topology is looked up, and how often again while it lasts
     */
    WriterWatch(Runnable lookUp, Predicate<Endpoint> poolBusy, Duration checkEvery, String threadName) {
        this.lookUp = lookUp;
        this.poolBusy = poolBusy;
        this.checkEveryNanos = checkEvery.toNanos();
        this.threadName = threadName;
    }

    /** Registers the calling thread's wait for a connection to {@code writer}; end it with {@link Wait#end()}. */
    Wait begin(Endpoint writer) {
        Wait wait = new Wait(Thread.currentThread(), writer, System.nanoTime());
        waits.add(wait);
        scheduleCheck(checkEveryNanos);
        return wait;
    }

    /** The writer is no longer {@code previous}: every wait for a connection to it is abandoned. */
    void writerMoved(Endpoint previous) {
        for (Wait wait : waits) {
            if (wait.writer.equals(previous)) {
                wait.abandon();
            }
        }
    }

    private void scheduleCheck(long delayNanos) {
        if (!checkScheduled.compareAndSet(false, true)) {
            return;
        }
        ScheduledExecutorService s = scheduler();
        if (s == null) {
            checkScheduled.set(false);
            return;
        }
        try {
            s.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            checkScheduled.set(false);
        }
    }

    private synchronized @Nullable ScheduledExecutorService scheduler() {
        if (closed) {
            return null;
        }
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> NumberedDaemons.daemon(r, threadName));
        }
        return scheduler;
    }

    /** Looks the topology up if a wait has lasted {@code checkEvery}; checks again while waits remain. */
    private void check() {
        long now = System.nanoTime();
        long nextDue = Long.MAX_VALUE;
        boolean overdue = false;
        for (Wait wait : waits) {
            long age = now - wait.startedAt;
            if (age >= checkEveryNanos) {
                overdue |= !poolBusy.test(wait.writer);
            } else {
                nextDue = Math.min(nextDue, checkEveryNanos - age);
            }
        }
        if (overdue) {
            try {
                lookUp.run();
            } catch (RuntimeException e) {
                log.warn("Looking the writer up while connections to it were awaited failed: {}", e.toString());
            }
            nextDue = checkEveryNanos;
        }
        checkScheduled.set(false);
        if (!waits.isEmpty()) {
            scheduleCheck(nextDue == Long.MAX_VALUE ? checkEveryNanos : nextDue);
        }
    }

    /** Stops the look-ups (a look-up in progress finishes); waits still registered are not abandoned. */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            closed = true;
            s = scheduler;
            scheduler = null;
        }
        if (s != null) {
            s.shutdownNow();
        }
    }

    /**
     * One thread's wait for a writer connection. Abandoning it and ending it are serialized, so that the interrupt
     * that abandons it is delivered before {@link #end()} clears it, and never after the wait ended.
     */
    final class Wait {
        private final Thread thread;
        private final Endpoint writer;
        private final long startedAt;
        private boolean abandoned;
        private boolean ended;

        private Wait(Thread thread, Endpoint writer, long startedAt) {
            this.thread = thread;
            this.writer = writer;
            this.startedAt = startedAt;
        }

        private synchronized void abandon() {
            if (!ended && !abandoned) {
                abandoned = true;
                log.info("Writer moved away from {}: abandoning a connection attempt waiting for it", writer);
                thread.interrupt();
            }
        }

        /**
         * Ends the wait, on the thread that began it. Returns whether it was abandoned because the writer moved; if so
         * the interrupt that abandoned it is cleared (the caller connects to the new writer instead).
         */
        synchronized boolean end() {
            ended = true;
            waits.remove(this);
            if (abandoned) {
                Thread.interrupted();
            }
            return abandoned;
        }
    }
}
