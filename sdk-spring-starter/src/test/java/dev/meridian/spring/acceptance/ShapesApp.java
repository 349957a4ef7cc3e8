package dev.meridian.spring.acceptance;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianContextPropagationAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import dev.meridian.spring.MeridianWebAutoConfiguration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.enhanced.dynamodb.AttributeConverterProvider;
import software.amazon.awssdk.enhanced.dynamodb.AttributeValueType;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableMetadata;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.document.EnhancedDocument;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * A Spring MVC application as the README's "Adoption in five lines" leaves it: no {@code DynamoDbClient} bean of its
 * own (the starter provides the routed one and a {@code DynamoDbEnhancedClient}), an application
 * {@code DynamoDbAsyncClient} bean (the starter wraps it), and one endpoint per DynamoDB call shape, written with no
 * Meridian code: {@code POST /shapes/{shape}/{table}/{id}}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
        WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
        TaskExecutionAutoConfiguration.class, MeridianAutoConfiguration.class, MeridianDynamoDbAutoConfiguration.class,
        MeridianWebAutoConfiguration.class, MeridianContextPropagationAutoConfiguration.class})
class ShapesApp {
    @Bean
    DynamoDbAsyncClient appDynamoAsync() {
        return DynamoDbAsyncClient.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    /** Every way a user calls DynamoDB, each a separate endpoint; all of them write or read item {@code id}. */
    enum Shape {
        PUT_ITEM, UPDATE_ITEM, DELETE_ITEM, BATCH_WRITE_ITEM, TRANSACT_WRITE_ITEMS, PARTIQL_INSERT, ENHANCED_PUT,
        ASYNC_PUT_THEN_UPDATE, ASYNC_BATCH_WRITE,
        GET_ITEM, BATCH_GET_ITEM, QUERY_PAGINATOR, SCAN_PAGINATOR, TRANSACT_GET_ITEMS, PARTIQL_SELECT, ENHANCED_GET,
        ASYNC_QUERY_PAGINATOR, ASYNC_GET_THEN_GET_ASYNC;

        /** The DynamoDB operations a call of this shape sends, as the request journal names them. */
        List<String> operations() {
            return switch (this) {
                case PUT_ITEM, ENHANCED_PUT -> List.of("PutItem");
                case UPDATE_ITEM -> List.of("UpdateItem");
                case DELETE_ITEM -> List.of("DeleteItem");
                case BATCH_WRITE_ITEM, ASYNC_BATCH_WRITE -> List.of("BatchWriteItem");
                case TRANSACT_WRITE_ITEMS -> List.of("TransactWriteItems");
                case PARTIQL_INSERT, PARTIQL_SELECT -> List.of("ExecuteStatement");
                case ASYNC_PUT_THEN_UPDATE -> List.of("PutItem", "UpdateItem");
                case GET_ITEM, ENHANCED_GET, ASYNC_GET_THEN_GET_ASYNC -> List.of("GetItem");
                case BATCH_GET_ITEM -> List.of("BatchGetItem");
                case QUERY_PAGINATOR, ASYNC_QUERY_PAGINATOR -> List.of("Query");
                case SCAN_PAGINATOR -> List.of("Scan");
                case TRANSACT_GET_ITEMS -> List.of("TransactGetItems");
            };
        }
    }

    /** A member class of the configuration: registered with it. */
    @RestController
    static class ShapesController {
        private final DynamoDbClient dynamo;
        private final DynamoDbAsyncClient dynamoAsync;
        private final DynamoDbEnhancedClient enhanced;

        ShapesController(DynamoDbClient dynamo, DynamoDbAsyncClient dynamoAsync, DynamoDbEnhancedClient enhanced) {
            this.dynamo = dynamo;
            this.dynamoAsync = dynamoAsync;
            this.enhanced = enhanced;
        }

        @PostMapping("/shapes/{shape}/{table}/{id}")
        ResponseEntity<String> call(@PathVariable Shape shape, @PathVariable String table, @PathVariable String id) {
            Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS(id));
            Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS(id), "v", AttributeValue.fromS(shape.name()));
            switch (shape) {
                case PUT_ITEM -> dynamo.putItem(p -> p.tableName(table).item(item));
                case UPDATE_ITEM -> dynamo.updateItem(u -> u.tableName(table).key(key).updateExpression("SET v = :v")
                        .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("updated"))));
                case DELETE_ITEM -> dynamo.deleteItem(d -> d.tableName(table).key(key));
                case BATCH_WRITE_ITEM -> dynamo.batchWriteItem(b -> b.requestItems(Map.of(table, List.of(
                        WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build()))));
                case TRANSACT_WRITE_ITEMS -> dynamo.transactWriteItems(t -> t.transactItems(TransactWriteItem.builder()
                        .put(Put.builder().tableName(table).item(item).build()).build()));
                case PARTIQL_INSERT -> dynamo.executeStatement(s -> s.statement(
                        "INSERT INTO \"" + table + "\" VALUE {'pk': ?, 'v': 'partiql'}")
                        .parameters(AttributeValue.fromS(id)));
                case ENHANCED_PUT -> documents(table).putItem(EnhancedDocument.builder().putString("pk", id)
                        .putString("v", "enhanced").attributeConverterProviders(AttributeConverterProvider.defaultProvider())
                        .build());
                case ASYNC_PUT_THEN_UPDATE -> join(dynamoAsync.putItem(p -> p.tableName(table).item(item))
                        .thenCompose(r -> dynamoAsync.updateItem(u -> u.tableName(table).key(key)
                                .updateExpression("SET v = :v")
                                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("then-compose"))))));
                case ASYNC_BATCH_WRITE -> join(dynamoAsync.batchWriteItem(b -> b.requestItems(Map.of(table, List.of(
                        WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())))));
                case GET_ITEM -> dynamo.getItem(g -> g.tableName(table).key(key));
                case BATCH_GET_ITEM -> dynamo.batchGetItem(b -> b.requestItems(Map.of(table,
                        KeysAndAttributes.builder().keys(List.of(key)).build())));
                case QUERY_PAGINATOR -> dynamo.queryPaginator(q -> q.tableName(table).keyConditionExpression("pk = :k")
                        .expressionAttributeValues(Map.of(":k", AttributeValue.fromS(id)))).items().stream().count();
                case SCAN_PAGINATOR -> dynamo.scanPaginator(s -> s.tableName(table).limit(50)).items().stream().count();
                case TRANSACT_GET_ITEMS -> dynamo.transactGetItems(t -> t.transactItems(TransactGetItem.builder()
                        .get(Get.builder().tableName(table).key(key).build()).build()));
                case PARTIQL_SELECT -> dynamo.executeStatement(s -> s.statement(
                        "SELECT * FROM \"" + table + "\" WHERE pk = ?").parameters(AttributeValue.fromS(id)));
                case ENHANCED_GET -> documents(table).getItem(Key.builder().partitionValue(id).build());
                case ASYNC_QUERY_PAGINATOR -> join(dynamoAsync.queryPaginator(q -> q.tableName(table)
                        .keyConditionExpression("pk = :k")
                        .expressionAttributeValues(Map.of(":k", AttributeValue.fromS(id)))).items()
                        .subscribe(i -> { }));
                // A continuation on whichever SDK thread completes the first read, with no executor named.
                case ASYNC_GET_THEN_GET_ASYNC -> join(dynamoAsync.getItem(g -> g.tableName(table).key(key))
                        .thenComposeAsync(r -> dynamoAsync.getItem(g -> g.tableName(table).key(key))));
            }
            return ResponseEntity.ok(shape.name());
        }

        private DynamoDbTable<EnhancedDocument> documents(String table) {
            return enhanced.table(table, TableSchema.documentSchemaBuilder()
                    .addIndexPartitionKey(TableMetadata.primaryIndexName(), "pk", AttributeValueType.S)
                    .attributeConverterProviders(AttributeConverterProvider.defaultProvider()).build());
        }

        private static <T> T join(CompletableFuture<T> future) {
            try {
                return future.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }

        @ExceptionHandler(ResidencyViolationException.class)
        ResponseEntity<String> refused(ResidencyViolationException e) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).body(e.getClass().getSimpleName());
        }

        @ExceptionHandler(NoRegionAvailableException.class)
        ResponseEntity<String> unavailable(NoRegionAvailableException e) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(e.getClass().getSimpleName());
        }
    }
}
