package dev.meridian.dynamodb.client;

import dev.meridian.dynamodb.FakeRegionClient;
import dev.meridian.dynamodb.lww.LwwWrites;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.dynamodb.counter.GlobalCounter;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.clock.HybridLogicalClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** Bad settings fail at once with a message naming the setting and the value. */
class SettingsValidationTest {
    private final FakeRegionClient client = new FakeRegionClient(Region.EU_WEST_1);

    @Test
    void tableSettingsNameTheTableAndTheBadValue() {
        assertThatThrownBy(() -> TableSettings.builder("orders").versionAttribute(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TableSettings.versionAttribute of table orders must not be blank but was ' '");
        assertThatThrownBy(() -> TableSettings.builder("orders")
                .replicaRegions(new HashSet<>(Arrays.asList(Region.EU_WEST_1, null))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("TableSettings.replicaRegions of table orders must be non-empty without null");
        assertThatThrownBy(() -> TableSettings.builder("ab"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TableSettings.tableName must have 3 to 255 characters but was 'ab'");
    }

    @Test
    void lwwWritesNamesMissingSettingsAndClashingAttributes() {
        assertThatThrownBy(() -> LwwWrites.builder().client(client).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LwwWrites needs clock, region to be set");
        assertThatThrownBy(() -> LwwWrites.builder().client(client).clock(HybridLogicalClock.system())
                .region(Region.EU_WEST_1).regionAttribute("_mr_stamp").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LwwWrites.regionAttribute and LwwWrites.stampAttribute must name different attributes"
                        + " but both are '_mr_stamp'");
        assertThatThrownBy(() -> LwwWrites.builder().tombstoneTtl("ttl", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LwwWrites.tombstoneTtl must be positive but was PT0S");
    }

    @Test
    void idempotencyStoreSaysWhatIsMissingOrInconsistent() {
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table("idempotency").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DynamoDbIdempotencyStore needs client(..): a multi-region client from MultiRegionDynamoDb,"
                        + " or a plain DynamoDbClient for one region");
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table("id"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DynamoDbIdempotencyStore.table must have 3 to 255 characters but was 'id'");
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table("idempotency").client(client)
                .replicaRegions(Region.EU_WEST_1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("DynamoDbIdempotencyStore.replicaRegions(..) needs a multi-region client(..)");
    }

    @Test
    void globalCounterRefusesADeltaItCannotStoreAndNamesMissingSettings() {
        GlobalCounter counter = GlobalCounter.builder().client(client).table("counters").region("eu-west-1").build();
        assertThatThrownBy(() -> counter.add("likes", Long.MIN_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delta must be non-zero and greater than -9223372036854775808")
                .hasMessageContaining("but was -9223372036854775808");
        assertThatThrownBy(() -> GlobalCounter.builder().table("counters").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("GlobalCounter needs client, region to be set");
        assertThatThrownBy(() -> GlobalCounter.builder().region("eu#west"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("GlobalCounter.region must not contain '#' but was 'eu#west'");
        assertThat(client.received).isEmpty();
    }

    @Test
    void lagProbeSettingsNameTheBadSetting() {
        assertThatThrownBy(() -> ReplicationLagProbe.settings("hb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ReplicationLagProbe.Settings.table must have 3 to 255 characters but was 'hb'");
        assertThatThrownBy(() -> ReplicationLagProbe.settings("heartbeats").withPartitionKey(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ReplicationLagProbe.Settings.partitionKey must not be blank but was ''");
        assertThatThrownBy(() -> ReplicationLagProbe.settings("heartbeats").withInterval(Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ReplicationLagProbe.Settings.interval must be at least 10 ms but was PT0.005S");
        assertThatThrownBy(() -> ReplicationLagProbe.builder().client(Region.EU_WEST_1, client).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ReplicationLagProbe.settings must be set");
    }
}
