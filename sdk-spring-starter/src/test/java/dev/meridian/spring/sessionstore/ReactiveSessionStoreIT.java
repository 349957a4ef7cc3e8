package dev.meridian.spring.sessionstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import dev.meridian.spring.MeridianReactiveWebAutoConfiguration;
import dev.meridian.spring.MeridianSessionStoreAutoConfiguration;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
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
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The session store in a WebFlux application on a real HTTP server: Spring Session's {@code WebSession} is kept in the
 * DynamoDB table through the starter's reactive repository, under the request's routing context (the subject country
 * comes from the request header only), so RESTRICTED sessions of a German subject stay in the EU (the request
 * journals are the witness).
 */
@LocalRegionsConfig
class ReactiveSessionStoreIT {
    private static final String TABLE = "web-sessions";
    private static LocalRegions regions;
    private static ConfigurableApplicationContext app;
    private static WebTestClient http;

    @BeforeAll
    static void start() {
        regions.createGlobalTable(CreateTableRequest.builder().tableName(TABLE)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build()).build());
        app = new SpringApplicationBuilder(SessionApp.class).web(WebApplicationType.REACTIVE)
                .properties("server.port=0", "meridian.regions=eu-west-1,eu-central-1,us-east-1",
                        "meridian.local-region=eu-west-1",
                        "meridian.region.eu-west-1.endpoint=" + regions.endpoint("eu-west-1"),
                        "meridian.region.eu-central-1.endpoint=" + regions.endpoint("eu-central-1"),
                        "meridian.region.us-east-1.endpoint=" + regions.endpoint("us-east-1"),
                        "meridian.dynamodb.tables." + TABLE + ".partition-key=id",
                        "meridian.dynamodb.tables." + TABLE + ".replica-regions=eu-west-1,eu-central-1",
                        "meridian.session.enabled=true", "meridian.session.table-name=" + TABLE,
                        "meridian.session.data-class=RESTRICTED")
                .run();
        String port = app.getEnvironment().getProperty("local.server.port");
        // a loaded machine: the first request pays cold clients and DynamoDB Local start-up
        http = WebTestClient.bindToServer(new JdkClientHttpConnector()).baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(60)).build();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aWebFluxSessionIsStoredInTheTableUnderTheRequestsContext() {
        EntityExchangeResult<String> first = http.post().uri("/visits").header("X-Subject-Country", "DE").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult();
        assertThat(first.getResponseBody()).isEqualTo("1");
        ResponseCookie cookie = first.getResponseCookies().getFirst("SESSION");
        assertThat(cookie).as("Spring Session's cookie").isNotNull();
        String id = cookie.getValue();
        assertThat(id).startsWith("eu-west-1~");

        EntityExchangeResult<String> second = http.post().uri("/visits").header("X-Subject-Country", "DE")
                .cookie("SESSION", id).exchange().expectStatus().isOk().expectBody(String.class).returnResult();
        assertThat(second.getResponseBody()).as("second visit; Set-Cookie %s; items %s / %s",
                second.getResponseCookies(), item("eu-west-1", id), item("eu-central-1", id)).isEqualTo("2");

        Map<String, AttributeValue> item = regions.client("eu-west-1").getItem(g -> g.tableName(TABLE)
                .key(Map.of("id", AttributeValue.fromS(id))).consistentRead(true)).item();
        assertThat(item.get("version").n()).isEqualTo("2");
        assertThat(item.get("country").s()).as("the request's subject country").isEqualTo("DE");
        assertThat(regions.journal("us-east-1").entries()).as("no session request in us-east-1")
                .noneMatch(e -> e.table().filter(TABLE::equals).isPresent());
    }

    private static Map<String, AttributeValue> item(String region, String id) {
        return regions.client(region).getItem(g -> g.tableName(TABLE).key(Map.of("id", AttributeValue.fromS(id)))
                .consistentRead(true)).item();
    }

    /** A reactive application whose one route counts visits in the WebSession. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration({TomcatReactiveWebServerAutoConfiguration.class, HttpHandlerAutoConfiguration.class,
            WebFluxAutoConfiguration.class, CodecsAutoConfiguration.class, MeridianAutoConfiguration.class,
            MeridianDynamoDbAutoConfiguration.class, MeridianReactiveWebAutoConfiguration.class,
            MeridianSessionStoreAutoConfiguration.class})
    static class SessionApp {
        @Bean
        DynamoDbClient appDynamo() {
            return DynamoDbClient.builder().region(Region.EU_WEST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .build();
        }

        @Bean
        RouterFunction<ServerResponse> routes() {
            return RouterFunctions.route()
                    .POST("/visits", request -> request.session().flatMap(session -> {
                        Integer visits = (Integer) session.getAttributes().merge("n", 1,
                                (a, b) -> (Integer) a + (Integer) b);
                        return ServerResponse.ok().bodyValue(String.valueOf(visits));
                    }))
                    .build();
        }
    }
}
