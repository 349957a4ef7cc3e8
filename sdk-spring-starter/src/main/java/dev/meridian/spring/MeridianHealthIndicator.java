package dev.meridian.spring;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.health.RegionStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The regions' health as routing sees it (breaker state, drained, latency), one detail entry per region. A
 * multi-region application keeps serving while one region is out, so the roll-up is {@code UP} as long as one region
 * can take calls, with {@code degraded: true} and the unavailable regions listed; {@code DOWN} only when none can.
 */
public class MeridianHealthIndicator implements HealthIndicator {
    private final MultiRegion runtime;

    public MeridianHealthIndicator(MultiRegion runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    @Override
    public Health health() {
        Map<String, Object> regions = new LinkedHashMap<>();
        List<String> unavailable = new ArrayList<>();
        for (RegionStatus s : runtime.regions()) {
            regions.put(s.region().id(), RegionViews.of(s));
            if (!s.available()) {
                unavailable.add(s.region().id());
            }
        }
        boolean anyAvailable = unavailable.size() < regions.size();
        Health.Builder h = anyAvailable ? Health.up() : Health.down();
        return h.withDetail("degraded", !unavailable.isEmpty()).withDetail("unavailable", unavailable)
                .withDetail("regions", regions).build();
    }
}
