package dev.meridian.spring.doors;

import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianContextPropagationAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import dev.meridian.spring.MeridianReactiveWebAutoConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.annotation.Bean;
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

/**
 * A WebFlux application on Tomcat's reactive adapter with the application's own clients (wrapped by the starter) and
 * the {@link Door#WEBFLUX} endpoints: the write is made on another scheduler with the plain async client, the read
 * on another scheduler with the client its shape needs, no {@code MeridianReactive}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({TomcatReactiveWebServerAutoConfiguration.class, HttpHandlerAutoConfiguration.class,
        WebFluxAutoConfiguration.class, CodecsAutoConfiguration.class, MeridianAutoConfiguration.class,
        MeridianDynamoDbAutoConfiguration.class, MeridianReactiveWebAutoConfiguration.class,
        MeridianContextPropagationAutoConfiguration.class})
public class ReactiveDoorsApp {
    @Bean
    DynamoDbAsyncClient appDynamoAsync() {
        return DynamoDbAsyncClient.builder().region(Region.US_EAST_1).credentialsProvider(local()).build();
    }

    /** For the reads' synchronous shapes, made on the bounded-elastic scheduler. */
    @Bean
    DynamoDbClient appDynamo() {
        return DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(local()).build();
    }

    private static StaticCredentialsProvider local() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }

    @Bean
    RouterFunction<ServerResponse> doors(DynamoDbAsyncClient dynamoAsync, DynamoDbClient dynamo) {
        return RouterFunctions.route()
                .PUT("/doors/webflux/{table}/{id}", request -> Mono.just(request.pathVariable("id"))
                        .publishOn(Schedulers.boundedElastic())
                        .flatMap(id -> Mono.fromFuture(DoorWrites.put(dynamoAsync, request.pathVariable("table"), id)))
                        .then(ServerResponse.noContent().build())
                        .onErrorResume(e -> {
                            var failed = DoorWrites.failed(e);
                            return ServerResponse.status(failed.getStatusCode()).bodyValue(failed.getBody());
                        }))
                .GET("/doors/webflux/{table}/{id}", request -> Mono.just(request.pathVariable("id"))
                        .publishOn(Schedulers.boundedElastic())
                        .flatMap(id -> Mono.fromFuture(DoorReads.readAsync(dynamo, dynamoAsync,
                                DoorReads.Shape.valueOf(request.queryParam("shape").orElseThrow()),
                                request.pathVariable("table"), id)))
                        .flatMap(o -> {
                            var answer = DoorReads.answer(o);
                            return ServerResponse.status(answer.getStatusCode())
                                    .headers(h -> h.addAll(answer.getHeaders())).bodyValue(answer.getBody());
                        })
                        .onErrorResume(e -> {
                            var failed = DoorWrites.failed(e);
                            return ServerResponse.status(failed.getStatusCode()).bodyValue(failed.getBody());
                        }))
                .build();
    }
}
