package dev.meridian.spring.doors;

import dev.meridian.core.residency.ResidencyViolationException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The one write every door makes, and how its outcome is answered. */
final class DoorWrites {
    private DoorWrites() {
    }

    static void put(DynamoDbClient dynamo, String table, String id) {
        dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS(id))));
    }

    static CompletableFuture<Void> put(DynamoDbAsyncClient dynamo, String table, String id) {
        return dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS(id))))
                .thenApply(r -> null);
    }

    static ResponseEntity<Void> written() {
        return ResponseEntity.noContent().build();
    }

    /** 403 for a residency refusal (wrapped or not), else the failure as a 500 with its message. */
    static ResponseEntity<String> failed(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ResidencyViolationException) {
                return ResponseEntity.status(HttpStatus.FORBIDDEN).body(t.getMessage());
            }
        }
        return ResponseEntity.internalServerError().body(String.valueOf(failure));
    }
}
