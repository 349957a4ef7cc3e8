package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Orders the candidate regions of one call. The router has already removed regions residency forbids,
 * drained or open-breaker regions and excluded ones, and passes the rest sorted by priority (ties: declaration
 * order). A strategy returns the same regions (it may drop some, never add) in the order to try them.
 * Implementations must be thread-safe and cheap: they run on every call.
 *
 * <p>Built-in strategies (see each factory): local-first, failover, weighted, geo, latency and home-by-key.
 */
@API(status = STABLE, since = "0.1")
@FunctionalInterface
public interface RoutingStrategy {

    List<Region> order(List<Region> candidates, RoutingRequest request);

    /**
     * The order {@code strategy} gives {@code candidates}, keeping only candidates: a custom strategy can reorder or
     * drop regions but never add one (the built-in strategies are trusted to do so already).
     */
    static List<Region> orderWithin(RoutingStrategy strategy, List<Region> candidates, RoutingRequest request) {
        if (candidates.size() <= 1) {
            return candidates;
        }
        List<Region> ordered = strategy.order(candidates, request);
        if (strategy instanceof Strategies.Named) {
            return ordered;
        }
        List<Region> out = new ArrayList<>(ordered.size());
        for (Region r : ordered) {
            if (candidates.contains(r) && !out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Short name used in logs and configuration ({@code local-first}, {@code failover}, ...). */
    default String name() {
        return getClass().getSimpleName();
    }

    /** The local region first (when it is a candidate), then the others by priority. The default. */
    static RoutingStrategy localFirst() {
        return Strategies.LocalFirst.INSTANCE;
    }

    /** Strict priority order: active-passive with the lowest priority value as the active region. */
    static RoutingStrategy failover() {
        return Strategies.Failover.INSTANCE;
    }

    /**
     * The first region drawn at random by weight (e.g. 90/10 for a canary), the rest by priority. Regions without a
     * weight count as 0; when no candidate has a weight, all are equally likely. Draws from the runtime's
     * {@link RoutingRandom}, reseeded after a snapshot restore ({@link RoutingRequest#random()}).
     */
    static RoutingStrategy weighted() {
        return new WeightedStrategy(null);
    }

    /**
     * {@link #weighted()} drawing from the given generator (seed it for reproducible tests). That generator is yours:
     * a snapshot restore does not reseed it, so copies restored from one snapshot would draw alike.
     */
    static RoutingStrategy weighted(RandomGenerator random) {
        return new WeightedStrategy(random);
    }

    /**
     * Nearest region to the data subject's country first (great-circle distance between built-in country and AWS
     * region coordinates, {@code GeoTable}); falls back to local-first when the country or a region is unknown.
     */
    static RoutingStrategy geo() {
        return Strategies.Geo.INSTANCE;
    }

    /**
     * Lowest observed latency first (EWMA fed by the executor). Regions without samples come first so they get
     * measured; with probability 5 % a random candidate goes first so that a recovered region is noticed. Draws from
     * the runtime's {@link RoutingRandom}, reseeded after a snapshot restore ({@link RoutingRequest#random()}).
     */
    static RoutingStrategy latency() {
        return new LatencyStrategy(0.05, null);
    }

    /**
     * {@link #latency()} with the given exploration share (0..1) and random source; {@code null} draws from the
     * runtime's (see {@link RoutingRequest#random()}). A generator given here is not reseeded by a snapshot restore.
     */
    static RoutingStrategy latency(double exploration, Random random) {
        return new LatencyStrategy(exploration, random);
    }

    /**
     * Rendezvous (highest-random-weight) hashing of the routing key over the candidates: the same key gives the same
     * order on every node, so one region is the single writer of an entity; removing a region only moves the keys
     * it was first for. Without a routing key, priority order.
     */
    static RoutingStrategy homeByKey() {
        return Strategies.HomeByKey.INSTANCE;
    }

    /**
     * {@code preferred} first when it is a candidate, then the others in {@code then}'s order: a call that should go
     * back to a region it already used (the region that took a session's write, the region that holds an
     * idempotency claim) and fail over normally from there. Like every strategy it only reorders what the
     * router allowed, so a preferred region that is drained, open or outside residency is skipped.
     */
    static RoutingStrategy preferring(Region preferred, RoutingStrategy then) {
        return new Strategies.Preferring(preferred, then);
    }

    /**
     * The strategy named as in configuration: {@code local-first}, {@code failover}, {@code weighted}, {@code geo},
     * {@code latency}, {@code home-by-key} (case-insensitive, {@code _} accepted for {@code -}).
     */
    static RoutingStrategy named(String name) {
        return Strategies.named(name);
    }
}
