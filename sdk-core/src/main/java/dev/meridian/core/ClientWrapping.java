package dev.meridian.core;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.spi.ClientProvider;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;

/**
 * {@link MultiRegion#wrap} and {@link MultiRegion#wrapClient}: a service module's client ({@link ClientProvider}) or a
 * JDK proxy over the runtime. Loaded only by those calls, not by a service module's own builder: kept off the first
 * read (cold start).
 */
final class ClientWrapping {
    private ClientWrapping() {
    }

    /** A client over a runtime of its own, closed when the client is closed. */
    static <C> C wrap(Class<C> iface, RegionalClientFactory<C> factory, MultiRegionConfig config,
            OperationClassifier classifier) {
        MultiRegion runtime = MultiRegion.builder(config).build();
        try {
            return proxy(runtime, iface, factory, classifier, true);
        } catch (RuntimeException e) {
            // Nobody else holds this runtime: close it, or a configured health probe would keep its thread.
            runtime.close();
            throw e;
        }
    }

    static <C> C proxy(MultiRegion runtime, Class<C> iface, RegionalClientFactory<C> factory,
            OperationClassifier classifier, boolean ownsRuntime) {
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(classifier, "classifier");
        SettingRules.check(iface.isInterface(), "iface", "must be an interface", iface.getName(),
                "pass the client's interface, e.g. DynamoDbClient.class");
        if (runtime.closed) {
            throw new IllegalStateException("MultiRegion runtime is closed");
        }
        for (ClientProvider provider : ServiceLoader.load(ClientProvider.class, iface.getClassLoader())) {
            if (provider.serves(iface)) {
                C client = provider.open(iface, runtime, factory, ownsRuntime);
                if (client instanceof AutoCloseable closeable) {
                    runtime.wrapped.add(closeable);
                }
                return client;
            }
        }
        GenericClientProxy<C> router = new GenericClientProxy<>(iface, runtime, ownsRuntime, factory, classifier);
        runtime.wrapped.add(router);
        return router.proxy();
    }

    /** A factory that sees only the region. */
    static <C> RegionalClientFactory<C> byRegion(Function<Region, C> factory) {
        Objects.requireNonNull(factory, "factory");
        return (region, spec) -> factory.apply(region);
    }
}
