package dev.meridian.dynamodb.lww;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.dynamodb.EmbeddedDynamoDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.AttributeValueUpdate;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ExpectedAttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * LwwWrites' decisions on DynamoDB Local in process ({@link EmbeddedDynamoDb}): which write wins, what a superseded
 * write reports and counts, what a tombstone stops, how stored stamps move the clock. One region; replication and
 * failover are in {@code LwwWritesIT}.
 */
class LwwWritesOnDynamoDbLocalTest {
    private static final String TABLE = "lww_items";
    private static final String EU = "eu-west-1";
    private static final String US = "us-east-1";
    private static final long NOW = 1_700_000_000_000L;

    private final EmbeddedDynamoDb dynamo = new EmbeddedDynamoDb().table(TABLE, "pk", Region.EU_WEST_1);
    private final DynamoDbClient client = dynamo.client(Region.EU_WEST_1);

    @AfterEach
    void close() {
        dynamo.close();
    }

    private static HybridLogicalClock clock(long millis) {
        return new HybridLogicalClock(() -> millis);
    }

    private LwwWrites writer(long millis) {
        return LwwWrites.builder().client(client).clock(clock(millis)).region(EU).build();
    }

    private static PutItemRequest put(String key, String value) {
        return PutItemRequest.builder().tableName(TABLE)
                .item(Map.of("pk", AttributeValue.fromS(key), "value", AttributeValue.fromS(value))).build();
    }

    private static Map<String, AttributeValue> key(String key) {
        return Map.of("pk", AttributeValue.fromS(key));
    }

    private Optional<Map<String, AttributeValue>> stored(String key) {
        Map<String, AttributeValue> item = client.getItem(g -> g.tableName(TABLE).key(key(key)).consistentRead(true))
                .item();
        return item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    private Optional<String> value(String key) {
        return stored(key).map(i -> i.get("value")).map(AttributeValue::s);
    }

    /** Stores an item as a peer with another clock (or a corrupted item) would, bypassing LwwWrites. */
    private void storeStamped(String key, long stamp, String region) {
        client.putItem(PutItemRequest.builder().tableName(TABLE).item(Map.of(
                "pk", AttributeValue.fromS(key), "value", AttributeValue.fromS("stored"),
                "_mr_stamp", AttributeValue.fromN(Long.toString(stamp)),
                "_mr_region", AttributeValue.fromS(region))).build());
    }

    @Test
    void anOlderWriteIsSupersededReportsTheWinnerAndIsCountedPerRegionAndTable() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LwwWrites newer = writer(NOW);
        LwwWrites older = LwwWrites.builder().client(client).clock(clock(NOW - 20_000)).region(EU)
                .meterRegistry(registry).build();

        LwwResult first = newer.put(put("k", "new"));
        LwwResult late = older.put(put("k", "old"));

        assertThat(first.outcome()).isEqualTo(LwwResult.Outcome.APPLIED);
        assertThat(first.applied()).isTrue();
        assertThat(first.winner()).isEmpty();
        assertThat(late.outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
        assertThat(late.applied()).isFalse();
        assertThat(late.stamp()).isLessThan(first.stamp());
        assertThat(late.returnedAttributes()).isEmpty();
        assertThat(late.winner()).hasValueSatisfying(w -> {
            assertThat(w.get("value").s()).isEqualTo("new");
            assertThat(w.get("_mr_stamp").n()).isEqualTo(Long.toString(first.stamp()));
        });
        assertThat(value("k")).contains("new");
        assertThat(registry.get("meridian.lww.superseded").tag("region", EU).tag("table", TABLE).counter().count())
                .isEqualTo(1.0);
        assertThat(older.clock().latest()).as("the loser's clock observed the winner's stamp")
                .isGreaterThan(first.stamp());
    }

    @Test
    void anAppliedWriteIsNotCountedAndReturnsWhatTheRequestAskedFor() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LwwWrites writer = LwwWrites.builder().client(client).clock(clock(NOW)).region(EU).meterRegistry(registry)
                .build();
        writer.put(put("k", "v1"));

        LwwResult second = writer.put(put("k", "v2").toBuilder().returnValues(ReturnValue.ALL_OLD).build());

        assertThat(second.applied()).isTrue();
        assertThat(second.returnedAttributes()).containsEntry("value", AttributeValue.fromS("v1"));
        assertThat(registry.find("meridian.lww.superseded").counter()).isNull();
    }

    @Test
    void equalStampsAreOrderedByRegionThenNodeWhateverTheArrivalOrder() {
        LwwWrites euNodeA = LwwWrites.builder().client(client).region(EU)
                .clock(HybridLogicalClock.builder().millis(() -> NOW).nodeId("node-a").build()).build();
        LwwWrites euNodeB = LwwWrites.builder().client(client).region(EU)
                .clock(HybridLogicalClock.builder().millis(() -> NOW).nodeId("node-b").build()).build();
        LwwWrites usNodeA = LwwWrites.builder().client(client).region(US)
                .clock(HybridLogicalClock.builder().millis(() -> NOW).nodeId("node-a").build()).build();

        assertThat(euNodeB.put(put("node", "b")).applied()).isTrue();
        LwwResult lowNode = euNodeA.put(put("node", "a"));
        assertThat(lowNode.stamp()).isEqualTo(HybridLogicalClock.encode(NOW, 0));
        assertThat(lowNode.outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
        assertThat(value("node")).contains("b");

        LwwWrites euNodeA2 = LwwWrites.builder().client(client).region(EU)
                .clock(HybridLogicalClock.builder().millis(() -> NOW).nodeId("node-z").build()).build();
        assertThat(usNodeA.put(put("region", "us")).applied()).isTrue();
        assertThat(euNodeA2.put(put("region", "eu")).outcome()).as("eu-west-1 < us-east-1 at an equal stamp")
                .isEqualTo(LwwResult.Outcome.SUPERSEDED);
        assertThat(value("region")).contains("us");
    }

    @Test
    void aWriteResentAfterItWasAppliedIsAppliedNotSupersededByItself() {
        // An SDK retry after a lost answer: the same request reaches the table twice.
        DynamoDbClient resending = new DynamoDbClient() {
            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                client.putItem(request);
                return client.putItem(request);
            }

            @Override
            public String serviceName() {
                return SERVICE_NAME;
            }

            @Override
            public void close() {
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LwwWrites writer = LwwWrites.builder().client(resending).clock(clock(NOW)).region(EU)
                .meterRegistry(registry).build();

        LwwResult result = writer.put(put("k", "mine").toBuilder().returnValues(ReturnValue.ALL_OLD).build());

        assertThat(result.outcome()).isEqualTo(LwwResult.Outcome.APPLIED);
        assertThat(result.returnedAttributes()).as("the first attempt's answer was lost").isEmpty();
        assertThat(result.winner()).isEmpty();
        assertThat(value("k")).contains("mine");
        assertThat(registry.find("meridian.lww.superseded").counter()).isNull();
    }

    @Test
    void whenTheCallersOwnConditionFailsItsExceptionIsRethrown() {
        LwwWrites writer = writer(NOW);
        writer.put(put("k", "v1"));
        UpdateItemRequest conditional = UpdateItemRequest.builder().tableName(TABLE).key(key("k"))
                .updateExpression("SET #v = :v")
                .conditionExpression("#v = :expected")
                .expressionAttributeNames(Map.of("#v", "value"))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("v2"),
                        ":expected", AttributeValue.fromS("v1")))
                .build();

        assertThat(writer.update(conditional).applied()).isTrue();
        assertThatThrownBy(() -> writer.update(conditional)).isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(value("k")).contains("v2");

        // An item written before LWW was adopted has no version: a failed put there is the caller's condition too.
        client.putItem(put("legacy", "plain"));
        assertThatThrownBy(() -> writer.put(put("legacy", "x").toBuilder()
                .conditionExpression("attribute_not_exists(pk)").build()))
                .isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(writer.put(put("legacy", "lww")).applied()).as("no stamp counts as oldest").isTrue();
    }

    @Test
    void aTombstoneStopsALateOlderWriteReadsAsAbsentAndANewerUpdateRevivesTheItem() {
        LwwWrites writer = writer(NOW);
        writer.put(put("k", "v1"));

        assertThat(writer.delete(TABLE, key("k")).applied()).isTrue();
        assertThat(stored("k")).hasValueSatisfying(i -> assertThat(i).containsEntry("_mr_deleted",
                AttributeValue.fromBool(true)).doesNotContainKey("value"));
        assertThat(writer.get(TABLE, key("k"), true)).isEmpty();
        assertThat(writer(NOW - 20_000).put(put("k", "late")).applied()).isFalse();
        assertThat(writer.get(TABLE, key("k"), true)).isEmpty();

        LwwResult revived = writer.update(UpdateItemRequest.builder().tableName(TABLE).key(key("k"))
                .updateExpression("SET #v = :v").expressionAttributeNames(Map.of("#v", "value"))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("v3"))).build());

        assertThat(revived.applied()).isTrue();
        assertThat(writer.get(TABLE, key("k"), false)).hasValueSatisfying(i -> assertThat(i)
                .containsEntry("value", AttributeValue.fromS("v3")).doesNotContainKey("_mr_deleted"));
    }

    @Test
    void anUpdateWithoutAnExpressionStampsAndRevivesATombstone() {
        LwwWrites writer = writer(NOW);
        writer.delete(TABLE, key("k"));

        LwwResult touched = writer.update(UpdateItemRequest.builder().tableName(TABLE).key(key("k")).build());

        assertThat(touched.applied()).isTrue();
        assertThat(stored("k")).hasValueSatisfying(i -> assertThat(i).doesNotContainKey("_mr_deleted")
                .containsEntry("_mr_stamp", AttributeValue.fromN(Long.toString(touched.stamp())))
                .containsEntry("_mr_region", AttributeValue.fromS(EU)));
    }

    @Test
    void aNotDeletedFlagIsNoTombstone() {
        LwwWrites writer = writer(NOW);
        client.putItem(PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("k"),
                "_mr_deleted", AttributeValue.fromBool(false))).build());
        client.putItem(PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("s"),
                "_mr_deleted", AttributeValue.fromS("true"))).build());

        assertThat(writer.get(TABLE, key("k"), true)).isPresent();
        assertThat(writer.get(TABLE, key("s"), true)).isPresent();
        assertThat(writer.get(TABLE, key("missing"), true)).isEmpty();
    }

    @Test
    void tombstonesCarryTheirExpiryFromTheWallClock() {
        Instant wall = Instant.parse("2026-01-01T00:00:00Z");
        LwwWrites writer = LwwWrites.builder().client(client).clock(clock(NOW)).region(EU)
                .tombstoneTtl("ttl", Duration.ofDays(7)).wallClock(() -> wall).build();

        writer.delete(TABLE, key("k"));

        assertThat(stored("k")).hasValueSatisfying(i -> assertThat(i).containsEntry("ttl",
                AttributeValue.fromN(Long.toString(wall.plus(Duration.ofDays(7)).getEpochSecond()))));
    }

    @Test
    void readingAnItemAdvancesTheClockPastItsStamp() {
        long ahead = HybridLogicalClock.encode(NOW + 30_000, 0);
        storeStamped("k", ahead, US);
        LwwWrites behind = writer(NOW);

        assertThat(behind.get(TABLE, key("k"), true)).isPresent();
        LwwResult afterRead = behind.put(put("k", "mine"));

        assertThat(afterRead.stamp()).isGreaterThan(ahead);
        assertThat(afterRead.applied()).isTrue();
    }

    @Test
    void anItemStampedWithinTheDriftBoundWinsAndOneBeyondItIsRewrittenWithoutPoisoningTheClock() {
        storeStamped("near", HybridLogicalClock.encode(NOW + 30_000, 0), US);
        storeStamped("far", Long.MAX_VALUE, US);
        HybridLogicalClock clock = HybridLogicalClock.builder().millis(() -> NOW)
                .maxDrift(Duration.ofMinutes(1), HybridLogicalClock.DriftPolicy.REJECT).build();
        LwwWrites writer = LwwWrites.builder().client(client).clock(clock).region(EU).build();

        assertThat(writer.put(put("near", "blind")).outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
        long before = clock.latest();
        assertThat(writer.get(TABLE, key("far"), true)).as("still readable").isPresent();
        assertThat(clock.latest()).as("the bogus stamp is not adopted").isEqualTo(before);

        assertThat(writer.put(put("far", "repaired")).applied()).isTrue();
        assertThat(value("far")).contains("repaired");
    }

    @Test
    void aStoredStampAtExactlyTheDriftBoundStillWins() {
        HybridLogicalClock clock = HybridLogicalClock.builder().millis(() -> NOW)
                .maxDrift(Duration.ofMinutes(1), HybridLogicalClock.DriftPolicy.REJECT).build();
        LwwWrites writer = LwwWrites.builder().client(client).clock(clock).region(EU).build();
        long bound = clock.maxAcceptableStamp();
        storeStamped("k", bound, US);

        LwwResult result = writer.put(put("k", "mine"));

        assertThat(result.outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
        assertThat(result.winner()).hasValueSatisfying(w -> assertThat(w.get("value").s()).isEqualTo("stored"));
    }

    @Test
    void customAttributeNamesAreWrittenAndRead() {
        LwwWrites writer = LwwWrites.builder().client(client).clock(clock(NOW)).region(EU)
                .stampAttribute("ver").regionAttribute("reg").nodeAttribute("node").tombstoneAttribute("gone")
                .build();

        LwwResult result = writer.put(put("k", "v"));
        Map<String, AttributeValue> item = stored("k").orElseThrow();

        assertThat(item).containsKeys("ver", "reg", "node").doesNotContainKeys("_mr_stamp", "_mr_region", "_mr_node");
        assertThat(writer.stampOf(item)).contains(result.stamp());
        assertThat(writer.regionOf(item)).contains(EU);
        assertThat(writer.nodeOf(item)).contains(writer.clock().nodeId());
        writer.delete(TABLE, key("k"));
        assertThat(stored("k").orElseThrow()).containsEntry("gone", AttributeValue.fromBool(true));
        assertThat(writer.get(TABLE, key("k"), true)).isEmpty();
    }

    @Test
    void theVersionOfAnItemIsReadOnlyFromWellFormedAttributes() {
        LwwWrites writer = writer(NOW);
        Map<String, AttributeValue> odd = new HashMap<>();
        odd.put("_mr_stamp", AttributeValue.fromS("12"));
        odd.put("_mr_region", AttributeValue.fromN("1"));
        odd.put("_mr_node", AttributeValue.fromN("2"));

        assertThat(writer.stampOf(null)).isEmpty();
        assertThat(writer.regionOf(null)).isEmpty();
        assertThat(writer.nodeOf(null)).isEmpty();
        assertThat(writer.stampOf(Map.of())).isEmpty();
        assertThat(writer.regionOf(Map.of())).isEmpty();
        assertThat(writer.nodeOf(Map.of())).isEmpty();
        assertThat(writer.stampOf(odd)).isEmpty();
        assertThat(writer.regionOf(odd)).isEmpty();
        assertThat(writer.nodeOf(odd)).isEmpty();
    }

    @Test
    void legacyParametersAndReservedNamesAreRefusedBeforeAnythingIsSent() {
        EmbeddedDynamoDb.Recording recording = dynamo.client(Region.EU_WEST_1);
        LwwWrites writer = writer(NOW);

        assertThatThrownBy(() -> writer.put(put("k", "v").toBuilder()
                .expected(Map.of("value", ExpectedAttributeValue.builder().exists(false).build())).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PutItemRequest.expected");
        assertThatThrownBy(() -> writer.update(UpdateItemRequest.builder().tableName(TABLE).key(key("k"))
                .updateExpression("SET #v = :v").expressionAttributeNames(Map.of("#v", "value"))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("v")))
                .expected(Map.of("value", ExpectedAttributeValue.builder().exists(false).build())).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UpdateItemRequest.expected");
        assertThatThrownBy(() -> writer.update(UpdateItemRequest.builder().tableName(TABLE).key(key("k"))
                .attributeUpdates(Map.of("value", AttributeValueUpdate.builder()
                        .value(AttributeValue.fromS("v")).build())).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UpdateItemRequest.attributeUpdates");
        assertThatThrownBy(() -> writer.update(UpdateItemRequest.builder().tableName(TABLE).key(key("k"))
                .updateExpression("SET #mr_node = :v").expressionAttributeNames(Map.of("#mr_node", "x"))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("v"))).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("#mr_node");
        assertThatThrownBy(() -> writer.update(UpdateItemRequest.builder().tableName(TABLE).key(key("k"))
                .updateExpression("SET #d = :v").expressionAttributeNames(Map.of("#mr_deleted", "d"))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("v"))).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("#mr_deleted");
        assertThatThrownBy(() -> writer.put(put("k", "v").toBuilder()
                .expressionAttributeValues(Map.of(":mr_bound", AttributeValue.fromN("1"))).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(":mr_bound");
        assertThat(recording.received).isEmpty();
    }

    @Test
    void theBuilderNamesEveryMissingOrCollidingSetting() {
        HybridLogicalClock clock = clock(NOW);
        assertThatThrownBy(() -> LwwWrites.builder().clock(clock).region(EU).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LwwWrites.client");
        assertThatThrownBy(() -> LwwWrites.builder().client(client).region(EU).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LwwWrites.clock");
        assertThatThrownBy(() -> LwwWrites.builder().client(client).clock(clock).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LwwWrites.region");
        assertThatThrownBy(() -> LwwWrites.builder().client(client).clock(clock).region(EU)
                .nodeAttribute("_mr_stamp").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LwwWrites.nodeAttribute must name another attribute than LwwWrites.stampAttribute");
        assertThatThrownBy(() -> LwwWrites.builder().client(client).clock(clock).region(EU)
                .tombstoneAttribute("_mr_region").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LwwWrites.tombstoneAttribute");
        assertThatThrownBy(() -> LwwWrites.builder().client(client).clock(clock).region(EU)
                .regionAttribute("_mr_node").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LwwWrites.");
        assertThatThrownBy(() -> LwwWrites.builder().client(client).clock(clock).region(EU)
                .tombstoneTtl("_mr_deleted", Duration.ofDays(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LwwWrites.tombstoneTtl attribute");
        assertThatThrownBy(() -> LwwWrites.builder().tombstoneTtl("ttl", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LwwWrites.tombstoneTtl");
        assertThatThrownBy(() -> LwwWrites.builder().stampAttribute(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LwwWrites.stampAttribute");
        assertThat(LwwWrites.builder().client(client).clock(clock).region(Region.US_EAST_1).build().put(put("k", "v")))
                .satisfies(r -> assertThat(stored("k").orElseThrow()).containsEntry("_mr_region",
                        AttributeValue.fromS(US)));
    }
}
