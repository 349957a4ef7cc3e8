package dev.meridian.core;

import dev.meridian.core.internal.NumberedDaemons;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link ProcessStalls} meter's tick from the first time it is {@link #needed()}: on the hedge timer thread
 * when hedging is on, otherwise on one daemon thread of its own ({@value #THREAD_NAME}). The executor asks for it
 * before the first attempt of a hedged read through a warm client starts (so every such attempt is judged with the
 * meter, as when it ran from the runtime's build; a synchronous read through a cold client, a cold start's first read,
 * does not ask: its time is never held against its region and its caller times its hedge itself) and the first time a warm client's attempt was slow or timed out, the moment it matters
 * whether the slowness was the region's or the process's. A runtime that has made no hedged read and whose calls are
 * all fast starts no thread for it. Until the meter runs no stall is seen, so the attempts before it are held against
 * their regions as they would be without a meter. {@link #close()} stops the own thread and keeps the meter from
 * starting again. Thread-safe; {@link #needed()} reads one volatile field once the meter runs.
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
    /** Whether the tick was scheduled on the hedge timer. */
    private boolean running;

    /** A meter for {@code stalls}, ticking once needed on {@code hedger}'s timer, or on a thread of its own. */
    StallMeter(ProcessStalls stalls, @Nullable Hedger hedger) {
        this.stalls = stalls;
        this.hedger = hedger;
    }

    /** Starts the meter's tick unless the meter runs already or was closed. */
    void needed() {
        if (settled) {
            return;
        }
        synchronized (this) {
            if (settled) {
                return;
            }
            settled = true;
            if (hedger != null) {
                running = true;
                hedger.every(ProcessStalls.TICK_NANOS, stalls.meter(System::nanoTime));
                LOG.debug("Measuring process stalls from now on, on the hedge timer");
                return;
            }
            own = Executors.newSingleThreadScheduledExecutor(r -> NumberedDaemons.daemon(r, THREAD_NAME));
            own.scheduleWithFixedDelay(stalls.meter(System::nanoTime), ProcessStalls.TICK_NANOS,
                    ProcessStalls.TICK_NANOS, TimeUnit.NANOSECONDS);
            LOG.debug("An attempt was slow: measuring process stalls from now on, on thread {}", THREAD_NAME);
        }
    }

    /**
     * Runs {@code task} on the thread that runs the tick, delaying the tick while it runs (tests freeze it to simulate
     * a process stall); does nothing while the meter does not run.
     */
    synchronized void onTickThread(Runnable task) {
        if (hedger != null && running) {
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
