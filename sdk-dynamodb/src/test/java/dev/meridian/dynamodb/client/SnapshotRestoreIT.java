package dev.meridian.dynamodb.client;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.SnapshotHooks;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RequestJournal;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The routed clients around a process snapshot, with sdk-core's {@link SnapshotHooks} driven directly as a
 * checkpoint and a restore would, on DynamoDB Local: the hooks reach the clients through the runtime alone. After the
 * restore, nothing the snapshot remembered (table descriptions, read-your-writes marks, the lag probe's measurements
 * and start) is taken for the present.
 */
@LocalRegionsConfig
class SnapshotRestoreIT {
    /** Described on first use: no settings. */
    private static final String DESCRIBED = "described_orders";
    /** Configured: never described. */
    private static final String CONFIGURED = "configured_orders";
    private static final String HEARTBEATS = "heartbeats";
    /** Configured with each key's writes going to its home region. */
    private static final String HOMED = "homed_orders";
    private static final List<Region> ALL = List.of(EU_WEST_1, EU_CENTRAL_1, US_EAST_1);

    private static LocalRegions regions;

    private MultiRegion runtime;
    private SnapshotHooks hooks;
    private final List<Region> built = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void createTables() {
        for (String table : List.of(DESCRIBED, CONFIGURED, HEARTBEATS, HOMED)) {
            regions.createGlobalTable(LocalRegions.pkTable(table));
        }
    }

    @BeforeEach
    void runtime() {
        // After the extension's reset (every link resumed): what an earlier test held has arrived.
        regions.awaitReplication();
        runtime = MultiRegion.builder(TestRegions.config()).build();
        hooks = SnapshotHooks.builder(runtime).build();
        regions.journalsClear();
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    private MultiRegionDynamoDb.Builder builder() {
        return MultiRegionDynamoDb.builder().multiRegion(runtime)
                .table(TableConfig.builder(CONFIGURED).partitionKey("pk")
                        .replicaRegions(EU_WEST_1, EU_CENTRAL_1, US_EAST_1).build());
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    /**
     * DescribeTable calls Meridian made, by SDK invocation: an SDK retry of a describe whose first attempt outlasted its
     * timeout on a busy machine is the same describe.
     */
    private static int describes() {
        Set<String> calls = new HashSet<>();
        int withoutId = 0;
        for (String id : IDS) {
            for (RequestJournal.Entry e : regions.journal(id).entries()) {
                if (e.operation().equals("DescribeTable")) {
                    if (e.invocationId().isPresent()) {
                        calls.add(e.invocationId().get());
                    } else {
                        withoutId++;
                    }
                }
            }
        }
        return calls.size() + withoutId;
    }

    @Test
    void aDescribedTableIsDescribedAgainAfterTheRestoreAndAConfiguredOneNever() {
        try (DynamoDbClient client = builder().clientFactory(r -> {
            built.add(r);
            return TestRegions.client(regions, r);
        }).build()) {
            client.getItem(g -> g.tableName(DESCRIBED).key(key("a")));
            client.getItem(g -> g.tableName(DESCRIBED).key(key("b")));
            client.getItem(g -> g.tableName(CONFIGURED).key(key("a")));
            assertThat(describes()).as("described once, then cached").isEqualTo(1);

            hooks.beforeCheckpoint(null);
            hooks.afterRestore(null);

            client.getItem(g -> g.tableName(DESCRIBED).key(key("c")));
            client.getItem(g -> g.tableName(DESCRIBED).key(key("d")));
            client.getItem(g -> g.tableName(CONFIGURED).key(key("b")));
            assertThat(describes()).as("the snapshot's description forgotten, the configured table still configured")
                    .isEqualTo(2);
            assertThat(built).as("the region's client closed before the checkpoint, rebuilt at first use")
                    .containsExactly(EU_WEST_1, EU_WEST_1);
        }
    }

    @Test
    void theAsyncClientForgetsItsDescriptionsAndRebuildsItsClientsToo() {
        try (DynamoDbAsyncClient client = builder().asyncClientFactory(r -> {
            built.add(r);
            return TestRegions.asyncClient(regions, r);
        }).buildAsyncClient()) {
            client.getItem(g -> g.tableName(DESCRIBED).key(key("a"))).join();
            client.getItem(g -> g.tableName(DESCRIBED).key(key("b"))).join();
            assertThat(describes()).isEqualTo(1);

            hooks.beforeCheckpoint(null);
            hooks.afterRestore(null);

            client.getItem(g -> g.tableName(DESCRIBED).key(key("c"))).join();
            assertThat(describes()).isEqualTo(2);
            assertThat(built).containsExactly(EU_WEST_1, EU_WEST_1);
        }
    }

    @Test
    void theLagProbeHoldsItsRoundsOverTheCheckpointAndResumesOnRebuiltClients() {
        try (DynamoDbClient client = builder().clientFactory(r -> {
            built.add(r);
            return TestRegions.client(regions, r);
        }).replicationLagProbe(ReplicationLagProbe.config(HEARTBEATS).withInterval(Duration.ofMillis(50)))
                .build()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> regions.journal("eu-central-1").count("PutItem") > 0);

            hooks.beforeCheckpoint(null);
            regions.journalsClear();

            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> regions.journal("eu-central-1").count() == 0);
            int builtBeforeRestore = built.size();

            hooks.afterRestore(null);

            await().atMost(Duration.ofSeconds(10)).until(() -> regions.journal("eu-central-1").count("PutItem") > 0);
            assertThat(built.size()).as("rounds after the restore run on rebuilt clients")
                    .isGreaterThan(builtBeforeRestore);
        }
    }

    @Test
    void afterTheRestoreTheLagProbeReportsNoMoreThanTheTimeSinceTheRestore() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (DynamoDbClient client = builder().clientFactory(r -> TestRegions.client(regions, r)).meterRegistry(meters)
                .replicationLagProbe(ReplicationLagProbe.config(HEARTBEATS).withInterval(Duration.ofMillis(50)))
                .build()) {
            DynamoDbClient central = regions.client("eu-central-1");
            await().atMost(Duration.ofSeconds(10)).until(() -> central.getItem(g -> g.tableName(HEARTBEATS)
                    .key(key("meridian#heartbeat#eu-west-1"))).hasItem());
            await().atMost(Duration.ofSeconds(10)).until(() -> lag(meters) < 1_000);

            hooks.beforeCheckpoint(null);
            // Only the heartbeat of before the checkpoint stays visible in eu-central-1 after the restore.
            regions.pauseReplication("eu-west-1", "eu-central-1");
            // The snapshot ages before it is restored: until eu-central-1's copy of the heartbeat (the probe's
            // heartbeatMillis stamp) is 3 s old.
            await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() - Long.parseLong(central
                    .getItem(g -> g.tableName(HEARTBEATS).key(key("meridian#heartbeat#eu-west-1"))).item()
                    .get("heartbeatMillis").n()) >= 3_000);
            regions.journalsClear();
            long restoredAt = System.currentTimeMillis();
            hooks.afterRestore(null);

            // A round ends before the next begins: a second heartbeat in eu-west-1 means the first round measured.
            await().atMost(Duration.ofSeconds(10)).until(() -> regions.journal("eu-west-1").count("PutItem") >= 2);
            double lag = lag(meters);
            long sinceRestore = System.currentTimeMillis() - restoredAt;
            assertThat(lag).as("measured after the restore").isNotNaN()
                    .as("bounded by the %d ms since the restore, not the age of the snapshot", sinceRestore)
                    .isBetween(0.0, (double) sinceRestore);
        }
    }

    private static double lag(SimpleMeterRegistry meters) {
        Gauge g = meters.find(ReplicationLagProbe.METER).tag("source", "eu-west-1").tag("destination", "eu-central-1")
                .gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Test
    void readYourWritesMarksOfBeforeTheSnapshotAreForgottenAfterTheRestore() {
        try (DynamoDbClient client = builder().clientFactory(r -> TestRegions.client(regions, r))
                .table(TableConfig.builder(HOMED).partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY).build())
                .readYourWrites(ReadYourWrites.within(Duration.ofMinutes(5)))
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
            inSession("alice", () -> client.putItem(p -> p.tableName(HOMED).item(key(pk))));
            regions.journalsClear();
            inSession("alice", () -> client.getItem(g -> g.tableName(HOMED).key(key(pk))));
            assertThat(regions.journal(home.id()).count("GetItem")).as("pinned to the region that took the write")
                    .isEqualTo(1);

            hooks.beforeCheckpoint(null);
            hooks.afterRestore(null);
            regions.journalsClear();

            inSession("alice", () -> client.getItem(g -> g.tableName(HOMED).key(key(pk))));
            assertThat(regions.journal(EU_WEST_1.id()).count("GetItem"))
                    .as("a restored copy wrote nothing: the read goes to the local region").isEqualTo(1);
            assertThat(regions.journal(home.id()).count("GetItem")).isZero();
        }
    }

    private static void inSession(String session, Runnable call) {
        try (RoutingContext.Scope s = RoutingContext.builder().correlationId(session).open()) {
            call.run();
        }
    }

    /** A key of {@link #HOMED} whose writes go to a region other than the local one, and that region. */
    private static Map.Entry<String, Region> keyHomedAwayFromLocal(DynamoDbClient client) {
        for (int i = 0; i < 100; i++) {
            String pk = "homed-" + i;
            regions.journalsClear();
            inSession("setup", () -> client.putItem(p -> p.tableName(HOMED).item(key(pk))));
            for (Region r : ALL) {
                if (!r.equals(EU_WEST_1) && regions.journal(r.id()).count("PutItem") == 1) {
                    return Map.entry(pk, r);
                }
            }
        }
        throw new AssertionError("no key homed away from " + EU_WEST_1);
    }
}
