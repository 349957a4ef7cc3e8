package dev.meridian.dynamodb;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * DynamoDB Local in process, without HTTP ({@link DynamoDBEmbedded}): the real engine evaluates conditions, update
 * expressions and {@code ReturnValuesOnConditionCheckFailure}, fast enough for unit tests that PIT runs once per
 * mutant. One in-memory database per region, no replication between them (that is the testkit's job, in the ITs).
 * Each region's client records the operations it received and can be made to fail before the call reaches the
 * database, like {@link FakeRegionClient}.
 */
public final class EmbeddedDynamoDb implements AutoCloseable {

    private final Map<Region, AmazonDynamoDBLocal> databases = new ConcurrentHashMap<>();
    private final Map<Region, Recording> clients = new ConcurrentHashMap<>();

    /** The client of {@code region}'s database (created, empty, on first use). */
    public Recording client(Region region) {
        return clients.computeIfAbsent(region, r -> new Recording(r, databases
                .computeIfAbsent(r, x -> DynamoDBEmbedded.create(true)).dynamoDbClient()));
    }

    /** Creates {@code table} (string partition key {@code partitionKey}) in each of {@code regions}. */
    public EmbeddedDynamoDb table(String table, String partitionKey, Region... regions) {
        for (Region region : regions) {
            client(region).delegate.createTable(CreateTableRequest.builder()
                    .tableName(table)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(KeySchemaElement.builder().attributeName(partitionKey).keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(partitionKey)
                            .attributeType(ScalarAttributeType.S).build())
                    .build());
        }
        return this;
    }

    @Override
    public void close() {
        databases.values().forEach(AmazonDynamoDBLocal::shutdownNow);
    }

    /** One region's client: records and optionally fails the item calls, then hands them to DynamoDB Local. */
    public static final class Recording implements DynamoDbClient {
        public final Region region;
        public final List<String> received = new CopyOnWriteArrayList<>();
        /** When set, every call fails with it before reaching the database (nothing is applied). */
        public volatile Supplier<RuntimeException> failure;
        /** When set, every call is applied and then fails with it (the answer is lost). */
        public volatile Supplier<RuntimeException> failureAfterApplying;
        private final DynamoDbClient delegate;

        Recording(Region region, DynamoDbClient delegate) {
            this.region = region;
            this.delegate = delegate;
        }

        private <T> T call(String operation, Supplier<T> call) {
            received.add(operation);
            Supplier<RuntimeException> before = failure;
            if (before != null) {
                throw before.get();
            }
            T result = call.get();
            Supplier<RuntimeException> after = failureAfterApplying;
            if (after != null) {
                throw after.get();
            }
            return result;
        }

        @Override
        public PutItemResponse putItem(PutItemRequest request) {
            return call("PutItem", () -> delegate.putItem(request));
        }

        @Override
        public GetItemResponse getItem(GetItemRequest request) {
            return call("GetItem", () -> delegate.getItem(request));
        }

        @Override
        public UpdateItemResponse updateItem(UpdateItemRequest request) {
            return call("UpdateItem", () -> delegate.updateItem(request));
        }

        @Override
        public DeleteItemResponse deleteItem(DeleteItemRequest request) {
            return call("DeleteItem", () -> delegate.deleteItem(request));
        }

        @Override
        public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
            return call("TransactWriteItems", () -> delegate.transactWriteItems(request));
        }

        @Override
        public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
            return call("BatchWriteItem", () -> delegate.batchWriteItem(request));
        }

        @Override
        public DescribeTableResponse describeTable(DescribeTableRequest request) {
            return call("DescribeTable", () -> delegate.describeTable(request));
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
            // The database outlives its clients; EmbeddedDynamoDb.close() shuts it down.
        }
    }
}
