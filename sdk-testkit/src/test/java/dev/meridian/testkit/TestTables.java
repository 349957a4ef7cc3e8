package dev.meridian.testkit;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Table and item helpers shared by the testkit's integration tests. */
final class TestTables {

    private TestTables() {
    }

    static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    static void put(DynamoDbClient client, String table, String pk, String attribute, String value) {
        client.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS(pk),
                attribute, AttributeValue.fromS(value))));
    }

    /** The item as a consistent read sees it, empty map when absent. */
    static Map<String, AttributeValue> get(DynamoDbClient client, String table, String pk) {
        return client.getItem(b -> b.tableName(table).key(key(pk)).consistentRead(true)).item();
    }
}
