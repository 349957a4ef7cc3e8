package dev.meridian.core;

import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.spi.AnsweredCall;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.core.spi.RegionalClients;
import dev.meridian.core.spi.ReleasableCall;
import dev.meridian.core.spi.SnapshotParticipant;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.core.pagination.sync.SdkIterable;
import software.amazon.awssdk.regions.Region;

/**
 * The invocation handler behind {@link MultiRegion#wrap} for interfaces no service module serves: every call goes
 * through the runtime's routing with the caller's context. A call the {@link OperationClassifier} does not classify
 * is routed as a write pinned to the first region of its plan (the plan still applies residency and health; no
 * failover, since nothing says repeating it elsewhere is safe). Object methods, {@code serviceName()} and
 * {@code close()} are answered locally. A paginator (an SDK default method returning an {@link SdkIterable} or
 * {@link SdkPublisher}) is made on this client, so each page is a routed call of its own (failover included), under
 * the context current when the paginator was made; a paginator made on a region's client would send every page to that
 * region however it answered. A consumer-builder overload (an SDK default method taking a {@code Consumer}) is run on
 * this client too: it builds the request and calls the request method, which is classified and routed, so the
 * {@link OperationClassifier} sees the request whichever overload the caller used. Every other call runs on a region's
 * client, with the cold-client rules of the routed clients: while a region's client has not answered a call yet, a
 * request passed as the call's only argument gets the first-attempt budget ({@link MultiRegionConfig#firstAttemptTimeout()},
 * {@link RegionalClients#firstAttempt}) and the runtime is told the client is cold ({@link RegionalClients#cold()}).
 */
final class GenericClientProxy<C> implements InvocationHandler, AutoCloseable {
    private final Class<C> iface;
    private final MultiRegion runtime;
    private final MultiRegionSpi spi;
    private final boolean ownsRuntime;
    private final OperationClassifier classifier;
    private final RegionalClients<C> clients;
    private final SnapshotParticipant.Registration snapshots;
    private volatile boolean closed;

    GenericClientProxy(Class<C> iface, MultiRegion runtime, boolean ownsRuntime, RegionalClientFactory<C> factory,
            OperationClassifier classifier) {
        this.iface = iface;
        this.runtime = runtime;
        this.spi = MultiRegionSpi.of(runtime);
        this.ownsRuntime = ownsRuntime;
        this.classifier = classifier;
        this.clients = new RegionalClients<>(iface.getSimpleName(), runtime.config(), factory);
        this.snapshots = runtime.onSnapshot(clients);
    }

    C proxy() {
        return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, this));
    }

    @Override
    public @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            switch (method.getName()) {
                case "equals": return proxy == Objects.requireNonNull(args, "args")[0]; // equals has one parameter
                case "hashCode": return System.identityHashCode(proxy);
                default: return toString();
            }
        }
        int arity = method.getParameterCount();
        if (arity == 0 && method.getName().equals("close")) {
            close();
            return null;
        }
        if (arity == 0 && method.getName().equals("serviceName") && method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        if (closed) {
            throw new IllegalStateException("Multi-region " + iface.getSimpleName() + " is closed");
        }
        if (method.isDefault() && isPaginator(method.getReturnType())) {
            return InvocationHandler.invokeDefault(pagesUnder(RoutingContext.current()), method, args);
        }
        if (method.isDefault() && isConsumerOverload(method)) {
            // The SDK's overload builds the request and calls the request method on this proxy: that call is the one
            // classified and routed, so the classifier sees the request as with the request overload.
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        Operation classified = classifier.classify(method, args);
        Operation op = classified != null ? classified
                : Operation.builder(method.getName(), OperationKind.WRITE).maxRegions(1).build();
        RoutingContext ctx = RoutingContext.current();
        if (CompletableFuture.class.isAssignableFrom(method.getReturnType())) {
            return spi.callAsync(op, ctx, new AsyncAttempts(method, args), clients.cold());
        }
        return spi.execute(op, ctx, new Attempts(method, args), clients.cold());
    }

    /** An SDK consumer-builder overload, e.g. {@code getItem(Consumer<GetItemRequest.Builder>)}. */
    private static boolean isConsumerOverload(Method method) {
        return method.getParameterCount() == 1 && Consumer.class.isAssignableFrom(method.getParameterTypes()[0]);
    }

    private static boolean isPaginator(Class<?> type) {
        return SdkIterable.class.isAssignableFrom(type) || SdkPublisher.class.isAssignableFrom(type);
    }

    /**
     * This client as a paginator sees it: each page's call routed under {@code ctx}, the context of the call that made
     * the paginator (pages are fetched later, on the caller's iteration or an SDK thread's demand).
     */
    private C pagesUnder(RoutingContext ctx) {
        return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, (pages, m, a) -> {
            try (RoutingContext.Scope s = ctx.open()) {
                return invoke(pages, m, a);
            }
        }));
    }

    /**
     * The synchronous attempts of one call; it tells the runtime which regions' clients a won hedge can release
     * mid-call, so that a hedged read runs its first attempt on the caller's thread.
     */
    private final class Attempts implements Function<Region, @Nullable Object>, ReleasableCall {
        private final Method method;
        private final Object @Nullable [] args;

        Attempts(Method method, Object @Nullable [] args) {
            this.method = method;
            this.args = args;
        }

        @Override
        public @Nullable Object apply(Region region) {
            Object r;
            try {
                r = call(region, method, args);
            } catch (RuntimeException e) {
                clients.attempted(region, e);
                throw e;
            }
            clients.answered(region);
            return r;
        }

        @Override
        public boolean releasable(Region region) {
            return clients.isReleasable(region)
                    && (args == null || args.length != 1 || RegionalClientDefaults.keepsCallTimeout(args[0]));
        }
    }

    /**
     * The attempts of one asynchronous call; the runtime tells them each attempt's outcome (cold clients). A cold
     * client's request (the call's only argument) gets the first-attempt budget, for its first connection too
     * ({@link RegionalClients#firstAttemptAsync}).
     */
    private final class AsyncAttempts implements AnsweredCall<Object> {
        private final Method method;
        private final Object @Nullable [] args;

        AsyncAttempts(Method method, Object @Nullable [] args) {
            this.method = method;
            this.args = args;
        }

        @Override
        public CompletableFuture<Object> apply(Region region) {
            Object @Nullable [] a = args;
            if (a != null && a.length == 1 && a[0] != null && clients.cold().test(region)) {
                return clients.firstAttemptAsync(region, a[0], runtime.config().firstAttemptTimeout(),
                        (client, request) -> future(invoke(region, client, method, new Object[] {request})));
            }
            return future(invoke(region, clients.get(region), method, a));
        }

        @SuppressWarnings("unchecked")
        private CompletableFuture<Object> future(@Nullable Object returned) {
            return (CompletableFuture<Object>) Objects.requireNonNull(returned, () -> method + " returned no future");
        }

        @Override
        public void attempted(Region region, @Nullable Throwable failure) {
            clients.attempted(region, failure);
        }

        @Override
        public void answered(Region region, Object value) {
            // Nothing to report: a wrapped client has no request model.
        }
    }

    /**
     * Calls {@code method} on the region's client for a synchronous attempt; a cold client's request (the call's only
     * argument) gets the first-attempt budget.
     */
    private @Nullable Object call(Region region, Method method, Object @Nullable [] args) {
        C client = clients.get(region);
        Object @Nullable [] sent = args;
        if (args != null && args.length == 1 && args[0] != null) {
            Object budgeted = clients.firstAttempt(region, args[0], runtime.config().firstAttemptTimeout());
            if (budgeted != args[0]) {
                sent = new Object[] {budgeted};
            }
        }
        return invoke(region, client, method, sent);
    }

    /** {@code method} on the region's {@code client}. */
    private static @Nullable Object invoke(Region region, Object client, Method method,
            Object @Nullable [] args) {
        try {
            return method.invoke(client, args);
        } catch (InvocationTargetException e) {
            throw sneaky(e.getTargetException());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot call " + method + " on the " + region.id() + " client", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        snapshots.close();
        clients.close();
        if (ownsRuntime) {
            runtime.close();
        }
    }

    @Override
    public String toString() {
        return "MultiRegion<" + iface.getSimpleName() + ">" + runtime.config().regionList();
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
