package dev.meridian.dynamodb;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * An in-memory stand-in for one region's client: records the operations it received, can be made to fail. Items are
 * keyed by their {@code pk} (or, for idempotency records, {@code id}) value; conditions and update expressions are
 * not evaluated.
 */
public final class FakeRegionClient implements DynamoDbClient {
    public final Region region;
    public final List<String> received = new CopyOnWriteArrayList<>();
    public final Map<String, Map<String, AttributeValue>> items = new ConcurrentHashMap<>();
    public volatile Supplier<RuntimeException> failure;
    public volatile boolean closed;

    public FakeRegionClient(Region region) {
        this.region = region;
    }

    private void receive(String operation) {
        received.add(operation);
        Supplier<RuntimeException> f = failure;
        if (f != null) {
            throw f.get();
        }
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        receive("PutItem");
        items.put(keyOf(request.item()), request.item());
        return PutItemResponse.builder().build();
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        receive("GetItem");
        Map<String, AttributeValue> item = items.get(keyOf(request.key()));
        return item == null ? GetItemResponse.builder().build() : GetItemResponse.builder().item(item).build();
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        receive("UpdateItem");
        return UpdateItemResponse.builder().build();
    }

    @Override
    public QueryResponse query(QueryRequest request) {
        receive("Query");
        return QueryResponse.builder().items(List.of()).count(0).build();
    }

    /** Every item whose key starts with the request's {@code :prefix} value (the flags' scan), in one page. */
    @Override
    public ScanResponse scan(ScanRequest request) {
        receive("Scan");
        String prefix = request.expressionAttributeValues().get(":prefix").s();
        List<Map<String, AttributeValue>> found = items.values().stream()
                .filter(i -> keyOf(i).startsWith(prefix)).toList();
        return ScanResponse.builder().items(found).count(found.size()).build();
    }

    @Override
    public DescribeTableResponse describeTable(DescribeTableRequest request) {
        receive("DescribeTable");
        return DescribeTableResponse.builder().table(TableDescription.builder().tableName(request.tableName())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()).build())
                .build();
    }

    private static String keyOf(Map<String, AttributeValue> key) {
        AttributeValue value = key.containsKey("pk") ? key.get("pk") : key.get("id");
        return value.s();
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
        closed = true;
    }
}
