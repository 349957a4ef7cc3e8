package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.Optional;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Work that takes something in one region and hands it to the caller to hold, for {@link MultiRegionSpi#bind}: a JDBC
 * data source taking a connection to a region's reader. The runtime walks the routing plan and decides, as for every
 * routed call, which region is tried next and whether a failure lets the call move on; the work only knows how to
 * take the thing in the one region it is given.
 *
 * @param <T> what is taken
 * @param <E> the checked exception the work may throw (e.g. {@link java.sql.SQLException}), rethrown unchanged
 */
@API(status = INTERNAL, since = "0.1")
public interface RegionalBind<T, E extends Exception> {

    /**
     * Takes it in {@code region}, inside that region's breaker. An empty result turns the region down after reaching
     * it (a read replica too far behind): the attempt counts as a success for the breaker and the next planned region
     * is tried. Whatever was taken for a region turned down is released here first.
     */
    Optional<T> in(Region region) throws E;

    /**
     * Whether the work can run in {@code region} at all (e.g. a reader endpoint exists there): regions it cannot are
     * left out of the plan before the attempt budget applies, costing no attempt. Every region by default.
     */
    default boolean servedIn(Region region) {
        return true;
    }

    /**
     * Told each time the call moves past {@code region} after {@code failure} (Resilience4j's
     * {@code CallNotPermittedException} when the region's breaker refused the attempt), for the caller's own metrics
     * and logs; it decides nothing.
     */
    default void movedPast(Region region, Throwable failure) {
    }
}
