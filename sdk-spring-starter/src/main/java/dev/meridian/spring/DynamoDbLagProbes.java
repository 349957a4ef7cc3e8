package dev.meridian.spring;

import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code meridian.dynamodb.replication-lag-probe.*} as sdk-dynamodb's {@link ReplicationLagProbe.Config}: the probe
 * each synchronous routed client the starter builds runs, so that reads under a session token can be served by a
 * region known to hold the write, not only by the written region. Bad values name the property.
 */
final class DynamoDbLagProbes {
    private static final String PREFIX = "meridian.dynamodb.replication-lag-probe.";

    private DynamoDbLagProbes() {
    }

    /** The probe's configuration; empty when no heartbeat table is set (the probe is off). */
    static Optional<ReplicationLagProbe.Config> of(MeridianProperties properties) {
        MeridianProperties.LagProbe p = properties.getDynamodb().getReplicationLagProbe();
        String table = p.getTable();
        if (table == null) {
            return Optional.empty();
        }
        ReplicationLagProbe.Config named = checked(PREFIX + "table",
                "name the heartbeat table: a global table in every region with a string partition key",
                () -> ReplicationLagProbe.config(table));
        ReplicationLagProbe.Config keyed = checked(PREFIX + "partition-key",
                "name the heartbeat table's string partition key attribute",
                () -> named.withPartitionKey(p.getPartitionKey()));
        Duration interval = p.getInterval();
        return Optional.of(checked(PREFIX + "interval", "set at least 10ms, e.g. 1s",
                () -> keyed.withInterval(interval)));
    }

    private static ReplicationLagProbe.Config checked(String property, String fix,
            Supplier<ReplicationLagProbe.Config> config) {
        try {
            return config.get();
        } catch (IllegalArgumentException e) {
            throw new MeridianConfigurationException(property, Objects.requireNonNull(e.getMessage(), "message"),
                    fix, e);
        }
    }
}
