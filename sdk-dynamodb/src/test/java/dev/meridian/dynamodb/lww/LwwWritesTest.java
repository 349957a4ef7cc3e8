package dev.meridian.dynamodb.lww;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.clock.HybridLogicalClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/** The request LwwWrites sends: guard, stamp, user expressions kept. Behaviour on DynamoDB is in LwwWritesIT. */
class LwwWritesTest {

    private final List<Object> sent = new ArrayList<>();
    private final DynamoDbClient recording = new DynamoDbClient() {
        @Override
        public PutItemResponse putItem(PutItemRequest request) {
            sent.add(request);
            return PutItemResponse.builder().build();
        }

        @Override
        public UpdateItemResponse updateItem(UpdateItemRequest request) {
            sent.add(request);
            return UpdateItemResponse.builder().build();
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    };
    private final HybridLogicalClock clock = new HybridLogicalClock(() -> 1_700_000_000_000L);
    private final LwwWrites lww = LwwWrites.builder().client(recording).clock(clock).region("eu-west-1").build();

    @Test
    void putIsStampedAndGuardedAndKeepsTheCallersCondition() {
        lww.put(PutItemRequest.builder().tableName("orders")
                .item(Map.of("pk", AttributeValue.fromS("o1")))
                .conditionExpression("#s <> :cancelled")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":cancelled", AttributeValue.fromS("CANCELLED")))
                .build());

        PutItemRequest request = (PutItemRequest) sent.get(0);
        assertThat(request.item()).containsEntry("_mr_region", AttributeValue.fromS("eu-west-1"))
                .containsEntry("_mr_stamp", AttributeValue.fromN(Long.toString(clock.latest())));
        assertThat(request.item()).containsEntry("_mr_node", AttributeValue.fromS(clock.nodeId()));
        assertThat(request.conditionExpression()).isEqualTo("(#s <> :cancelled) AND (attribute_not_exists(#mr_stamp)"
                + " OR #mr_stamp > :mr_bound OR #mr_stamp < :mr_stamp OR (#mr_stamp = :mr_stamp AND"
                + " (#mr_region < :mr_region OR (#mr_region = :mr_region AND (attribute_not_exists(#mr_node)"
                + " OR #mr_node < :mr_node)))))");
        assertThat(request.expressionAttributeNames()).containsEntry("#s", "status")
                .containsEntry("#mr_stamp", "_mr_stamp").containsEntry("#mr_region", "_mr_region")
                .containsEntry("#mr_node", "_mr_node");
        assertThat(request.expressionAttributeValues()).containsKeys(":cancelled", ":mr_stamp", ":mr_region",
                ":mr_node").containsEntry(":mr_bound", AttributeValue.fromN(Long.toString(
                        HybridLogicalClock.encode(1_700_000_000_000L + 60_000, HybridLogicalClock.MAX_LOGICAL))));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    @Test
    void updateJoinsTheCallersSetAndRemoveClauses() {
        lww.update(UpdateItemRequest.builder().tableName("orders").key(Map.of("pk", AttributeValue.fromS("o1")))
                .updateExpression("REMOVE #note SET #set = :v ADD #n :one")
                .expressionAttributeNames(Map.of("#note", "note", "#set", "set", "#n", "n"))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("x"), ":one", AttributeValue.fromN("1")))
                .build());

        UpdateItemRequest request = (UpdateItemRequest) sent.get(0);
        assertThat(request.updateExpression()).isEqualTo("REMOVE #mr_deleted, #note SET #mr_stamp = :mr_stamp, "
                + "#mr_region = :mr_region, #mr_node = :mr_node, #set = :v ADD #n :one");
        assertThat(request.expressionAttributeNames()).containsEntry("#mr_deleted", "_mr_deleted");
    }

    @Test
    void updateWithoutClausesGetsItsOwn() {
        lww.update(UpdateItemRequest.builder().tableName("orders").key(Map.of("pk", AttributeValue.fromS("o1")))
                .updateExpression("ADD #n :one")
                .expressionAttributeNames(Map.of("#n", "n"))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                .build());

        assertThat(((UpdateItemRequest) sent.get(0)).updateExpression())
                .isEqualTo("SET #mr_stamp = :mr_stamp, #mr_region = :mr_region, #mr_node = :mr_node ADD #n :one"
                        + " REMOVE #mr_deleted");
    }

    @Test
    void deleteWritesATombstoneWithTheKeyOnly() {
        lww.delete("orders", Map.of("pk", AttributeValue.fromS("o1")));

        PutItemRequest request = (PutItemRequest) sent.get(0);
        assertThat(request.item()).containsOnlyKeys("pk", "_mr_stamp", "_mr_region", "_mr_node", "_mr_deleted")
                .containsEntry("_mr_deleted", AttributeValue.fromBool(true));
    }

    @Test
    void reservedPlaceholdersAndLegacyParametersAreRefused() {
        assertThatThrownBy(() -> lww.put(PutItemRequest.builder().tableName("orders")
                .item(Map.of("pk", AttributeValue.fromS("o1")))
                .expressionAttributeValues(Map.of(":mr_stamp", AttributeValue.fromN("1"))).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(":mr_stamp");
        assertThatThrownBy(() -> LwwWrites.builder().region(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("region");
    }
}
