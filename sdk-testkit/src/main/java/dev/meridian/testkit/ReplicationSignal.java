package dev.meridian.testkit;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Tells the global-table replicator that a stream may hold new records or that a change may now be deliverable (a
 * write passed a region's fault proxy, a link was resumed, a test awaits convergence), so that it polls now instead
 * of after its idle interval.
 *
 * <p>Raising is cheap and never blocks (the fault proxy raises it on every write); raises between two waits of the
 * replicator coalesce into one wake-up. Thread-safe.
 */
final class ReplicationSignal {

    /** Permits are raises not yet consumed; only whether there is one matters. */
    private final Semaphore raised = new Semaphore(0);

    void raise() {
        if (raised.availablePermits() == 0) {
            raised.release();
        }
    }

    /** Forgets earlier raises: what they announced is read by the cycle that starts after this call. */
    void clear() {
        raised.drainPermits();
    }

    /** Waits until the signal is raised (returns at once if it was since the last {@link #clear()}) or time is up. */
    void await(long nanos) throws InterruptedException {
        if (raised.tryAcquire(nanos, TimeUnit.NANOSECONDS)) {
            raised.release();
        }
    }
}
