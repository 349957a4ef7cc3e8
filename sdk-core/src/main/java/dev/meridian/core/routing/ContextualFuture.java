package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * A future whose dependent stages run under the {@link RoutingContext} of the call that made it: what Meridian's
 * routed async clients return, so that {@code client.putItem(a).thenCompose(r -> client.putItem(b))} makes the second
 * call under the first call's context although the first completes on an SDK (Netty) or executor thread. Completion
 * is delivered with the context open on the completing thread; every dependent's own function (given to a non-async
 * method or an async one with an executor) opens the context itself, for it may run elsewhere: on the thread that
 * chains it when this future is already complete, by then outside the caller's scope, or on the executor given; the
 * async methods without an executor run on the JDK's default executor with the context open. Every dependent stage
 * is itself a {@code ContextualFuture} of the same context. Cancelling it cancels the source.
 *
 * <p>Subclassed by the runtime for the future of an asynchronous call (a routed client's, {@code MultiRegion}'s
 * {@code executeAsync}) that it completes itself, under the context, rather than through a source future and a
 * wrapper ({@link #of}): one object per call instead of a chain.
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

    // Dependents whose function may run outside the context (see the class comment): each function opens it itself.

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return super.thenApply(under(fn));
    }

    @Override
    public <U> CompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn, Executor executor) {
        return super.thenApplyAsync(under(fn), executor);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return super.thenAccept(under(action));
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action, Executor executor) {
        return super.thenAcceptAsync(under(action), executor);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        return super.thenRun(under(action));
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action, Executor executor) {
        return super.thenRunAsync(under(action), executor);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn) {
        return super.thenCombine(other, under(fn));
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombineAsync(CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn, Executor executor) {
        return super.thenCombineAsync(other, under(fn), executor);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action) {
        return super.thenAcceptBoth(other, under(action));
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action, Executor executor) {
        return super.thenAcceptBothAsync(other, under(action), executor);
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return super.runAfterBoth(other, under(action));
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return super.runAfterBothAsync(other, under(action), executor);
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return super.applyToEither(other, under(fn));
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn,
            Executor executor) {
        return super.applyToEitherAsync(other, under(fn), executor);
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return super.acceptEither(other, under(action));
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action,
            Executor executor) {
        return super.acceptEitherAsync(other, under(action), executor);
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return super.runAfterEither(other, under(action));
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return super.runAfterEitherAsync(other, under(action), executor);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return super.thenCompose(under(fn));
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn,
            Executor executor) {
        return super.thenComposeAsync(under(fn), executor);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return super.handle(under(fn));
    }

    @Override
    public <U> CompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn, Executor executor) {
        return super.handleAsync(under(fn), executor);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return super.whenComplete(under(action));
    }

    @Override
    public CompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action,
            Executor executor) {
        return super.whenCompleteAsync(under(action), executor);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return super.exceptionally(under(fn));
    }

    @Override
    public CompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn, Executor executor) {
        return super.exceptionallyAsync(under(fn), executor);
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return super.exceptionallyCompose(under(fn));
    }

    @Override
    public CompletableFuture<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn,
            Executor executor) {
        return super.exceptionallyComposeAsync(under(fn), executor);
    }

    private <A, R> Function<A, R> under(Function<A, R> fn) {
        Objects.requireNonNull(fn, "fn");
        return a -> {
            try (RoutingContext.Scope s = context.open()) {
                return fn.apply(a);
            }
        };
    }

    private <A, B, R> BiFunction<A, B, R> under(BiFunction<A, B, R> fn) {
        Objects.requireNonNull(fn, "fn");
        return (a, b) -> {
            try (RoutingContext.Scope s = context.open()) {
                return fn.apply(a, b);
            }
        };
    }

    private <A> Consumer<A> under(Consumer<A> action) {
        Objects.requireNonNull(action, "action");
        return a -> {
            try (RoutingContext.Scope s = context.open()) {
                action.accept(a);
            }
        };
    }

    private <A, B> BiConsumer<A, B> under(BiConsumer<A, B> action) {
        Objects.requireNonNull(action, "action");
        return (a, b) -> {
            try (RoutingContext.Scope s = context.open()) {
                action.accept(a, b);
            }
        };
    }

    private Runnable under(Runnable action) {
        Objects.requireNonNull(action, "action");
        return () -> {
            try (RoutingContext.Scope s = context.open()) {
                action.run();
            }
        };
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
