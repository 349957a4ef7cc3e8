package dev.meridian.spring.doors;

import dev.meridian.core.routing.RoutingContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.http.ResponseEntity;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * The one read every door makes ({@code GET /doors/<path>/{table}/{id}?shape=...}), and how its outcome is answered:
 * 200 with the item's {@value #VALUE} attribute, 404 when there is no such item, else as {@link DoorWrites#failed}.
 * A 200 also tells, in headers, what the thread that made the read looked like: its name, whether it was interrupted
 * when the read started or after it returned (a released caller-first read must leave its thread as it found it), and
 * the routing context it saw (a pooled thread must not carry the previous request's).
 */
final class DoorReads {
    static final String VALUE = "v";
    static final String THREAD = "X-Door-Thread";
    static final String INTERRUPTED = "X-Door-Interrupted";
    static final String SUBJECT = "X-Door-Subject";
    static final String PREFERRED = "X-Door-Preferred";

    private DoorReads() {
    }

    /** How the handler reads the item. */
    enum Shape {
        /** A synchronous {@code GetItem}. */
        GET,
        /** A {@code Query} on the partition key through the synchronous paginator. */
        QUERY,
        /** An asynchronous {@code GetItem} (joined where the door is synchronous). */
        ASYNC_GET
    }

    /** What a read saw on the thread that made it, and what it read ({@code null}: no such item). */
    record Observed(String thread, boolean interruptedBefore, boolean interruptedAfter, String subject,
            String preferred, String value) {
    }

    /** Reads on the calling thread, blocking for the asynchronous shape. */
    static Observed read(DynamoDbClient dynamo, DynamoDbAsyncClient dynamoAsync, Shape shape, String table,
            String id) {
        Thread thread = Thread.currentThread();
        boolean before = thread.isInterrupted();
        RoutingContext context = RoutingContext.current();
        String value = switch (shape) {
            case GET -> value(dynamo.getItem(g -> g.tableName(table).key(key(id))));
            case QUERY -> dynamo.queryPaginator(q -> q.tableName(table).keyConditionExpression("pk = :k")
                            .expressionAttributeValues(Map.of(":k", AttributeValue.fromS(id)))).items().stream()
                    .map(DoorReads::value).findFirst().orElse(null);
            case ASYNC_GET -> {
                try {
                    yield value(dynamoAsync.getItem(g -> g.tableName(table).key(key(id))).join());
                } catch (CompletionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
        };
        return observed(thread, before, context, value);
    }

    /** Reads without blocking: the asynchronous shape is not joined, the others run on the calling thread. */
    static CompletableFuture<Observed> readAsync(DynamoDbClient dynamo, DynamoDbAsyncClient dynamoAsync, Shape shape,
            String table, String id) {
        if (shape != Shape.ASYNC_GET) {
            try {
                return CompletableFuture.completedFuture(read(dynamo, dynamoAsync, shape, table, id));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        Thread thread = Thread.currentThread();
        boolean before = thread.isInterrupted();
        RoutingContext context = RoutingContext.current();
        return dynamoAsync.getItem(g -> g.tableName(table).key(key(id)))
                .thenApply(r -> observed(thread, before, context, value(r)));
    }

    /** The door's answer to a read. */
    static ResponseEntity<String> answer(Observed o) {
        ResponseEntity.BodyBuilder b = o.value() == null ? ResponseEntity.status(404) : ResponseEntity.ok();
        return b.header(THREAD, o.thread()).header(INTERRUPTED, o.interruptedBefore() + "," + o.interruptedAfter())
                .header(SUBJECT, o.subject()).header(PREFERRED, o.preferred())
                .body(o.value() == null ? "no item" : o.value());
    }

    private static Observed observed(Thread thread, boolean before, RoutingContext context, String value) {
        return new Observed(thread.getName(), before, thread.isInterrupted(),
                context.subjectCountry().orElse("-"), context.preferredRegion().map(r -> r.id()).orElse("-"), value);
    }

    private static Map<String, AttributeValue> key(String id) {
        return Map.of("pk", AttributeValue.fromS(id));
    }

    private static String value(GetItemResponse r) {
        return r.hasItem() ? value(r.item()) : null;
    }

    /** The item's value; empty for an item written without one (the fixture's warm-up item). */
    private static String value(Map<String, AttributeValue> item) {
        AttributeValue v = item.get(VALUE);
        return v == null ? "" : v.s();
    }
}
