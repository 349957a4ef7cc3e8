package dev.meridian.dynamodb.client;

import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/** Read-your-writes sessions and the replication-lag probe, both of which need replication to misbehave. */
@LocalRegionsConfig
class ReadYourWritesAndLagProbeIT {
    private static final String HOMED = "ryw_orders";
    private static final String HEARTBEATS = "meridian_heartbeats";
    private static final List<Region> ALL = List.of(TestRegions.EU_WEST_1, TestRegions.EU_CENTRAL_1, TestRegions.US_EAST_1);

    private static LocalRegions regions;

    @BeforeAll
    static void createTables() {
        regions.createGlobalTable(LocalRegions.pkTable(HOMED));
        regions.createGlobalTable(LocalRegions.pkTable(HEARTBEATS));
    }

    /** After the extension's reset (no delay, every link resumed): what an earlier test held has arrived. */
    @BeforeEach
    void replicated() {
        regions.awaitReplication();
    }

    private static Map<String, AttributeValue> item(String pk, String status) {
        return Map.of("pk", AttributeValue.fromS(pk), "status", AttributeValue.fromS(status));
    }

    private static Optional<String> status(GetItemResponse r) {
        return r.hasItem() ? Optional.of(r.item().get("status").s()) : Optional.empty();
    }

    private static GetItemResponse readAs(DynamoDbClient client, String session, String pk) {
        try (RoutingContext.Scope s = RoutingContext.builder().correlationId(session).open()) {
            return client.getItem(g -> g.tableName(HOMED).key(Map.of("pk", AttributeValue.fromS(pk))));
        }
    }

    private static void writeAs(DynamoDbClient client, String session, String pk, String status) {
        try (RoutingContext.Scope s = RoutingContext.builder().correlationId(session).open()) {
            client.putItem(p -> p.tableName(HOMED).item(item(pk, status)));
        }
    }

    /** A key whose home region (where its writes go) is not the local region, and that home. */
    private static Map.Entry<String, Region> keyHomedAwayFromLocal(DynamoDbClient client) {
        for (int i = 0; i < 100; i++) {
            String pk = "ryw-" + i;
            regions.journalsClear();
            writeAs(client, "setup", pk, "v1");
            for (Region r : ALL) {
                if (!r.equals(EU_WEST_1) && regions.journal(r.id()).count("PutItem") == 1) {
                    return Map.entry(pk, r);
                }
            }
        }
        throw new AssertionError("no key homed away from " + EU_WEST_1);
    }

    @Test
    void readAfterWriteGoesToTheWritingRegionWhileReplicationIsPaused() {
        try (DynamoDbClient client = MultiRegionDynamoDb.builder()
                .config(TestRegions.config())
                .clientFactory(r -> TestRegions.client(regions, r))
                .table(TableConfig.builder(HOMED).partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY).build())
                .readYourWrites(ReadYourWrites.within(Duration.ofSeconds(30)))
                .build()) {
            Map.Entry<String, Region> homed = keyHomedAwayFromLocal(client);
            String pk = homed.getKey();
            Region home = homed.getValue();
            regions.awaitReplication();
            for (Region other : ALL) {
                if (!other.equals(home)) {
                    regions.pauseReplication(home.id(), other.id());
                }
            }

            writeAs(client, "alice", pk, "v2");
            regions.journalsClear();

            assertThat(status(readAs(client, "alice", pk))).contains("v2");
            assertThat(regions.journal(home.id()).count("GetItem")).isEqualTo(1);
            assertThat(status(readAs(client, "bob", pk))).as("another session reads locally, not yet replicated")
                    .contains("v1");
            assertThat(regions.journal(EU_WEST_1.id()).count("GetItem")).isEqualTo(1);
        }
    }

    @Test
    void lagProbeReportsAtLeastTheReplicationDelay() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        regions.replicationDelay(Duration.ofMillis(700));
        try (DynamoDbClient client = MultiRegionDynamoDb.builder()
                .config(TestRegions.config())
                .clientFactory(r -> TestRegions.client(regions, r))
                .meterRegistry(meters)
                .replicationLagProbe(ReplicationLagProbe.config(HEARTBEATS).withInterval(Duration.ofMillis(100)))
                .build()) {
            DynamoDbClient usEast = regions.client("us-east-1");
            await().atMost(Duration.ofSeconds(15)).until(() -> usEast.getItem(g -> g.tableName(HEARTBEATS).key(
                    Map.of("pk", AttributeValue.fromS("meridian#heartbeat#eu-west-1")))).hasItem());

            await().atMost(Duration.ofSeconds(5)).until(() -> lag(meters, "eu-west-1", "us-east-1").isPresent());
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> {
                double lag = lag(meters, "eu-west-1", "us-east-1").orElse(0.0);
                return lag >= 700 && lag < 5_000;
            });
        }
    }

    private static Optional<Double> lag(SimpleMeterRegistry meters, String source, String destination) {
        Gauge g = meters.find(ReplicationLagProbe.METER).tag("source", source).tag("destination", destination).gauge();
        return g == null ? Optional.empty() : Optional.of(g.value());
    }
}
