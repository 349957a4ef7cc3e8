package dev.meridian.samples.drill;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;

/** Reads Meridian's own meters (failovers, breaker transitions, residency refusals) from the drill's registry. */
final class MeridianMeters {
    static final String FAILOVER = "meridian.failover";
    static final String BREAKER_TRANSITIONS = "meridian.breaker.transitions";
    static final String RESIDENCY_REFUSED = "meridian.residency.refused";

    private final MeterRegistry registry;

    MeridianMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    long total(String name) {
        return Math.round(registry.find(name).counters().stream().mapToDouble(Counter::count).sum());
    }

    /** Breaker transitions by "region FROM->TO". */
    Map<String, Long> breakerTransitions() {
        Map<String, Long> byTransition = new TreeMap<>();
        for (Counter c : registry.find(BREAKER_TRANSITIONS).counters()) {
            String key = c.getId().getTag("region") + " " + c.getId().getTag("from") + "->" + c.getId().getTag("to");
            byTransition.merge(key, Math.round(c.count()), Long::sum);
        }
        return byTransition;
    }
}
