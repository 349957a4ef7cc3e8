package dev.meridian.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.testkit.RequestJournal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.regions.Region;

/** The sample over real HTTP, on local DynamoDB regions and a local PostgreSQL primary with replicas. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"meridian.breaker.minimum-calls=2", "meridian.breaker.sliding-window-size=2",
                "meridian.breaker.wait-in-open=1h"})
@ExtendWith(OutputCaptureExtension.class)
class OrderServiceIT {
    private static final LocalSetup LOCAL;

    static {
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        LOCAL = LocalSetup.start();
    }

    private final HttpClient http = HttpClient.newHttpClient();
    @LocalServerPort
    private int port;
    @Autowired
    private MultiRegion meridian;
    @Autowired
    private DynamoDbIdempotencyStore idempotencyStore;

    @DynamicPropertySource
    static void localRegions(DynamicPropertyRegistry registry) {
        LOCAL.properties().forEach((k, v) -> registry.add(k, () -> v));
    }

    @AfterAll
    static void stop() {
        LOCAL.close();
    }

    @BeforeEach
    void clearJournals() {
        LOCAL.regions().journalsClear();
    }

    @AfterEach
    void heal() {
        LOCAL.regions().healAll();
        for (Region r : meridian.config().regionsByPriority()) {
            meridian.undrain(r);
        }
        meridian.resetHealth();
    }

    @Test
    void aRestrictedGermanOrderNeverReachesUsEast1WhereTheServiceRuns() throws Exception {
        HttpResponse<String> placed = post("/orders", "k-restricted", Map.of("X-Subject-Country", "DE",
                "X-Data-Class", "RESTRICTED"), "{\"item\":\"BK-1\",\"quantity\":1}");
        assertThat(placed.statusCode()).isEqualTo(201);
        HttpResponse<String> read = get("/orders/" + id(placed.body()), Map.of("X-Subject-Country", "DE",
                "X-Data-Class", "RESTRICTED"));
        assertThat(read.statusCode()).isIn(200, 404); // 404 while replication has not reached the reading region

        assertThat(LOCAL.regions().journal("us-east-1").entries()).as("nothing went to us-east-1").isEmpty();
        assertThat(orderPuts("eu-west-1") + orderPuts("eu-central-1")).isEqualTo(1);
    }

    @Test
    void theSameKeyTwiceRunsOnceEvenWhenTheRetryPrefersAnotherRegion() throws Exception {
        String body = "{\"item\":\"MUG-7\",\"quantity\":2}";
        HttpResponse<String> first = post("/orders", "k-twice", Map.of(), body);
        HttpResponse<String> retry = post("/orders", "k-twice", Map.of("X-Meridian-Region", "eu-central-1"), body);

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(id(retry.body())).isEqualTo(id(first.body()));
        assertThat(orderPuts("eu-west-1") + orderPuts("eu-central-1")).as("one order written").isEqualTo(1);
        assertThat(post("/orders", "k-twice", Map.of(), "{\"item\":\"MUG-7\",\"quantity\":3}").statusCode())
                .as("the key reused for another order").isEqualTo(422);
        assertThat(post("/orders", null, Map.of(), body).statusCode()).as("no key").isEqualTo(400);
    }

    @Test
    void thePreferredRegionHeaderSendsTheWriteThere() throws Exception {
        post("/orders", "k-sticky", Map.of("X-Meridian-Region", "eu-central-1"), "{\"item\":\"TEE-3\",\"quantity\":1}");
        assertThat(orderPuts("eu-central-1")).isEqualTo(1);
        assertThat(orderPuts("eu-west-1")).isZero();
        assertThat(post("/orders", "k-bad", Map.of("X-Meridian-Region", "mars-north-1"), "{}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void theReadOnlyCatalogueIsReadFromTheLocalReplica() throws Exception {
        HttpResponse<String> catalogue = get("/catalogue", Map.of());

        assertThat(catalogue.statusCode()).isEqualTo(200);
        assertThat(catalogue.body()).contains("Meridian mug").contains("\"replica\":true")
                .contains("\"port\":" + LOCAL.aurora().port("us-east-1"));
    }

    @Test
    void drainingARegionThroughTheActuatorMovesTheNextRequest() throws Exception {
        String key = keyHomedIn("eu-central-1");
        post("/orders", key + "-a", Map.of(), "{\"item\":\"BK-1\",\"quantity\":1}");
        assertThat(orderPuts("eu-west-1")).isEqualTo(1);

        HttpResponse<String> drained = http.send(HttpRequest.newBuilder(uri("/actuator/meridian/eu-west-1"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"action\":\"drain\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(drained.statusCode()).isEqualTo(200);
        assertThat(get("/actuator/meridian", Map.of()).body()).contains("\"drained\":true");

        post("/orders", key, Map.of(), "{\"item\":\"BK-1\",\"quantity\":1}");
        assertThat(orderPuts("eu-west-1")).as("nothing more to the drained region").isEqualTo(1);
        assertThat(orderPuts("eu-central-1")).isEqualTo(1);
    }

    @Test
    void healthIsUpButDegradedWhileOneRegionIsDown() throws Exception {
        LOCAL.regions().faults("eu-west-1").down();
        // Reads find out that the region is down: their refused attempts fail (the breaker's window), or, when a
        // hedge answers first, their losers go unanswered (suspect, then ejected by its trials). Which comes first
        // depends on the hedge delay, so read until the region is out, for at most 15 s.
        HttpResponse<String> health = get("/actuator/health", Map.of());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (int i = 0; !health.body().contains("\"degraded\":true") && System.nanoTime() - deadline < 0; i++) {
            get("/orders/missing-" + i, Map.of());
            health = get("/actuator/health", Map.of());
        }

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).endsWith("\"status\":\"UP\"}").contains("\"degraded\":true")
                .contains("\"unavailable\":[\"eu-west-1\"]");
    }

    /** README: "Meridian's refusals as problem+json (... residency 403 ...)": the orders table is EU-only. */
    @Test
    void aUsSubjectsRestrictedOrderIsRefusedWith403BeforeAnythingIsWritten() throws Exception {
        HttpResponse<String> refused = post("/orders", "k-us", Map.of("X-Subject-Country", "US",
                "X-Data-Class", "RESTRICTED"), "{\"item\":\"BK-1\",\"quantity\":1}");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        for (String region : List.of("eu-west-1", "eu-central-1", "us-east-1")) {
            assertThat(LOCAL.regions().journal(region).count("PutItem")).as(region).isZero();
        }
    }

    /** README: "... no region 503": a German subject's RESTRICTED order with both EU regions drained. */
    @Test
    void withBothEuRegionsDrainedAnOrderIs503AndNothingIsWritten() throws Exception {
        meridian.drain(Region.EU_WEST_1);
        meridian.drain(Region.EU_CENTRAL_1);

        HttpResponse<String> refused = post("/orders", "k-no-region", Map.of("X-Subject-Country", "DE",
                "X-Data-Class", "RESTRICTED"), "{\"item\":\"BK-1\",\"quantity\":1}");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        for (String region : List.of("eu-west-1", "eu-central-1", "us-east-1")) {
            assertThat(LOCAL.regions().journal(region).count("PutItem")).as(region).isZero();
        }
    }

    @Test
    void badPropertiesFailStartUpWithTheAnalyzersMessage(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(OrderServiceApplication.class)
                .properties(LOCAL.properties()).properties("server.port=0", "meridian.local-region=ap-south-1")
                .run().close()).isNotNull();
        assertThat(output).contains("Meridian cannot start: meridian.local-region must be one of the configured regions"
                + " [eu-west-1, eu-central-1, us-east-1], was 'ap-south-1'; ")
                .contains("Update meridian.local-region");
    }

    /** A key whose idempotency record lives in {@code region}, so draining the other region does not hold it. */
    private String keyHomedIn(String region) {
        for (int i = 0; ; i++) {
            String key = "k-drain-" + i;
            if (idempotencyStore.homeRegion(key).map(Region::id).orElse("").equals(region)
                    && idempotencyStore.homeRegion(key + "-a").map(Region::id).orElse("").equals(region)) {
                return key;
            }
        }
    }

    private static int orderPuts(String region) {
        RequestJournal journal = LOCAL.regions().journal(region);
        return (int) journal.entries().stream().filter(e -> e.operation().equals("PutItem")
                && e.table().orElse("").equals(Orders.TABLE)).count();
    }

    private static String id(String orderJson) {
        Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(orderJson);
        assertThat(m.find()).as(orderJson).isTrue();
        return m.group(1);
    }

    private HttpResponse<String> post(String path, String key, Map<String, String> headers, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
