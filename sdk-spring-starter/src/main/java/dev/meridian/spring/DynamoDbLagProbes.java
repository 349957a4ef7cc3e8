package dev.meridian.spring;

import static dev.meridian.spring.StarterSettings.LAG_PROBE_INTERVAL;
import static dev.meridian.spring.StarterSettings.LAG_PROBE_PARTITION_KEY;
import static dev.meridian.spring.StarterSettings.LAG_PROBE_TABLE;

import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code meridian.dynamodb.replication-lag-probe.*} as sdk-dynamodb's {@link ReplicationLagProbe.Config}: the probe
 * each synchronous routed client the starter builds runs, so that reads under a session token can be served by a
 * region known to hold the write, not only by the written region. Values are checked through their declarations in
 * {@link StarterSettings} and then by the probe's own rules; either way a bad one names its property.
 */
final class DynamoDbLagProbes {
    private DynamoDbLagProbes() {
    }

    /** The probe's configuration; empty when no heartbeat table is set (the probe is off). */
    static Optional<ReplicationLagProbe.Config> of(MeridianProperties properties) {
        MeridianProperties.LagProbe p = properties.getDynamodb().getReplicationLagProbe();
        if (p.getTable() == null) {
            return Optional.empty();
        }
        String table = StarterSettings.check(LAG_PROBE_TABLE, p.getTable());
        ReplicationLagProbe.Config named = checked(LAG_PROBE_TABLE.propertyName(),
                "name the heartbeat table: a global table in every region with a string partition key",
                () -> ReplicationLagProbe.config(table));
        String key = StarterSettings.check(LAG_PROBE_PARTITION_KEY, p.getPartitionKey());
        ReplicationLagProbe.Config keyed = checked(LAG_PROBE_PARTITION_KEY.propertyName(),
                "name the heartbeat table's string partition key attribute", () -> named.withPartitionKey(key));
        return Optional.of(keyed.withInterval(StarterSettings.check(LAG_PROBE_INTERVAL, p.getInterval())));
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
