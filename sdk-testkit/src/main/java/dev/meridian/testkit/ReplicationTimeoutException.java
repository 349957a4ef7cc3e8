package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * Thrown by {@link LocalRegions#awaitReplication(java.time.Duration)} when the simulated regions did not
 * converge in time; the message says what was still pending (e.g. changes held on a paused link) or which
 * table differed between which regions.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ReplicationTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ReplicationTimeoutException(String message) {
        super(message);
    }
}
