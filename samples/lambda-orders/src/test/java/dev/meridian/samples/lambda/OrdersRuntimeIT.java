package dev.meridian.samples.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.testkit.LambdaRuntimeApi;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.regions.Region;

/**
 * The orders function as Lambda runs it: a fresh JVM under the real AWS Lambda Java runtime interface client
 * (2.10.1, its native client included), polling the testkit's local Runtime API, with DynamoDB Local per region
 * behind fault proxies. The function is deployed in us-east-1; its tables live in the two EU regions.
 */
@LocalRegionsConfig
class OrdersRuntimeIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static LocalRegions regions;
    private static LambdaRuntimeApi runtimeApi;
    private static RuntimeProcess function;
    /** The same configuration in this JVM, only to ask where each idempotency key is homed. */
    private static Orders sameConfig;

    @BeforeAll
    static void start() {
        OrdersTestSupport.createTables(regions);
        Map<String, String> env = OrdersTestSupport.environment(regions, "us-east-1");
        sameConfig = Orders.fromEnvironment(env, new Properties());
        runtimeApi = LambdaRuntimeApi.start();
        function = RuntimeProcess.start("dev.meridian.samples.lambda.OrdersHandler::handleRequest",
                runtimeApi.address(), env, "orders-runtime");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {function, runtimeApi, sameConfig}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + " failed: " + e);
                }
            }
        }
    }

    @Test
    void aBurstWithDuplicateKeysRunsEachKeyOnceAndNeverReachesUsEast1() {
        List<String> keys = List.of("burst-a", "burst-b", "burst-c", "burst-d");
        Map<String, List<String>> requests = new LinkedHashMap<>();
        for (int round = 0; round < 3; round++) {
            for (String key : keys) {
                requests.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(runtimeApi.invoke(postEvent(key, "DE", "{\"item\":\"" + key + "\"}")));
            }
        }

        Set<String> orderIds = new HashSet<>();
        for (Map.Entry<String, List<String>> e : requests.entrySet()) {
            Set<String> idsOfKey = new HashSet<>();
            for (String requestId : e.getValue()) {
                JsonNode response = response(requestId);
                assertThat(response.field("statusCode").get().asNumber()).isEqualTo("201");
                idsOfKey.add(orderId(response));
            }
            assertThat(idsOfKey).as("order ids answered for key " + e.getKey()).hasSize(1);
            orderIds.addAll(idsOfKey);
        }
        assertThat(orderIds).hasSize(keys.size());
        assertThat(orderPuts("eu-west-1") + orderPuts("eu-central-1")).isEqualTo(keys.size());
        assertThat(regions.journal("us-east-1").isEmpty())
                .as("DE/RESTRICTED requests at us-east-1: " + regions.journal("us-east-1")).isTrue();
    }

    @Test
    void aRegionDownMidBurstFailsOver() {
        List<String> before = List.of(runtimeApi.invoke(postEvent("outage-1", "DE", "{}")),
                runtimeApi.invoke(postEvent("outage-2", "DE", "{}")));
        for (String id : before) {
            assertThat(response(id).field("statusCode").get().asNumber()).isEqualTo("201");
        }
        assertThat(orderPuts("eu-west-1")).as("orders go to eu-west-1 while it is up").isEqualTo(2);

        regions.faults("eu-west-1").down();
        regions.journalsClear();
        // Keys homed in eu-central-1: their claims stay there (STRICT), their orders fail over from eu-west-1.
        List<String> after = new ArrayList<>();
        for (int i = 0; after.size() < 3; i++) {
            String key = "outage-after-" + i;
            if (home(key).equals(Region.EU_CENTRAL_1)) {
                after.add(runtimeApi.invoke(postEvent(key, "DE", "{}")));
            }
        }
        for (String id : after) {
            JsonNode response = response(id);
            assertThat(response.field("statusCode").get().asNumber()).as(response.toString()).isEqualTo("201");
        }
        assertThat(orderPuts("eu-central-1")).as("orders written in eu-central-1 after the outage").isEqualTo(3);
        assertThat(orderPuts("eu-west-1")).as("orders written in eu-west-1 while it is down").isZero();
        assertThat(regions.journal("us-east-1").isEmpty()).isTrue();
    }

    @Test
    void aHandlerErrorIsReportedThroughTheErrorEndpointWithItsTypeAndMessage() {
        String id = runtimeApi.invoke(getEvent("x".repeat(3000), "DE"));

        LambdaRuntimeApi.Invocation failed = runtimeApi.await(id, WAIT);

        assertThat(failed.succeeded()).as(failed.body()).isFalse();
        JsonNode error = JsonNode.parser().parse(failed.body());
        assertThat(error.field("errorType").get().asString())
                .isEqualTo("software.amazon.awssdk.services.dynamodb.model.DynamoDbException");
        assertThat(error.field("errorMessage").get().asString())
                .contains("Hash primary key values must be under 2048 bytes").contains("Status Code: 400");
        assertThat(failed.errorType()).isNotBlank();
    }

    private static Region home(String key) {
        return ((DynamoDbIdempotencyStore) sameConfig.idempotency().store()).homeRegion(key).orElseThrow();
    }

    private static int orderPuts(String region) {
        return (int) regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals("PutItem") && !e.faulted()
                        && e.table().filter(Orders.DEFAULT_ORDERS_TABLE::equals).isPresent())
                .count();
    }

    private static JsonNode response(String requestId) {
        LambdaRuntimeApi.Invocation invocation;
        try {
            invocation = runtimeApi.await(requestId, WAIT);
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage() + "\nfunction output:\n" + function.output(), e);
        }
        assertThat(invocation.succeeded()).as(invocation.body() + "\nfunction output:\n" + function.output()).isTrue();
        return JsonNode.parser().parse(invocation.body());
    }

    private static String orderId(JsonNode response) {
        String body = response.field("body").get().asString();
        return JsonNode.parser().parse(body).field("orderId").get().asString();
    }

    static String postEvent(String key, String country, String body) {
        return event("POST", "/orders", country, "\"idempotency-key\":" + Json.quote(key) + ',', body, key);
    }

    static String getEvent(String orderId, String country) {
        return event("GET", "/orders/" + orderId, country, "", null, "get");
    }

    private static String event(String method, String path, String country, String extraHeaders, String body,
            String requestId) {
        return "{\"version\":\"2.0\",\"routeKey\":" + Json.quote(method + ' ' + path) + ",\"rawPath\":"
                + Json.quote(path) + ",\"rawQueryString\":\"\",\"headers\":{" + extraHeaders
                + "\"content-type\":\"application/json\"},\"requestContext\":{\"accountId\":\"000000000000\","
                + "\"apiId\":\"local\",\"domainName\":\"local\",\"requestId\":" + Json.quote("req-" + requestId)
                + ",\"routeKey\":" + Json.quote(method + ' ' + path) + ",\"stage\":\"$default\",\"timeEpoch\":0,"
                + "\"http\":{\"method\":" + Json.quote(method) + ",\"path\":" + Json.quote(path)
                + ",\"protocol\":\"HTTP/1.1\",\"sourceIp\":\"127.0.0.1\",\"userAgent\":\"test\"},"
                + "\"authorizer\":{\"jwt\":{\"claims\":{\"sub\":\"user-1\",\"country\":" + Json.quote(country)
                + "},\"scopes\":null}}},"
                + (body == null ? "" : "\"body\":" + Json.quote(body) + ',') + "\"isBase64Encoded\":false}";
    }
}
