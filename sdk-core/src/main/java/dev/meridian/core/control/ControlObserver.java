package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.time.Duration;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * What {@link RegionControl} reports for meters: the runtime implements it over its metrics seam, so this package
 * stays free of Micrometer. Called from the poller thread.
 */
@API(status = INTERNAL, since = "0.1")
public interface ControlObserver {
    /** A read of {@code source} succeeded. */
    void read(String source);

    /** A read of {@code source} failed. */
    void failed(String source);

    /** The first effect in this process of a change of {@code region}'s control, {@code delay} after its updatedAt. */
    void applied(Region region, Duration delay);

    /** Reports nothing. */
    ControlObserver NONE = new ControlObserver() {
        @Override
        public void read(String source) {
        }

        @Override
        public void failed(String source) {
        }

        @Override
        public void applied(Region region, Duration delay) {
        }
    };
}
