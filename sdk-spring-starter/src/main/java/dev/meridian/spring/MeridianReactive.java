package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.routing.RoutingContext;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Carries a request's {@link RoutingContext} through a Reactor pipeline. {@link RoutingContext#current()} is bound to
 * a thread, and a reactive pipeline changes threads, so in a WebFlux application the {@link ReactiveRoutingContextFilter}
 * puts the request's context into the Reactor {@link Context} under {@link #CONTEXT_KEY} instead, and these helpers
 * make it current exactly while a Meridian call is made:
 *
 * <pre>{@code
 * Mono<GetItemResponse> item = MeridianReactive.fromFuture(() -> dynamoDbAsync.getItem(request));
 * Mono<Order> order = MeridianReactive.fromCallable(() -> repository.find(id))
 *         .subscribeOn(Schedulers.boundedElastic());        // blocking JDBC / sync client, run under the context
 * Flux<Map<String, AttributeValue>> items = MeridianReactive.defer(() -> dynamoDbAsync.queryPaginator(q).items());
 * }</pre>
 *
 * A routed async client captures the context when its method is called and keeps it for every failover attempt, and
 * a paginator when it is made, so opening the context around that call is enough. A Meridian call made in a pipeline
 * without these helpers runs under whatever context the thread it happens to run on has: usually none. Outside a
 * request (no context in the Reactor {@code Context}) the helpers leave the thread's context as it is.
 */
@API(status = STABLE, since = "0.1")
public final class MeridianReactive {
    /**
     * The key of the request's {@link RoutingContext} in the Reactor {@link Context}: the key of sdk-core's
     * {@code RoutingContextAccessor}, so Reactor's automatic context propagation restores it as the thread's context.
     */
    public static final String CONTEXT_KEY = RoutingContext.class.getName();
    private static final RoutingContext.Scope NO_SCOPE = () -> { };

    private MeridianReactive() {
    }

    /** The {@link RoutingContext} of the subscriber (the request's), or {@link RoutingContext#empty()}. */
    public static Mono<RoutingContext> routingContext() {
        return Mono.deferContextual(c -> Mono.just(
                Objects.requireNonNull(c.getOrDefault(CONTEXT_KEY, RoutingContext.empty()), "context")));
    }

    /**
     * Puts {@code context} into the Reactor {@link Context}, for {@code contextWrite}: what the request filter does,
     * for pipelines that do not start at an HTTP request (a message listener).
     */
    public static Function<Context, Context> withRoutingContext(RoutingContext context) {
        Objects.requireNonNull(context, "context");
        return c -> c.put(CONTEXT_KEY, context);
    }

    /**
     * Calls {@code call} (an async client's method) when subscribed, with the subscriber's {@link RoutingContext}
     * current, and emits what its future completes with; cancelling the {@code Mono} cancels the future.
     */
    public static <T> Mono<T> fromFuture(Supplier<? extends CompletableFuture<? extends T>> call) {
        Objects.requireNonNull(call, "call");
        return Mono.deferContextual(c -> {
            CompletableFuture<? extends T> future;
            try (RoutingContext.Scope s = open(c.getOrDefault(CONTEXT_KEY, null))) {
                future = call.get();
            }
            return Mono.fromFuture(Objects.requireNonNull(future, "the call returned no future"));
        });
    }

    /**
     * Runs {@code call} (a blocking call: a sync client, JDBC) when subscribed, on the thread it is subscribed on,
     * with the subscriber's {@link RoutingContext} current; a {@code null} result completes empty.
     */
    public static <T> Mono<T> fromCallable(Callable<? extends T> call) {
        Objects.requireNonNull(call, "call");
        return Mono.deferContextual(c -> {
            RoutingContext ctx = c.getOrDefault(CONTEXT_KEY, null);
            return Mono.fromCallable(() -> {
                try (RoutingContext.Scope s = open(ctx)) {
                    return call.call();
                }
            });
        });
    }

    /**
     * Makes the publisher {@code call} returns (a routed paginator's, which keeps the context it was made under)
     * with the subscriber's {@link RoutingContext} current, when subscribed.
     */
    public static <T> Flux<T> defer(Supplier<? extends Publisher<T>> call) {
        Objects.requireNonNull(call, "call");
        return Flux.deferContextual(c -> {
            try (RoutingContext.Scope s = open(c.getOrDefault(CONTEXT_KEY, null))) {
                return Objects.requireNonNull(call.get(), "the call returned no publisher");
            }
        });
    }

    /** A scope of {@code ctx}, or one that changes nothing when there is none. */
    private static RoutingContext.Scope open(@Nullable RoutingContext ctx) {
        return ctx == null ? NO_SCOPE : ctx.open();
    }
}
