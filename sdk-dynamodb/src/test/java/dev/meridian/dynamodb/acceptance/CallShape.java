package dev.meridian.dynamodb.acceptance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchExecuteStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ExecuteStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.ExecuteTransactionRequest;
import software.amazon.awssdk.services.dynamodb.model.ParameterizedStatement;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * One DynamoDB call on a key, made through the synchronous or the asynchronous client (joined), named for jqwik's
 * reports; with the catalogue of write shapes (of the item {@code {pk: key}}) and PartiQL call shapes the properties
 * over call shapes draw from.
 */
record CallShape(String name, BiConsumer<DynamoDbClient, String> syncCall,
        BiConsumer<DynamoDbAsyncClient, String> asyncCall) {

    void sync(DynamoDbClient client, String key) {
        syncCall.accept(client, key);
    }

    void async(DynamoDbAsyncClient client, String key) {
        asyncCall.accept(client, key);
    }

    /** A PartiQL call: its key is in statement text, which Meridian does not read. */
    boolean partiql() {
        return name.startsWith("Execute") || name.startsWith("BatchExecute");
    }

    @Override
    public String toString() {
        return name;
    }

    /** PutItem, UpdateItem ({@code SET v = 1}), DeleteItem, BatchWriteItem and TransactWriteItems of the key's item. */
    static List<CallShape> itemWrites(String table) {
        return itemWrites(table, "", key -> Map.of());
    }

    /**
     * As {@link #itemWrites(String)}, with a fresh item of {@code plainTable} (its key from {@code plainKeys}) in
     * every batch and transaction.
     */
    static List<CallShape> itemWrites(String table, String plainTable, Supplier<String> plainKeys) {
        return itemWrites(table, " with a plain table's item", key -> Map.of(plainTable, item(plainKeys.get())));
    }

    /** ExecuteStatement, ExecuteTransaction and BatchExecuteStatement of {@code sql}'s statement for the key. */
    static List<CallShape> statements(String verb, UnaryOperator<String> sql) {
        return List.of(executeStatement(verb, sql), executeTransaction(verb, sql), batchExecuteStatement(verb, sql));
    }

    static CallShape executeStatement(String verb, UnaryOperator<String> sql) {
        return new CallShape("ExecuteStatement " + verb, (c, k) -> c.executeStatement(statement(sql.apply(k))),
                (c, k) -> c.executeStatement(statement(sql.apply(k))).join());
    }

    static CallShape executeTransaction(String verb, UnaryOperator<String> sql) {
        return new CallShape("ExecuteTransaction " + verb, (c, k) -> c.executeTransaction(transaction(sql.apply(k))),
                (c, k) -> c.executeTransaction(transaction(sql.apply(k))).join());
    }

    static CallShape batchExecuteStatement(String verb, UnaryOperator<String> sql) {
        return new CallShape("BatchExecuteStatement " + verb,
                (c, k) -> c.batchExecuteStatement(batchStatement(sql.apply(k))),
                (c, k) -> c.batchExecuteStatement(batchStatement(sql.apply(k))).join());
    }

    static Map<String, AttributeValue> item(String key) {
        return Map.of("pk", AttributeValue.fromS(key));
    }

    /** The item writes; batches and transactions also put {@code others}' items (table to item) of each call. */
    private static List<CallShape> itemWrites(String table, String suffix,
            Function<String, Map<String, Map<String, AttributeValue>>> others) {
        return List.of(
                new CallShape("PutItem", (c, k) -> c.putItem(put(table, k)), (c, k) -> c.putItem(put(table, k)).join()),
                new CallShape("UpdateItem", (c, k) -> c.updateItem(update(table, k)),
                        (c, k) -> c.updateItem(update(table, k)).join()),
                new CallShape("DeleteItem", (c, k) -> c.deleteItem(delete(table, k)),
                        (c, k) -> c.deleteItem(delete(table, k)).join()),
                new CallShape("BatchWriteItem" + suffix, (c, k) -> c.batchWriteItem(batch(table, k, others)),
                        (c, k) -> c.batchWriteItem(batch(table, k, others)).join()),
                new CallShape("TransactWriteItems" + suffix, (c, k) -> c.transactWriteItems(tx(table, k, others)),
                        (c, k) -> c.transactWriteItems(tx(table, k, others)).join()));
    }

    private static PutItemRequest put(String table, String k) {
        return PutItemRequest.builder().tableName(table).item(item(k)).build();
    }

    private static UpdateItemRequest update(String table, String k) {
        return UpdateItemRequest.builder().tableName(table).key(item(k)).updateExpression("SET v = :v")
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromN("1"))).build();
    }

    private static DeleteItemRequest delete(String table, String k) {
        return DeleteItemRequest.builder().tableName(table).key(item(k)).build();
    }

    private static BatchWriteItemRequest batch(String table, String k,
            Function<String, Map<String, Map<String, AttributeValue>>> others) {
        Map<String, List<WriteRequest>> requests = new HashMap<>();
        others.apply(k).forEach((t, i) -> requests.put(t, List.of(putRequest(i))));
        requests.put(table, List.of(putRequest(item(k))));
        return BatchWriteItemRequest.builder().requestItems(requests).build();
    }

    private static WriteRequest putRequest(Map<String, AttributeValue> item) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
    }

    private static TransactWriteItemsRequest tx(String table, String k,
            Function<String, Map<String, Map<String, AttributeValue>>> others) {
        List<TransactWriteItem> items = new ArrayList<>();
        others.apply(k).forEach((t, i) -> items.add(transactPut(t, i)));
        items.add(transactPut(table, item(k)));
        return TransactWriteItemsRequest.builder().transactItems(items).build();
    }

    private static TransactWriteItem transactPut(String table, Map<String, AttributeValue> item) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item).build()).build();
    }

    private static ExecuteStatementRequest statement(String sql) {
        return ExecuteStatementRequest.builder().statement(sql).build();
    }

    private static ExecuteTransactionRequest transaction(String sql) {
        return ExecuteTransactionRequest.builder()
                .transactStatements(ParameterizedStatement.builder().statement(sql).build()).build();
    }

    private static BatchExecuteStatementRequest batchStatement(String sql) {
        return BatchExecuteStatementRequest.builder()
                .statements(BatchStatementRequest.builder().statement(sql).build()).build();
    }
}
