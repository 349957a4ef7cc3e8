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

/**
 * A WebFlux application on Tomcat's reactive adapter with the application's own async client (wrapped by the
 * starter) and the {@link Door#WEBFLUX} endpoint: the write is made on another scheduler with the plain async client,
 * no {@code MeridianReactive}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({TomcatReactiveWebServerAutoConfiguration.class, HttpHandlerAutoConfiguration.class,
        WebFluxAutoConfiguration.class, CodecsAutoConfiguration.class, MeridianAutoConfiguration.class,
        MeridianDynamoDbAutoConfiguration.class, MeridianReactiveWebAutoConfiguration.class,
        MeridianContextPropagationAutoConfiguration.class})
public class ReactiveDoorsApp {
    @Bean
    DynamoDbAsyncClient appDynamoAsync() {
        return DynamoDbAsyncClient.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    @Bean
    RouterFunction<ServerResponse> doors(DynamoDbAsyncClient dynamo) {
        return RouterFunctions.route()
                .PUT("/doors/webflux/{table}/{id}", request -> Mono.just(request.pathVariable("id"))
                        .publishOn(Schedulers.boundedElastic())
                        .flatMap(id -> Mono.fromFuture(DoorWrites.put(dynamo, request.pathVariable("table"), id)))
                        .then(ServerResponse.noContent().build())
                        .onErrorResume(e -> {
                            var failed = DoorWrites.failed(e);
                            return ServerResponse.status(failed.getStatusCode()).bodyValue(failed.getBody());
                        }))
                .build();
    }
}
