package dev.meridian.dynamodb;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The per-region AWS SDK clients of one routed client, each built on first use (cheap cold start) and closed with
 * it. Thread-safe: a client is built at most once per region.
 */
final class RegionClients<C extends SdkAutoCloseable> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegionClients.class);

    private final Function<Region, C> factory;
    private final Map<Region, C> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    RegionClients(Function<Region, C> factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    C get(Region region) {
        if (closed) {
            throw new IllegalStateException("The multi-region DynamoDB client is closed");
        }
        return clients.computeIfAbsent(region, r -> Objects.requireNonNull(factory.apply(r),
                () -> "client factory returned null for region " + r));
    }

    @Override
    public void close() {
        closed = true;
        for (Map.Entry<Region, C> e : clients.entrySet()) {
            try {
                e.getValue().close();
            } catch (RuntimeException ex) {
                log.warn("Closing the DynamoDB client of region {} failed: {}", e.getKey(), ex.toString());
            }
        }
        clients.clear();
    }
}
