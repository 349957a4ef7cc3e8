package dev.meridian.core.clock;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): physical wall-clock milliseconds plus a logical counter, encoded
 * as one {@code long} stamp {@code (physicalMillis << 16) | logical}.
 *
 * <p><b>Guarantees.</b>
 * <ul>
 *   <li><b>Monotonic:</b> every stamp returned by {@link #now()} or {@link #observe(long)} on one instance is strictly
 *       greater than every stamp it returned before, also when the physical clock jumps backwards (NTP step, VM
 *       migration) — the clock then keeps the last physical time and counts on the logical part.</li>
 *   <li><b>Causal:</b> {@link #observe(long)} returns a stamp greater than the remote stamp it was given (unless the
 *       max-drift guard refused or clamped it, see below), so an event that happens after receiving a message is ordered after
 *       the message's send event, whatever the two hosts' wall clocks say.</li>
 *   <li><b>Close to wall time:</b> the physical part is the largest physical time seen (local or remote), so it never
 *       runs ahead of the fastest clock in the system.</li>
 *   <li><b>Sortable:</b> stamps compare as plain {@code long}s; the order is (physical millis, logical). When the
 *       logical counter would exceed {@value #MAX_LOGICAL} (more than 65,535 events in one millisecond while the
 *       physical clock stands still) it borrows into the millisecond part: the stamp simply increments, so the
 *       physical part runs slightly ahead of wall time instead of wrapping.</li>
 *   <li><b>Thread-safe and lock-free:</b> the state is one {@link AtomicLong} updated by compare-and-set; concurrent
 *       callers always get distinct stamps.</li>
 * </ul>
 *
 * <p><b>Max-drift guard (on by default).</b> A remote stamp far in the future (a peer with a broken clock, a corrupted
 * item) would drag this clock's physical part forward permanently, and with it every process that later reads a
 * stamp of this one. So a remote stamp whose physical part is more than the max drift ({@value #DEFAULT_MAX_DRIFT_SECONDS}
 * s by default, {@link Builder#maxDrift(Duration, DriftPolicy)} to change it) ahead of the local physical clock is
 * either refused with {@link ClockDriftException} ({@link DriftPolicy#REJECT}, the default; the local clock is
 * unchanged) or capped at {@code localPhysical + maxDrift} ({@link DriftPolicy#CLAMP}; the returned stamp may then be
 * <em>smaller</em> than the remote one, i.e. causality with that sender is given up to protect the clock).
 * {@link Builder#noDriftGuard()} turns the guard off. {@link #maxAcceptableStamp()} is the bound at this instant.
 * Whatever the guard, a remote stamp in the last representable millisecond (such as {@link Long#MAX_VALUE}) is
 * always refused: no later stamp could follow it.
 *
 * <p><b>Node id.</b> Every instance has a random {@link #nodeId()} (64 random bits as 16 hex digits, or the one given to
 * {@link Builder#nodeId(String)}). A stamp is unique per instance, so {@code (stamp, nodeId)} is unique across processes
 * and orders two writes with equal stamps from two processes in one region. It is not persisted: a new process draws a
 * new one. Call {@link #regenerateNodeId()} after a process snapshot is restored (CRaC, Lambda SnapStart), where every
 * restored copy would otherwise share the snapshot's id and clock state.
 *
 * <p>Physical time must lie in {@code [0, 2^47)} milliseconds since the epoch (until the year 6429).
 */
@API(status = STABLE, since = "0.1")
public final class HybridLogicalClock {

    /** Bits of the stamp used by the logical counter. */
    public static final int LOGICAL_BITS = 16;
    /** Largest logical counter value before it borrows into the millisecond part. */
    public static final int MAX_LOGICAL = (1 << LOGICAL_BITS) - 1;
    /** Largest physical time (epoch millis) a stamp can carry. */
    public static final long MAX_PHYSICAL_MILLIS = Long.MAX_VALUE >>> LOGICAL_BITS;

    /** Default max drift, in seconds. */
    public static final long DEFAULT_MAX_DRIFT_SECONDS = 60;
    /** Default max drift: a remote stamp more than this ahead of the local clock is not adopted. */
    public static final Duration DEFAULT_MAX_DRIFT = Duration.ofSeconds(DEFAULT_MAX_DRIFT_SECONDS);

    private static final Logger log = LoggerFactory.getLogger(HybridLogicalClock.class);
    private static final char SEPARATOR = '#';
    private static final Pattern NODE_ID = Pattern.compile("[0-9A-Za-z._-]{1,64}");
    /** Smallest stamp of the last representable millisecond: nothing could be issued after a stamp at or above it. */
    private static final long LAST_MILLISECOND = MAX_PHYSICAL_MILLIS << LOGICAL_BITS;

    /** What {@link #observe(long)} does with a remote stamp further ahead than the configured max drift. */
    public enum DriftPolicy {
        /** Throw {@link ClockDriftException}; the local clock is not advanced. */
        REJECT,
        /** Advance the local clock only up to {@code localPhysical + maxDrift}. */
        CLAMP
    }

    private final LongSupplier physicalMillis;
    private final long maxDriftMillis;
    private final DriftPolicy driftPolicy;
    private final AtomicLong last = new AtomicLong();
    private volatile String nodeId;

    /** A clock reading physical time from {@code source}, with the default drift guard and a random node id. */
    public HybridLogicalClock(InstantSource source) {
        this(builder().source(source));
    }

    /**
     * A clock reading physical epoch milliseconds from {@code millis} (handy in tests), with the default drift guard
     * and a random node id.
     */
    public HybridLogicalClock(LongSupplier millis) {
        this(builder().millis(millis));
    }

    private HybridLogicalClock(Builder builder) {
        this.physicalMillis = Objects.requireNonNull(builder.millis, "millis");
        this.maxDriftMillis = builder.maxDriftMillis;
        this.driftPolicy = builder.driftPolicy;
        this.nodeId = builder.nodeId != null ? builder.nodeId : randomNodeId();
    }

    /** A clock on the system UTC clock, with the default drift guard and a random node id. */
    public static HybridLogicalClock system() {
        return new HybridLogicalClock(InstantSource.system());
    }

    /** A builder: time source, max-drift guard, node id. */
    public static Builder builder() {
        return new Builder();
    }

    /** Issues a stamp for a local or send event: greater than every stamp issued before, and at least physical now. */
    public long now() {
        long physical = encode(readPhysical(), 0);
        return last.updateAndGet(prev -> Math.max(Math.addExact(prev, 1), physical));
    }

    /**
     * Records a receive event carrying {@code remoteStamp} and issues a stamp for it: greater than every stamp issued
     * before and than {@code remoteStamp} (subject to the drift guard), and at least physical now.
     *
     * @throws ClockDriftException when the remote stamp is above {@link #maxAcceptableStamp()} and the policy is
     *         {@link DriftPolicy#REJECT} (the default), or the stamp is in the last representable millisecond
     * @throws IllegalArgumentException when {@code remoteStamp} is negative
     */
    public long observe(long remoteStamp) {
        SettingRules.atLeast(remoteStamp, 0, "remoteStamp", "pass a stamp issued by a HybridLogicalClock");
        long physicalNow = readPhysical();
        long remote = guardDrift(remoteStamp, physicalNow);
        long physical = encode(physicalNow, 0);
        return last.updateAndGet(prev -> Math.max(Math.max(prev, remote) + 1, physical));
    }

    /**
     * The largest remote stamp {@link #observe(long)} adopts at this instant: the last stamp of the millisecond
     * {@code maxDrift} ahead of the local physical clock, or the largest stamp that can still be followed when the
     * guard is off. Stamps above it are treated as coming from a broken clock.
     */
    public long maxAcceptableStamp() {
        return acceptableStamp(readPhysical());
    }

    /**
     * This instance's node id: orders writes with equal stamps from different processes; see the class comment.
     * Letters, digits, {@code . _ -}, at most 64 characters (compared as ASCII strings).
     */
    public String nodeId() {
        return nodeId;
    }

    /**
     * Draws a new random node id, e.g. after a process snapshot was restored (CRaC {@code afterRestore}, Lambda
     * SnapStart), so that the restored copies stop sharing one. Stamps stay strictly increasing.
     *
     * @return the new node id
     */
    public String regenerateNodeId() {
        String id = randomNodeId();
        nodeId = id;
        return id;
    }

    /** The last stamp this clock issued (0 before the first), without issuing a new one. */
    public long latest() {
        return last.get();
    }

    /** The configured max drift, or {@code null} when the guard is off ({@link Builder#noDriftGuard()}). */
    public @Nullable Duration maxDrift() {
        return maxDriftMillis == Long.MAX_VALUE ? null : Duration.ofMillis(maxDriftMillis);
    }

    /** Physical epoch milliseconds of a stamp. */
    public static long physicalMillis(long stamp) {
        return stamp >>> LOGICAL_BITS;
    }

    /** Logical counter of a stamp. */
    public static int logical(long stamp) {
        return (int) (stamp & MAX_LOGICAL);
    }

    /** Encodes a stamp from its parts. */
    public static long encode(long physicalMillis, int logical) {
        if (physicalMillis < 0 || physicalMillis > MAX_PHYSICAL_MILLIS) {
            throw SettingRules.invalid("physicalMillis", "must be in 0.." + MAX_PHYSICAL_MILLIS, physicalMillis,
                    "pass epoch milliseconds from 1970 on");
        }
        SettingRules.inRange(logical, 0, MAX_LOGICAL, "logical", "pass the counter of a stamp");
        return (physicalMillis << LOGICAL_BITS) | logical;
    }

    /** Human-readable form {@code 2024-05-01T10:00:00.123Z#7} (ISO-8601 instant, {@code #}, logical counter). */
    public static String toString(long stamp) {
        return Instant.ofEpochMilli(physicalMillis(stamp)).toString() + SEPARATOR + logical(stamp);
    }

    /**
     * Parses the form written by {@link #toString(long)}.
     *
     * @throws IllegalArgumentException when {@code text} is not in that form
     */
    public static long parse(String text) {
        Objects.requireNonNull(text, "text");
        int at = text.lastIndexOf(SEPARATOR);
        String rule = "must look like 2024-05-01T10:00:00.123Z#7";
        String fix = "pass a stamp written by HybridLogicalClock.toString(long)";
        if (at < 0) {
            throw SettingRules.invalid("HLC stamp", rule, SettingRules.quoted(text), fix);
        }
        try {
            long millis = Instant.parse(text.substring(0, at)).toEpochMilli();
            return encode(millis, Integer.parseInt(text.substring(at + 1)));
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            throw SettingRules.invalid("HLC stamp", rule, SettingRules.quoted(text), fix, e);
        }
    }

    private long readPhysical() {
        long millis = physicalMillis.getAsLong();
        if (millis < 0 || millis > MAX_PHYSICAL_MILLIS) {
            throw new IllegalStateException("physical clock returned " + millis + " ms, outside [0, "
                    + MAX_PHYSICAL_MILLIS + "]");
        }
        return millis;
    }

    private long acceptableStamp(long physicalNow) {
        if (maxDriftMillis == Long.MAX_VALUE || maxDriftMillis >= MAX_PHYSICAL_MILLIS - physicalNow) {
            return LAST_MILLISECOND - 1;
        }
        return encode(physicalNow + maxDriftMillis, MAX_LOGICAL);
    }

    private long guardDrift(long remoteStamp, long physicalNow) {
        long bound = acceptableStamp(physicalNow);
        if (remoteStamp <= bound) {
            return remoteStamp;
        }
        long aheadMillis = physicalMillis(remoteStamp) - physicalNow;
        if (maxDriftMillis == Long.MAX_VALUE || driftPolicy == DriftPolicy.REJECT) {
            throw new ClockDriftException(remoteStamp, aheadMillis, bound,
                    maxDriftMillis == Long.MAX_VALUE ? null : Duration.ofMillis(maxDriftMillis));
        }
        log.warn("Clamped remote HLC stamp {} that is {} ms ahead of the local clock (max drift {} ms)",
                toString(remoteStamp), aheadMillis, maxDriftMillis);
        // The first stamp of the bound's millisecond, so the stamps issued next stay within the bound.
        return encode(physicalMillis(bound), 0);
    }

    /**
     * From {@link SecureRandom}, not {@code ThreadLocalRandom}: a thread's {@code ThreadLocalRandom} state is part of a
     * process snapshot, so every copy restored from one (Lambda SnapStart, CRaC) would draw the same "new" id on the
     * same thread; {@code SecureRandom} reads the OS entropy source, which differs per restored copy.
     */
    private static String randomNodeId() {
        return String.format("%016x", NodeIds.RANDOM.nextLong());
    }

    /** Created on the first node id, not with the class. */
    private static final class NodeIds {
        static final SecureRandom RANDOM = new SecureRandom();

        private NodeIds() {
        }
    }

    /** Builder for a {@link HybridLogicalClock}; validates each setting as it is given. */
    public static final class Builder {
        private LongSupplier millis = InstantSource.system()::millis;
        private long maxDriftMillis = DEFAULT_MAX_DRIFT.toMillis();
        private DriftPolicy driftPolicy = DriftPolicy.REJECT;
        private @Nullable String nodeId;

        private Builder() {
        }

        /** Physical time source (default the system UTC clock). */
        public Builder source(InstantSource source) {
            Objects.requireNonNull(source, "source");
            this.millis = source::millis;
            return this;
        }

        /** Physical time as epoch milliseconds (default the system UTC clock). */
        public Builder millis(LongSupplier millis) {
            this.millis = Objects.requireNonNull(millis, "millis");
            return this;
        }

        /**
         * Guards {@link HybridLogicalClock#observe(long)} against remote stamps more than {@code maxDrift} ahead of
         * the local physical clock; {@code policy} says whether they are refused or clamped. Default
         * {@link HybridLogicalClock#DEFAULT_MAX_DRIFT} with {@link DriftPolicy#REJECT}.
         */
        public Builder maxDrift(Duration maxDrift, DriftPolicy policy) {
            SettingRules.notNegative(maxDrift, "HybridLogicalClock.maxDrift", "pass a bound such as "
                    + DEFAULT_MAX_DRIFT_SECONDS + " s (the default), or call noDriftGuard() to turn the guard off");
            this.maxDriftMillis = maxDrift.toMillis();
            this.driftPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Turns the max-drift guard off: every remote stamp is adopted (except one in the last representable
         * millisecond). One far-future stamp then drags this clock, and every clock that reads its stamps, forward
         * for good; use only when all clocks are known to be sound.
         */
        public Builder noDriftGuard() {
            this.maxDriftMillis = Long.MAX_VALUE;
            this.driftPolicy = DriftPolicy.REJECT;
            return this;
        }

        /**
         * A fixed node id instead of a random one (letters, digits, {@code . _ -}, 1 to 64 characters). It must be
         * unique among all clocks that write the same items; a random one (the default) is.
         */
        public Builder nodeId(String nodeId) {
            String fix = "pass an id unique among the clocks that write the same items, e.g. the host name, or leave"
                    + " it unset for a random one";
            SettingRules.required(nodeId, "HybridLogicalClock.nodeId", fix);
            SettingRules.check(NODE_ID.matcher(nodeId).matches(), "HybridLogicalClock.nodeId",
                    "must be 1 to 64 letters, digits, '.', '_' or '-'", SettingRules.quoted(nodeId), fix);
            this.nodeId = nodeId;
            return this;
        }

        /** Builds the clock. */
        public HybridLogicalClock build() {
            return new HybridLogicalClock(this);
        }
    }
}
