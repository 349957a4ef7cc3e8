package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code meridian.dynamodb.replication-lag-probe.*}: off by default, bound to the probe's config, bad values named. */
class DynamoDbLagProbesTest {

    private static MeridianProperties bound(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bind("meridian", MeridianProperties.class)
                .orElseGet(MeridianProperties::new);
    }

    @Test
    void offUntilAHeartbeatTableIsSet() {
        assertThat(DynamoDbLagProbes.of(bound(Map.of()))).isEmpty();
    }

    @Test
    void theTableEnablesTheProbeWithTheDefaultsOrTheGivenKeyAndInterval() {
        assertThat(DynamoDbLagProbes.of(bound(Map.of("meridian.dynamodb.replication-lag-probe.table", "heartbeats"))))
                .contains(ReplicationLagProbe.config("heartbeats"));
        assertThat(DynamoDbLagProbes.of(bound(Map.of("meridian.dynamodb.replication-lag-probe.table", "heartbeats",
                "meridian.dynamodb.replication-lag-probe.partition-key", "id",
                "meridian.dynamodb.replication-lag-probe.interval", "250ms"))))
                .contains(ReplicationLagProbe.config("heartbeats").withPartitionKey("id")
                        .withInterval(Duration.ofMillis(250)));
    }

    @Test
    void aBadValueNamesItsProperty() {
        MeridianConfigurationException table = catchThrowableOfType(MeridianConfigurationException.class,
                () -> DynamoDbLagProbes.of(bound(Map.of("meridian.dynamodb.replication-lag-probe.table", "hb"))));
        assertThat(table.property()).isEqualTo("meridian.dynamodb.replication-lag-probe.table");
        assertThat(table.getMessage()).contains("3 to 255 characters", "hb");

        MeridianConfigurationException interval = catchThrowableOfType(MeridianConfigurationException.class,
                () -> DynamoDbLagProbes.of(bound(Map.of("meridian.dynamodb.replication-lag-probe.table", "heartbeats",
                        "meridian.dynamodb.replication-lag-probe.interval", "5ms"))));
        assertThat(interval.property()).isEqualTo("meridian.dynamodb.replication-lag-probe.interval");
        assertThat(interval.getMessage()).contains("at least 10 ms");
        assertThat(interval.fix()).contains("10ms");
    }
}
