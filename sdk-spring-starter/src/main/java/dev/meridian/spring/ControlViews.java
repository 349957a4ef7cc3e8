package dev.meridian.spring;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.control.ControlStatus;
import dev.meridian.core.control.RegionControl;
import dev.meridian.core.spi.MultiRegionSpi;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/** The region control as plain values, for the health details and the {@code meridian} endpoint. */
final class ControlViews {
    private ControlViews() {
    }

    /**
     * {@code source}, {@code lastGoodReadAgeMillis} (absent before the first good read), {@code outage} (and
     * {@code lastFailure}) and each configured region's {@code state} and {@code weight}; empty without a control.
     */
    static Optional<Map<String, Object>> of(MultiRegion runtime) {
        Optional<RegionControl> control = MultiRegionSpi.of(runtime).control();
        if (control.isEmpty()) {
            return Optional.empty();
        }
        ControlStatus status = control.get().status();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", status.source());
        status.age().ifPresent(a -> m.put("lastGoodReadAgeMillis", a.toMillis()));
        m.put("outage", status.outage());
        status.lastFailure().ifPresent(f -> m.put("lastFailure", f));
        Map<String, Object> regions = new LinkedHashMap<>();
        for (Region r : runtime.config().regionList()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("state", status.state().isOn(r) ? "ON" : "OFF");
            status.state().weight(r).ifPresent(w -> view.put("weight", w));
            regions.put(r.id(), view);
        }
        m.put("regions", regions);
        return Optional.of(m);
    }
}
