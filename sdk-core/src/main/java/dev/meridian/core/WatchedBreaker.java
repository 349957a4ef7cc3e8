package dev.meridian.core;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    /**
     * When the region last answered ({@link System#nanoTime()}). Written with release semantics (a plain store on
     * x86, not a fence): it is written after every successful attempt, and a reader a few nanoseconds behind sees the
     * previous answer, which is as good a sign that the region answers.
     */
    private final AtomicLong heardAt = new AtomicLong();
    private volatile boolean heardEver;
    /**
     * Whether a run of hedge losers left unanswered made the region suspect: reads start elsewhere while a detached
     * trial finds out whether it answers ({@link #lostUnanswered}); the breaker itself stays as it was.
     */
    private volatile boolean suspect;
    private volatile long suspectSince;
    /** When Meridian saw the breaker become half-open ({@link System#nanoTime()}). */
    private volatile long halfOpenSince;
    /** When the suspect region's last trial is past its hedge delay ({@link System#nanoTime()}); 0: none sent. */
    private final AtomicLong trialDue = new AtomicLong();
    /** The suspect region's trials in a row not answered within their hedge delay. */
    private final AtomicInteger slowTrials = new AtomicInteger();
    /**
     * Whether a read stuck here has a proof hedge out: sent on a borrowed budget token to find out whether the process
     * receives while this region is unheard ({@link #tryProve}); one at a time.
     */
    private final AtomicBoolean proving = new AtomicBoolean();

    /** What a stalled attempt did to its region. */
    enum Stall {
        /** Counted, the run is not long enough yet (or the stall is the same silence as the one already suspected). */
        COUNTED,
        /** The run made the region suspect. */
        SUSPECTED,
        /** The breaker opened. */
        EJECTED
    }

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
        heard(System.nanoTime());
    }

    /**
     * As {@link #heard()}, at {@code now} ({@link System#nanoTime()}) read by the caller. Called after every successful
     * attempt: the flag that is set once is not written again, a volatile store per call being a full fence.
     */
    void heard(long now) {
        heardAt.lazySet(now);
        if (!heardEver) {
            heardEver = true;
        }
    }

    /**
     * Whether the region answered anything since {@code nanoTime}: an attempt left unanswered then was waiting on
     * something other than a dead region (e.g. the SDK backing off after throttling), so it is no stall.
     */
    boolean heardSince(long nanoTime) {
        return heardEver && heardAt.get() - nanoTime >= 0;
    }

    void success(long nanos) {
        if (stalls.get() != 0) {
            stalls.set(0);
        }
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        settle();
    }

    /**
     * Records that an attempt started at {@code start} timed out; at the {@code limit}-th stall in a row (0: never),
     * or for an attempt started after the region became suspect (its trial, or a write), the breaker opens at once,
     * without waiting for its sliding window, and true is returned (once per run of stalls).
     */
    boolean stalled(int limit, long start) {
        if (limit <= 0) {
            return false;
        }
        if (suspectedBefore(start) || stalls.incrementAndGet() >= limit) {
            return eject();
        }
        return false;
    }

    /**
     * Records that a hedge loser started at {@code start} was left unanswered while another region answered. A black
     * hole and a region whose current reads are all slow ones (a burst of slow queries on every thread) look the same
     * until something answers, so the {@code limit}-th such loser in a row (0: never) does not open the breaker but
     * makes the region suspect: reads start in the next region and detached trials ask the region, one per hedge
     * delay ({@link #tryTrial}); an answer within the hedge delay clears it ({@link #trialAnsweredInTime}), a trial
     * that times out ejects it ({@link #stalled}), as do as many trials in a row not answered within the delay. A loser that started before the region became suspect is the same silence, not
     * new evidence: it is ignored.
     */
    Stall lostUnanswered(int limit, long start) {
        if (limit <= 0) {
            return Stall.COUNTED;
        }
        if (suspect) {
            return suspectedBefore(start) && eject() ? Stall.EJECTED : Stall.COUNTED;
        }
        if (stalls.incrementAndGet() < limit) {
            return Stall.COUNTED;
        }
        stalls.set(0);
        return becameSuspect() ? Stall.SUSPECTED : Stall.COUNTED;
    }

    /**
     * Makes the region suspect because an attempt there went unheard while the next region answered, as the executor
     * judged it (several hedge delays since the attempt started, part of them of the process's own running time,
     * nothing heard from this region meanwhile: the process sends and receives, so it is no stall of the process).
     * What follows is
     * what follows a run of unanswered losers ({@link #lostUnanswered}). True if this call made it suspect: false when
     * it already was, or its breaker is not closed (it is then given up on already).
     */
    boolean suspectUnheard() {
        return settle() == CircuitBreaker.State.CLOSED && becameSuspect();
    }

    /**
     * Takes the region's one proof hedge: a read stuck here, the region unheard for the executor's unheard rule's delays
     * but nothing heard from the next region either (the hedge budget, spent before the fault, sent nothing there),
     * sends its hedge on a borrowed token to find out whether the process receives. False while another read's proof
     * is out. {@link #proofEnded} gives it back.
     */
    boolean tryProve() {
        return !proving.get() && proving.compareAndSet(false, true);
    }

    /** The read that sent the proof hedge ended: another may be sent. */
    void proofEnded() {
        proving.set(false);
    }

    /** Makes the region suspect unless it already is; true if this call did (reported once under concurrency). */
    private synchronized boolean becameSuspect() {
        if (suspect) {
            return false;
        }
        suspectSince = System.nanoTime();
        suspect = true;
        return true;
    }

    /** Whether the region is suspect: reads start elsewhere while its trial is out. */
    boolean suspect() {
        return suspect;
    }

    /**
     * Whether Meridian has given up on the region for now: it is suspect, or its breaker is not closed (open, forced
     * open, or half-open while its trials decide). New reads start elsewhere; a read still waiting on it is moved.
     */
    boolean givenUp() {
        if (suspect) {
            return true;
        }
        CircuitBreaker.State s = settle();
        return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN
                || s == CircuitBreaker.State.HALF_OPEN;
    }

    /**
     * Whether a write that has another region to go to starts there rather than here: the region is suspect, or its
     * breaker half-open, since less than {@code nanos} ago. A write can be neither hedged nor detached, so sent to a
     * region that may be dead it holds its caller for an attempt timeout; reads' detached trials (or the health probe)
     * decide the question instead. Past that age nothing decided it (a workload of writes only sends no trial) and the
     * write is sent: it is the trial.
     */
    boolean writesGoElsewhere(long nanos) {
        if (suspect) {
            return System.nanoTime() - suspectSince < nanos;
        }
        return settle() == CircuitBreaker.State.HALF_OPEN && System.nanoTime() - halfOpenSince < nanos;
    }

    /**
     * Whether a read should be sent to the suspect region as its trial now: one trial per hedge delay
     * ({@code fastNanos}), so a trial that is merely slow (a slow query) does not keep the region suspect while the
     * reads that would answer at once wait for it. The {@code limit}-th trial in a row not answered within its delay
     * ejects the region instead (a black hole, or a region whose every read is slow), and {@link Trial#EJECTED} is
     * returned.
     */
    Trial tryTrial(int limit, long fastNanos) {
        if (!suspect) {
            return Trial.NONE;
        }
        long now = System.nanoTime();
        long due = trialDue.get();
        if (due != 0 && now - due < 0 || !trialDue.compareAndSet(due, now + fastNanos)) {
            return Trial.NONE;
        }
        if (due != 0 && slowTrials.incrementAndGet() >= limit) {
            return eject() ? Trial.EJECTED : Trial.NONE;
        }
        return Trial.SEND;
    }

    /** What a read does about a suspect region. */
    enum Trial {
        /** Nothing: the region is not suspect, or its last trial is still within its hedge delay. */
        NONE,
        /** The read is sent there as a detached trial. */
        SEND,
        /** Its trials did not answer in time: the breaker opened. */
        EJECTED
    }

    /** The suspect region's trial answered within its hedge delay: it answers, it was not dead. */
    void trialAnsweredInTime() {
        stalls.set(0);
        forgetSuspicion();
    }

    private void forgetSuspicion() {
        suspect = false;
        slowTrials.set(0);
        trialDue.set(0);
    }

    /** Whether the region was already suspect when an attempt started at {@code start}. */
    private boolean suspectedBefore(long start) {
        return suspect && start - suspectSince >= 0;
    }

    /** Opens the breaker at once (a run of stalls, or a suspect region's trial timed out); true if this call did. */
    boolean eject() {
        stalls.set(0);
        forgetSuspicion();
        CircuitBreaker.State s = settle();
        if (s != CircuitBreaker.State.CLOSED && s != CircuitBreaker.State.HALF_OPEN) {
            return false;
        }
        boolean opened = BreakerMachines.forceOpen(breaker);
        settle();
        return opened;
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

    /**
     * The breaker was reset by its owner ({@link RegionHealth#reset}): forgets the run of stalls and the suspicion
     * too, which describe the past as much as the breaker's window did, and reports the transition.
     */
    void wasReset() {
        forgetSuspicion();
        stalls.set(0);
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
        if (was != now) {
            if (now == CircuitBreaker.State.HALF_OPEN) {
                // Before the swap: whoever reads the swapped state reads this time too.
                halfOpenSince = System.nanoTime();
            }
            if (seen.compareAndSet(was, now)) {
                transitions.changed(this, was, now);
            }
        }
        return now;
    }
}
