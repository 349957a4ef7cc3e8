package dev.meridian.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The hedge budget: a token bucket that caps hedges (the extra requests hedging sends) to a share of the hedgeable
 * calls over time, as gRPC's retry throttling and Envoy's retry budgets cap retries. Every hedgeable call
 * {@linkplain #earn() earns} {@code share} of a token, up to {@code burst} tokens; a hedge {@linkplain #trySpend()
 * spends} one, and is refused when less than one is left. Over any run of {@code n} calls at most
 * {@code burst + share × n} hedges are sent, so hedging can be on by default without doubling the load on a region
 * that browns out. One hedge may {@linkplain #tryBorrow() borrow} a token the bucket does not have, taking it to at
 * most one token of debt, which later calls' shares repay before any hedge is sent with a token again: over any run of
 * {@code n} calls at most {@code burst + share × n + 1} hedges, borrowed ones included. Starts full. Thread-safe and
 * lock-free; tokens are kept in millionths.
 */
final class HedgeBudget {
    private static final long ONE = 1_000_000L;

    private final long earned;
    private final long capacity;
    private final AtomicLong tokens;

    /**
     * @param share tokens a call earns, in (0, 1] (0.1: at most one hedge per ten calls in the long run)
     * @param burst most tokens held, at least 1 (hedges that may be sent at once after a quiet period)
     */
    HedgeBudget(double share, int burst) {
        this.earned = Math.max(1, Math.round(share * ONE));
        this.capacity = burst * ONE;
        this.tokens = new AtomicLong(capacity);
    }

    /** A hedgeable call started: it earns its share of a token. */
    void earn() {
        long t;
        do {
            t = tokens.get();
            if (t >= capacity) {
                return;
            }
        } while (!tokens.compareAndSet(t, Math.min(capacity, t + earned)));
    }

    /** Takes one token for a hedge; false (nothing taken) when less than one is left. */
    boolean trySpend() {
        long t;
        do {
            t = tokens.get();
            if (t < ONE) {
                return false;
            }
        } while (!tokens.compareAndSet(t, t - ONE));
        return true;
    }

    /**
     * Takes one token although less than one may be left, the bucket going down to {@code -1} at most: false (nothing
     * taken) while it is in debt. For a hedge that must go out to learn something the budget's hedges cannot show
     * (the executor's proof hedge); the debt is repaid by the shares of later calls, {@link #trySpend} refusing until
     * a whole token is back.
     */
    boolean tryBorrow() {
        long t;
        do {
            t = tokens.get();
            if (t < 0) {
                return false;
            }
        } while (!tokens.compareAndSet(t, t - ONE));
        return true;
    }

    /** Tokens available now: hedges that could be sent at once (negative: a borrowed token not yet repaid). */
    double available() {
        return tokens.get() / (double) ONE;
    }
}
