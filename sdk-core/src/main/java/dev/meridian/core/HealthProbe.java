package dev.meridian.core;

import dev.meridian.core.health.ProbeHook;
import dev.meridian.core.internal.NumberedDaemons;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * The active health probe ({@link dev.meridian.core.health.HealthConfig#probe()}): its thread and its rounds over the
 * region breakers. A class of its own, loaded only when a probe is configured: kept off the first read (cold start).
 */
final class HealthProbe {
    private static final Logger LOG = LoggerFactory.getLogger(RegionHealth.class);

    private HealthProbe() {
    }

    /** The probe's single daemon thread, running {@link RegionHealth#probeRound} every probe interval. */
    static ScheduledExecutorService startProbe(RegionHealth health, ProbeHook probe) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(
                r -> NumberedDaemons.daemon(r, "meridian-health-probe"));
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
