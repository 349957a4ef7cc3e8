package dev.meridian.spring;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionalClientFactory;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;

/** One plain client per region, built on first use by a {@link RegionalClientFactory}, closed with the context. */
final class PerRegionClients<C extends AutoCloseable> implements Function<Region, C>, AutoCloseable {
    private final MultiRegionConfig config;
    private final RegionalClientFactory<C> factory;
    private final Map<Region, C> clients = new ConcurrentHashMap<>();

    PerRegionClients(MultiRegionConfig config, RegionalClientFactory<C> factory) {
        this.config = config;
        this.factory = factory;
    }

    @Override
    public C apply(Region region) {
        return clients.computeIfAbsent(region, r -> factory.create(r, config.spec(r).orElseThrow(
                () -> new IllegalArgumentException("region '" + r.id() + "' is not one of the configured regions "
                        + config.regionList()))));
    }

    @Override
    public void close() {
        Closeables.closeAll(new ArrayList<>(clients.values()));
        clients.clear();
    }
}
