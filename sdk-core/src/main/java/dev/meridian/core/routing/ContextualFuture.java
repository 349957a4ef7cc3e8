package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apiguardian.api.API;

/**
 * A future whose dependent stages run under the {@link RoutingContext} of the call that made it: what Meridian's
 * routed async clients return, so that {@code client.putItem(a).thenCompose(r -> client.putItem(b))} makes the second
 * call under the first call's context although the first completes on an SDK (Netty) or executor thread. Completion
 * is delivered with the context open on the completing thread (dependents registered with the non-async methods run
 * there, inside it); the async methods without an executor run on the JDK's default executor with the context open; every
 * dependent stage is itself a {@code ContextualFuture} of the same context. Cancelling it cancels the source.
 *
 * <p>Subclassed by the runtime for the future of a routed asynchronous call that it completes itself, under the
 * context, rather than through a source future and a wrapper ({@link #of}): one object per call instead of a chain.
 *
 * @param <T> the result type
 */
@API(status = INTERNAL, since = "0.1")
public class ContextualFuture<T> extends CompletableFuture<T> {
    private final RoutingContext context;

    /** An incomplete future whose dependents run under {@code context}; its completer opens the context itself. */
    protected ContextualFuture(RoutingContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * A future completing as {@code source} does, delivering its completion (and running its dependents) under
     * {@code context}.
     */
    public static <T> CompletableFuture<T> of(RoutingContext context, CompletableFuture<T> source) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(source, "source");
        if (source instanceof ContextualFuture<T> c && c.context == context) {
            return source;
        }
        ContextualFuture<T> result = new ContextualFuture<>(context);
        source.whenComplete((value, failure) -> {
            try (RoutingContext.Scope s = context.open()) {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(value);
                }
            }
        });
        result.whenComplete((value, failure) -> {
            if (result.isCancelled()) {
                source.cancel(true);
            }
        });
        return result;
    }

    /** The context the dependents run under. */
    public final RoutingContext context() {
        return context;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new ContextualFuture<>(context);
    }

    @Override
    public Executor defaultExecutor() {
        Executor base = super.defaultExecutor();
        return task -> base.execute(() -> {
            try (RoutingContext.Scope s = context.open()) {
                task.run();
            }
        });
    }
}
