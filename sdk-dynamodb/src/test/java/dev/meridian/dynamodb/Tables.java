package dev.meridian.dynamodb;

import dev.meridian.testkit.LocalRegions;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Global tables used by the integration tests of this package. */
public final class Tables {

    private Tables() {
    }

    /** A global table with a string partition key (and optionally a string sort key) in every local region. */
    public static void create(LocalRegions regions, String table, String partitionKey, String sortKey) {
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST);
        if (sortKey == null) {
            request.keySchema(KeySchemaElement.builder().attributeName(partitionKey).keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(partitionKey)
                            .attributeType(ScalarAttributeType.S).build());
        } else {
            request.keySchema(
                            KeySchemaElement.builder().attributeName(partitionKey).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(sortKey).keyType(KeyType.RANGE).build())
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(partitionKey)
                                    .attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(sortKey)
                                    .attributeType(ScalarAttributeType.S).build());
        }
        regions.createGlobalTable(request.build());
    }
}
