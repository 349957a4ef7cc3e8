package dev.meridian.testkit;

/**
 * Thrown by {@link LocalRegions#awaitReplication(java.time.Duration)} when the simulated regions did not
 * converge in time; the message says what was still pending (e.g. changes held on a paused link) or which
 * table differed between which regions.
 */
public final class ReplicationTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ReplicationTimeoutException(String message) {
        super(message);
    }
}
