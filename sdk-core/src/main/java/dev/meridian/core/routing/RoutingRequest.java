package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.INTERNAL;
import static org.apiguardian.api.API.Status.STABLE;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * What a {@link RoutingStrategy} may look at to order a call's candidate regions. Immutable view, valid for one
 * call.
 */
@API(status = STABLE, since = "0.1")
public final class RoutingRequest {
    private final Operation operation;
    private final RoutingContext context;
    private final Region localRegion;
    private final ToIntFunction<Region> weights;
    private final LatencyTracker latency;
    private final @Nullable RoutingRandom random;

    /**
     * A request whose {@link #random()} is the thread's {@code ThreadLocalRandom}, which a snapshot restore does not
     * reseed (for tests, or ordering regions outside a runtime; a runtime passes its {@link RoutingRandom}).
     *
     * @param localRegion the region this process runs in
     * @param weights each region's configured weight for weighted routing (0 when unset)
     */
    @API(status = INTERNAL, since = "0.1")
    public RoutingRequest(Operation operation, RoutingContext context, Region localRegion,
            ToIntFunction<Region> weights, LatencyTracker latency) {
        this(operation, context, localRegion, weights, latency, null);
    }

    /**
     * @param localRegion the region this process runs in
     * @param weights each region's configured weight for weighted routing (0 when unset)
     * @param random the runtime's random source, which a snapshot restore reseeds; {@code null} for
     *        {@code ThreadLocalRandom}
     */
    @API(status = INTERNAL, since = "0.1")
    public RoutingRequest(Operation operation, RoutingContext context, Region localRegion,
            ToIntFunction<Region> weights, LatencyTracker latency, @Nullable RoutingRandom random) {
        this.operation = Objects.requireNonNull(operation, "operation");
        this.context = Objects.requireNonNull(context, "context");
        this.localRegion = Objects.requireNonNull(localRegion, "localRegion");
        this.weights = Objects.requireNonNull(weights, "weights");
        this.latency = Objects.requireNonNull(latency, "latency");
        this.random = random;
    }

    public Operation operation() {
        return operation;
    }

    public RoutingContext context() {
        return context;
    }

    /** A region's configured weight for weighted routing; 0 when unset (every region 0 means equal chances). */
    public int weight(Region region) {
        return weights.applyAsInt(region);
    }

    public LatencyTracker latency() {
        return latency;
    }

    public Region localRegion() {
        return localRegion;
    }

    /**
     * The generator a strategy draws from for this call, on the calling thread: the runtime's {@link RoutingRandom}
     * (reseeded after a snapshot restore, so restored siblings draw differently), else {@code ThreadLocalRandom}.
     */
    public RandomGenerator random() {
        return random != null ? random.current() : ThreadLocalRandom.current();
    }

    /** The operation's routing key, else the context's. */
    public Optional<String> routingKey() {
        Optional<String> k = operation.routingKey();
        return k.isPresent() ? k : context.routingKey();
    }
}
