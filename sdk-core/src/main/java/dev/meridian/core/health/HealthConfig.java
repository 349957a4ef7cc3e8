package dev.meridian.core.health;

import static dev.meridian.core.settings.MeridianSettings.BREAKER_EJECT_AFTER_STALLS;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_FAILURE_RATE_THRESHOLD;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_HALF_OPEN_CALLS;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_MINIMUM_CALLS;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_SLIDING_WINDOW_SIZE;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_SLOW_CALL_DURATION;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_SLOW_CALL_RATE_THRESHOLD;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_WAIT_IN_OPEN;
import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Configuration of the per-region circuit breakers (Resilience4j, count-based sliding window, slow-call detection on)
 * and of the optional active probe. Immutable; the builder validates eagerly, each value by its declaration in
 * {@link dev.meridian.core.settings.MeridianSettings} ({@code breaker.*}), and names the bad setting.
 *
 * <p>Defaults: failure-rate threshold 50 %, sliding window 20 calls, minimum 10 calls, 10 s open,
 * 3 calls permitted half-open, slow-call threshold 80 % of calls slower than 2 s, no probe, per-resource breakers
 * off, ejection after {@value #DEFAULT_EJECT_AFTER_STALLS} stalled attempts in a row.
 *
 * <p>{@linkplain Builder#ejectAfterStalls(int) Fast ejection}: a region whose attempts time out several times in a row
 * is ejected at once (its breaker opens) without waiting for the sliding window to fill. As many hedge losers in a
 * row left unanswered while the hedge sent to another region answered make it suspect: a black hole and a region
 * whose reads in flight all happen to be slow ones look the same until something answers, so reads start in the next
 * region while detached trials, at most one per hedge delay, ask the region; an answer within the hedge delay clears
 * the suspicion (the breaker never opened), trials left unanswered eject it. What is not the region's does not count: the first attempt
 * through a client that has not answered yet (start-up, see {@code first-attempt-timeout}) and an attempt during
 * which the process itself was stalled for a quarter of its time or more (a GC pause, CPU starvation); so a cold or
 * starved process does not eject healthy regions. Any success in between starts the count again.
 *
 * <p>{@linkplain Builder#perResourceBreakers(boolean) Per-resource breakers}: when on, a call whose
 * {@code Operation} names a resource (e.g. a DynamoDB table) goes through the breaker of that region × resource
 * instead of the region's breaker, and the router skips a region only for the resources whose breaker is open, so a
 * table-level outage in one region moves that table's traffic and nothing else. The region breaker then sees only
 * calls without a resource and the active probe: a whole-region outage opens each resource's breaker in turn
 * (every call still fails over meanwhile); configure a {@linkplain Builder#probe probe} to open the region breaker
 * for every resource at once.
 *
 * <p>Throttling never counts against a region's breaker, with or without per-resource breakers: it is recorded on the
 * region × resource breaker of the throttled resource only, so one hot table cannot move its region's other traffic.
 */
@API(status = STABLE, since = "0.1")
public final class HealthConfig {
    /** Default number of stalled attempts in a row that ejects a region. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final int DEFAULT_EJECT_AFTER_STALLS = 5;
    // The defaults of the breaker.* settings, as their declarations state them (MeridianSettingsTest holds the two
    // equal): written out so that an application taking the defaults does not load the settings catalogue.
    private static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50f;
    private static final int DEFAULT_SLIDING_WINDOW_SIZE = 20;
    private static final int DEFAULT_MINIMUM_NUMBER_OF_CALLS = 10;
    private static final Duration DEFAULT_WAIT_IN_OPEN_STATE = Duration.ofSeconds(10);
    private static final int DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE = 3;
    private static final float DEFAULT_SLOW_CALL_RATE_THRESHOLD = 80f;
    private static final Duration DEFAULT_SLOW_CALL_DURATION = Duration.ofSeconds(2);
    private static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(5);
    /** Made without a builder, whose class an application taking the defaults then never loads (cold start). */
    private static final HealthConfig DEFAULTS = new HealthConfig();

    private final float failureRateThreshold;
    private final int slidingWindowSize;
    private final int minimumNumberOfCalls;
    private final Duration waitInOpenState;
    private final int permittedCallsInHalfOpenState;
    private final float slowCallRateThreshold;
    private final Duration slowCallDuration;
    private final @Nullable ProbeHook probe;
    private final Duration probeInterval;
    private final boolean perResourceBreakers;
    private final int ejectAfterStalls;

    /** The defaults: what an untouched builder builds. */
    private HealthConfig() {
        this.failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
        this.slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;
        this.minimumNumberOfCalls = DEFAULT_MINIMUM_NUMBER_OF_CALLS;
        this.waitInOpenState = DEFAULT_WAIT_IN_OPEN_STATE;
        this.permittedCallsInHalfOpenState = DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE;
        this.slowCallRateThreshold = DEFAULT_SLOW_CALL_RATE_THRESHOLD;
        this.slowCallDuration = DEFAULT_SLOW_CALL_DURATION;
        this.probe = null;
        this.probeInterval = DEFAULT_PROBE_INTERVAL;
        this.perResourceBreakers = false;
        this.ejectAfterStalls = DEFAULT_EJECT_AFTER_STALLS;
    }

    private HealthConfig(Builder b) {
        this.failureRateThreshold = b.failureRateThreshold;
        this.slidingWindowSize = b.slidingWindowSize;
        this.minimumNumberOfCalls = b.minimumNumberOfCalls;
        this.waitInOpenState = b.waitInOpenState;
        this.permittedCallsInHalfOpenState = b.permittedCallsInHalfOpenState;
        this.slowCallRateThreshold = b.slowCallRateThreshold;
        this.slowCallDuration = b.slowCallDuration;
        this.probe = b.probe;
        this.probeInterval = b.probeInterval;
        this.perResourceBreakers = b.perResourceBreakers;
        this.ejectAfterStalls = b.ejectAfterStalls;
    }

    public static HealthConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.failureRateThreshold = failureRateThreshold;
        b.slidingWindowSize = slidingWindowSize;
        b.minimumNumberOfCalls = minimumNumberOfCalls;
        b.waitInOpenState = waitInOpenState;
        b.permittedCallsInHalfOpenState = permittedCallsInHalfOpenState;
        b.slowCallRateThreshold = slowCallRateThreshold;
        b.slowCallDuration = slowCallDuration;
        b.probe = probe;
        b.probeInterval = probeInterval;
        b.perResourceBreakers = perResourceBreakers;
        b.ejectAfterStalls = ejectAfterStalls;
        return b;
    }

    public float failureRateThreshold() {
        return failureRateThreshold;
    }

    public int slidingWindowSize() {
        return slidingWindowSize;
    }

    public int minimumNumberOfCalls() {
        return minimumNumberOfCalls;
    }

    public Duration waitInOpenState() {
        return waitInOpenState;
    }

    public int permittedCallsInHalfOpenState() {
        return permittedCallsInHalfOpenState;
    }

    public float slowCallRateThreshold() {
        return slowCallRateThreshold;
    }

    public Duration slowCallDuration() {
        return slowCallDuration;
    }

    public Optional<ProbeHook> probe() {
        return Optional.ofNullable(probe);
    }

    public Duration probeInterval() {
        return probeInterval;
    }

    /** Whether calls with a resource are gated and recorded by their region × resource breaker (default false). */
    public boolean perResourceBreakers() {
        return perResourceBreakers;
    }

    /** Stalled attempts in a row that eject a region at once (0: never; see the class comment). */
    @API(status = EXPERIMENTAL, since = "0.1")
    public int ejectAfterStalls() {
        return ejectAfterStalls;
    }

    @Override
    public String toString() {
        return "HealthConfig[failureRate=" + failureRateThreshold + "%, window=" + slidingWindowSize + ", minCalls="
                + minimumNumberOfCalls + ", open=" + waitInOpenState + ", halfOpenCalls="
                + permittedCallsInHalfOpenState + ", slowRate=" + slowCallRateThreshold + "%, slow=" + slowCallDuration
                + (probe != null ? ", probe every " + probeInterval : "")
                + (perResourceBreakers ? ", per-resource breakers" : "") + ", ejectAfterStalls=" + ejectAfterStalls
                + ']';
    }

    /** Builder for {@link HealthConfig}; not thread-safe. */
    public static final class Builder {
        private float failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
        private int slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;
        private int minimumNumberOfCalls = DEFAULT_MINIMUM_NUMBER_OF_CALLS;
        private Duration waitInOpenState = DEFAULT_WAIT_IN_OPEN_STATE;
        private int permittedCallsInHalfOpenState = DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE;
        private float slowCallRateThreshold = DEFAULT_SLOW_CALL_RATE_THRESHOLD;
        private Duration slowCallDuration = DEFAULT_SLOW_CALL_DURATION;
        private @Nullable ProbeHook probe;
        private Duration probeInterval = DEFAULT_PROBE_INTERVAL;
        private boolean perResourceBreakers;
        private int ejectAfterStalls = DEFAULT_EJECT_AFTER_STALLS;

        private Builder() {
        }

        public Builder failureRateThreshold(float percent) {
            this.failureRateThreshold =
                    BREAKER_FAILURE_RATE_THRESHOLD.check(percent, "HealthConfig.failureRateThreshold");
            return this;
        }

        public Builder slidingWindowSize(int calls) {
            this.slidingWindowSize = BREAKER_SLIDING_WINDOW_SIZE.check(calls, "HealthConfig.slidingWindowSize");
            return this;
        }

        public Builder minimumNumberOfCalls(int calls) {
            this.minimumNumberOfCalls = BREAKER_MINIMUM_CALLS.check(calls, "HealthConfig.minimumNumberOfCalls");
            return this;
        }

        /**
         * How long an open breaker waits before letting trial calls through; also how long a suspect or half-open
         * region sends the writes that have another region to go to there while no read's trial decides it.
         */
        public Builder waitInOpenState(Duration wait) {
            this.waitInOpenState = BREAKER_WAIT_IN_OPEN.check(wait, "HealthConfig.waitInOpenState");
            return this;
        }

        public Builder permittedCallsInHalfOpenState(int calls) {
            this.permittedCallsInHalfOpenState =
                    BREAKER_HALF_OPEN_CALLS.check(calls, "HealthConfig.permittedCallsInHalfOpenState");
            return this;
        }

        public Builder slowCallRateThreshold(float percent) {
            this.slowCallRateThreshold =
                    BREAKER_SLOW_CALL_RATE_THRESHOLD.check(percent, "HealthConfig.slowCallRateThreshold");
            return this;
        }

        public Builder slowCallDuration(Duration duration) {
            this.slowCallDuration = BREAKER_SLOW_CALL_DURATION.check(duration, "HealthConfig.slowCallDuration");
            return this;
        }

        /** Enables an active probe of every region at {@code interval} (one daemon thread, closed with the runtime). */
        public Builder probe(ProbeHook probe, Duration interval) {
            this.probe = Objects.requireNonNull(probe, "probe");
            this.probeInterval = SettingRules.positive(interval, "HealthConfig.probe interval",
                    "pass a duration such as 5 s");
            return this;
        }

        /**
         * Gates and records calls that name a resource (table, cluster) on their region × resource breaker instead of
         * the region's, so that one resource's outage in a region moves only that resource's traffic (see the class
         * comment for what the region breaker then sees). Default false: every call uses its region's breaker.
         */
        public Builder perResourceBreakers(boolean enabled) {
            this.perResourceBreakers = enabled;
            return this;
        }

        /**
         * Ejects a region (opens its breaker at once) after {@code stalls} of its attempts in a row timed out, and
         * makes it suspect after as many in a row stayed unanswered while another region answered the call's hedge
         * (reads go elsewhere until a detached trial answers in time, or trials left unanswered eject it); 0 turns fast
         * ejection off (the sliding window alone decides). Default {@value #DEFAULT_EJECT_AFTER_STALLS}.
         */
        @API(status = EXPERIMENTAL, since = "0.1")
        public Builder ejectAfterStalls(int stalls) {
            this.ejectAfterStalls = BREAKER_EJECT_AFTER_STALLS.check(stalls, "HealthConfig.ejectAfterStalls");
            return this;
        }

        public HealthConfig build() {
            return new HealthConfig(this);
        }

    }
}
