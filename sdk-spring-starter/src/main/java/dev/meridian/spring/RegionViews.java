package dev.meridian.spring;

import dev.meridian.core.health.RegionStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A region's health as plain values, for the health details and the {@code meridian} endpoint. */
final class RegionViews {
    private RegionViews() {
    }

    static Map<String, Object> of(RegionStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jurisdiction", s.jurisdiction().toString());
        m.put("breaker", s.breaker().name());
        m.put("drained", s.drained());
        m.put("available", s.available());
        s.latencyAverage().ifPresent(d -> m.put("latencyAverageMillis", millis(d)));
        s.latencyP95().ifPresent(d -> m.put("latencyP95Millis", millis(d)));
        return m;
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1_000_000.0;
    }
}
