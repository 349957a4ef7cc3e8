package dev.meridian.core;

import dev.meridian.core.execution.RegionalExecutor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * The invocation handler behind {@link MultiRegion#wrap}: classifies each call, runs it through the executor on the
 * per-region clients (built lazily, once) and handles Object methods, {@code serviceName()} and {@code close()}
 * locally. Calls are made on the per-region client itself, so an SDK default method (e.g. a consumer-builder
 * overload) runs there and reaches the real overload once, inside the chosen region.
 */
final class ClientRouter<C> implements InvocationHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientRouter.class);

    private final Class<C> iface;
    private final MultiRegion runtime;
    private final boolean ownsRuntime;
    private final RegionalExecutor executor;
    private final OperationClassifier classifier;
    private final RegionalClientFactory<C> factory;
    private final Map<Region, LazyClient> clients;
    private volatile boolean closed;

    ClientRouter(Class<C> iface, MultiRegion runtime, boolean ownsRuntime, RegionalClientFactory<C> factory,
            OperationClassifier classifier) {
        this.iface = iface;
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
        this.executor = runtime.executor();
        this.classifier = classifier;
        this.factory = factory;
        Map<Region, LazyClient> m = new LinkedHashMap<>();
        for (RegionSpec spec : runtime.config().regions()) {
            m.put(spec.region(), new LazyClient(spec));
        }
        this.clients = m;
    }

    C proxy() {
        return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, this));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            switch (method.getName()) {
                case "equals": return proxy == args[0];
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
        Operation op = classifier.classify(method, args);
        if (op == null) {
            return call(runtime.config().localRegion(), method, args);
        }
        if (CompletableFuture.class.isAssignableFrom(method.getReturnType())) {
            return executor.executeAsync(op, region -> {
                Object f = call(region, method, args);
                return (CompletableFuture<?>) f;
            });
        }
        return executor.execute(op, region -> call(region, method, args));
    }

    private Object call(Region region, Method method, Object[] args) {
        C client = clients.get(region).get();
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
        for (LazyClient c : clients.values()) {
            c.close();
        }
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

    /** A region's client, built on first use exactly once. */
    private final class LazyClient {
        private final RegionSpec spec;
        private volatile C client;

        LazyClient(RegionSpec spec) {
            this.spec = spec;
        }

        C get() {
            C c = client;
            if (c != null) {
                return c;
            }
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("Multi-region " + iface.getSimpleName() + " is closed");
                }
                if (client == null) {
                    C created = factory.create(spec.region(), spec);
                    if (created == null) {
                        throw new IllegalStateException("client factory returned null for " + spec.region().id());
                    }
                    client = created;
                }
                return client;
            }
        }

        synchronized void close() {
            C c = client;
            client = null;
            if (c instanceof AutoCloseable) {
                try {
                    ((AutoCloseable) c).close();
                } catch (Exception e) {
                    LOG.warn("Closing the {} client of region {} failed: {}", iface.getSimpleName(),
                            spec.region().id(), e.toString());
                }
            }
        }
    }
}
