package dev.meridian.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The hedge budget: a token bucket that caps hedges (the extra requests hedging sends) to a share of the hedgeable
 * calls over time, as gRPC's retry throttling and Envoy's retry budgets cap retries. Every hedgeable call
 * {@linkplain #earn() earns} {@code share} of a token, up to {@code burst} tokens; a hedge {@linkplain #trySpend()
 * spends} one, and is refused when less than one is left. Over any run of {@code n} calls at most
 * {@code burst + share × n} hedges are sent, so hedging can be on by default without doubling the load on a region
 * that browns out. Starts full. Thread-safe and lock-free; tokens are kept in millionths.
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

    /** Tokens available now: hedges that could be sent at once. */
    double available() {
        return tokens.get() / (double) ONE;
    }
}
