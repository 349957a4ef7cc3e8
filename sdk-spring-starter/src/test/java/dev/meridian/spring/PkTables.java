package dev.meridian.spring;

import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The tables the starter's ITs create on the testkit's regions: a string hash key {@code pk}, nothing else. */
public final class PkTables {
    private PkTables() {
    }

    /** A table named {@code table} keyed by the string {@code pk}. */
    public static CreateTableRequest named(String table) {
        return CreateTableRequest.builder().tableName(table)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()).build();
    }
}
