package dev.meridian.spring;

import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * Replication lag as the application's own probes last measured it, for the health details and the endpoint: read,
 * never measured here, so showing it starts no thread and sends no request.
 */
@FunctionalInterface
interface ReplicationLags {

    /** The last measured lag of writes made in {@code source} becoming visible in {@code destination}. */
    Optional<Duration> lag(Region source, Region destination);
}
