package dev.meridian.dynamodb.client;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.SnapshotHooks;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
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
 * checkpoint and a restore would, on DynamoDB Local: the hooks reach the clients through the runtime alone.
 */
class SnapshotRestoreIT {
    /** Described on first use: no settings. */
    private static final String DESCRIBED = "described_orders";
    /** Configured: never described. */
    private static final String CONFIGURED = "configured_orders";
    private static final String HEARTBEATS = "heartbeats";

    private static LocalRegions regions;

    private MultiRegion runtime;
    private SnapshotHooks hooks;
    private final List<Region> built = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startRegions() {
        regions = LocalRegions.start(IDS);
        for (String table : List.of(DESCRIBED, CONFIGURED, HEARTBEATS)) {
            regions.createGlobalTable(TestRegions.table(table));
        }
    }

    @AfterAll
    static void stopRegions() {
        if (regions != null) {
            regions.close();
        }
    }

    @BeforeEach
    void runtime() {
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
                .table(TableSettings.builder(CONFIGURED).partitionKey("pk")
                        .replicaRegions(EU_WEST_1, EU_CENTRAL_1, US_EAST_1).build());
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    private static int describes() {
        int n = 0;
        for (String id : IDS) {
            n += regions.journal(id).count("DescribeTable");
        }
        return n;
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
        }).replicationLagProbe(ReplicationLagProbe.settings(HEARTBEATS).withInterval(Duration.ofMillis(50)))
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
}
