package dev.meridian.core;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A breaker of {@link RegionHealth} whose Resilience4j state machine is built when it first matters. Until then the
 * breaker is closed (its initial state) and has recorded only fast successes, which no configuration acts on: it
 * permits every call and keeps those successes (a reset forgets them). Anything else — a failure, a slow success, a
 * transition, its metrics, events or tags, a fifth success — builds the state machine, which first records the kept
 * successes in their order, so its window, metrics and state are those of a breaker built up front. A cold start's
 * first read therefore loads none of Resilience4j's configuration, state-machine and metrics classes (measured in
 * {@code benchmarks/RESULTS.md}). Thread-safe: until the state machine exists, its successes are kept under this
 * object's monitor.
 */
final class LazyBreaker implements CircuitBreaker {
    /** Fast successes kept before the state machine is built; a process's first calls, not a window's worth. */
    private static final int KEPT = 4;

    private final String name;
    private final RegionHealth health;
    /** A success longer than this is a slow call ({@code CircuitBreakerMetrics}: slow when longer). */
    private final long slowNanos;
    private volatile @Nullable CircuitBreaker real;
    /** Durations in nanoseconds of the successes kept, oldest first; guarded by this. */
    private long @Nullable [] kept;
    private int keptCount;

    LazyBreaker(String name, RegionHealth health) {
        this.name = name;
        this.health = health;
        this.slowNanos = health.config().slowCallDuration().toNanos();
    }

    /** Whether the state machine was built (for tests). */
    boolean built() {
        return real != null;
    }

    /** The state machine, built now if it is not yet, with the successes kept recorded first. */
    private CircuitBreaker real() {
        CircuitBreaker r = real;
        if (r != null) {
            return r;
        }
        synchronized (this) {
            r = real;
            if (r == null) {
                r = health.stateMachine(name);
                long[] k = kept;
                for (int i = 0; k != null && i < keptCount; i++) {
                    r.onSuccess(k[i], TimeUnit.NANOSECONDS);
                }
                kept = null;
                keptCount = 0;
                real = r;
            }
            return r;
        }
    }

    @Override
    public boolean tryAcquirePermission() {
        CircuitBreaker r = real;
        return r == null || r.tryAcquirePermission();
    }

    @Override
    public void releasePermission() {
        CircuitBreaker r = real;
        if (r != null) {
            r.releasePermission();
        }
    }

    @Override
    public void onSuccess(long duration, TimeUnit durationUnit) {
        CircuitBreaker r = real;
        if (r == null) {
            long nanos = durationUnit.toNanos(duration);
            synchronized (this) {
                if (real == null && nanos <= slowNanos && keptCount < KEPT) {
                    long[] k = kept;
                    if (k == null) {
                        k = new long[KEPT];
                        kept = k;
                    }
                    k[keptCount++] = nanos;
                    return;
                }
            }
            r = real();
        }
        r.onSuccess(duration, durationUnit);
    }

    @Override
    public State getState() {
        CircuitBreaker r = real;
        return r == null ? State.CLOSED : r.getState();
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public CircuitBreakerConfig getCircuitBreakerConfig() {
        return health.breakerConfig();
    }

    @Override
    public void acquirePermission() {
        real().acquirePermission();
    }

    @Override
    public void onError(long duration, TimeUnit durationUnit, Throwable throwable) {
        real().onError(duration, durationUnit, throwable);
    }

    @Override
    public void onResult(long duration, TimeUnit durationUnit, @Nullable Object result) {
        real().onResult(duration, durationUnit, result);
    }

    /** Before the state machine is built: forgets the kept successes, as its reset would close an empty window. */
    @Override
    public void reset() {
        if (real == null) {
            synchronized (this) {
                if (real == null) {
                    keptCount = 0;
                    return;
                }
            }
        }
        real().reset();
    }

    @Override
    public void transitionToClosedState() {
        real().transitionToClosedState();
    }

    @Override
    public void transitionToOpenState() {
        real().transitionToOpenState();
    }

    @Override
    public void transitionToOpenStateFor(Duration waitDuration) {
        real().transitionToOpenStateFor(waitDuration);
    }

    @Override
    public void transitionToOpenStateUntil(Instant waitUntil) {
        real().transitionToOpenStateUntil(waitUntil);
    }

    @Override
    public void transitionToHalfOpenState() {
        real().transitionToHalfOpenState();
    }

    @Override
    public void transitionToDisabledState() {
        real().transitionToDisabledState();
    }

    @Override
    public void transitionToMetricsOnlyState() {
        real().transitionToMetricsOnlyState();
    }

    @Override
    public void transitionToForcedOpenState() {
        real().transitionToForcedOpenState();
    }

    @Override
    public Metrics getMetrics() {
        return real().getMetrics();
    }

    @Override
    public Map<String, String> getTags() {
        return real().getTags();
    }

    @Override
    public EventPublisher getEventPublisher() {
        return real().getEventPublisher();
    }

    @Override
    public long getCurrentTimestamp() {
        return real().getCurrentTimestamp();
    }

    @Override
    public TimeUnit getTimestampUnit() {
        return real().getTimestampUnit();
    }

    @Override
    public String toString() {
        CircuitBreaker r = real;
        return r == null ? "CircuitBreaker '" + name + "'" : r.toString();
    }
}
