package dev.meridian.core;

import dev.meridian.core.control.ControlObserver;
import dev.meridian.core.control.RegionControl;
import dev.meridian.core.internal.Metrics;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.regions.Region;

/** The region control's meters over the runtime's metrics seam (Micrometer stays optional). */
final class ControlMeters implements ControlObserver {
    private final Metrics metrics;

    ControlMeters(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Registers the gauges that read {@code control}: its state per region and the age of its last good read. */
    void bind(RegionControl control, List<Region> regions) {
        for (Region r : regions) {
            metrics.controlState(r, () -> control.isOn(r) ? 1 : 0);
        }
        metrics.controlAge(control.sourceName(),
                () -> control.status().age().map(a -> a.toNanos() / 1e9).orElse(Double.NaN));
    }

    @Override
    public void read(String source) {
        metrics.controlRead(source);
    }

    @Override
    public void failed(String source) {
        metrics.controlFailure(source);
    }

    @Override
    public void applied(Region region, Duration delay) {
        metrics.controlApplied(region, Math.max(0, delay.toNanos()));
    }
}
