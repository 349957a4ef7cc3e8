package dev.meridian.core;

import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.ProbeHook;
import dev.meridian.core.internal.Metrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.RegistryStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * Health of every configured region: one Resilience4j {@link CircuitBreaker} per region (and, on demand, per
 * region × resource) from one shared {@link CircuitBreakerRegistry}, plus manual draining.
 *
 * <p>A region is {@linkplain #isAvailable(Region) available} when it is not drained and its breaker lets calls through
 * (closed or half-open; an open breaker whose wait has elapsed moves to half-open when asked, so recovery needs no
 * background thread). Only failures the {@code recordAsFailure} predicate accepts (regional failures) count; caller
 * errors never open a breaker. With {@link HealthConfig#perResourceBreakers()} the router and executor use the
 * region × resource breaker for calls that name a resource ({@link #isAvailable(Region, String)}). Transitions, found
 * by {@link WatchedBreaker} without subscribing to Resilience4j's events, are logged at INFO and metered ({@code meridian.breaker.transitions}, under the breaker's region also for a region ×
 * resource breaker; gauge {@code meridian.breaker.state} per region). If {@link HealthConfig#probe()} is set, a
 * single daemon thread probes every region on a schedule: a successful probe moves an open breaker to half-open and
 * counts as a successful trial call of a half-open one; {@link #close()} stops it.
 *
 * <p>Throttling is not a region's failure: the executor records it only on the region × resource breaker of the
 * throttled resource (created on first throttling even without per-resource breakers), never on the region's
 * breaker, so one hot table never moves the traffic of the region's other tables. Thread-safe.
 */
final class RegionHealth implements AutoCloseable, WatchedBreaker.Transitions {

    private final HealthConfig config;
    /** Built with the first breaker's state machine ({@link LazyBreaker}) or the first registry. */
    private volatile @Nullable CircuitBreakerConfig breakerConfig;
    private final Object breakerConfigLock = new Object();
    private final Map<Region, WatchedBreaker> breakers;
    /** Per region: resource → breaker, created on first use; keyed by region first so lookups build no string. */
    private final Map<Region, ConcurrentHashMap<String, WatchedBreaker>> resourceBreakers;
    /**
     * The same breakers per configured region, for the lookups every call makes (several per attempt): found by an
     * identity scan, which for a handful of regions is cheaper than hashing ({@link Region} compares by identity).
     */
    private final Slot[] slots;
    /** Every breaker by name: Meridian's and any an application creates through {@link #registry()}. */
    private final ConcurrentHashMap<String, CircuitBreaker> byName = new ConcurrentHashMap<>();
    private final Set<Region> drained = ConcurrentHashMap.newKeySet();
    private final Metrics metrics;
    private final @Nullable ScheduledExecutorService prober;
    private volatile @Nullable CircuitBreakerRegistry registry;
    /** Held by a probe round while it runs, so that {@link #suspendProbe()} can wait for it. */
    private final ReentrantLock probing = new ReentrantLock();
    private volatile boolean probeSuspended;

    /** Health for these regions with no metrics. */
    RegionHealth(Collection<Region> regions, HealthConfig config) {
        this(regions, config, Metrics.noop());
    }

    /**
     * Health for these regions. Every error reported to a breaker counts (Resilience4j's default predicate records
     * every exception): the executor reports only regional failures (its failure classifier decides), so caller errors
     * never open a breaker.
     */
    RegionHealth(Collection<Region> regions, HealthConfig config, Metrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        if (config.waitInOpenState().toMillis() < 1) {
            breakerConfig(); // Resilience4j refuses a wait under 1 ms: refused here, as when it was built up front
        }
        Map<Region, WatchedBreaker> m = new LinkedHashMap<>();
        Map<Region, ConcurrentHashMap<String, WatchedBreaker>> byResource = new HashMap<>();
        List<Slot> slotList = new ArrayList<>();
        for (Region r : regions) {
            WatchedBreaker watched = newBreaker(r, null);
            if (metrics != Metrics.noop()) {
                // No registry, no gauge: its reader class is then never loaded (cold start).
                metrics.breakerState(r, new StateOrder(watched));
            }
            m.put(r, watched);
            ConcurrentHashMap<String, WatchedBreaker> resources = new ConcurrentHashMap<>();
            byResource.put(r, resources);
            slotList.add(new Slot(r, watched, resources));
        }
        this.breakers = Collections.unmodifiableMap(m);
        this.resourceBreakers = Collections.unmodifiableMap(byResource);
        this.slots = slotList.toArray(new Slot[0]);
        this.prober = config.probe().isPresent() ? HealthProbe.startProbe(this, config.probe().get()) : null;
    }

    /** The breaker of a configured region. */
    public CircuitBreaker circuitBreaker(Region region) {
        return watched(region).breaker();
    }

    /**
     * The breaker of one resource (table, cluster) in a region, created on first use; named {@code region/resource}.
     */
    public CircuitBreaker circuitBreaker(Region region, String resource) {
        return watched(region, resource).breaker();
    }

    WatchedBreaker watched(Region region) {
        return configured(region).breaker();
    }

    WatchedBreaker watched(Region region, String resource) {
        Objects.requireNonNull(resource, "resource");
        ConcurrentHashMap<String, WatchedBreaker> byResource = configured(region).resources();
        WatchedBreaker cb = byResource.get(resource);
        return cb != null ? cb : byResource.computeIfAbsent(resource, res -> newBreaker(region, res));
    }

    /** The breaker of one resource in a region if it was created, else null; creates nothing. */
    @Nullable WatchedBreaker existingBreaker(Region region, String resource) {
        Slot slot = slot(region);
        return slot == null ? null : slot.resources().get(resource);
    }

    /** The slot of a configured region, else null. */
    private @Nullable Slot slot(Region region) {
        for (Slot s : slots) {
            if (s.region() == region) {
                return s;
            }
        }
        return null;
    }

    private Slot configured(Region region) {
        Slot slot = slot(region);
        if (slot == null) {
            throw UnconfiguredRegion.error(breakers.keySet(), region);
        }
        return slot;
    }

    /**
     * A Resilience4j registry over Meridian's breakers (e.g. for Resilience4j's own Micrometer binding), built on first
     * use: {@code circuitBreaker("eu-west-1")} and {@code circuitBreaker("eu-west-1/orders")} are the breakers Meridian
     * routes by; other names are the application's own breakers with Meridian's breaker configuration.
     */
    public CircuitBreakerRegistry registry() {
        CircuitBreakerRegistry r = registry;
        if (r == null) {
            synchronized (this) {
                r = registry;
                if (r == null) {
                    r = BreakerMachines.registry(breakerConfig(), new BreakerStore());
                    registry = r;
                }
            }
        }
        return r;
    }

    public HealthConfig config() {
        return config;
    }

    public List<Region> regions() {
        return List.copyOf(breakers.keySet());
    }

    /** Takes a region out of every plan, even while healthy (maintenance, evacuation drills). */
    public void drain(Region region) {
        watched(region);
        if (drained.add(region)) {
            HealthTransitions.drained(region, true);
        }
    }

    /** Puts a drained region back into plans. */
    public void undrain(Region region) {
        watched(region);
        if (drained.remove(region)) {
            HealthTransitions.drained(region, false);
        }
    }

    public boolean isDrained(Region region) {
        return drained.contains(region);
    }

    /** The breaker state of a configured region. */
    public CircuitBreaker.State state(Region region) {
        return watched(region).state();
    }

    /**
     * Whether calls may be planned to the region now: not drained, and its breaker closed, half-open, or open with
     * its wait elapsed (in which case it moves to half-open here).
     */
    public boolean isAvailable(Region region) {
        Slot slot = slot(region);
        return slot != null && isAvailable(slot);
    }

    private boolean isAvailable(Slot slot) {
        // Nearly always nothing is drained: asking the empty set first spares the lookup.
        if (!drained.isEmpty() && drained.contains(slot.region())) {
            return false;
        }
        return slot.breaker().permitsCalls();
    }

    /**
     * Whether calls on {@code resource} may be planned to the region now: the region is {@linkplain
     * #isAvailable(Region) available} and the region × resource breaker, if one was created, lets calls through (with
     * the same open → half-open rule). Creates no breaker.
     */
    public boolean isAvailable(Region region, String resource) {
        Objects.requireNonNull(resource, "resource");
        Slot slot = slot(region);
        if (slot == null || !isAvailable(slot)) {
            return false;
        }
        WatchedBreaker cb = slot.resources().get(resource);
        return cb == null || cb.permitsCalls();
    }

    /**
     * Whether the region is suspect ({@link WatchedBreaker#suspect()}): its own breaker, or one of its region × resource
     * breakers, saw a run of hedge losers left unanswered and has not yet been cleared by a trial or ejected.
     */
    public boolean isSuspect(Region region) {
        if (watched(region).suspect()) {
            return true;
        }
        for (WatchedBreaker cb : Objects.requireNonNull(resourceBreakers.get(region), "resourceBreakers").values()) {
            if (cb.suspect()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Closes every breaker's window: forgets past failures and successes, runs of stalls and suspicions (drained
     * regions stay drained).
     */
    void reset() {
        BreakerMachines.reset(byName.values(), breakers.values(), resourceBreakers.values());
    }

    @Override
    public void close() {
        if (prober != null) {
            prober.shutdownNow();
        }
    }

    /**
     * A breaker of a region ({@code resource} null) or region × resource, built without a registry: a registry stamps
     * an event on every breaker it adds, and the event's {@code ZonedDateTime} loads the time-zone rules on a cold JVM.
     */
    private WatchedBreaker newBreaker(Region region, @Nullable String resource) {
        String name = resource == null ? region.id() : region.id() + '/' + resource;
        CircuitBreaker cb = new LazyBreaker(name, this);
        byName.put(name, cb);
        return new WatchedBreaker(cb, region, resource, this);
    }

    /** The Resilience4j configuration of Meridian's breakers, built on first use. */
    CircuitBreakerConfig breakerConfig() {
        CircuitBreakerConfig c = breakerConfig;
        if (c == null) {
            synchronized (breakerConfigLock) {
                c = breakerConfig;
                if (c == null) {
                    c = BreakerMachines.breakerConfig(config);
                    breakerConfig = c;
                }
            }
        }
        return c;
    }

    /** The Resilience4j state machine of the breaker {@code name} ({@link LazyBreaker} builds it when it matters). */
    CircuitBreaker stateMachine(String name) {
        return BreakerMachines.stateMachine(name, breakerConfig());
    }

    /** Logs and meters a transition of a region's breaker or a region × resource one. */
    @Override
    public void changed(WatchedBreaker breaker, CircuitBreaker.State from, CircuitBreaker.State to) {
        HealthTransitions.changed(metrics, breaker, from, to);
    }

    /** One scheduled round of the probe, unless it is suspended for a process snapshot. */
    void probeRound(ProbeHook probe) {
        if (probeSuspended) {
            return;
        }
        probing.lock();
        try {
            if (!probeSuspended) {
                probeAll(probe);
            }
        } finally {
            probing.unlock();
        }
    }

    /**
     * Holds the probe's rounds (before a process snapshot: a round must not open connections while the region clients
     * are being closed) and waits for a round in progress to end.
     */
    void suspendProbe() {
        probeSuspended = true;
        probing.lock();
        probing.unlock();
    }

    /** Lets the probe's rounds run again. */
    void resumeProbe() {
        probeSuspended = false;
    }

    /** Probes every region once (see {@link HealthProbe#probeAll}). */
    void probeAll(ProbeHook probe) {
        HealthProbe.probeAll(breakers, probe);
    }

    /**
     * The gauge of a region's breaker state (Resilience4j's order: closed 0, open 1, half-open 2, …); a class rather
     * than a lambda, which would be spun by every application's first client build.
     */
    private static final class StateOrder implements Supplier<Number> {
        private final WatchedBreaker watched;

        StateOrder(WatchedBreaker watched) {
            this.watched = watched;
        }

        @Override
        public Number get() {
            return watched.breaker().getState().getOrder();
        }
    }

    /**
     * The registry's view of the breakers: Meridian's own by their names (a resource breaker is created on first
     * lookup, as Meridian would), anything else kept for the application.
     */
    private final class BreakerStore implements RegistryStore<CircuitBreaker> {
        @Override
        public CircuitBreaker computeIfAbsent(String name, Function<? super String, ? extends CircuitBreaker> create) {
            WatchedBreaker own = meridians(name);
            return own != null ? own.breaker() : byName.computeIfAbsent(name, create);
        }

        @Override
        public CircuitBreaker putIfAbsent(String name, CircuitBreaker breaker) {
            WatchedBreaker own = meridians(name);
            return own != null ? own.breaker() : byName.putIfAbsent(name, breaker);
        }

        @Override
        public Optional<CircuitBreaker> find(String name) {
            return Optional.ofNullable(byName.get(name));
        }

        @Override
        public Optional<CircuitBreaker> remove(String name) {
            refuseOwn(name, "removed");
            return Optional.ofNullable(byName.remove(name));
        }

        @Override
        public Optional<CircuitBreaker> replace(String name, CircuitBreaker breaker) {
            refuseOwn(name, "replaced");
            return Optional.ofNullable(byName.replace(name, breaker));
        }

        @Override
        public Collection<CircuitBreaker> values() {
            return Collections.unmodifiableCollection(byName.values());
        }

        private void refuseOwn(String name, String what) {
            if (meridians(name) != null) {
                throw new UnsupportedOperationException("circuit breaker '" + name + "' routes Meridian's calls and "
                        + "cannot be " + what + "; tune it through HealthConfig (meridian.breaker.*)");
            }
        }

        /** Meridian's breaker for {@code region} or {@code region/resource} of a configured region, else null. */
        private @Nullable WatchedBreaker meridians(String name) {
            int slash = name.indexOf('/');
            String id = slash < 0 ? name : name.substring(0, slash);
            for (Map.Entry<Region, WatchedBreaker> e : breakers.entrySet()) {
                if (e.getKey().id().equals(id)) {
                    return slash < 0 ? e.getValue() : watched(e.getKey(), name.substring(slash + 1));
                }
            }
            return null;
        }
    }

    /**
     * A configured region, its breaker and its region × resource breakers. A plain class, not a record: a record's
     * class file carries its generated equals, hashCode and toString, which nothing here calls (cold start).
     */
    private static final class Slot {
        private final Region region;
        private final WatchedBreaker breaker;
        private final ConcurrentHashMap<String, WatchedBreaker> resources;

        Slot(Region region, WatchedBreaker breaker, ConcurrentHashMap<String, WatchedBreaker> resources) {
            this.region = region;
            this.breaker = breaker;
            this.resources = resources;
        }

        Region region() {
            return region;
        }

        WatchedBreaker breaker() {
            return breaker;
        }

        ConcurrentHashMap<String, WatchedBreaker> resources() {
            return resources;
        }
    }
}
