package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Implemented by a synchronous call handed to {@link MultiRegionSpi#execute} that can tell, per region, whether its
 * attempt there goes through a client a won hedge can release mid-call
 * ({@link dev.meridian.core.RegionalClientDefaults#releasesCallers}): a hedged read then runs its first attempt on
 * the caller's own thread instead of handing it to a hedge thread. It also answers false for a request that removes the
 * call timeout ({@link dev.meridian.core.RegionalClientDefaults#keepsCallTimeout}). A call that does not implement it, or answers
 * false, keeps the hand-off.
 */
@API(status = INTERNAL, since = "0.1")
@FunctionalInterface
public interface ReleasableCall {
    /** Whether the attempt in {@code region} goes through a client a won hedge can release. */
    boolean releasable(Region region);
}
