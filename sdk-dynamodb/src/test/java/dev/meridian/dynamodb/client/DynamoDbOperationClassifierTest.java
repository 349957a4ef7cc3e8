package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.ExecuteStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.ExecuteTransactionRequest;
import software.amazon.awssdk.services.dynamodb.model.ExpectedAttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ListTablesRequest;
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

class DynamoDbOperationClassifierTest {
    private static final Map<String, AttributeValue> ITEM =
            Map.of("pk", AttributeValue.fromS("order-1"), "sk", AttributeValue.fromS("line-1"),
                    "total", AttributeValue.fromN("10"));

    private final DynamoDbOperationClassifier classifier = DynamoDbOperationClassifier.of(List.of(
            TableConfig.builder("orders").partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY).build(),
            TableConfig.builder("carts").partitionKey("pk").build()));

    private Operation classify(String method, Class<?> type, Object request) throws Exception {
        return classifier.classify(DynamoDbClient.class.getMethod(method, type), new Object[] {request});
    }

    @Test
    void readsAreReadsAndCarryTableAndPartitionKey() throws Exception {
        Operation get = classify("getItem", GetItemRequest.class, GetItemRequest.builder().tableName("carts")
                .key(Map.of("pk", AttributeValue.fromS("c-7"), "sk", AttributeValue.fromS("x"))).build());
        assertThat(get.kind()).isEqualTo(OperationKind.READ);
        assertThat(get.name()).isEqualTo("GetItem");
        assertThat(get.resource()).contains("carts");
        assertThat(get.routingKey()).contains("carts#c-7");
        assertThat(get.strategy()).isEmpty();

        assertThat(classify("scan", ScanRequest.class, ScanRequest.builder().tableName("carts").build()).kind())
                .isEqualTo(OperationKind.READ);
        assertThat(classify("describeTable", DescribeTableRequest.class,
                DescribeTableRequest.builder().tableName("carts").build()).kind()).isEqualTo(OperationKind.READ);
        assertThat(classify("listTables", ListTablesRequest.class, ListTablesRequest.builder().build()).kind())
                .isEqualTo(OperationKind.READ);
    }

    @Test
    void queryPartitionKeyComesFromTheKeyConditionExpression() throws Exception {
        Operation query = classify("query", QueryRequest.class, QueryRequest.builder().tableName("carts")
                .keyConditionExpression("#p = :p AND begins_with(sk, :prefix)")
                .expressionAttributeNames(Map.of("#p", "pk"))
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("c-9"), ":prefix", AttributeValue.fromS("l")))
                .build());
        assertThat(query.routingKey()).contains("carts#c-9");
    }

    @Test
    void plainWritesAreNotSafeToRepeat() throws Exception {
        Operation put = classify("putItem", PutItemRequest.class,
                PutItemRequest.builder().tableName("carts").item(ITEM).build());
        assertThat(put.kind()).isEqualTo(OperationKind.WRITE);
        assertThat(put.routingKey()).contains("carts#order-1");
        BatchWriteItemRequest batch = BatchWriteItemRequest.builder().requestItems(Map.of("carts",
                List.of(WriteRequest.builder().putRequest(PutRequest.builder().item(ITEM).build()).build()))).build();
        assertThat(classify("batchWriteItem", BatchWriteItemRequest.class, batch).kind()).isEqualTo(OperationKind.WRITE);
        assertThat(classify("executeStatement", ExecuteStatementRequest.class, ExecuteStatementRequest.builder()
                .statement("UPDATE \"carts\" SET total = 3 WHERE pk = 'a'").build()).kind())
                .isEqualTo(OperationKind.WRITE);
    }

    @Test
    void onlyAGuardThatIsFalseOnceAppliedMakesAWriteSafeToRepeat() throws Exception {
        assertThat(classify("putItem", PutItemRequest.class, PutItemRequest.builder().tableName("carts").item(ITEM)
                .conditionExpression("attribute_not_exists(pk)").build()).kind())
                .isEqualTo(OperationKind.IDEMPOTENT_WRITE);
        assertThat(classify("deleteItem", DeleteItemRequest.class, DeleteItemRequest.builder().tableName("carts")
                .key(Map.of("pk", AttributeValue.fromS("a"))).conditionExpression("attribute_exists(pk)").build())
                .kind()).isEqualTo(OperationKind.IDEMPOTENT_WRITE);
        assertThat(classify("updateItem", UpdateItemRequest.class, UpdateItemRequest.builder().tableName("carts")
                .key(Map.of("pk", AttributeValue.fromS("a"))).updateExpression("SET #v = :next")
                .conditionExpression("#v = :expected").expressionAttributeNames(Map.of("#v", "version"))
                .expressionAttributeValues(Map.of(":next", AttributeValue.fromN("8"),
                        ":expected", AttributeValue.fromN("7"))).build()).kind())
                .isEqualTo(OperationKind.IDEMPOTENT_WRITE);
    }

    @Test
    void conditionsTheWrittenItemStillSatisfiesTokensAndContextKeysDoNot() throws Exception {
        assertThat(classify("updateItem", UpdateItemRequest.class, UpdateItemRequest.builder().tableName("carts")
                .key(Map.of("pk", AttributeValue.fromS("a"))).updateExpression("ADD balance :d")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":d", AttributeValue.fromN("5"))).build()).kind())
                .isEqualTo(OperationKind.WRITE);
        assertThat(classify("deleteItem", DeleteItemRequest.class, DeleteItemRequest.builder().tableName("carts")
                .key(Map.of("pk", AttributeValue.fromS("a")))
                .expected(Map.of("total", ExpectedAttributeValue.builder().exists(false).build())).build()).kind())
                .isEqualTo(OperationKind.WRITE);
        assertThat(classify("transactWriteItems", TransactWriteItemsRequest.class,
                TransactWriteItemsRequest.builder().clientRequestToken("t-1").build()).kind())
                .isEqualTo(OperationKind.WRITE);
        try (RoutingContext.Scope s = RoutingContext.builder().idempotencyKey("k-1").open()) {
            assertThat(classify("updateItem", UpdateItemRequest.class, UpdateItemRequest.builder().tableName("carts")
                    .key(Map.of("pk", AttributeValue.fromS("a"))).updateExpression("SET total = :t")
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromN("1"))).build()).kind())
                    .isEqualTo(OperationKind.WRITE);
        }
    }

    @Test
    void writeHomeByKeyTablesRouteWritesAndConsistentReadsHome() throws Exception {
        Operation put = classify("putItem", PutItemRequest.class,
                PutItemRequest.builder().tableName("orders").item(ITEM).build());
        assertThat(put.strategy()).contains(RoutingStrategy.homeByKey());
        assertThat(put.routingKey()).contains("orders#order-1");

        GetItemRequest.Builder get = GetItemRequest.builder().tableName("orders")
                .key(Map.of("pk", AttributeValue.fromS("order-1"), "sk", AttributeValue.fromS("line-1")));
        assertThat(classify("getItem", GetItemRequest.class, get.build()).strategy()).isEmpty();
        assertThat(classify("getItem", GetItemRequest.class, get.consistentRead(true).build()).strategy())
                .contains(RoutingStrategy.homeByKey());
    }

    @Test
    void stronglyConsistentReadsAreNeverHedgedEventuallyConsistentOnesMayBe() throws Exception {
        GetItemRequest.Builder get = GetItemRequest.builder().tableName("carts")
                .key(Map.of("pk", AttributeValue.fromS("cart-1")));
        assertThat(classify("getItem", GetItemRequest.class, get.build()).unhedged()).isFalse();
        assertThat(classify("getItem", GetItemRequest.class, get.consistentRead(true).build()).unhedged()).isTrue();
        assertThat(classify("getItem", GetItemRequest.class, GetItemRequest.builder().tableName("unknown")
                .key(Map.of("id", AttributeValue.fromN("42"))).consistentRead(true).build()).unhedged()).isTrue();
        assertThat(classify("query", QueryRequest.class, QueryRequest.builder().tableName("carts")
                .consistentRead(true).build()).unhedged()).isTrue();
        assertThat(classify("transactGetItems", TransactGetItemsRequest.class, TransactGetItemsRequest.builder()
                .transactItems(TransactGetItem.builder().get(Get.builder().tableName("carts")
                        .key(Map.of("pk", AttributeValue.fromS("cart-1"))).build()).build()).build()).unhedged())
                .as("a transactional read is no transaction of the caller's region elsewhere").isTrue();
        assertThat(classify("executeTransaction", ExecuteTransactionRequest.class, ExecuteTransactionRequest.builder()
                .transactStatements(ParameterizedStatement.builder()
                        .statement("SELECT * FROM \"carts\" WHERE pk = 'cart-1'").build()).build()).unhedged())
                .as("a PartiQL transaction of SELECTs is a transactional read").isTrue();
        assertThat(classify("executeTransaction", ExecuteTransactionRequest.class, ExecuteTransactionRequest.builder()
                .transactStatements(ParameterizedStatement.builder()
                        .statement("DELETE FROM \"carts\" WHERE pk = 'cart-1'").build()).build()).unhedged())
                .as("a PartiQL transaction that writes is a write").isFalse();
        assertThat(classify("putItem", PutItemRequest.class,
                PutItemRequest.builder().tableName("carts").item(ITEM).build()).unhedged())
                .as("writes are never hedged anyway; the flag is for reads").isFalse();
    }

    @Test
    void unknownKeySchemaStillRoutesSingleAttributeKeys() throws Exception {
        Operation get = classify("getItem", GetItemRequest.class, GetItemRequest.builder().tableName("unknown")
                .key(Map.of("id", AttributeValue.fromN("42"))).build());
        assertThat(get.routingKey()).contains("unknown#42");
        Operation put = classify("putItem", PutItemRequest.class,
                PutItemRequest.builder().tableName("unknown").item(ITEM).build());
        assertThat(put.routingKey()).isEmpty();
    }

    @Test
    void nonRequestMethodsAreNotRoutedOperations() throws Exception {
        assertThat(classifier.classify(DynamoDbClient.class.getMethod("serviceName"), null)).isNull();
    }
    /** Issue 15: every item of a transaction or batch decides whether the call is homed, not only the first. */
    @Test
    void aHomedItemAfterAnOrdinaryOneHomesTheWholeCall() throws Exception {
        Map<String, AttributeValue> cart = Map.of("pk", AttributeValue.fromS("c-1"));
        Map<String, AttributeValue> order = Map.of("pk", AttributeValue.fromS("o-1"));
        Operation write = classify("transactWriteItems", TransactWriteItemsRequest.class,
                TransactWriteItemsRequest.builder().transactItems(
                        TransactWriteItem.builder().put(Put.builder().tableName("carts").item(cart).build()).build(),
                        TransactWriteItem.builder().put(Put.builder().tableName("orders").item(order).build()).build())
                        .build());
        assertThat(write.strategy()).isPresent();
        assertThat(write.routingKey()).contains("orders#o-1");

        Operation read = classify("transactGetItems", TransactGetItemsRequest.class,
                TransactGetItemsRequest.builder().transactItems(
                        TransactGetItem.builder().get(Get.builder().tableName("carts").key(cart).build()).build(),
                        TransactGetItem.builder().get(Get.builder().tableName("orders").key(order).build()).build())
                        .build());
        assertThat(read.strategy()).as("a transactional read is consistent: read at home").isPresent();
        assertThat(read.routingKey()).contains("orders#o-1");
    }

    @Test
    void theRoutingKeyIsTableHashKeyWhicheverTableCameBefore() {
        assertThat(new DynamoDbOperationClassifier.TableKey("orders", "o-1").routingKey()).isEqualTo("orders#o-1");
        assertThat(new DynamoDbOperationClassifier.TableKey("carts", "c-1").routingKey()).isEqualTo("carts#c-1");
        assertThat(new DynamoDbOperationClassifier.TableKey("carts", "c-2").routingKey()).isEqualTo("carts#c-2");
        assertThat(new DynamoDbOperationClassifier.TableKey("orders", "").routingKey()).isEqualTo("orders#");
    }

    /**
     * A GetItem of a configured table is classified off the request, with no shape (issue 19, item 5): the same
     * classification as the shaped path gives it ("GetItem" as the method name takes that path), and
     * {@code readOperation} the same operation when the partition key is configured, null otherwise.
     */
    @Test
    void aGetItemOfAConfiguredTableIsClassifiedAsTheShapedPathClassifiesIt() {
        DynamoDbOperationClassifier withUnkeyed = DynamoDbOperationClassifier.of(List.of(
                TableConfig.builder("orders").partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY)
                        .consistentReadsAtHome(true).build(),
                TableConfig.builder("carts").partitionKey("pk").build(),
                TableConfig.builder("notes").build()));
        List<GetItemRequest> reads = List.of(
                GetItemRequest.builder().tableName("orders").key(Map.of("pk", AttributeValue.fromS("o-1"))).build(),
                GetItemRequest.builder().tableName("orders").key(Map.of("pk", AttributeValue.fromS("o-1")))
                        .consistentRead(true).build(),
                GetItemRequest.builder().tableName("orders").key(Map.of("sk", AttributeValue.fromS("x"))).build(),
                GetItemRequest.builder().tableName("carts").key(Map.of("pk", AttributeValue.fromN("7"),
                        "sk", AttributeValue.fromS("x"))).consistentRead(false).build(),
                GetItemRequest.builder().tableName("carts").build(),
                GetItemRequest.builder().tableName("notes").key(Map.of("id", AttributeValue.fromS("n-1"))).build(),
                GetItemRequest.builder().tableName("notes").key(Map.of("id", AttributeValue.fromS("n-1"),
                        "sk", AttributeValue.fromS("x"))).consistentRead(true).build());
        for (GetItemRequest read : reads) {
            DynamoDbOperationClassifier.Classification direct =
                    withUnkeyed.classify("getItem", read, RoutingContext.empty());
            DynamoDbOperationClassifier.Classification shaped =
                    withUnkeyed.classify("GetItem", read, RoutingContext.empty());
            assertThat(direct.operation()).as("%s", read).isEqualTo(shaped.operation());
            assertThat(direct.operation().strategy()).as("%s", read).isEqualTo(shaped.operation().strategy());
            assertThat(direct.operation().unhedged()).as("%s", read).isEqualTo(shaped.operation().unhedged());
            assertThat(direct.tables()).as("%s", read).isEqualTo(shaped.tables());
            assertThat(direct.keys()).as("%s", read).isEqualTo(shaped.keys());
            Operation alone = withUnkeyed.readOperation("getItem", read);
            if (read.tableName().equals("notes")) {
                assertThat(alone).as("no configured partition key: classified in full").isNull();
            } else {
                assertThat(alone).as("%s", read).isEqualTo(direct.operation());
                assertThat(alone.strategy()).as("%s", read).isEqualTo(direct.operation().strategy());
                assertThat(alone.unhedged()).as("%s", read).isEqualTo(direct.operation().unhedged());
            }
        }
        assertThat(withUnkeyed.readOperation("getItem", GetItemRequest.builder().tableName("unknown")
                .key(Map.of("pk", AttributeValue.fromS("u-1"))).build())).isNull();
        assertThat(withUnkeyed.readOperation("putItem", PutItemRequest.builder().tableName("orders").item(ITEM)
                .build())).isNull();
    }
}
