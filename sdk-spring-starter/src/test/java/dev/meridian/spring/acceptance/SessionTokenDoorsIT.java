package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testkit.LocalRegions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Hooks;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * sdk-spring-starter/README.md, "Read-your-writes across services", <i>Returned after a write</i>: "Each DynamoDB
 * write a routed client makes under it records the region that acknowledged it ...; the response then carries
 * {@code Meridian-Session: 1:eu-west-1:18c3a0f2b4e0001} ... A request that wrote nothing gets no header. Servlet: set
 * when the body is about to be written; WebFlux: just before the response is committed", at every door of "Context
 * across threads" (the write made on the request thread, a {@code Callable}, a {@code WebAsyncTask}, a
 * {@code DeferredResult} completed on Boot's task executor, an {@code @Async} method, an async client's future, WebFlux
 * with the async client or a blocking call through {@code MeridianReactive}), with small bodies and bodies larger than
 * the response buffer. The token's region must be the region whose request journal holds the write.
 */
class SessionTokenDoorsIT {
    private static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    private static final Pattern TOKEN = Pattern.compile("1:([a-z0-9-]+):([0-9a-f]+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<ConfigurableApplicationContext> APPS = new ArrayList<>();
    private static LocalRegions regions;
    private static URI servlet;
    private static URI reactive;

    @BeforeAll
    static void startRegionsAndApps() {
        regions = LocalRegions.start(REGIONS.toArray(String[]::new));
        regions.createGlobalTable(CreateTableRequest.builder().tableName(TokenApps.TABLE)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()).build());
        servlet = app(TokenApps.Servlet.class, WebApplicationType.SERVLET);
        reactive = app(TokenApps.Reactive.class, WebApplicationType.REACTIVE);
    }

    @AfterAll
    static void stop() {
        APPS.forEach(ConfigurableApplicationContext::close);
        Hooks.disableAutomaticContextPropagation();
        if (regions != null) {
            regions.close();
        }
    }

    @BeforeEach
    void clearJournals() {
        regions.journalsClear();
    }

    private static URI app(Class<?> app, WebApplicationType type) {
        List<String> props = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
                "meridian.regions=" + String.join(",", REGIONS), "meridian.local-region=eu-west-1",
                "meridian.dynamodb.tables." + TokenApps.TABLE + ".partition-key=pk",
                "meridian.dynamodb.tables." + TokenApps.TABLE + ".replica-regions=" + String.join(",", REGIONS)));
        REGIONS.forEach(r -> props.add("meridian.region." + r + ".endpoint=" + regions.endpoint(r)));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(app).web(type)
                .properties(props.toArray(String[]::new)).run();
        APPS.add(context);
        return URI.create("http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort());
    }

    static Stream<Arguments> writeDoors() {
        List<Arguments> all = new ArrayList<>();
        for (String preferred : new String[] {"", "eu-central-1", "us-east-1"}) {
            for (String door : List.of("sync", "sync-large-body", "callable", "web-async-task", "deferred",
                    "async-method", "future")) {
                all.add(Arguments.of("servlet", door, preferred));
            }
            for (String door : List.of("webflux", "webflux-blocking", "webflux-large-body")) {
                all.add(Arguments.of("reactive", door, preferred));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} preferring [{2}]")
    @MethodSource("writeDoors")
    void aWriteAtEveryDoorReturnsTheTokenOfTheRegionThatAcknowledgedIt(String app, String door, String preferred)
            throws Exception {
        HttpResponse<String> response = send(app, "PUT", "/w/" + door + "/" + UUID.randomUUID(), preferred);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> written = REGIONS.stream().filter(r -> regions.journal(r).count("PutItem") > 0).toList();
        assertThat(written).as("regions that received the write").hasSize(1);
        Optional<String> token = response.headers().firstValue("Meridian-Session");
        assertThat(token).as("the Meridian-Session header").isPresent();
        Matcher m = TOKEN.matcher(token.get());
        assertThat(m.matches()).as(token.get()).isTrue();
        assertThat(m.group(1)).as("the token's region").isEqualTo(written.get(0));
        if (!preferred.isEmpty()) {
            assertThat(written).containsExactly(preferred);
        }
    }

    static Stream<Arguments> readDoors() {
        return Stream.of(Arguments.of("servlet", "sync"), Arguments.of("servlet", "callable"),
                Arguments.of("reactive", "webflux"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("readDoors")
    void aRequestThatWroteNothingGetsNoToken(String app, String door) throws Exception {
        HttpResponse<String> response = send(app, "GET", "/r/" + door + "/" + UUID.randomUUID(), "");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(REGIONS.stream().mapToLong(r -> regions.journal(r).count("GetItem")).sum()).isPositive();
        assertThat(response.headers().firstValue("Meridian-Session")).isEmpty();
    }

    private static HttpResponse<String> send(String app, String method, String path, String preferred)
            throws Exception {
        URI base = app.equals("servlet") ? servlet : reactive;
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (!preferred.isEmpty()) {
            b.header("X-Meridian-Region", preferred);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
