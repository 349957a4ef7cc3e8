package dev.meridian.core;

import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.ProbeHook;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.internal.SettingRules;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine;
import io.github.resilience4j.circuitbreaker.internal.SchedulerFactory;
import io.github.resilience4j.core.RegistryStore;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * The {@link RegionHealth} work a plain call does not do: the breakers' Resilience4j configuration and state machines
 * (built when a breaker first matters, {@link LazyBreaker}), transitions, the active probe, the registry, resets and
 * the refusal of an unconfigured region. Loaded only when one is needed: kept off the first read (cold start).
 */
final class HealthRarePaths {
    private static final Logger LOG = LoggerFactory.getLogger(RegionHealth.class);

    private HealthRarePaths() {
    }

    static CircuitBreakerConfig breakerConfig(HealthConfig config) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(config.slidingWindowSize())
                .minimumNumberOfCalls(config.minimumNumberOfCalls())
                .failureRateThreshold(config.failureRateThreshold())
                .waitDurationInOpenState(config.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(config.permittedCallsInHalfOpenState())
                .slowCallRateThreshold(config.slowCallRateThreshold())
                .slowCallDurationThreshold(config.slowCallDuration())
                .build();
    }

    /** See {@link RegionHealth#stateMachine}. */
    static CircuitBreaker stateMachine(String name, CircuitBreakerConfig c) {
        return needsScheduler(c) ? CircuitBreaker.of(name, c)
                : new CircuitBreakerStateMachine(name, c, (SchedulerFactory) null);
    }

    /**
     * Whether a breaker of this configuration schedules its own transitions: Resilience4j's scheduler serves only an
     * automatic open → half-open move and a bounded half-open wait, which Meridian's breakers do not use (an open
     * breaker moves to half-open when asked). Built without it, a breaker does not make Resilience4j's shared
     * scheduler (an executor and its classes, at a cold start); {@link CircuitBreaker#of} is what it calls otherwise.
     */
    private static boolean needsScheduler(CircuitBreakerConfig config) {
        return config.isAutomaticTransitionFromOpenToHalfOpenEnabled()
                || config.getMaxWaitDurationInHalfOpenState().toMillis() >= 1;
    }

    static CircuitBreakerRegistry registry(CircuitBreakerConfig config, RegistryStore<CircuitBreaker> store) {
        return CircuitBreakerRegistry.custom().withCircuitBreakerConfig(config).withRegistryStore(store).build();
    }

    /** The error for a region that is not configured (returned for the caller to throw). */
    static RuntimeException notConfigured(Set<Region> configured, Region region) {
        return SettingRules.invalid("region", "must be one of the configured regions " + configured,
                SettingRules.quoted(region), "name a configured region");
    }

    /** Logs that a region was drained ({@code drained}) or undrained. */
    static void drained(Region region, boolean drained) {
        if (drained) {
            LOG.info("Region {} drained: removed from routing plans", region.id());
        } else {
            LOG.info("Region {} undrained: back in routing plans", region.id());
        }
    }

    /** Logs and meters a transition of a region's breaker or a region × resource one. */
    static void changed(Metrics metrics, WatchedBreaker breaker, CircuitBreaker.State from, CircuitBreaker.State to) {
        if (breaker.resource() == null) {
            LOG.info("Circuit breaker for region {}: {} -> {}", breaker.region().id(), from, to);
        } else {
            LOG.info("Circuit breaker for region {}, resource {}: {} -> {}", breaker.region().id(),
                    breaker.resource(), from, to);
        }
        metrics.breakerTransition(breaker.region(), from.name(), to.name());
    }

    /** See {@link RegionHealth#reset()}. */
    static void reset(Collection<CircuitBreaker> byName, Collection<WatchedBreaker> breakers,
            Collection<ConcurrentHashMap<String, WatchedBreaker>> resourceBreakers) {
        byName.forEach(CircuitBreaker::reset);
        breakers.forEach(WatchedBreaker::wasReset);
        resourceBreakers.forEach(byResource -> byResource.values().forEach(WatchedBreaker::wasReset));
    }

    /**
     * Opens {@code breaker} at once; false when another thread moved it first (e.g. its window opened it): it is out
     * of the plans either way. Here rather than in {@link WatchedBreaker#eject()}, whose handler would load the
     * exception's class when the breaker is verified.
     */
    static boolean forceOpen(CircuitBreaker breaker) {
        try {
            breaker.transitionToOpenState();
            return true;
        } catch (IllegalStateTransitionException e) {
            return false;
        }
    }

    /** The probe's single daemon thread, running {@link RegionHealth#probeRound} every probe interval. */
    static ScheduledExecutorService startProbe(RegionHealth health, ProbeHook probe) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-health-probe");
            t.setDaemon(true);
            return t;
        });
        long every = health.config().probeInterval().toMillis();
        s.scheduleWithFixedDelay(() -> health.probeRound(probe), every, every, TimeUnit.MILLISECONDS);
        return s;
    }

    /**
     * Probes every region once: a successful probe moves an open breaker to half-open and counts as a successful trial
     * call of a half-open one; a failed one counts as a failure of a closed one.
     */
    static void probeAll(Map<Region, WatchedBreaker> breakers, ProbeHook probe) {
        for (Map.Entry<Region, WatchedBreaker> e : breakers.entrySet()) {
            Region region = e.getKey();
            WatchedBreaker cb = e.getValue();
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
            if (ok) {
                cb.heard();
            }
            CircuitBreaker.State s = cb.state();
            if (ok && s == CircuitBreaker.State.OPEN) {
                cb.transitionToHalfOpen();
            } else if (ok && s == CircuitBreaker.State.HALF_OPEN && cb.tryAcquire()) {
                // The probe is a trial call: a recovered region closes its breaker without a user's call as a trial.
                cb.success(0);
            } else if (!ok && s == CircuitBreaker.State.CLOSED && cb.tryAcquire()) {
                cb.error(0, new ProbeFailedException(region));
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
