package dev.meridian.spring.acceptance;

import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianContextPropagationAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import dev.meridian.spring.MeridianReactive;
import dev.meridian.spring.MeridianReactiveWebAutoConfiguration;
import dev.meridian.spring.MeridianWebAutoConfiguration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.WebAsyncTask;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The README's service A of "Read-your-writes across services", at every door: applications with their own DynamoDB
 * clients (wrapped by the starter) that write or read item {@code id} of table {@value #TABLE} and answer with a
 * body, and nothing Meridian-specific. {@code PUT /w/{door}/{id}} writes, {@code GET /r/{door}/{id}} only reads.
 */
final class TokenApps {
    static final String TABLE = "carts";
    /** A body larger than a servlet response buffer (8 KiB by default), so writing it commits the response. */
    static final String LARGE_BODY = "x".repeat(64 * 1024);

    private TokenApps() {
    }

    private static StaticCredentialsProvider local() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }

    static Map<String, AttributeValue> item(String id) {
        return Map.of("pk", AttributeValue.fromS(id));
    }

    static void put(DynamoDbClient dynamo, String id) {
        dynamo.putItem(p -> p.tableName(TABLE).item(item(id)));
    }

    static CompletableFuture<?> put(DynamoDbAsyncClient dynamo, String id) {
        return dynamo.putItem(p -> p.tableName(TABLE).item(item(id)));
    }

    static void get(DynamoDbClient dynamo, String id) {
        dynamo.getItem(g -> g.tableName(TABLE).key(item(id)));
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAsync
    @ImportAutoConfiguration({TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
            WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
            TaskExecutionAutoConfiguration.class, MeridianAutoConfiguration.class,
            MeridianDynamoDbAutoConfiguration.class, MeridianWebAutoConfiguration.class,
            MeridianContextPropagationAutoConfiguration.class})
    static class Servlet {
        @Bean
        DynamoDbClient appDynamo() {
            return DynamoDbClient.builder().region(Region.EU_WEST_1).credentialsProvider(local()).build();
        }

        @Bean
        DynamoDbAsyncClient appDynamoAsync() {
            return DynamoDbAsyncClient.builder().region(Region.EU_WEST_1).credentialsProvider(local()).build();
        }

        @Bean
        AsyncCarts asyncCarts(DynamoDbClient dynamo) {
            return new AsyncCarts(dynamo);
        }

        @Bean
        ServletDoors servletDoors(DynamoDbClient dynamo, DynamoDbAsyncClient dynamoAsync, AsyncCarts asyncCarts,
                AsyncTaskExecutor executor) {
            return new ServletDoors(dynamo, dynamoAsync, asyncCarts, executor);
        }
    }

    /** An {@code @Async} service. */
    public static class AsyncCarts {
        private final DynamoDbClient dynamo;

        AsyncCarts(DynamoDbClient dynamo) {
            this.dynamo = dynamo;
        }

        @Async
        public CompletableFuture<String> put(String id) {
            TokenApps.put(dynamo, id);
            return CompletableFuture.completedFuture("ok");
        }
    }

    /** The servlet doors, one endpoint each. */
    @RestController
    static class ServletDoors {
        private final DynamoDbClient dynamo;
        private final DynamoDbAsyncClient dynamoAsync;
        private final AsyncCarts asyncCarts;
        private final AsyncTaskExecutor executor;

        ServletDoors(DynamoDbClient dynamo, DynamoDbAsyncClient dynamoAsync, AsyncCarts asyncCarts,
                AsyncTaskExecutor executor) {
            this.dynamo = dynamo;
            this.dynamoAsync = dynamoAsync;
            this.asyncCarts = asyncCarts;
            this.executor = executor;
        }

        @PutMapping("/w/sync/{id}")
        String sync(@PathVariable String id) {
            put(dynamo, id);
            return "ok";
        }

        @PutMapping("/w/sync-large-body/{id}")
        String syncLargeBody(@PathVariable String id) {
            put(dynamo, id);
            return LARGE_BODY;
        }

        @PutMapping("/w/callable/{id}")
        Callable<String> callable(@PathVariable String id) {
            return () -> {
                put(dynamo, id);
                return "ok";
            };
        }

        @PutMapping("/w/web-async-task/{id}")
        WebAsyncTask<String> webAsyncTask(@PathVariable String id) {
            return new WebAsyncTask<>(30_000L, () -> {
                put(dynamo, id);
                return "ok";
            });
        }

        @PutMapping("/w/deferred/{id}")
        DeferredResult<String> deferred(@PathVariable String id) {
            DeferredResult<String> result = new DeferredResult<>(30_000L);
            executor.execute(() -> {
                try {
                    put(dynamo, id);
                    result.setResult("ok");
                } catch (RuntimeException e) {
                    result.setErrorResult(e);
                }
            });
            return result;
        }

        @PutMapping("/w/async-method/{id}")
        CompletableFuture<String> asyncMethod(@PathVariable String id) {
            return asyncCarts.put(id);
        }

        @PutMapping("/w/future/{id}")
        CompletableFuture<ResponseEntity<String>> future(@PathVariable String id) {
            return put(dynamoAsync, id).thenApply(r -> ResponseEntity.ok("ok"));
        }

        @GetMapping("/r/sync/{id}")
        String read(@PathVariable String id) {
            get(dynamo, id);
            return "read";
        }

        @GetMapping("/r/callable/{id}")
        Callable<String> readCallable(@PathVariable String id) {
            return () -> {
                get(dynamo, id);
                return "read";
            };
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration({TomcatReactiveWebServerAutoConfiguration.class, HttpHandlerAutoConfiguration.class,
            WebFluxAutoConfiguration.class, CodecsAutoConfiguration.class, MeridianAutoConfiguration.class,
            MeridianDynamoDbAutoConfiguration.class, MeridianReactiveWebAutoConfiguration.class,
            MeridianContextPropagationAutoConfiguration.class})
    static class Reactive {
        @Bean
        DynamoDbAsyncClient appDynamoAsync() {
            return DynamoDbAsyncClient.builder().region(Region.EU_WEST_1).credentialsProvider(local()).build();
        }

        @Bean
        DynamoDbClient appDynamo() {
            return DynamoDbClient.builder().region(Region.EU_WEST_1).credentialsProvider(local()).build();
        }

        @Bean
        RouterFunction<ServerResponse> doors(DynamoDbAsyncClient dynamoAsync, DynamoDbClient dynamo) {
            return RouterFunctions.route()
                    .PUT("/w/webflux/{id}", request -> Mono.fromFuture(() -> put(dynamoAsync, request.pathVariable("id")))
                            .then(ServerResponse.ok().bodyValue("ok")))
                    .PUT("/w/webflux-blocking/{id}", request -> MeridianReactive.fromCallable(() -> {
                        put(dynamo, request.pathVariable("id"));
                        return "ok";
                    }).subscribeOn(Schedulers.boundedElastic()).flatMap(body -> ServerResponse.ok().bodyValue(body)))
                    .PUT("/w/webflux-large-body/{id}", request -> Mono.fromFuture(() ->
                            put(dynamoAsync, request.pathVariable("id"))).then(ServerResponse.ok().bodyValue(LARGE_BODY)))
                    .GET("/r/webflux/{id}", request -> Mono.fromCallable(() -> {
                        get(dynamo, request.pathVariable("id"));
                        return "read";
                    }).subscribeOn(Schedulers.boundedElastic()).flatMap(body -> ServerResponse.ok().bodyValue(body)))
                    .build();
        }
    }
}
