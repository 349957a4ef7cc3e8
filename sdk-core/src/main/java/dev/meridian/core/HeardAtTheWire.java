package dev.meridian.core;

import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Tells a region's breaker that the region answered as soon as any HTTP response of an attempt arrives (200, a 400
 * throttling, a 500: a region that answers is alive), inside the SDK's own retries, not only when the whole attempt
 * completes. That is what keeps a hedged read's loser from counting as a stall while the SDK backs off after a
 * throttled answer ({@link WatchedBreaker#heardSince}); a black-holed region sends nothing back and is still one.
 *
 * <p>The executor names the breaker on the thread that calls the client ({@link #listen}); this interceptor carries
 * it from the request's start (which runs on that thread, for asynchronous clients too) in the request's execution
 * attributes to its responses, which may arrive on any thread. It is stateless and shared by every client;
 * {@link RegionalClientDefaults} installs it. A request made outside Meridian's executor carries no breaker and is
 * left alone. A client built without it still works: its region is heard only when an attempt completes.
 */
final class HeardAtTheWire implements ExecutionInterceptor {
    static final HeardAtTheWire INSTANCE = new HeardAtTheWire();

    private static final ExecutionAttribute<WatchedBreaker> BREAKER = new ExecutionAttribute<>("MeridianHeardBreaker");
    private static final ThreadLocal<@Nullable WatchedBreaker> CALLING = new ThreadLocal<>();

    private HeardAtTheWire() {
    }

    /**
     * Names the breaker of the region the current thread's next client calls go to (null: none), returning the one
     * named before, which the caller restores when its call returns.
     */
    static @Nullable WatchedBreaker listen(@Nullable WatchedBreaker breaker) {
        WatchedBreaker before = CALLING.get();
        CALLING.set(breaker);
        return before;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        WatchedBreaker breaker = CALLING.get();
        if (breaker != null) {
            attributes.putAttribute(BREAKER, breaker);
        }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        WatchedBreaker breaker = attributes.getAttribute(BREAKER);
        if (breaker != null) {
            breaker.heard();
        }
    }
}
