package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.routing.ContextualFuture;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * The routed-client engine: every call of a multi-region client passes here — classified by the service's
 * {@link RequestModel}, checked before anything is sent, executed by the runtime (routing plan, circuit breakers,
 * failover, hedging) on the per-region clients of {@link RegionalClients}, then reported back to the request model. A
 * service module's client class implements the service interface by handing each method to {@link #call} or
 * {@link #callAsync} with the request and a function making the same call on a region's client (one object per
 * operation, made once: the sync DynamoDB client's {@code Call}s). Thread-safe.
 *
 * @param <C> the per-region client type
 * @param <R> the service's request type
 * @param <K> the service's classification type
 */
@API(status = INTERNAL, since = "0.1")
public final class RoutedClient<C, R, K> {
    private final MultiRegion runtime;
    private final MultiRegionSpi spi;
    private final RegionalClients<C> clients;
    private final RequestModel<R, K> model;
    /** Whether a region's client has not answered yet ({@link RegionalClients#cold()}). */
    private final Predicate<Region> cold;

    /** Calls routed by {@code runtime} to {@code clients}, described by {@code model}. */
    public RoutedClient(MultiRegion runtime, RegionalClients<C> clients, RequestModel<R, K> model) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.spi = MultiRegionSpi.of(runtime);
        this.clients = Objects.requireNonNull(clients, "clients");
        this.model = Objects.requireNonNull(model, "model");
        this.cold = clients.cold();
    }

    /** The runtime the calls are routed with. */
    public MultiRegion runtime() {
        return runtime;
    }

    /** The per-region clients the calls are sent to. */
    public RegionalClients<C> clients() {
        return clients;
    }

    /**
     * Routes one synchronous call under {@code ctx}: {@code method} is applied to the client of each region the
     * plan tries, with {@code request} unchanged; its exceptions surface as the region's client threw them.
     */
    public <Q extends R, S> S call(String operationName, Q request, RoutingContext ctx, BiFunction<C, Q, S> method) {
        Objects.requireNonNull(request, "request");
        K classified = model.classify(operationName, request, ctx);
        model.beforeCall(classified, request, ctx);
        Operation op = model.operation(classified, ctx);
        Attempts<Q, S> attempts = new Attempts<>(request, method);
        S response = spi.execute(op, ctx, attempts, cold);
        model.afterSuccess(classified, request, ctx, attempts.served, response);
        return response;
    }

    /**
     * The attempts of one synchronous call: applies the method to a region's client; the runtime tells it the region
     * whose answer the call returns. One object per call where a capturing lambda and a holder of the served region
     * would be two.
     */
    private final class Attempts<Q extends R, S> implements Function<Region, S>, ServedRegion, ReleasableCall {
        private final Q request;
        private final BiFunction<C, Q, S> method;
        /**
         * The region whose answer the call returns. Not written by the attempt itself: a hedge's loser that answers
         * after the winner would overwrite it. Plain: the runtime writes it before it hands the result over (on the
         * caller's thread, or on the thread that completes the future the caller waits on) and it is read after.
         */
        private @Nullable Region served;

        Attempts(Q request, BiFunction<C, Q, S> method) {
            this.request = request;
            this.method = method;
        }

        @Override
        public S apply(Region region) {
            C client = clients.get(region);
            S r;
            try {
                r = method.apply(client, firstAttempt(region, client, request));
            } catch (RuntimeException e) {
                clients.attempted(region, e);
                throw e;
            }
            clients.answered(region);
            return r;
        }

        @Override
        public void served(Region region) {
            served = region;
        }

        @Override
        public boolean releasable(Region region) {
            return clients.isReleasable(region) && RegionalClientDefaults.keepsCallTimeout(request);
        }
    }

    /**
     * Routes one asynchronous call under {@code ctx}; a refusal or a failure in every region completes the future
     * exceptionally (nothing is thrown). The future's dependent stages run under {@code ctx}
     * ({@link ContextualFuture}), on whichever thread completes it; cancelling it cancels the call's attempts.
     */
    public <Q extends R, S> CompletableFuture<S> callAsync(String operationName, Q request, RoutingContext ctx,
            BiFunction<C, Q, CompletableFuture<S>> method) {
        K classified;
        Operation op;
        try {
            Objects.requireNonNull(request, "request");
            classified = model.classify(operationName, request, ctx);
            model.beforeCall(classified, request, ctx);
            op = model.operation(classified, ctx);
        } catch (RuntimeException e) {
            return ContextualFuture.of(ctx, CompletableFuture.failedFuture(e));
        }
        // The runtime completes the returned future itself (MultiRegionSpi#callAsync): no stage chained per call.
        return spi.callAsync(op, ctx, new AsyncAttempts<>(classified, request, ctx, method), cold);
    }

    /**
     * The attempts of one asynchronous call: applies the method to a region's client, notes the clients that
     * answered, and reports the call's answer to the request model. One object per call: the runtime tells it the
     * outcomes ({@link AnsweredCall}) instead of a completion stage per attempt and one per call.
     */
    private final class AsyncAttempts<Q extends R, S> implements AnsweredCall<S> {
        private final K classified;
        private final Q request;
        private final RoutingContext ctx;
        private final BiFunction<C, Q, CompletableFuture<S>> method;

        AsyncAttempts(K classified, Q request, RoutingContext ctx, BiFunction<C, Q, CompletableFuture<S>> method) {
            this.classified = classified;
            this.request = request;
            this.ctx = ctx;
            this.method = method;
        }

        @Override
        public CompletableFuture<S> apply(Region region) {
            return clients.firstAttemptAsync(region, request, runtime.config().firstAttemptTimeout(), method);
        }

        @Override
        public void attempted(Region region, @Nullable Throwable failure) {
            clients.attempted(region, failure);
        }

        @Override
        public void answered(Region region, S value) {
            model.afterSuccess(classified, request, ctx, region, value);
        }
    }

    /** The request with the first-attempt budget when the region's client has not answered a call yet. */
    private <Q> Q firstAttempt(Region region, C client, Q request) {
        return clients.isCold(region)
                ? FirstAttempt.budgeted(request, client, runtime.config().firstAttemptTimeout()) : request;
    }
}
