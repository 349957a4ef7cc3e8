package dev.meridian.core;

import dev.meridian.core.health.HealthConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine;
import io.github.resilience4j.circuitbreaker.internal.SchedulerFactory;
import io.github.resilience4j.core.RegistryStore;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The breakers' Resilience4j side: their shared configuration and state machines (built when a breaker first
 * matters, {@link LazyBreaker}), the registry over them, forcing one open and resetting them all. A class of its own,
 * loaded only when a breaker first matters: kept off the first read (cold start).
 */
final class BreakerMachines {
    private BreakerMachines() {
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
}
