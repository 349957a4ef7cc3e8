package dev.meridian.dynamodb.acceptance.conditions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import software.amazon.awssdk.enhanced.dynamodb.AttributeConverterProvider;
import software.amazon.awssdk.enhanced.dynamodb.AttributeValueType;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedAsyncClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableMetadata;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.document.EnhancedDocument;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchExecuteStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ExecuteStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.ExecuteTransactionRequest;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ParameterizedStatement;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * One DynamoDB call shape on a key, synchronous and asynchronous, with the operation its journal entries show (the
 * operation that may apply it, for a write). A write shape returns its response; a read shape returns whether it saw
 * the key's item. The catalogues cover the write and read shapes of the low-level client, its paginators and
 * waiter, and the Enhanced Client over the routed client.
 */
record Shape(String name, String operation, BiFunction<DynamoDbClient, String, Object> sync,
        BiFunction<DynamoDbAsyncClient, String, CompletableFuture<?>> async) {

    @Override
    public String toString() {
        return name;
    }

    static Map<String, AttributeValue> key(String k) {
        return Map.of("pk", AttributeValue.fromS(k));
    }

    /**
     * Writes with nothing that makes their repeat harmless (docs/exactly-once.md, "never moves"): each is applied at
     * most once by the first region that may have applied it, and exactly once elsewhere when it certainly was not.
     */
    static List<Shape> unguardedWrites(String table) {
        return List.of(
                new Shape("PutItem", "PutItem", (c, k) -> c.putItem(put(table, k)), (c, k) -> c.putItem(put(table, k))),
                new Shape("UpdateItem ADD", "UpdateItem", (c, k) -> c.updateItem(add(table, k)),
                        (c, k) -> c.updateItem(add(table, k))),
                new Shape("DeleteItem", "DeleteItem", (c, k) -> c.deleteItem(delete(table, k)),
                        (c, k) -> c.deleteItem(delete(table, k))),
                new Shape("PutItem with a condition that is no guard", "PutItem",
                        (c, k) -> c.putItem(conditionalPut(table, k)), (c, k) -> c.putItem(conditionalPut(table, k))),
                new Shape("BatchWriteItem", "BatchWriteItem", (c, k) -> c.batchWriteItem(batchWrite(table, k)),
                        (c, k) -> c.batchWriteItem(batchWrite(table, k))),
                new Shape("TransactWriteItems with a ClientRequestToken", "TransactWriteItems",
                        (c, k) -> c.transactWriteItems(transactWrite(table, k)),
                        (c, k) -> c.transactWriteItems(transactWrite(table, k))),
                new Shape("ExecuteStatement INSERT", "ExecuteStatement",
                        (c, k) -> c.executeStatement(statement(insert(table, k))),
                        (c, k) -> c.executeStatement(statement(insert(table, k)))),
                new Shape("BatchExecuteStatement INSERT", "BatchExecuteStatement",
                        (c, k) -> c.batchExecuteStatement(batchStatement(insert(table, k))),
                        (c, k) -> c.batchExecuteStatement(batchStatement(insert(table, k)))),
                new Shape("ExecuteTransaction INSERT", "ExecuteTransaction",
                        (c, k) -> c.executeTransaction(transaction(insert(table, k))),
                        (c, k) -> c.executeTransaction(transaction(insert(table, k)))),
                new Shape("Enhanced putItem", "PutItem",
                        (c, k) -> {
                            DynamoDbEnhancedClient.builder().dynamoDbClient(c).build().table(table, documentSchema())
                                    .putItem(document(k));
                            return null;
                        },
                        (c, k) -> DynamoDbEnhancedAsyncClient.builder().dynamoDbClient(c).build()
                                .table(table, documentSchema()).putItem(document(k))));
    }

    /** The Enhanced Client's document schema of the tests' tables (partition key {@code pk}). */
    private static TableSchema<EnhancedDocument> documentSchema() {
        return TableSchema.documentSchemaBuilder()
                .addIndexPartitionKey(TableMetadata.primaryIndexName(), "pk", AttributeValueType.S)
                .attributeConverterProviders(AttributeConverterProvider.defaultProvider()).build();
    }

    private static EnhancedDocument document(String k) {
        return EnhancedDocument.builder().attributeConverterProviders(AttributeConverterProvider.defaultProvider())
                .putString("pk", k).build();
    }

    /** Reads of an existing item; each answers whether it saw it. */
    static List<Shape> reads(String table) {
        TableSchema<EnhancedDocument> schema = documentSchema();
        return List.of(
                new Shape("GetItem", "GetItem", (c, k) -> c.getItem(get(table, k, false)).hasItem(),
                        (c, k) -> c.getItem(get(table, k, false)).thenApply(r -> r.hasItem())),
                new Shape("GetItem consistent", "GetItem", (c, k) -> c.getItem(get(table, k, true)).hasItem(),
                        (c, k) -> c.getItem(get(table, k, true)).thenApply(r -> r.hasItem())),
                new Shape("Query", "Query", (c, k) -> c.query(query(table, k)).count() == 1,
                        (c, k) -> c.query(query(table, k)).thenApply(r -> r.count() == 1)),
                new Shape("Scan", "Scan", (c, k) -> c.scan(scan(table)).items().contains(key(k)),
                        (c, k) -> c.scan(scan(table)).thenApply(r -> r.items().contains(key(k)))),
                new Shape("Query paginator", "Query",
                        (c, k) -> c.queryPaginator(query(table, k)).items().stream().anyMatch(key(k)::equals),
                        (c, k) -> contains(c.queryPaginator(query(table, k)).items(), k)),
                new Shape("Scan paginator", "Scan",
                        (c, k) -> c.scanPaginator(scan(table)).items().stream().anyMatch(key(k)::equals),
                        (c, k) -> contains(c.scanPaginator(scan(table)).items(), k)),
                new Shape("BatchGetItem", "BatchGetItem",
                        (c, k) -> c.batchGetItem(batchGet(table, k)).responses().get(table).size() == 1,
                        (c, k) -> c.batchGetItem(batchGet(table, k)).thenApply(r -> r.responses().get(table).size() == 1)),
                new Shape("TransactGetItems", "TransactGetItems",
                        (c, k) -> c.transactGetItems(transactGet(table, k)).responses().get(0).hasItem(),
                        (c, k) -> c.transactGetItems(transactGet(table, k))
                                .thenApply(r -> r.responses().get(0).hasItem())),
                new Shape("ExecuteStatement SELECT", "ExecuteStatement",
                        (c, k) -> c.executeStatement(statement(select(table, k))).items().size() == 1,
                        (c, k) -> c.executeStatement(statement(select(table, k))).thenApply(r -> r.items().size() == 1)),
                new Shape("waiter tableExists", "DescribeTable",
                        (c, k) -> c.waiter().waitUntilTableExists(b -> b.tableName(table)).matched().response()
                                .isPresent(),
                        (c, k) -> c.waiter().waitUntilTableExists(b -> b.tableName(table))
                                .thenApply(w -> w.matched().response().isPresent())),
                new Shape("Enhanced getItem", "GetItem",
                        (c, k) -> DynamoDbEnhancedClient.builder().dynamoDbClient(c).build().table(table, schema)
                                .getItem(Key.builder().partitionValue(k).build()) != null,
                        (c, k) -> DynamoDbEnhancedAsyncClient.builder().dynamoDbClient(c).build().table(table, schema)
                                .getItem(Key.builder().partitionValue(k).build()).thenApply(d -> d != null)));
    }

    private static CompletableFuture<Boolean> contains(
            software.amazon.awssdk.core.async.SdkPublisher<Map<String, AttributeValue>> items, String k) {
        List<Map<String, AttributeValue>> seen = new ArrayList<>();
        return items.subscribe(i -> {
            synchronized (seen) {
                seen.add(i);
            }
        }).thenApply(v -> seen.contains(key(k)));
    }

    private static PutItemRequest put(String table, String k) {
        return PutItemRequest.builder().tableName(table).item(key(k)).build();
    }

    private static PutItemRequest conditionalPut(String table, String k) {
        return PutItemRequest.builder().tableName(table).item(key(k))
                .conditionExpression("attribute_not_exists(pk) OR begins_with(pk, :p)")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("k"))).build();
    }

    private static UpdateItemRequest add(String table, String k) {
        return UpdateItemRequest.builder().tableName(table).key(key(k)).updateExpression("ADD n :one")
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))).build();
    }

    private static DeleteItemRequest delete(String table, String k) {
        return DeleteItemRequest.builder().tableName(table).key(key(k)).build();
    }

    private static BatchWriteItemRequest batchWrite(String table, String k) {
        return BatchWriteItemRequest.builder().requestItems(Map.of(table, List.of(WriteRequest.builder()
                .putRequest(PutRequest.builder().item(key(k)).build()).build()))).build();
    }

    private static TransactWriteItemsRequest transactWrite(String table, String k) {
        return TransactWriteItemsRequest.builder().clientRequestToken("token-" + k).transactItems(TransactWriteItem
                .builder().put(Put.builder().tableName(table).item(key(k)).build()).build()).build();
    }

    private static String insert(String table, String k) {
        return "INSERT INTO \"" + table + "\" VALUE {'pk': '" + k + "'}";
    }

    private static String select(String table, String k) {
        return "SELECT * FROM \"" + table + "\" WHERE pk = '" + k + "'";
    }

    private static ExecuteStatementRequest statement(String sql) {
        return ExecuteStatementRequest.builder().statement(sql).build();
    }

    private static BatchExecuteStatementRequest batchStatement(String sql) {
        return BatchExecuteStatementRequest.builder()
                .statements(BatchStatementRequest.builder().statement(sql).build()).build();
    }

    private static ExecuteTransactionRequest transaction(String sql) {
        return ExecuteTransactionRequest.builder()
                .transactStatements(ParameterizedStatement.builder().statement(sql).build()).build();
    }

    private static GetItemRequest get(String table, String k, boolean consistent) {
        return GetItemRequest.builder().tableName(table).key(key(k)).consistentRead(consistent).build();
    }

    private static QueryRequest query(String table, String k) {
        return QueryRequest.builder().tableName(table).keyConditionExpression("pk = :k")
                .expressionAttributeValues(Map.of(":k", AttributeValue.fromS(k))).build();
    }

    private static ScanRequest scan(String table) {
        return ScanRequest.builder().tableName(table).build();
    }

    private static BatchGetItemRequest batchGet(String table, String k) {
        return BatchGetItemRequest.builder()
                .requestItems(Map.of(table, KeysAndAttributes.builder().keys(key(k)).build())).build();
    }

    private static TransactGetItemsRequest transactGet(String table, String k) {
        return TransactGetItemsRequest.builder().transactItems(TransactGetItem.builder()
                .get(Get.builder().tableName(table).key(key(k)).build()).build()).build();
    }
}
