package dev.meridian.testkit;

import static dev.meridian.testkit.TestTables.get;
import static dev.meridian.testkit.TestTables.key;
import static dev.meridian.testkit.TestTables.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

class GlobalTableReplicationIT {

    private static final String EU = "eu-west-1";
    private static final String DE = "eu-central-1";
    private static final String US = "us-east-1";
    private static final String TABLE = "orders";
    private static final String EU_ONLY = "eu-only";

    private static LocalRegions regions;

    @BeforeAll
    static void startRegions() {
        regions = LocalRegions.start(EU, DE, US);
        regions.createGlobalTable(TestTables.table(TABLE));
        regions.createGlobalTable(TestTables.table(EU_ONLY), List.of(EU, DE));
    }

    @AfterAll
    static void stopRegions() {
        if (regions != null) {
            regions.close();
        }
    }

    @BeforeEach
    void cleanSlate() {
        regions.reset();
    }

    @Test
    void writeInOneRegionIsReadableInEveryOtherAfterReplication() {
        put(regions.client(EU), TABLE, "order-1", "status", "PLACED");

        regions.awaitReplication();

        assertThat(get(regions.client(US), TABLE, "order-1")).containsEntry("status", AttributeValue.fromS("PLACED"));
        assertThat(get(regions.client(DE), TABLE, "order-1")).containsEntry("status", AttributeValue.fromS("PLACED"));
    }

    @Test
    void aTableWithReplicasInSomeRegionsExistsAndReplicatesOnlyThere() {
        put(regions.client(DE), EU_ONLY, "subject-1", "status", "PLACED");

        regions.awaitReplication();

        assertThat(get(regions.client(EU), EU_ONLY, "subject-1")).containsEntry("status", AttributeValue.fromS("PLACED"));
        assertThatThrownBy(() -> get(regions.client(US), EU_ONLY, "subject-1"))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> regions.createGlobalTable(TestTables.table("nowhere"), List.of("ap-south-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replicaRegions");
    }

    @Test
    void deleteReplicatesToEveryRegion() {
        put(regions.client(US), TABLE, "order-del", "status", "PLACED");
        regions.awaitReplication();

        regions.client(DE).deleteItem(b -> b.tableName(TABLE).key(key("order-del")));
        regions.awaitReplication();

        assertThat(get(regions.client(EU), TABLE, "order-del")).isEmpty();
        assertThat(get(regions.client(US), TABLE, "order-del")).isEmpty();
    }

    @Test
    void pausedLinkDivergesAndTheLaterWriteWinsEverywhereAfterResume() {
        put(regions.client(EU), TABLE, "order-lww", "status", "PLACED");
        regions.awaitReplication();
        regions.pauseReplication(EU, US);
        regions.pauseReplication(US, EU);

        put(regions.client(EU), TABLE, "order-lww", "status", "SHIPPED");
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.pendingReplication(EU, US) == 1);
        put(regions.client(US), TABLE, "order-lww", "status", "CANCELLED");
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.pendingReplication(US, EU) == 1);

        assertThat(get(regions.client(EU), TABLE, "order-lww")).containsEntry("status", AttributeValue.fromS("SHIPPED"));
        assertThat(get(regions.client(US), TABLE, "order-lww"))
                .containsEntry("status", AttributeValue.fromS("CANCELLED"));

        regions.resumeReplication(EU, US);
        regions.resumeReplication(US, EU);
        regions.awaitReplication();

        for (String region : regions.regions()) {
            assertThat(get(regions.client(region), TABLE, "order-lww"))
                    .as("status in %s", region)
                    .containsEntry("status", AttributeValue.fromS("CANCELLED"));
        }
    }

    @Test
    void concurrentUpdatesOfDifferentAttributesInTwoRegionsLoseOneWholeUpdate() {
        put(regions.client(EU), TABLE, "order-attr", "status", "PLACED");
        regions.awaitReplication();
        regions.isolate(EU);
        regions.isolate(US);

        regions.client(EU).updateItem(b -> b.tableName(TABLE).key(key("order-attr"))
                .updateExpression("SET address = :a").expressionAttributeValues(Map.of(":a", AttributeValue.fromS("Dublin"))));
        regions.client(US).updateItem(b -> b.tableName(TABLE).key(key("order-attr"))
                .updateExpression("SET payment = :p").expressionAttributeValues(Map.of(":p", AttributeValue.fromS("card"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.pendingReplication(EU, US) == 1
                && regions.pendingReplication(US, EU) == 1);

        regions.resumeReplication();
        regions.awaitReplication();

        Map<String, AttributeValue> converged = get(regions.client(DE), TABLE, "order-attr");
        assertThat(converged).as("one whole item wins: exactly one of the two updates survives")
                .containsKey("status")
                .satisfiesAnyOf(
                        item -> assertThat(item).containsKey("address").doesNotContainKey("payment"),
                        item -> assertThat(item).containsKey("payment").doesNotContainKey("address"));
        for (String region : regions.regions()) {
            assertThat(get(regions.client(region), TABLE, "order-attr")).as("item in %s", region).isEqualTo(converged);
        }
        assertThat(regions.supersededReplicatedWrites()).isPositive();
    }

    @Test
    void awaitReplicationTimesOutNamingTheLinkThatHoldsChanges() {
        regions.pauseReplication(DE, EU);
        put(regions.client(DE), TABLE, "order-held", "status", "PLACED");
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.pendingReplication(DE, EU) == 1);

        assertThatThrownBy(() -> regions.awaitReplication(Duration.ofMillis(300)))
                .isInstanceOf(ReplicationTimeoutException.class)
                .hasMessageContaining("eu-central-1->eu-west-1")
                .hasMessageContaining("paused");

        regions.resumeReplication(DE, EU);
        regions.awaitReplication();
        assertThat(get(regions.client(EU), TABLE, "order-held")).containsEntry("status", AttributeValue.fromS("PLACED"));
    }

    @Test
    void replicationDelayHoldsChangesBackUntilItElapses() {
        regions.replicationDelay(Duration.ofSeconds(2));

        put(regions.client(EU), TABLE, "order-late", "status", "PLACED");

        assertThat(get(regions.client(US), TABLE, "order-late")).isEmpty();
        regions.awaitReplication();
        assertThat(get(regions.client(US), TABLE, "order-late")).containsEntry("status", AttributeValue.fromS("PLACED"));
    }

    @Test
    void writesThroughTheDirectEndpointReplicateToo() {
        try (var direct = regions.clientBuilder(DE).endpointOverride(regions.directEndpoint(DE)).build()) {
            put(direct, TABLE, "order-direct", "status", "PLACED");
        }

        regions.awaitReplication();

        assertThat(get(regions.client(EU), TABLE, "order-direct")).containsEntry("status", AttributeValue.fromS("PLACED"));
        assertThat(regions.journal(DE).count("PutItem")).isZero();
    }
}
