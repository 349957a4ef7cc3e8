package dev.meridian.spring.doors;

import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianContextPropagationAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import dev.meridian.spring.MeridianWebAutoConfiguration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.WebAsyncTask;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A Spring MVC application on embedded Tomcat with the application's own DynamoDB clients (wrapped by the starter)
 * and one endpoint per servlet {@link Door}, each written the way an application would, with no Meridian code.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAsync
@ImportAutoConfiguration({TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
        WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
        TaskExecutionAutoConfiguration.class, MeridianAutoConfiguration.class, MeridianDynamoDbAutoConfiguration.class,
        MeridianWebAutoConfiguration.class, MeridianContextPropagationAutoConfiguration.class})
public class ServletDoorsApp {
    @Bean
    DynamoDbClient appDynamo() {
        return DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(local()).build();
    }

    @Bean
    DynamoDbAsyncClient appDynamoAsync() {
        return DynamoDbAsyncClient.builder().region(Region.US_EAST_1).credentialsProvider(local()).build();
    }

    @Bean
    AsyncWrites asyncWrites(DynamoDbClient dynamo, DynamoDbAsyncClient dynamoAsync) {
        return new AsyncWrites(dynamo, dynamoAsync);
    }

    private static StaticCredentialsProvider local() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }

    /** An {@code @Async} service. */
    public static class AsyncWrites {
        private final DynamoDbClient dynamo;
        private final DynamoDbAsyncClient dynamoAsync;

        AsyncWrites(DynamoDbClient dynamo, DynamoDbAsyncClient dynamoAsync) {
            this.dynamo = dynamo;
            this.dynamoAsync = dynamoAsync;
        }

        @Async
        public CompletableFuture<Void> put(String table, String id) {
            DoorWrites.put(dynamo, table, id);
            return CompletableFuture.completedFuture(null);
        }

        @Async
        public CompletableFuture<DoorReads.Observed> read(DoorReads.Shape shape, String table, String id) {
            return CompletableFuture.completedFuture(DoorReads.read(dynamo, dynamoAsync, shape, table, id));
        }
    }

    /** The servlet doors (a member component of this configuration, registered with it). */
    @RestController
    static class Doors {
        private final DynamoDbClient dynamo;
        private final DynamoDbAsyncClient dynamoAsync;
        private final AsyncWrites asyncWrites;
        private final AsyncTaskExecutor executor;

        Doors(DynamoDbClient dynamo, DynamoDbAsyncClient dynamoAsync, AsyncWrites asyncWrites,
                AsyncTaskExecutor executor) {
            this.dynamo = dynamo;
            this.dynamoAsync = dynamoAsync;
            this.asyncWrites = asyncWrites;
            this.executor = executor;
        }

        @PutMapping("/doors/sync/{table}/{id}")
        ResponseEntity<Void> sync(@PathVariable String table, @PathVariable String id) {
            DoorWrites.put(dynamo, table, id);
            return DoorWrites.written();
        }

        @PutMapping("/doors/callable/{table}/{id}")
        Callable<ResponseEntity<Void>> callable(@PathVariable String table, @PathVariable String id) {
            return () -> {
                DoorWrites.put(dynamo, table, id);
                return DoorWrites.written();
            };
        }

        @PutMapping("/doors/web-async-task/{table}/{id}")
        WebAsyncTask<ResponseEntity<Void>> webAsyncTask(@PathVariable String table, @PathVariable String id) {
            return new WebAsyncTask<>(30_000L, () -> {
                DoorWrites.put(dynamo, table, id);
                return DoorWrites.written();
            });
        }

        @PutMapping("/doors/deferred/{table}/{id}")
        DeferredResult<ResponseEntity<?>> deferred(@PathVariable String table, @PathVariable String id) {
            DeferredResult<ResponseEntity<?>> result = new DeferredResult<>(30_000L);
            executor.execute(() -> {
                try {
                    DoorWrites.put(dynamo, table, id);
                    result.setResult(DoorWrites.written());
                } catch (RuntimeException e) {
                    result.setResult(DoorWrites.failed(e));
                }
            });
            return result;
        }

        @PutMapping("/doors/async-method/{table}/{id}")
        CompletableFuture<ResponseEntity<Void>> asyncMethod(@PathVariable String table, @PathVariable String id) {
            return asyncWrites.put(table, id).thenApply(v -> DoorWrites.written());
        }

        @PutMapping("/doors/then-compose/{table}/{id}")
        CompletableFuture<ResponseEntity<Void>> thenCompose(@PathVariable String table, @PathVariable String id) {
            return DoorWrites.put(dynamoAsync, DoorsFixture.EU_TABLE, id + "-first")
                    .thenCompose(v -> DoorWrites.put(dynamoAsync, table, id))
                    .thenApply(v -> DoorWrites.written());
        }

        @GetMapping("/doors/sync/{table}/{id}")
        ResponseEntity<String> readSync(@PathVariable String table, @PathVariable String id,
                @RequestParam DoorReads.Shape shape) {
            return DoorReads.answer(DoorReads.read(dynamo, dynamoAsync, shape, table, id));
        }

        @GetMapping("/doors/callable/{table}/{id}")
        Callable<ResponseEntity<String>> readCallable(@PathVariable String table, @PathVariable String id,
                @RequestParam DoorReads.Shape shape) {
            return () -> DoorReads.answer(DoorReads.read(dynamo, dynamoAsync, shape, table, id));
        }

        @GetMapping("/doors/web-async-task/{table}/{id}")
        WebAsyncTask<ResponseEntity<String>> readWebAsyncTask(@PathVariable String table, @PathVariable String id,
                @RequestParam DoorReads.Shape shape) {
            return new WebAsyncTask<>(30_000L,
                    () -> DoorReads.answer(DoorReads.read(dynamo, dynamoAsync, shape, table, id)));
        }

        @GetMapping("/doors/deferred/{table}/{id}")
        DeferredResult<ResponseEntity<String>> readDeferred(@PathVariable String table, @PathVariable String id,
                @RequestParam DoorReads.Shape shape) {
            DeferredResult<ResponseEntity<String>> result = new DeferredResult<>(30_000L);
            executor.execute(() -> {
                try {
                    result.setResult(DoorReads.answer(DoorReads.read(dynamo, dynamoAsync, shape, table, id)));
                } catch (RuntimeException e) {
                    result.setResult(DoorWrites.failed(e));
                }
            });
            return result;
        }

        @GetMapping("/doors/async-method/{table}/{id}")
        CompletableFuture<ResponseEntity<String>> readAsyncMethod(@PathVariable String table,
                @PathVariable String id, @RequestParam DoorReads.Shape shape) {
            return asyncWrites.read(shape, table, id).thenApply(DoorReads::answer);
        }

        /** An asynchronous read of the item, then the shape's read on the thread that completed it (an SDK thread). */
        @GetMapping("/doors/then-compose/{table}/{id}")
        CompletableFuture<ResponseEntity<String>> readThenCompose(@PathVariable String table,
                @PathVariable String id, @RequestParam DoorReads.Shape shape) {
            return DoorReads.readAsync(dynamo, dynamoAsync, DoorReads.Shape.ASYNC_GET, table, id)
                    .thenCompose(first -> DoorReads.readAsync(dynamo, dynamoAsync, shape, table, id))
                    .thenApply(DoorReads::answer);
        }

        @ExceptionHandler(Exception.class)
        ResponseEntity<String> failed(Exception e) {
            return DoorWrites.failed(e);
        }
    }
}
