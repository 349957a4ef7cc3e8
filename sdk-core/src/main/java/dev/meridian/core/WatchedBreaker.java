package dev.meridian.core;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * One Resilience4j breaker of a region (or region × resource) and the state Meridian last saw it in.
 *
 * <p>Transitions are found by comparing states after each interaction rather than by subscribing to the breaker's
 * event publisher: any subscriber makes Resilience4j build a {@code ZonedDateTime}-stamped event on every recorded
 * call, which on a cold JVM also loads the time-zone rules (measured in {@code benchmarks/RESULTS.md}). A transition
 * made outside Meridian (through {@link dev.meridian.core.spi.MultiRegionSpi#circuitBreakers()}) is reported the
 * next time Meridian looks at the breaker. Each observed change is reported once, also under concurrent calls.
 */
final class WatchedBreaker implements HeardAtTheWire.Listener {
    private final CircuitBreaker breaker;
    private final Region region;
    private final @Nullable String resource;
    private final AtomicReference<CircuitBreaker.State> seen;
    private final Transitions transitions;
    /** Attempts in a row that stalled (timed out, or lost to another region unanswered); a success clears it. */
    private final AtomicInteger stalls = new AtomicInteger();
    private volatile long heardAt;
    private volatile boolean heardEver;

    /** Told of each state change Meridian observes. */
    interface Transitions {
        void changed(WatchedBreaker breaker, CircuitBreaker.State from, CircuitBreaker.State to);
    }

    WatchedBreaker(CircuitBreaker breaker, Region region, @Nullable String resource, Transitions transitions) {
        this.breaker = breaker;
        this.region = region;
        this.resource = resource;
        this.transitions = transitions;
        this.seen = new AtomicReference<>(breaker.getState());
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    Region region() {
        return region;
    }

    /** The resource (table, cluster role) of a region × resource breaker; null for a region's breaker. */
    @Nullable String resource() {
        return resource;
    }

    /** The breaker's state now (a change made outside Meridian is reported here). */
    CircuitBreaker.State state() {
        return settle();
    }

    /** Acquires a call permission (an open breaker whose wait has elapsed moves to half-open). */
    boolean tryAcquire() {
        boolean permitted = breaker.tryAcquirePermission();
        settle();
        return permitted;
    }

    void release() {
        breaker.releasePermission();
    }

    /** Records that the region answered something (a response of any kind, or a successful probe). */
    @Override
    public void heard() {
        heardAt = System.nanoTime();
        heardEver = true;
    }

    /**
     * Whether the region answered anything since {@code nanoTime}: an attempt left unanswered then was waiting on
     * something other than a dead region (e.g. the SDK backing off after throttling), so it is no stall.
     */
    boolean heardSince(long nanoTime) {
        return heardEver && heardAt - nanoTime >= 0;
    }

    void success(long nanos) {
        if (stalls.get() != 0) {
            stalls.set(0);
        }
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        settle();
    }

    /**
     * Records that an attempt stalled; at the {@code limit}-th in a row (0: never) the breaker opens at once, without
     * waiting for its sliding window, and true is returned (once per run of stalls).
     */
    boolean stalled(int limit) {
        if (limit <= 0 || stalls.incrementAndGet() < limit) {
            return false;
        }
        stalls.set(0);
        CircuitBreaker.State s = settle();
        if (s != CircuitBreaker.State.CLOSED && s != CircuitBreaker.State.HALF_OPEN) {
            return false;
        }
        try {
            breaker.transitionToOpenState();
        } catch (IllegalStateTransitionException e) {
            // Another thread moved it first (e.g. its window opened it): it is out of the plans either way.
            settle();
            return false;
        }
        settle();
        return true;
    }

    void error(long nanos, Throwable failure) {
        breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
        settle();
    }

    /**
     * Whether calls may be planned through the breaker now: closed or half-open, or open with its wait elapsed (it then
     * moves to half-open and the permit taken to find out is given straight back).
     */
    boolean permitsCalls() {
        CircuitBreaker.State s = settle();
        if (s == CircuitBreaker.State.OPEN) {
            if (breaker.tryAcquirePermission()) {
                breaker.releasePermission();
                settle();
                return true;
            }
            return false;
        }
        return s != CircuitBreaker.State.FORCED_OPEN;
    }

    void transitionToHalfOpen() {
        breaker.transitionToHalfOpenState();
        settle();
    }

    void reset() {
        breaker.reset();
        settle();
    }

    /**
     * Reports a change since the last look, once: the thread that swaps the seen state reports it. The seen state is
     * read before the breaker's: read the other way round, a thread holding a state read before another thread's
     * swap would swap it back and report a transition that never happened (OPEN -> CLOSED, then CLOSED -> OPEN again).
     */
    private CircuitBreaker.State settle() {
        CircuitBreaker.State was = Objects.requireNonNull(seen.get(), "seen"); // set to non-null states only
        CircuitBreaker.State now = breaker.getState();
        if (was != now && seen.compareAndSet(was, now)) {
            transitions.changed(this, was, now);
        }
        return now;
    }
}
