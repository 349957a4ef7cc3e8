package dev.meridian.core.clock;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.exception.MeridianException;
import java.time.Duration;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link HybridLogicalClock#observe(long)} when a remote stamp is further ahead of the local physical clock
 * than the max drift ({@link HybridLogicalClock.DriftPolicy#REJECT}, the default), or lies in the last representable
 * millisecond. The local clock is left unchanged. The message names the stamp, the bound and how to configure it.
 */
@API(status = STABLE, since = "0.1")
public class ClockDriftException extends MeridianException {

    private static final long serialVersionUID = 1L;

    private final long remoteStamp;
    private final long aheadMillis;
    private final long maxAcceptableStamp;

    /**
     * Creates the exception for {@code remoteStamp}, {@code aheadMillis} ahead of the local clock, above
     * {@code maxAcceptableStamp}; {@code maxDrift} is null when the guard is off.
     */
    public ClockDriftException(long remoteStamp, long aheadMillis, long maxAcceptableStamp, @Nullable Duration maxDrift) {
        super(message(remoteStamp, aheadMillis, maxAcceptableStamp, maxDrift));
        this.remoteStamp = remoteStamp;
        this.aheadMillis = aheadMillis;
        this.maxAcceptableStamp = maxAcceptableStamp;
    }

    private static String message(long remoteStamp, long aheadMillis, long bound, @Nullable Duration maxDrift) {
        String stamp = "Remote HLC stamp " + HybridLogicalClock.toString(remoteStamp) + " (" + remoteStamp + ") is "
                + aheadMillis + " ms ahead of the local clock";
        if (maxDrift == null) {
            return stamp + ", in the last representable millisecond: no stamp could follow it, so it was not adopted "
                    + "(even with HybridLogicalClock.builder().noDriftGuard()). The item or the peer's clock is broken.";
        }
        return stamp + ", beyond the max drift of " + maxDrift.toMillis() + " ms (largest stamp accepted now: "
                + HybridLogicalClock.toString(bound) + "), so it was not adopted. Fix the peer's clock (NTP) or the "
                + "item; if clocks legitimately differ by more, raise the bound with "
                + "HybridLogicalClock.builder().maxDrift(Duration, DriftPolicy).";
    }

    /** The refused remote stamp. */
    public long remoteStamp() {
        return remoteStamp;
    }

    /** How far (ms) the remote stamp's physical part was ahead of the local physical clock. */
    public long aheadMillis() {
        return aheadMillis;
    }

    /** The largest stamp the clock accepted when it refused this one. */
    public long maxAcceptableStamp() {
        return maxAcceptableStamp;
    }
}
