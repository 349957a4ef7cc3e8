package dev.meridian.spring;

import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * Aurora reader lag as the application's {@code RoutingDataSource}s last measured it while routing reads, for the
 * health details and the endpoint: read, never measured here, so showing it starts no thread and sends no query.
 * Kept apart from {@link ReplicationLags} because sdk-aurora is optional: only the auto-configuration that finds it
 * on the class path names its types.
 */
@FunctionalInterface
interface ReplicaLags {

    /** The last measured lag of {@code region}'s reader and its bound, if it was measured. */
    Optional<ReplicaLag> lag(Region region);

    /**
     * One reader's lag and the data source's {@code maxReplicaLag} it is held to (reads skip the reader above it).
     *
     * @param lag   the last measured lag
     * @param bound the data source's {@code maxReplicaLag}
     */
    record ReplicaLag(Duration lag, Duration bound) {
        /** Exceeded bounds first, then the larger lag: the reading to show when several data sources measured one. */
        static final Comparator<ReplicaLag> WORST = Comparator.comparing(ReplicaLag::exceeded)
                .thenComparing(ReplicaLag::lag);

        /** Whether reads skip the reader now. */
        boolean exceeded() {
            return lag.compareTo(bound) > 0;
        }
    }
}
