package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

/**
 * A reactive application on a real HTTP server (Tomcat's reactive adapter) with the starter's WebFlux filter: a
 * malformed header is answered with the 400 problem, the request's context reaches the handler, and a DynamoDB async
 * call made through {@link MeridianReactive} on another thread is routed under it (DynamoDB Local's journals are the
 * witness) while the same call made without it is not.
 */
@LocalRegionsConfig
class ReactiveRoutingContextFilterIT {
    private static LocalRegions regions;
    private static ConfigurableApplicationContext app;
    private static WebTestClient http;

    @BeforeAll
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable("orders"));
        app = new SpringApplicationBuilder(ReactiveApp.class).web(WebApplicationType.REACTIVE)
                .properties("server.port=0", "meridian.regions=eu-west-1,eu-central-1,us-east-1",
                        "meridian.local-region=us-east-1",
                        "meridian.region.eu-west-1.endpoint=" + regions.endpoint("eu-west-1"),
                        "meridian.region.eu-central-1.endpoint=" + regions.endpoint("eu-central-1"),
                        "meridian.region.us-east-1.endpoint=" + regions.endpoint("us-east-1"),
                        "meridian.dynamodb.tables.orders.partition-key=pk",
                        "meridian.dynamodb.tables.orders.replica-regions=eu-west-1,eu-central-1")
                .run();
        String port = app.getEnvironment().getProperty("local.server.port");
        http = WebTestClient.bindToServer(new JdkClientHttpConnector()).baseUrl("http://localhost:" + port).build();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aMalformedHeaderIsAnsweredWithTheProblemAndTheHandlerDoesNotRun() {
        http.put().uri("/orders/o-0").header("X-Subject-Country", "DEU").header("X-Correlation-Id", "req-400")
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals("X-Correlation-Id", "req-400")
                .expectBody()
                .jsonPath("$.status").isEqualTo(400)
                .jsonPath("$.detail").isEqualTo("Header X-Subject-Country 'DEU' is not an ISO-3166 alpha-2 country"
                        + " code such as DE")
                .jsonPath("$.instance").isEqualTo("/orders/o-0");
        assertThat(regions.journal("eu-west-1").count("PutItem")).isZero();
        assertThat(regions.journal("eu-central-1").count("PutItem")).isZero();
    }

    @Test
    void theRequestsContextReachesTheHandler() {
        http.get().uri("/context").header("X-Subject-Country", "de").header("X-Data-Class", "RESTRICTED")
                .header("X-Correlation-Id", "req-7").header("Idempotency-Key", "\"k-1\"")
                .header("X-Meridian-Region", "eu-central-1")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("X-Correlation-Id", "req-7")
                .expectBody(String.class).isEqualTo("DE RESTRICTED req-7 k-1 eu-central-1");
        http.get().uri("/context").exchange().expectStatus().isOk()
                .expectHeader().value("X-Correlation-Id", id -> assertThat(id).isNotBlank())
                .expectBody(String.class).value(body -> assertThat(body).startsWith("- INTERNAL "));
    }

    @Test
    void anAsyncDynamoDbCallInTheHandlerIsRoutedUnderTheRequestsContext() {
        http.put().uri("/orders/o-1").header("X-Meridian-Region", "eu-central-1").exchange()
                .expectStatus().isNoContent();

        assertThat(regions.journal("eu-central-1").count("PutItem")).as("the session's region").isEqualTo(1);
        assertThat(regions.journal("eu-west-1").count("PutItem")).isZero();

        http.put().uri("/unscoped/orders/o-2").header("X-Meridian-Region", "eu-central-1").exchange()
                .expectStatus().isNoContent();

        assertThat(regions.journal("eu-central-1").count("PutItem")).as("without MeridianReactive").isEqualTo(1);
        assertThat(regions.journal("eu-west-1").count("PutItem")).isEqualTo(1);
        assertThat(regions.journal("us-east-1").count("PutItem")).isZero();
    }

    /** A reactive application with the application's own async client (wrapped by the starter) and three routes. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration({TomcatReactiveWebServerAutoConfiguration.class, HttpHandlerAutoConfiguration.class,
            WebFluxAutoConfiguration.class, CodecsAutoConfiguration.class, MeridianAutoConfiguration.class,
            MeridianDynamoDbAutoConfiguration.class, MeridianReactiveWebAutoConfiguration.class})
    static class ReactiveApp {
        @Bean
        DynamoDbAsyncClient appDynamoAsync() {
            return DynamoDbAsyncClient.builder().region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .build();
        }

        @Bean
        RouterFunction<ServerResponse> routes(DynamoDbAsyncClient dynamo) {
            return RouterFunctions.route()
                    .GET("/context", request -> MeridianReactive.routingContext().flatMap(c -> ServerResponse.ok()
                            .bodyValue(c.subjectCountry().orElse("-") + " " + c.dataClass() + " "
                                    + c.correlationId().orElse("-") + " " + c.idempotencyKey().orElse("-") + " "
                                    + c.preferredRegion().map(Region::id).orElse("-"))))
                    // The call is made on another thread than the request's: the Reactor context carries it there.
                    .PUT("/orders/{id}", request -> Mono.just(request.pathVariable("id"))
                            .publishOn(Schedulers.boundedElastic())
                            .flatMap(id -> MeridianReactive.fromFuture(() -> put(dynamo, id)))
                            .then(ServerResponse.noContent().build()))
                    .PUT("/unscoped/orders/{id}", request -> Mono.fromFuture(() -> put(dynamo, id(request)))
                            .then(ServerResponse.noContent().build()))
                    .build();
        }

        private static String id(ServerRequest request) {
            return request.pathVariable("id");
        }

        private static java.util.concurrent.CompletableFuture<PutItemResponse> put(DynamoDbAsyncClient dynamo,
                String id) {
            return dynamo.putItem(b -> b.tableName("orders").item(Map.of("pk", AttributeValue.fromS(id))));
        }
    }
}
