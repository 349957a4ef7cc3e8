package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Implemented by a call handed to {@link MultiRegionSpi#execute} or {@link MultiRegionSpi#executeAsync} that needs
 * to know which region's answer the caller gets (e.g. to record where a read saw a write). The runtime tells it once
 * per successful call, for the attempt whose success completes the call, before the caller sees the result. A
 * hedged read's losing attempt that answers later is never reported: the attempt itself cannot tell whether it won.
 */
@API(status = INTERNAL, since = "0.1")
@FunctionalInterface
public interface ServedRegion {
    /** The call is answered with the result of its attempt in {@code region}. */
    void served(Region region);
}
