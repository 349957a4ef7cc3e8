package dev.meridian.samples.drill;

import java.util.Map;
import java.util.Objects;

/**
 * One tick of the drill's timeline (about a second), taken by the main thread: what happened since the previous
 * tick, and the state at this one. Immutable.
 *
 * @param phase           index of the phase the tick belongs to
 * @param startSeconds    seconds since the first phase began, at the tick's start
 * @param seconds         the tick's length in seconds
 * @param dynamoRequests  per region: HTTP requests its request journal recorded during the tick
 * @param jdbcStatements  per region: JDBC statements its PostgreSQL server answered during the tick
 * @param calls           application calls that ended during the tick (a call counts in the tick it ended in)
 * @param refused         of which refused by residency (RESTRICTED with no allowed region healthy: fail closed)
 * @param held            of which held: kept by the application for later, nothing executed (STRICT idempotency,
 *                        a write during the switchover, a key whose first attempt's outcome is unknown)
 * @param errors          of which failed with an application-visible error
 * @param breakers        per region: the region's circuit breaker state at the tick's end (CLOSED, OPEN, ...; SUSPECT: closed but suspect)
 * @param pendingReplication DynamoDB changes waiting on replication links at the tick's end
 * @param auroraLagMillis per replica region: measured replica lag at the tick's end, -1 when unreachable
 */
record Sample(int phase, double startSeconds, double seconds, Map<String, Long> dynamoRequests,
        Map<String, Long> jdbcStatements, long calls, long refused, long held, long errors, Map<String, String> breakers,
        long pendingReplication, Map<String, Long> auroraLagMillis) {

    /** Copies the maps. */
    Sample {
        dynamoRequests = Map.copyOf(Objects.requireNonNull(dynamoRequests, "dynamoRequests"));
        jdbcStatements = Map.copyOf(Objects.requireNonNull(jdbcStatements, "jdbcStatements"));
        breakers = Map.copyOf(Objects.requireNonNull(breakers, "breakers"));
        auroraLagMillis = Map.copyOf(Objects.requireNonNull(auroraLagMillis, "auroraLagMillis"));
    }
}
