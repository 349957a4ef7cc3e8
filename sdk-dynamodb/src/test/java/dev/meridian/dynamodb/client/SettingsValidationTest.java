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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** Bad settings fail at once with a message naming the setting and the value. */
class SettingsValidationTest {
    /** The setting, a rule, the value after {@code , was }, and a fix after {@code ; }. */
    private static final Pattern SHAPE = Pattern.compile("\\S.* (must|is required|need)[^;]*, was [^;]+; \\S.+");

    private final FakeRegionClient client = new FakeRegionClient(Region.EU_WEST_1);

    @Test
    void everyBadSettingIsNamedWithItsValueAndAFix() {
        Map<String, String> ordersEnv = Map.of("MERIDIAN_DYNAMODB_TABLES", "orders");
        Map<String, ThrowingCallable> mistakes = new LinkedHashMap<>();
        mistakes.put("TableConfig.tableName", () -> TableConfig.builder("ab"));
        mistakes.put("TableConfig.partitionKey of table orders", () -> TableConfig.builder("orders")
                .partitionKey(""));
        mistakes.put("TableConfig.replicaRegions of table orders", () -> TableConfig.builder("orders")
                .replicaRegions(Set.of()));
        mistakes.put("TableConfig.versionAttribute of table orders", () -> TableConfig.builder("orders")
                .versionAttribute(null));
        mistakes.put("MERIDIAN_DYNAMODB_TABLES", () -> TableConfig.fromEnvironment(
                Map.of("MERIDIAN_DYNAMODB_TABLES", "orders-v1,orders.v1"), new Properties()));
        mistakes.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_WRITE_MODE", () -> TableConfig.fromEnvironment(
                with(ordersEnv, "MERIDIAN_DYNAMODB_TABLE_ORDERS_WRITE_MODE", "everywhere"), new Properties()));
        mistakes.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_REPLICA_REGIONS", () -> TableConfig.fromEnvironment(
                with(ordersEnv, "MERIDIAN_DYNAMODB_TABLE_ORDERS_REPLICA_REGIONS", ","), new Properties()));
        mistakes.put("meridian.dynamodb.table.orders.consistent-reads-at-home", () -> TableConfig.fromEnvironment(
                ordersEnv, properties("meridian.dynamodb.table.orders.consistent-reads-at-home", "yes")));
        mistakes.put("ReadYourWrites.window", () -> ReadYourWrites.within(Duration.ZERO));
        mistakes.put("ReadYourWrites.maximumSize", () -> ReadYourWrites.within(Duration.ofSeconds(2)).maximumSize(0));
        mistakes.put("LwwWrites.client", () -> LwwWrites.builder().build());
        mistakes.put("LwwWrites.region", () -> LwwWrites.builder().region(" "));
        mistakes.put("LwwWrites.stampAttribute", () -> LwwWrites.builder().stampAttribute(""));
        mistakes.put("LwwWrites.tombstoneTtl", () -> LwwWrites.builder().tombstoneTtl("ttl", Duration.ofDays(-1)));
        mistakes.put("DynamoDbIdempotencyStore.table", () -> DynamoDbIdempotencyStore.builder().build());
        mistakes.put("DynamoDbIdempotencyStore.maxResultBytes", () -> DynamoDbIdempotencyStore.builder()
                .maxResultBytes(400_000));
        mistakes.put("DynamoDbIdempotencyStore.replicaRegions", () -> DynamoDbIdempotencyStore.builder()
                .replicaRegions(Set.of()));
        mistakes.put("GlobalCounter.table", () -> GlobalCounter.builder().table(" "));
        mistakes.put("GlobalCounter.compositeKey regions", () -> GlobalCounter.builder().client(client)
                .table("counters").region("eu-west-1").compositeKey(List.of("us-east-1")).build());
        mistakes.put("ReplicationLagProbe.Config.interval", () -> ReplicationLagProbe.config("heartbeats")
                .withInterval(Duration.ZERO));
        mistakes.put("ReplicationLagProbe.client", () -> ReplicationLagProbe.builder()
                .config(ReplicationLagProbe.config("heartbeats")).start());
        mistakes.forEach((setting, mistake) -> assertThatThrownBy(mistake).as(setting)
                .isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class)
                .hasMessageStartingWith(setting + " ").hasMessageMatching(SHAPE));
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> out = new HashMap<>(env);
        out.put(name, value);
        return out;
    }

    private static Properties properties(String name, String value) {
        Properties props = new Properties();
        props.setProperty(name, value);
        return props;
    }

    @Test
    void tableSettingsNameTheTableAndTheBadValue() {
        assertThatThrownBy(() -> TableConfig.builder("orders").versionAttribute(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TableConfig.versionAttribute of table orders must not be blank, was ' '; pass the"
                        + " table's numeric version attribute, or leave it unset");
        assertThatThrownBy(() -> TableConfig.builder("orders")
                .replicaRegions(new HashSet<>(Arrays.asList(Region.EU_WEST_1, null))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("TableConfig.replicaRegions of table orders must be non-empty without null"
                        + " regions, was [");
        assertThatThrownBy(() -> TableConfig.builder("ab"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TableConfig.tableName must have 3 to 255 characters, was 'ab'; pass the DynamoDB"
                        + " table's name (3 to 255 characters)");
    }

    @Test
    void lwwWritesNamesMissingSettingsAndClashingAttributes() {
        assertThatThrownBy(() -> LwwWrites.builder().client(client).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LwwWrites.clock is required, was null; pass the process's clock, e.g."
                        + " MultiRegion.clock()");
        assertThatThrownBy(() -> LwwWrites.builder().client(client).clock(HybridLogicalClock.system())
                .region(Region.EU_WEST_1).regionAttribute("_mr_stamp").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LwwWrites.regionAttribute must name another attribute than LwwWrites.stampAttribute,"
                        + " was '_mr_stamp'; give each attribute LwwWrites writes its own name");
        assertThatThrownBy(() -> LwwWrites.builder().tombstoneTtl("ttl", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("LwwWrites.tombstoneTtl must be positive, was PT0S; ");
    }

    @Test
    void idempotencyStoreSaysWhatIsMissingOrInconsistent() {
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table("idempotency").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DynamoDbIdempotencyStore.client is required, was null; pass a multi-region client from"
                        + " MultiRegionDynamoDb, or a plain DynamoDbClient for one region");
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table("id"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("DynamoDbIdempotencyStore.table must have 3 to 255 characters, was 'id'; ");
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table("idempotency").client(client)
                .replicaRegions(Region.EU_WEST_1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("DynamoDbIdempotencyStore.replicaRegions need a multi-region client(..)");
    }

    @Test
    void globalCounterRefusesADeltaItCannotStoreAndNamesMissingSettings() {
        GlobalCounter counter = GlobalCounter.builder().client(client).table("counters").region("eu-west-1").build();
        assertThatThrownBy(() -> counter.add("likes", Long.MIN_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("GlobalCounter.add delta of counter 'likes' must be non-zero and greater than"
                        + " -9223372036854775808, was -9223372036854775808; ");
        assertThatThrownBy(() -> GlobalCounter.builder().table("counters").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("GlobalCounter.client is required, was null; ");
        assertThatThrownBy(() -> GlobalCounter.builder().region("eu#west"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("GlobalCounter.region must not contain '#', was 'eu#west'; pass the region id, e.g."
                        + " eu-west-1");
        assertThat(client.received).isEmpty();
    }

    @Test
    void lagProbeSettingsNameTheBadSetting() {
        assertThatThrownBy(() -> ReplicationLagProbe.config("hb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ReplicationLagProbe.Config.table must have 3 to 255 characters, was 'hb'; ");
        assertThatThrownBy(() -> ReplicationLagProbe.config("heartbeats").withPartitionKey(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ReplicationLagProbe.Config.partitionKey must not be blank, was ''; ");
        assertThatThrownBy(() -> ReplicationLagProbe.config("heartbeats").withInterval(Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ReplicationLagProbe.Config.interval must be at least 10 ms, was PT0.005S; ");
        assertThatThrownBy(() -> ReplicationLagProbe.builder().client(Region.EU_WEST_1, client).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ReplicationLagProbe.config is required, was null; ");
    }
}
