package dev.meridian.core.internal;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.function.Supplier;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Internal seam between Meridian and Micrometer, so that Meridian's classes load and work when Micrometer is not on
 * the classpath: only {@link MicrometerMetrics} references Micrometer types, and it is loaded only when a meter
 * registry was given. Not part of the public API. Implementations are thread-safe.
 */
@API(status = INTERNAL, since = "0.1")
public interface Metrics {

    /** Outcome tag of {@link #call}: the attempt succeeded. */
    String SUCCESS = "success";
    /** Outcome tag of {@link #call}: the region failed (counts towards failover). */
    String REGIONAL_FAILURE = "regional_failure";
    /** Outcome tag of {@link #call}: the caller's request was rejected (never failed over). */
    String CALLER_ERROR = "caller_error";
    /** Outcome tag of {@link #call}: the attempt was cancelled (a hedge lost). */
    String CANCELLED = "cancelled";

    void call(Region region, String operation, String outcome, long nanos);

    void failover(Region from, Region to, String operation);

    void hedgeSent(Region region);

    void hedgeWon(Region region);

    void hedgeCancelled(Region region);

    /**
     * A read whose hedge the hedge budget refused (no token left) ended without the hedge being sent: answered by its
     * first attempt, or failed over ({@code meridian.hedge.refused}, tag {@code region}: the region the hedge would have
     * gone to). Counted when the read ends, so that a read counts once: here, or in {@link #hedgeSent} when its refused
     * hedge went out later ({@link #hedgeRetried}).
     */
    default void hedgeRefused(Region region) {
    }

    /**
     * A hedge sent despite the budget's refusal ({@code meridian.hedge.retried}, tags {@code region}: where it went,
     * {@code outcome}: {@code budget} when a token came free by a later look, {@code failover} when it went past the
     * budget because the first attempt's region had been found suspect or ejected, {@code proof} when it went on a
     * borrowed token because that region was silent and nothing had been heard from the next region either, to find
     * out whether the process receives). It also counts in {@link #hedgeSent}, never in {@link #hedgeRefused}.
     */
    default void hedgeRetried(Region region, String outcome) {
    }

    /** Registers a gauge of the tokens left in the hedge budget ({@code meridian.hedge.budget}). */
    default void hedgeBudget(Supplier<Number> tokens) {
    }

    /**
     * An attempt that timed out while the process itself was stalled (its own timers fired late): not held against
     * the region's health ({@code meridian.process.stall}, tag {@code region}).
     */
    void processStall(Region region);

    /**
     * A region became suspect ({@code outcome} {@code suspected}: a run of hedge losers left unanswered, or a read's
     * attempt there unheard for several hedge delays while the next region answered) or answered
     * a trial in time ({@code cleared}); an ejection shows in {@link #breakerTransition} ({@code meridian.region.suspicion},
     * tags {@code region}, {@code outcome}).
     */
    default void regionSuspicion(Region region, String outcome) {
    }

    void residencyRefused(String dataClass, String jurisdiction);

    void breakerTransition(Region region, String from, String to);

    /** Registers a gauge of a region's breaker state (Resilience4j state order: 0 closed, 1 open, 2 half-open...). */
    void breakerState(Region region, Supplier<Number> state);

    /** A successful read of the region control source ({@code meridian.control.reads}, tag {@code source}). */
    default void controlRead(String source) {
    }

    /** A failed read of the region control source ({@code meridian.control.failures}, tag {@code source}). */
    default void controlFailure(String source) {
    }

    /**
     * The time from a region control change (its updatedAt) to its first effect in this process
     * ({@code meridian.control.propagation}, tag {@code region}).
     */
    default void controlApplied(Region region, long nanos) {
    }

    /** Registers a gauge of a region's control state, 1 ON, 0 OFF ({@code meridian.control.state}). */
    default void controlState(Region region, Supplier<Number> state) {
    }

    /**
     * Registers a gauge of the seconds since the control source last answered ({@code meridian.control.age}, tag
     * {@code source}; NaN before the first answer).
     */
    default void controlAge(String source, Supplier<Number> seconds) {
    }

    static Metrics noop() {
        return NoopMetrics.INSTANCE;
    }

    /**
     * Metrics recording into {@code meterRegistry} (an {@code io.micrometer.core.instrument.MeterRegistry}), or the
     * no-op implementation when it is {@code null}.
     */
    static Metrics forRegistry(Object meterRegistry) {
        return meterRegistry == null ? NoopMetrics.INSTANCE : MicrometerMetrics.create(meterRegistry);
    }
}
