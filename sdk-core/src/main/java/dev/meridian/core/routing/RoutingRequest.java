package dev.meridian.core.routing;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.Operation;
import dev.meridian.core.RoutingContext;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * What a {@link RoutingStrategy} may look at to order a call's candidate regions. Immutable view, valid for one
 * call.
 */
public final class RoutingRequest {
    private final Operation operation;
    private final RoutingContext context;
    private final MultiRegionConfig config;
    private final LatencyTracker latency;

    public RoutingRequest(Operation operation, RoutingContext context, MultiRegionConfig config,
            LatencyTracker latency) {
        this.operation = operation;
        this.context = context;
        this.config = config;
        this.latency = latency;
    }

    public Operation operation() {
        return operation;
    }

    public RoutingContext context() {
        return context;
    }

    public MultiRegionConfig config() {
        return config;
    }

    public LatencyTracker latency() {
        return latency;
    }

    public Region localRegion() {
        return config.localRegion();
    }

    /** The operation's routing key, else the context's. */
    public Optional<String> routingKey() {
        Optional<String> k = operation.routingKey();
        return k.isPresent() ? k : context.routingKey();
    }
}
