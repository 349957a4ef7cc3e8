package dev.meridian.core.spi;

import dev.meridian.core.CallingScope;
import dev.meridian.core.internal.PoolAcquireFailures;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first attempt of an asynchronous call through a region's client that has not answered yet
 * ({@link RegionalClients#isCold}), given the first-attempt budget for its first connection too.
 *
 * <p>Why: a cold client's first connection — the pool's first connect, the TLS set-up, the classes of its transport —
 * happens inside the HTTP client's connection acquire, and the async clients Meridian builds bound that acquire at
 * half the attempt timeout (1 s by default, {@link dev.meridian.core.RegionalClientDefaults#boundAcquire}) so that a
 * refused connect the Netty client loses still ends as something that applied nothing. On a cold start on a busy
 * machine the first connection can take longer: the acquire times out, nothing was sent, and the call would move to
 * another region for the client's own start-up — and a RESTRICTED write with no other permitted region would fail.
 * The pool's connect goes on after the acquire gave up, so the attempt asks again, and the next acquire gets that
 * connection. It asks again only while the rest of the budget holds twice what the last acquire took: an acquire that
 * waits for a lost refusal then still ends as an acquire timeout before the budget, and the write moves.
 *
 * <p>One per cold call, so never on a warm call's path. Cancelling it cancels the request in flight.
 */
final class ColdConnect<C, Q, S> extends CompletableFuture<S> implements BiConsumer<S, Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(ColdConnect.class);

    private final C client;
    private final Q request;
    private final BiFunction<? super C, Q, CompletableFuture<S>> call;
    private final long deadline;
    /** The launching thread's context and listener, which a request sent again from another thread carries. */
    private final CallingScope scope = CallingScope.capture();
    private long sentAt;
    private volatile @Nullable CompletableFuture<S> inFlight;

    private ColdConnect(C client, Q request, BiFunction<? super C, Q, CompletableFuture<S>> call, long deadline) {
        this.client = client;
        this.request = request;
        this.call = call;
        this.deadline = deadline;
    }

    /** Sends {@code request} through the cold {@code client} within {@code budget}, asking again as described. */
    static <C, Q, S> CompletableFuture<S> attempt(C client, Q request, Duration budget,
            BiFunction<? super C, Q, CompletableFuture<S>> call) {
        ColdConnect<C, Q, S> attempt = new ColdConnect<>(client, request, call, System.nanoTime() + budget.toNanos());
        attempt.send(budget.toNanos(), false);
        return attempt;
    }

    /** Sends the request with {@code budgetNanos} as its timeouts, {@code again} on the thread that completed the last. */
    private void send(long budgetNanos, boolean again) {
        sentAt = System.nanoTime();
        Q budgeted = FirstAttempt.budgeted(request, client, Duration.ofNanos(budgetNanos));
        CompletableFuture<S> f;
        try {
            f = again ? scope.call(() -> call.apply(client, budgeted)) : call.apply(client, budgeted);
        } catch (RuntimeException e) {
            completeExceptionally(e);
            return;
        }
        inFlight = f;
        if (isCancelled()) {
            f.cancel(true); // cancelled while it was sent
            return;
        }
        f.whenComplete(this);
    }

    /** The request's outcome: the attempt's, unless it only waited for the client's first connection. */
    @Override
    public void accept(@Nullable S value, @Nullable Throwable failure) {
        if (failure == null) {
            complete(value);
            return;
        }
        long now = System.nanoTime();
        long waited = now - sentAt;
        long left = deadline - now;
        if (!isDone() && left >= 2 * waited && PoolAcquireFailures.causedByAcquireTimeout(failure)) {
            LOG.debug("A new client had no connection after {} ms (nothing sent): asking again within the rest of "
                    + "its first-attempt budget, {} ms", TimeUnit.NANOSECONDS.toMillis(waited),
                    TimeUnit.NANOSECONDS.toMillis(left));
            send(left, true);
            return;
        }
        completeExceptionally(failure);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        CompletableFuture<S> f = inFlight;
        if (cancelled && f != null) {
            f.cancel(mayInterruptIfRunning);
        }
        return cancelled;
    }
}
