package dev.meridian.core.clock;

import dev.meridian.core.exception.MeridianException;

/**
 * Thrown by {@link HybridLogicalClock#observe(long)} under {@link HybridLogicalClock.DriftPolicy#REJECT} when a
 * remote stamp is further ahead of the local physical clock than the configured max drift. The local clock is left
 * unchanged.
 */
public class ClockDriftException extends MeridianException {

    private static final long serialVersionUID = 1L;

    private final long remoteStamp;
    private final long aheadMillis;

    /** Creates the exception for {@code remoteStamp}, {@code aheadMillis} ahead, with the configured limit. */
    public ClockDriftException(long remoteStamp, long aheadMillis, long maxDriftMillis) {
        super("Remote HLC stamp " + HybridLogicalClock.toString(remoteStamp) + " is " + aheadMillis
                + " ms ahead of the local clock, more than the max drift of " + maxDriftMillis + " ms");
        this.remoteStamp = remoteStamp;
        this.aheadMillis = aheadMillis;
    }

    /** The refused remote stamp. */
    public long remoteStamp() {
        return remoteStamp;
    }

    /** How far (ms) the remote stamp's physical part was ahead of the local physical clock. */
    public long aheadMillis() {
        return aheadMillis;
    }
}
