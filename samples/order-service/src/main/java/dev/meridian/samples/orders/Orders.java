package dev.meridian.samples.orders;

import dev.meridian.spring.Idempotent;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Orders in the DynamoDB global table {@value #TABLE}. The {@code DynamoDbClient} is the starter's multi-region one:
 * each call goes to a region the request's data may live in, and fails over when that region is out.
 */
@Service
class Orders {
    static final String TABLE = "orders";

    private final DynamoDbClient dynamo;

    public Orders(DynamoDbClient dynamo) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
    }

    /** Places an order once per request {@code Idempotency-Key}: a retry, wherever it lands, gets the same order. */
    @Idempotent
    public Order place(NewOrder order) {
        Order placed = new Order(UUID.randomUUID().toString(), order.item(), order.quantity(),
                Instant.now().toString());
        dynamo.putItem(b -> b.tableName(TABLE).item(Map.of(
                "id", AttributeValue.fromS(placed.id()),
                "item", AttributeValue.fromS(placed.item()),
                "quantity", AttributeValue.fromN(Integer.toString(placed.quantity())),
                "placedAt", AttributeValue.fromS(placed.placedAt()))));
        return placed;
    }

    /** The order, read (eventually consistent) from the nearest region holding it. */
    public Optional<Order> find(String id) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(TABLE)
                .key(Map.of("id", AttributeValue.fromS(id)))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Order(id, item.get("item").s(), Integer.parseInt(item.get("quantity").n()),
                item.get("placedAt").s()));
    }

    /** What a client sends. */
    public record NewOrder(String item, int quantity) {
    }

    /** A placed order. */
    public record Order(String id, String item, int quantity, String placedAt) {
    }
}
