package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.clock.HybridLogicalClock;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * Where and when a caller wrote: for every region that took one of the session's writes, the {@linkplain
 * HybridLogicalClock hybrid logical clock} stamp of the latest write it acknowledged there. A read carrying the token
 * is served only where every one of those writes is visible (the written region, or one whose replication from it is
 * known to have passed its stamp), so a caller reads its own writes also in another service or process, and also
 * after its writes failed over from one region to another.
 *
 * <p>Text form ({@link #format()}, {@link #parse(String)}), {@code <stamp>} always an HLC stamp in lower-case
 * hexadecimal (1 to 16 digits, not negative as a signed 64-bit number) and {@code <region>} an AWS region id:
 * <ul>
 *   <li>a token naming one region is written in format version 1, {@code 1:<region>:<stamp>}, e.g.
 *       {@code 1:eu-west-1:18c3a0f2b4e0001} (what every earlier release writes and reads);</li>
 *   <li>a token naming several regions is written in format version 2, {@code 2:} followed by its entries
 *       {@code <region>:<stamp>} separated by {@code ,}, in ascending order of region id, each region once, 2 to
 *       {@value #MAX_REGIONS} entries, e.g. {@code 2:eu-central-1:18c3a0f2b4e0007,eu-west-1:18c3a0f2b4e0001}.</li>
 * </ul>
 * {@link #parse(String)} reads both (the entries of version 2 in any order) and refuses a text longer than
 * {@value #MAX_TEXT_LENGTH} characters. It carries no payload, key or subject: only regions and times. Immutable.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SessionToken {
    /** The version of the text form of a token naming one region (one naming several is written in version 2). */
    public static final String VERSION = "1";
    /** The most regions one token names (more than AWS has regions, so a session never reaches it). */
    public static final int MAX_REGIONS = 64;
    /** The longest text {@link #parse(String)} reads. */
    public static final int MAX_TEXT_LENGTH = 4096;

    private static final String SEVERAL = "2";
    private static final String REGION = "[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}";
    private static final String STAMP = "[0-9a-f]{1,16}";
    private static final Pattern V1 = Pattern.compile("([0-9]+):(" + REGION + "):(" + STAMP + ")");
    private static final Pattern V2 = Pattern.compile(SEVERAL + ":" + REGION + ":" + STAMP + "(?:," + REGION + ":"
            + STAMP + ")+");
    private static final Pattern VERSION_PREFIX = Pattern.compile("([0-9]+):.*");
    private static final Comparator<Region> BY_ID = Comparator.comparing(Region::id);

    /** The latest write's region and stamp (of the entries, the greatest stamp; the lowest region id on a tie). */
    private final Region region;
    private final long stamp;
    /** Every region written to and its latest stamp, in ascending order of region id; unmodifiable. */
    private final Map<Region, Long> writes;

    private SessionToken(Region region, long stamp, Map<Region, Long> writes) {
        this.region = region;
        this.stamp = stamp;
        this.writes = writes;
    }

    /** The token of a write acknowledged by {@code region} and stamped {@code stamp} (an HLC stamp, not negative). */
    public static SessionToken of(Region region, long stamp) {
        Objects.requireNonNull(region, "region");
        if (stamp < 0) {
            throw new IllegalArgumentException("stamp must not be negative, was " + stamp);
        }
        return new SessionToken(region, stamp, Map.of(region, stamp));
    }

    /** A token of {@code writes} (already checked: 2 to {@link #MAX_REGIONS} regions, stamps not negative). */
    private static SessionToken ofSeveral(Map<Region, Long> writes) {
        Map<Region, Long> byId = new TreeMap<>(BY_ID);
        byId.putAll(writes);
        @Nullable Region latest = null;
        long latestStamp = -1;
        for (Map.Entry<Region, Long> e : byId.entrySet()) {
            if (e.getValue() > latestStamp) {
                latest = e.getKey();
                latestStamp = e.getValue();
            }
        }
        return new SessionToken(Objects.requireNonNull(latest), latestStamp, Collections.unmodifiableMap(byId));
    }

    /**
     * Reads the text form, version 1 or 2.
     *
     * @throws IllegalArgumentException naming the rule the text breaks (never silently ignored)
     */
    public static SessionToken parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.trim();
        if (t.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("is " + t.length() + " characters long, a session token at most "
                    + MAX_TEXT_LENGTH);
        }
        Matcher v1 = V1.matcher(t);
        if (v1.matches() && VERSION.equals(v1.group(1))) {
            return of(Region.of(v1.group(2)), stamp(v1.group(3)));
        }
        if (v1.matches() && SEVERAL.equals(v1.group(1))) {
            throw new IllegalArgumentException("has format version " + SEVERAL + " with one entry: a token of one"
                    + " region is written in version " + VERSION + ", " + VERSION + ":<region>:<hex stamp>");
        }
        Matcher version = VERSION_PREFIX.matcher(t);
        if (version.matches() && SEVERAL.equals(version.group(1))) {
            return parseSeveral(t);
        }
        if (version.matches() && !VERSION.equals(version.group(1))) {
            throw new IllegalArgumentException("has format version " + version.group(1) + ", this version reads "
                    + VERSION + " and " + SEVERAL + " only");
        }
        throw new IllegalArgumentException("is not a session token of the form " + VERSION
                + ":<region>:<hex stamp> such as 1:eu-west-1:18c3a0f2b4e0001, or " + SEVERAL
                + ":<region>:<hex stamp>,<region>:<hex stamp>... naming several regions");
    }

    private static SessionToken parseSeveral(String t) {
        if (!V2.matcher(t).matches()) {
            throw new IllegalArgumentException("is not a session token of format version " + SEVERAL + ", " + SEVERAL
                    + ":<region>:<hex stamp>,<region>:<hex stamp>... (2 to " + MAX_REGIONS + " entries)");
        }
        String[] entries = t.substring(SEVERAL.length() + 1).split(",");
        if (entries.length > MAX_REGIONS) {
            throw new IllegalArgumentException("names " + entries.length + " regions, a session token at most "
                    + MAX_REGIONS);
        }
        Map<Region, Long> writes = new LinkedHashMap<>();
        for (String entry : entries) {
            int colon = entry.lastIndexOf(':');
            Region r = Region.of(entry.substring(0, colon));
            if (writes.put(r, stamp(entry.substring(colon + 1))) != null) {
                throw new IllegalArgumentException("names region " + r.id() + " twice, a session token each region"
                        + " once");
            }
        }
        return ofSeveral(writes);
    }

    private static long stamp(String hex) {
        long stamp;
        try {
            stamp = Long.parseUnsignedLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("has a stamp out of range", e);
        }
        if (stamp < 0) {
            throw new IllegalArgumentException("has a stamp out of range");
        }
        return stamp;
    }

    /**
     * The text form: {@code 1:<region>:<hex stamp>} when the token names one region, else
     * {@code 2:<region>:<hex stamp>,...} in ascending order of region id.
     */
    public String format() {
        if (writes.size() == 1) {
            return VERSION + ':' + region.id() + ':' + Long.toHexString(stamp);
        }
        StringBuilder text = new StringBuilder(SEVERAL).append(':');
        writes.forEach((r, s) -> text.append(r.id()).append(':').append(Long.toHexString(s)).append(','));
        return text.substring(0, text.length() - 1);
    }

    /** The region of the session's latest write (of {@link #writes()}, the one with the greatest stamp). */
    public Region region() {
        return region;
    }

    /** The HLC stamp of the session's latest write (the greatest stamp of {@link #writes()}). */
    public long stamp() {
        return stamp;
    }

    /** The wall-clock time of the latest write's stamp (its physical part). */
    public Instant time() {
        return Instant.ofEpochMilli(HybridLogicalClock.physicalMillis(stamp));
    }

    /**
     * Every region the session wrote to and the stamp of its latest write there, in ascending order of region id
     * (unmodifiable; one entry, {@link #region()} and {@link #stamp()}, for a session that wrote to one region).
     */
    public Map<Region, Long> writes() {
        return writes;
    }

    /**
     * The token of both sessions' writes: per region, the greater stamp. This token when {@code other} adds nothing to
     * it, {@code other} when this adds nothing to it (so recording a write costs no more than the write's own token
     * while a session keeps writing to one region).
     *
     * @throws IllegalArgumentException when together they would name more than {@link #MAX_REGIONS} regions
     */
    public SessionToken merge(SessionToken other) {
        Objects.requireNonNull(other, "other");
        if (writes.size() == 1 && other.writes.size() == 1 && region.equals(other.region)) {
            return other.stamp > stamp ? other : this;
        }
        Map<Region, Long> merged = new TreeMap<>(BY_ID);
        merged.putAll(writes);
        other.writes.forEach((r, s) -> merged.merge(r, s, Math::max));
        if (merged.equals(writes)) {
            return this;
        }
        if (merged.equals(other.writes)) {
            return other;
        }
        if (merged.size() > MAX_REGIONS) {
            throw new IllegalArgumentException("would name " + merged.size() + " regions, a session token at most "
                    + MAX_REGIONS);
        }
        return ofSeveral(merged);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionToken t && t.writes.equals(writes);
    }

    @Override
    public int hashCode() {
        return writes.hashCode();
    }

    @Override
    public String toString() {
        return format();
    }
}
