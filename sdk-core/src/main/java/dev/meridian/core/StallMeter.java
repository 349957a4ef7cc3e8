package dev.meridian.core;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link ProcessStalls} meter's tick: on the hedge timer thread when hedging is on (from the start), otherwise
 * on one daemon thread of its own ({@value #THREAD_NAME}) started only when {@link #needed()} — the first time an
 * attempt was slow or timed out, the moment it matters whether the slowness was the region's or the process's. A
 * runtime whose calls are all fast never starts it. Until the meter runs no stall is seen, so the attempts before it
 * are held against their regions as they would be without a meter. {@link #close()} stops the own thread and keeps it
 * from starting again. Thread-safe; {@link #needed()} reads one volatile field once the meter runs.
 */
final class StallMeter implements AutoCloseable {
    /** The name of the meter's own thread (when no hedge timer hosts the tick). */
    static final String THREAD_NAME = "meridian-stall-meter";
    private static final Logger LOG = LoggerFactory.getLogger(StallMeter.class);

    private final ProcessStalls stalls;
    private final @Nullable Hedger hedger;
    /** Set once the tick is scheduled, or once closed: either way {@link #needed()} has nothing to do. */
    private volatile boolean settled;
    private @Nullable ScheduledExecutorService own;
    private boolean closed;

    /** A meter for {@code stalls}, ticking on {@code hedger}'s timer at once, or on a thread of its own when needed. */
    StallMeter(ProcessStalls stalls, @Nullable Hedger hedger) {
        this.stalls = stalls;
        this.hedger = hedger;
        if (hedger != null) {
            hedger.every(ProcessStalls.TICK_NANOS, stalls.meter(System::nanoTime));
            settled = true;
        }
    }

    /** Starts the meter's own thread unless the meter runs already or was closed. */
    void needed() {
        if (settled) {
            return;
        }
        synchronized (this) {
            if (settled) {
                return;
            }
            own = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, THREAD_NAME);
                t.setDaemon(true);
                return t;
            });
            own.scheduleWithFixedDelay(stalls.meter(System::nanoTime), ProcessStalls.TICK_NANOS,
                    ProcessStalls.TICK_NANOS, TimeUnit.NANOSECONDS);
            settled = true;
            LOG.debug("An attempt was slow: measuring process stalls from now on, on thread {}", THREAD_NAME);
        }
    }

    /**
     * Runs {@code task} on the thread that runs the tick, delaying the tick while it runs (tests freeze it to simulate
     * a process stall); does nothing while the meter does not run.
     */
    synchronized void onTickThread(Runnable task) {
        if (hedger != null) {
            hedger.schedule(task, 0);
        } else if (own != null && !closed) {
            own.execute(task);
        }
    }

    /** Stops the meter's own thread, if it was started (the hedge timer is closed with the hedger). Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        settled = true;
        if (own != null) {
            own.shutdownNow();
        }
    }
}
