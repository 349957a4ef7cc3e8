package dev.meridian.core;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.NonRetryableException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * What the wire proved about one attempt's SDK call: whether every request the SDK sent for it got a throttling answer
 * (proof it was not applied) with no resend in flight — the SDK backing off — and the fence that lets Meridian act on
 * that proof.
 *
 * <p>Why: an unguarded write moves to another region only when its failure proves it was not applied. A call that
 * the call timeout ends while the SDK backs off after a throttled answer ends as an {@code ApiCallTimeoutException},
 * which alone says nothing of what was sent. The wire does: a request sent is in flight ({@link #sending}); its answer
 * heard ({@link #heard}) and judged throttling ({@link #throttled}) leaves nothing in flight and nothing applied; any
 * other answer, or a resend of a request that got none, may have been applied, and that sticks for the call.
 *
 * <p>The SDK may still resend after the call timeout ended the call: the async retry stage runs its scheduled retry
 * whether or not the call's future is complete, and a sync call may be mid-way. So "nothing in flight, not applied"
 * is decided by one compare-and-set ({@link #fence}: backing off → fenced) against the send hook's own
 * (backing off → sending), and a fenced call's resend is refused before it is transmitted: exactly one of "the resend
 * goes out" and "Meridian moves the write" happens. A call whose client lacks {@link HeardAtTheWire} is never told
 * anything and never fences: it stays ambiguous.
 *
 * <p>A base class, not a field: an asynchronous attempt that listens to its call is the fence itself (an int and a
 * reference on an object that exists already); a synchronous write on its caller's thread makes one of its own.
 * Thread-safe.
 */
class ThrottleFence implements HeardAtTheWire.Listener {
    /** Nothing sent yet (or a client that tells nothing). */
    static final int IDLE = 0;
    /** A request is on its way, unanswered: it may be applied. */
    static final int SENDING = 1;
    /** An answer arrived, not (yet) judged throttling. */
    static final int ANSWERED = 2;
    /** Every request sent was throttled and none is in flight: the SDK backs off. */
    static final int BACKING_OFF = 3;
    /** Decided not applied: no further request of this call is sent. */
    static final int FENCED = 4;
    /** Something sent may have been applied; sticky for the call. */
    static final int UNPROVEN = 5;

    private static final AtomicIntegerFieldUpdater<ThrottleFence> WIRE =
            AtomicIntegerFieldUpdater.newUpdater(ThrottleFence.class, "wire");

    private volatile int wire;
    /** The last throttling answer, which a fenced attempt is recorded with. */
    private volatile @Nullable SdkServiceException lastThrottling;

    /** The call's state on the wire (one of the constants above). */
    final int wire() {
        return wire;
    }

    /** A request of the call is about to be transmitted: refused when the call was fenced. */
    @Override
    public final void sending() {
        while (true) {
            int s = wire;
            if (s == FENCED) {
                throw NonRetryableException.builder().message("Meridian fenced this call: every request it sent was "
                        + "throttled and the call ended during the SDK's back-off, so the write was moved to another "
                        + "region; this resend is not transmitted").build();
            }
            // A request that got no answer is being sent again (e.g. after an attempt timeout), or one answered but
            // not throttled: either may have been applied.
            int next = s == IDLE || s == BACKING_OFF ? SENDING : UNPROVEN;
            if (s == next || WIRE.compareAndSet(this, s, next)) {
                return;
            }
        }
    }

    /** An answer arrived; whether it throttled is told next, if it did. Subclasses call this first. */
    @Override
    public void heard() {
        WIRE.compareAndSet(this, SENDING, ANSWERED);
    }

    /** The answer just heard was a throttling error: proof its request was not applied. Subclasses call this first. */
    @Override
    public void throttled(SdkServiceException throttling) {
        lastThrottling = throttling;
        WIRE.compareAndSet(this, ANSWERED, BACKING_OFF);
    }

    /**
     * Decides that the call, ended, applied nothing and sends nothing more: true only when every request it sent was
     * throttled and no resend had started, in which case any later resend is refused ({@link #sending}).
     */
    final boolean fence() {
        return WIRE.compareAndSet(this, BACKING_OFF, FENCED);
    }

    /** The last throttling answer heard (set before {@link #fence} can succeed). */
    final @Nullable SdkServiceException lastThrottling() {
        return lastThrottling;
    }
}
