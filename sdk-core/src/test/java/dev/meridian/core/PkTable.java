package dev.meridian.core;

import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The ITs' tables: a string hash key {@code pk}, on-demand (the testkit's default for a global table). */
public final class PkTable {
    private PkTable() {
    }

    /** A table named {@code table} keyed by the string {@code pk}. */
    public static CreateTableRequest named(String table) {
        return CreateTableRequest.builder().tableName(table)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .build();
    }
}
