package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.clock.HybridLogicalClock;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Where and when a caller last wrote: the region that took the write and the {@linkplain HybridLogicalClock hybrid
 * logical clock} stamp issued when it was acknowledged. A read carrying the token is served only where that write is
 * visible (the written region, or one whose replication from it is known to have passed the stamp), so a caller reads
 * its own writes also in another service or process.
 *
 * <p>Text form ({@link #format()}, {@link #parse(String)}): {@code 1:<region>:<stamp>}, where {@code 1} is the format
 * version, {@code <region>} an AWS region id and {@code <stamp>} the HLC stamp in lower-case hexadecimal, e.g.
 * {@code 1:eu-west-1:18c3a0f2b4e0001}. It carries no payload, key or subject: only a region and a time. Immutable.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SessionToken {
    /** The version of the text form this class writes. */
    public static final String VERSION = "1";

    private static final Pattern FORM = Pattern.compile("([0-9]+):([a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}):([0-9a-f]{1,16})");

    private final Region region;
    private final long stamp;

    private SessionToken(Region region, long stamp) {
        this.region = region;
        this.stamp = stamp;
    }

    /** The token of a write acknowledged by {@code region} and stamped {@code stamp} (an HLC stamp, not negative). */
    public static SessionToken of(Region region, long stamp) {
        Objects.requireNonNull(region, "region");
        if (stamp < 0) {
            throw new IllegalArgumentException("stamp must not be negative, was " + stamp);
        }
        return new SessionToken(region, stamp);
    }

    /**
     * Reads the text form.
     *
     * @throws IllegalArgumentException naming the rule the text breaks (never silently ignored)
     */
    public static SessionToken parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("is not a session token of the form " + VERSION
                    + ":<region>:<hex stamp> such as 1:eu-west-1:18c3a0f2b4e0001");
        }
        if (!VERSION.equals(m.group(1))) {
            throw new IllegalArgumentException("has format version " + m.group(1) + ", this version reads "
                    + VERSION + " only");
        }
        long stamp;
        try {
            stamp = Long.parseUnsignedLong(m.group(3), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("has a stamp out of range", e);
        }
        if (stamp < 0) {
            throw new IllegalArgumentException("has a stamp out of range");
        }
        return new SessionToken(Region.of(m.group(2)), stamp);
    }

    /** The text form, {@code 1:<region>:<hex stamp>}. */
    public String format() {
        return VERSION + ':' + region.id() + ':' + Long.toHexString(stamp);
    }

    /** The region that took the write. */
    public Region region() {
        return region;
    }

    /** The write's HLC stamp. */
    public long stamp() {
        return stamp;
    }

    /** The wall-clock time of the stamp (its physical part). */
    public Instant time() {
        return Instant.ofEpochMilli(stamp >>> HybridLogicalClock.LOGICAL_BITS);
    }

    /** Whichever of this and {@code other} is later (by stamp; this one on a tie). */
    public SessionToken later(SessionToken other) {
        return other.stamp > stamp ? other : this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionToken t && t.stamp == stamp && t.region.equals(region);
    }

    @Override
    public int hashCode() {
        return 31 * region.hashCode() + Long.hashCode(stamp);
    }

    @Override
    public String toString() {
        return format();
    }
}
