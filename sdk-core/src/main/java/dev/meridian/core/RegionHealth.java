package dev.meridian.core;

import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.ProbeHook;
import dev.meridian.core.internal.Metrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * Health of every configured region: one Resilience4j {@link CircuitBreaker} per region (and, on demand, per
 * region × resource) from one shared {@link CircuitBreakerRegistry}, plus manual draining.
 *
 * <p>A region is {@linkplain #isAvailable(Region) available} when it is not drained and its breaker lets calls through
 * (closed or half-open; an open breaker whose wait has elapsed moves to half-open when asked, so recovery needs no
 * background thread). Only failures the {@code recordAsFailure} predicate accepts (regional failures) count; caller
 * errors never open a breaker. With {@link HealthConfig#perResourceBreakers()} the router and executor use the
 * region × resource breaker for calls that name a resource ({@link #isAvailable(Region, String)}). Transitions are
 * logged at INFO and metered ({@code meridian.breaker.transitions}, under the breaker's region also for a region ×
 * resource breaker; gauge {@code meridian.breaker.state} per region). If {@link HealthConfig#probe()} is set, a
 * single daemon thread probes every region on a schedule: a successful probe moves an open breaker to half-open and
 * counts as a successful trial call of a half-open one; {@link #close()} stops it.
 *
 * <p>Throttling is not a region's failure: the executor records it only on the region × resource breaker of the
 * throttled resource (created on first throttling even without per-resource breakers), never on the region's
 * breaker, so one hot table never moves the traffic of the region's other tables. Thread-safe.
 */
final class RegionHealth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionHealth.class);

    private final HealthConfig config;
    private final CircuitBreakerRegistry registry;
    private final Map<Region, CircuitBreaker> breakers;
    /** Per region: resource → breaker, created on first use; keyed by region first so lookups build no string. */
    private final Map<Region, ConcurrentHashMap<String, CircuitBreaker>> resourceBreakers;
    private final Set<Region> drained = ConcurrentHashMap.newKeySet();
    private final Metrics metrics;
    private final ScheduledExecutorService prober;

    /** Health for these regions with no metrics. */
    RegionHealth(Collection<Region> regions, HealthConfig config) {
        this(regions, config, Metrics.noop());
    }

    /**
     * Health for these regions. Every error reported to a breaker counts: the executor reports only regional
     * failures (its failure classifier decides), so caller errors never open a breaker.
     */
    RegionHealth(Collection<Region> regions, HealthConfig config, Metrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        CircuitBreakerConfig cbConfig = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(config.slidingWindowSize())
                .minimumNumberOfCalls(config.minimumNumberOfCalls())
                .failureRateThreshold(config.failureRateThreshold())
                .waitDurationInOpenState(config.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(config.permittedCallsInHalfOpenState())
                .slowCallRateThreshold(config.slowCallRateThreshold())
                .slowCallDurationThreshold(config.slowCallDuration())
                .recordException(t -> true)
                .build();
        this.registry = CircuitBreakerRegistry.of(cbConfig);
        Map<Region, CircuitBreaker> m = new LinkedHashMap<>();
        Map<Region, ConcurrentHashMap<String, CircuitBreaker>> byResource = new HashMap<>();
        for (Region r : regions) {
            CircuitBreaker cb = registry.circuitBreaker(r.id());
            observe(r, null, cb);
            metrics.breakerState(r, () -> cb.getState().getOrder());
            m.put(r, cb);
            byResource.put(r, new ConcurrentHashMap<>());
        }
        this.breakers = Collections.unmodifiableMap(m);
        this.resourceBreakers = Collections.unmodifiableMap(byResource);
        this.prober = config.probe().isPresent() ? startProbe(config.probe().get()) : null;
    }

    /** The breaker of a configured region. */
    public CircuitBreaker circuitBreaker(Region region) {
        CircuitBreaker cb = breakers.get(region);
        if (cb == null) {
            throw new IllegalArgumentException("region '" + region + "' is not one of the configured regions "
                    + breakers.keySet());
        }
        return cb;
    }

    /**
     * The breaker of one resource (table, cluster) in a region, created on first use; named {@code region/resource}.
     */
    public CircuitBreaker circuitBreaker(Region region, String resource) {
        Objects.requireNonNull(resource, "resource");
        circuitBreaker(region);
        return resourceBreakers.get(region).computeIfAbsent(resource, res -> {
            CircuitBreaker cb = registry.circuitBreaker(region.id() + '/' + res);
            observe(region, res, cb);
            return cb;
        });
    }

    /** The breaker of one resource in a region if it was created, else null; creates nothing. */
    CircuitBreaker existingBreaker(Region region, String resource) {
        Map<String, CircuitBreaker> byResource = resourceBreakers.get(region);
        return byResource == null ? null : byResource.get(resource);
    }

    /** The shared registry (e.g. to expose breakers through Resilience4j's own Micrometer binding). */
    public CircuitBreakerRegistry registry() {
        return registry;
    }

    public HealthConfig config() {
        return config;
    }

    public List<Region> regions() {
        return List.copyOf(breakers.keySet());
    }

    /** Takes a region out of every plan, even while healthy (maintenance, evacuation drills). */
    public void drain(Region region) {
        circuitBreaker(region);
        if (drained.add(region)) {
            LOG.info("Region {} drained: removed from routing plans", region.id());
        }
    }

    /** Puts a drained region back into plans. */
    public void undrain(Region region) {
        circuitBreaker(region);
        if (drained.remove(region)) {
            LOG.info("Region {} undrained: back in routing plans", region.id());
        }
    }

    public boolean isDrained(Region region) {
        return drained.contains(region);
    }

    /** The breaker state of a configured region. */
    public CircuitBreaker.State state(Region region) {
        return circuitBreaker(region).getState();
    }

    /**
     * Whether calls may be planned to the region now: not drained, and its breaker closed, half-open, or open with
     * its wait elapsed (in which case it moves to half-open here).
     */
    public boolean isAvailable(Region region) {
        if (drained.contains(region)) {
            return false;
        }
        CircuitBreaker cb = breakers.get(region);
        return cb != null && permitsCalls(cb);
    }

    /**
     * Whether calls on {@code resource} may be planned to the region now: the region is {@linkplain
     * #isAvailable(Region) available} and the region × resource breaker, if one was created, lets calls through (with
     * the same open → half-open rule). Creates no breaker.
     */
    public boolean isAvailable(Region region, String resource) {
        Objects.requireNonNull(resource, "resource");
        if (!isAvailable(region)) {
            return false;
        }
        CircuitBreaker cb = resourceBreakers.get(region).get(resource);
        return cb == null || permitsCalls(cb);
    }

    private static boolean permitsCalls(CircuitBreaker cb) {
        CircuitBreaker.State s = cb.getState();
        if (s == CircuitBreaker.State.OPEN) {
            // tryAcquirePermission moves an expired OPEN breaker to HALF_OPEN; give the permit straight back.
            if (cb.tryAcquirePermission()) {
                cb.releasePermission();
                return true;
            }
            return false;
        }
        return s != CircuitBreaker.State.FORCED_OPEN;
    }

    /** Closes every breaker's window: forgets past failures and successes (drained regions stay drained). */
    void reset() {
        registry.getAllCircuitBreakers().forEach(CircuitBreaker::reset);
    }

    @Override
    public void close() {
        if (prober != null) {
            prober.shutdownNow();
        }
    }

    /** Logs and meters the transitions of a region's breaker ({@code resource} null) or a region × resource one. */
    private void observe(Region region, String resource, CircuitBreaker cb) {
        String subject = resource == null ? "region " + region.id()
                : "region " + region.id() + ", resource " + resource;
        cb.getEventPublisher().onStateTransition(e -> {
            String from = e.getStateTransition().getFromState().name();
            String to = e.getStateTransition().getToState().name();
            LOG.info("Circuit breaker for {}: {} -> {}", subject, from, to);
            metrics.breakerTransition(region, from, to);
        });
    }

    private ScheduledExecutorService startProbe(ProbeHook probe) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-health-probe");
            t.setDaemon(true);
            return t;
        });
        long every = config.probeInterval().toMillis();
        s.scheduleWithFixedDelay(() -> probeAll(probe), every, every, TimeUnit.MILLISECONDS);
        return s;
    }

    void probeAll(ProbeHook probe) {
        for (Map.Entry<Region, CircuitBreaker> e : breakers.entrySet()) {
            Region region = e.getKey();
            CircuitBreaker cb = e.getValue();
            boolean ok;
            Exception error = null;
            try {
                ok = probe.probe(region);
            } catch (InterruptedException ex) {
                // close() stops the probe: an interrupted probe says nothing about the region.
                Thread.currentThread().interrupt();
                return;
            } catch (Exception ex) {
                ok = false;
                error = ex;
            }
            CircuitBreaker.State s = cb.getState();
            if (ok && s == CircuitBreaker.State.OPEN) {
                cb.transitionToHalfOpenState();
            } else if (ok && s == CircuitBreaker.State.HALF_OPEN && cb.tryAcquirePermission()) {
                // The probe is a trial call: a recovered region closes its breaker without a user's call as a trial.
                cb.onSuccess(0, TimeUnit.NANOSECONDS);
            } else if (!ok && s == CircuitBreaker.State.CLOSED && cb.tryAcquirePermission()) {
                cb.onError(0, TimeUnit.NANOSECONDS, new ProbeFailedException(region));
            }
            if (!ok) {
                LOG.debug("Health probe of region {} failed: {}", region.id(),
                        error == null ? "it answered false" : error.toString());
            }
        }
    }

    /** Recorded as a breaker failure when an active probe fails. */
    static final class ProbeFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProbeFailedException(Region region) {
            super("health probe of region " + region.id() + " failed", null, false, false);
        }
    }
}
