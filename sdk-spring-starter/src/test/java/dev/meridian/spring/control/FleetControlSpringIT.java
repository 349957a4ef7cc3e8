package dev.meridian.spring.control;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.meridian.core.control.ControlState;
import dev.meridian.dynamodb.control.ControlTable;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RequestJournal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code meridian.control.source=table|arc} end to end: a real Spring Boot application on a real HTTP port, its
 * control built from properties only, serving reads over {@link LocalRegions}. The control flips (a control-table
 * write; an ARC routing control on a WireMock cluster endpoint speaking ARC's JSON), the application stops sending to
 * the drained region, {@code /actuator/meridian} and {@code /actuator/health} show the source, the age of the last
 * good read and each region's state; then the source goes dark and the application keeps the last state (fail
 * static) and shows the outage. With {@code source=arc} and {@code mirror=true} the application holds its region's
 * mirror lease and copies ARC's state into the control table.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class FleetControlSpringIT {
    private static final String TABLE = "spring-control";
    private static final String ARN_WEST = "arn:aws:route53-recovery-control::111122223333:controlpanel/p/routingcontrol/w";
    private static final String ARN_CENTRAL = "arn:aws:route53-recovery-control::111122223333:controlpanel/p/routingcontrol/c";
    private static final String ARC_JSON = "application/x-amz-json-1.0";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static LocalRegions regions;
    private final List<ConfigurableApplicationContext> apps = new ArrayList<>();
    private WireMockServer arc;

    @BeforeAll
    static void start() {
        // The control sources' clients take the SDK's default credentials: DynamoDB Local keeps one database per key.
        System.setProperty("aws.accessKeyId", "meridiantestkit");
        System.setProperty("aws.secretAccessKey", "meridiantestkit");
        for (String table : List.of(FleetControlApp.ORDERS, TABLE)) {
            regions.createGlobalTable(LocalRegions.pkTable(table));
        }
        regions.client("eu-west-1").putItem(p -> p.tableName(FleetControlApp.ORDERS).item(Map.of(
                "pk", AttributeValue.fromS("o-1"), "v", AttributeValue.fromN("7"))));
        regions.awaitReplication();
        FleetControlApp.regions = regions;
    }

    @BeforeEach
    void arcEndpoint() {
        arc = new WireMockServer(options().dynamicPort());
        arc.start();
        routingControl(ARN_WEST, "On");
        routingControl(ARN_CENTRAL, "On");
    }

    @AfterEach
    void close() {
        apps.forEach(ConfigurableApplicationContext::close);
        arc.stop();
        regions.healAll();
        // every control item (region items, the mirror's lease) goes: each test starts without control state
        regions.client("eu-west-1").scanPaginator(s -> s.tableName(TABLE).consistentRead(true)).items()
                .forEach(item -> regions.client("eu-west-1").deleteItem(d -> d.tableName(TABLE)
                        .key(Map.of(ControlTable.PK, item.get(ControlTable.PK)))));
        regions.awaitReplication();
    }

    @Test
    void tableSourceDrainsTheRegionShowsItAndFailsStaticWhenTheTableIsDark() throws Exception {
        String app = app("meridian.control.source=table", "meridian.control.table-name=" + TABLE);
        awaitControl(app, "table", "ON");
        new ControlTable(TABLE).write(regions.client("eu-west-1"), Region.EU_WEST_1, ControlState.OFF, null, "test", 0,
                Instant.now());

        JsonNode control = awaitControl(app, "table", "OFF");
        assertThat(control.path("outage").asBoolean()).isFalse();
        assertThat(control.path("lastGoodReadAgeMillis").isNumber()).isTrue();
        assertThat(control.path("regions").path("eu-central-1").path("state").asString()).isEqualTo("ON");
        assertNoReadReachesEuWest(app);
        assertThat(healthControl(app).path("regions").path("eu-west-1").path("state").asString()).isEqualTo("OFF");

        for (String region : List.of("eu-west-1", "eu-central-1")) {
            regions.faults(region).only("BatchGetItem").status(503);
        }
        JsonNode dark = awaitOutage(app);
        assertThat(dark.path("source").asString()).isEqualTo("table");
        assertThat(dark.path("regions").path("eu-west-1").path("state").asString()).as("fail static").isEqualTo("OFF");
        assertThat(dark.path("lastFailure").asString()).isNotEmpty();
        assertNoReadReachesEuWest(app);
    }

    @Test
    void arcSourceDrainsTheRegionShowsItAndFailsStaticWhenArcIsDark() throws Exception {
        String app = app("meridian.control.source=arc", "meridian.control.arc.timeout=500ms",
                "meridian.control.arc.endpoints.eu-west-1=http://localhost:" + arc.port() + "/v1",
                "meridian.control.arc.controls.eu-west-1=" + ARN_WEST,
                "meridian.control.arc.controls.eu-central-1=" + ARN_CENTRAL);
        awaitControl(app, "arc", "ON");
        routingControl(ARN_WEST, "Off");

        JsonNode control = awaitControl(app, "arc", "OFF");
        assertThat(control.path("outage").asBoolean()).isFalse();
        assertThat(control.path("lastGoodReadAgeMillis").isNumber()).isTrue();
        assertNoReadReachesEuWest(app);
        assertThat(healthControl(app).path("source").asString()).isEqualTo("arc");

        arc.stop();
        JsonNode dark = awaitOutage(app);
        assertThat(dark.path("regions").path("eu-west-1").path("state").asString()).as("fail static").isEqualTo("OFF");
        assertNoReadReachesEuWest(app);
    }

    @Test
    void arcWithMirrorCopiesArcIntoTheTableAndReadsIt() throws Exception {
        String app = app("meridian.control.source=arc", "meridian.control.mirror=true",
                "meridian.control.mirror-lease=3s", "meridian.control.table-name=" + TABLE,
                "meridian.control.arc.timeout=500ms",
                "meridian.control.arc.endpoints.eu-west-1=http://localhost:" + arc.port() + "/v1",
                "meridian.control.arc.controls.eu-west-1=" + ARN_WEST,
                "meridian.control.arc.controls.eu-central-1=" + ARN_CENTRAL);
        awaitControl(app, "mirror", "ON");
        routingControl(ARN_WEST, "Off");

        awaitControl(app, "mirror", "OFF");
        assertNoReadReachesEuWest(app);
        Map<String, AttributeValue> item = regions.client("eu-west-1").getItem(g -> g.tableName(TABLE)
                .consistentRead(true).key(Map.of(ControlTable.PK,
                        AttributeValue.fromS(ControlTable.regionKey(Region.EU_WEST_1))))).item();
        assertThat(item.get("state").s()).as("the lease holder copied ARC's state into the table").isEqualTo("OFF");
        assertThat(item.get("updatedBy").s()).startsWith("mirror:arc:eu-west-1/");
    }

    /** Twenty reads through the application: every one answered, none sent to eu-west-1. */
    private static void assertNoReadReachesEuWest(String app) throws Exception {
        RequestJournal west = regions.journal("eu-west-1");
        long before = orderReads(west);
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = get(app + "/orders/o-1");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("7");
        }
        assertThat(orderReads(west)).as("reads sent to the drained region").isEqualTo(before);
    }

    private static long orderReads(RequestJournal journal) {
        return journal.entries().stream().filter(e -> e.operation().equals("GetItem")
                && e.table().filter(FleetControlApp.ORDERS::equals).isPresent()).count();
    }

    /** Waits until {@code /actuator/meridian} shows the source with eu-west-1 in {@code state}; its control view. */
    private static JsonNode awaitControl(String app, String source, String state) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> endpointControl(app),
                c -> c.path("source").asString().equals(source)
                        && c.path("regions").path("eu-west-1").path("state").asString().equals(state)
                        && c.path("lastGoodReadAgeMillis").isNumber());
    }

    private static JsonNode awaitOutage(String app) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> healthControl(app),
                c -> c.path("outage").asBoolean());
    }

    private static JsonNode endpointControl(String app) throws Exception {
        HttpResponse<String> r = get(app + "/actuator/meridian");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("control");
    }

    private static JsonNode healthControl(String app) throws Exception {
        HttpResponse<String> r = get(app + "/actuator/health");
        return JSON.readTree(r.body()).path("components").path("meridian").path("details").path("control");
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** ARC's answer for a routing control from now on (the newest stub wins). */
    private void routingControl(String arn, String state) {
        arc.stubFor(post(urlPathMatching("/v1/?"))
                .withHeader("X-Amz-Target", equalTo("ToggleCustomerAPI.GetRoutingControlState"))
                .withRequestBody(matchingJsonPath("$.RoutingControlArn", equalTo(arn)))
                .willReturn(aResponse().withHeader("Content-Type", ARC_JSON).withBody("{\"RoutingControlArn\":\""
                        + arn + "\",\"RoutingControlName\":\"n\",\"RoutingControlState\":\"" + state + "\"}")));
    }

    private String app(String... control) {
        List<String> props = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
                "meridian.regions=eu-west-1,eu-central-1", "meridian.local-region=eu-west-1",
                "meridian.region.eu-west-1.endpoint=" + regions.endpoint("eu-west-1"),
                "meridian.region.eu-central-1.endpoint=" + regions.endpoint("eu-central-1"),
                "meridian.hedge.mode=off", "meridian.control.poll-interval=1s",
                "management.endpoints.web.exposure.include=meridian,health",
                "management.endpoint.health.show-details=always"));
        props.addAll(List.of(control));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(FleetControlApp.class)
                .web(WebApplicationType.SERVLET).properties(props.toArray(String[]::new)).run();
        apps.add(ctx);
        return "http://localhost:" + ctx.getEnvironment().getProperty("local.server.port");
    }
}
