package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.spring.acceptance.ShapesApp.Shape;
import dev.meridian.testkit.LocalRegions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * sdk-spring-starter/README.md, "Adoption in five lines" ("the application's {@code DynamoDbClient} bean (or one the
 * starter provides) routes every call under residency ...; each HTTP request ... runs under a {@code RoutingContext}
 * taken from its headers") and "Requests without routing headers are calls without a context", on three local
 * regions. The service runs in us-east-1 (its local region, where a call without a context goes first). Witness: the
 * regions' request journals.
 */
class RoutedCallShapesIT {
    private static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    private static final List<String> EU = List.of("eu-west-1", "eu-central-1");
    /** Replicated to the two EU regions; no table default data class. */
    private static final String ORDERS = "orders";
    /** Replicated to all three regions; no table default data class. */
    private static final String NOTES = "notes";
    /** Replicated to all three regions; {@code default-data-class=RESTRICTED}. */
    private static final String LEDGER = "ledger";
    private static final List<String> TABLES = List.of(ORDERS, NOTES, LEDGER);
    /**
     * Legal DynamoDB table names ({@code [a-zA-Z0-9_.-]}) configured as map keys of {@code meridian.dynamodb.tables}:
     * the first three in the README's plain form {@code meridian.dynamodb.tables.<name>.*}, the others in Spring's
     * bracket form {@code meridian.dynamodb.tables[<name>].*} (a dot cannot be written otherwise). Each replicates to
     * the EU only.
     */
    private static final List<String> PLAIN_NAMED = List.of("Orders_Archive", "orders-eu", "ORDERS2");
    private static final List<String> BRACKET_NAMED = List.of("orders.eu", "Carts_Archive");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalRegions regions;
    private static final List<ConfigurableApplicationContext> APPS = new ArrayList<>();
    private static URI plain;
    private static URI requiring;

    /**
     * The starter's own client takes the default credential chain, as against AWS; DynamoDB Local takes any static
     * key, given here the way a developer would: the SDK's system properties, removed again after the class.
     */
    @BeforeAll
    static void startRegionsAndApps() {
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        regions = LocalRegions.start(REGIONS.toArray(String[]::new));
        for (String table : Stream.of(TABLES, PLAIN_NAMED, BRACKET_NAMED).flatMap(List::stream).toList()) {
            regions.createGlobalTable(CreateTableRequest.builder().tableName(table)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                    .build());
        }
        plain = app();
        requiring = app("meridian.require-context=true", "meridian.default-data-class=RESTRICTED");
    }

    @AfterAll
    static void stop() {
        APPS.forEach(ConfigurableApplicationContext::close);
        if (regions != null) {
            regions.close();
        }
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    @BeforeEach
    void clearJournals() {
        regions.journalsClear();
    }

    private static URI app(String... extra) {
        List<String> props = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
                "meridian.regions=" + String.join(",", REGIONS), "meridian.local-region=us-east-1"));
        for (String table : TABLES) {
            props.add("meridian.dynamodb.tables." + table + ".partition-key=pk");
            props.add("meridian.dynamodb.tables." + table + ".replica-regions="
                    + String.join(",", table.equals(ORDERS) ? EU : REGIONS));
        }
        props.add("meridian.dynamodb.tables." + LEDGER + ".default-data-class=RESTRICTED");
        for (String table : PLAIN_NAMED) {
            props.add("meridian.dynamodb.tables." + table + ".partition-key=pk");
            props.add("meridian.dynamodb.tables." + table + ".replica-regions=" + String.join(",", EU));
        }
        for (String table : BRACKET_NAMED) {
            props.add("meridian.dynamodb.tables[" + table + "].partition-key=pk");
            props.add("meridian.dynamodb.tables[" + table + "].replica-regions=" + String.join(",", EU));
        }
        REGIONS.forEach(r -> props.add("meridian.region." + r + ".endpoint=" + regions.endpoint(r)));
        props.addAll(List.of(extra));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ShapesApp.class)
                .web(WebApplicationType.SERVLET).properties(props.toArray(String[]::new)).run();
        APPS.add(context);
        return URI.create("http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort());
    }

    private static HttpResponse<String> call(URI app, Shape shape, String table, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(app.resolve("/shapes/" + shape + "/" + table + "/"
                + UUID.randomUUID())).POST(HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long count(String region, String operation) {
        return regions.journal(region).count(operation);
    }

    private static long total(String operation) {
        return REGIONS.stream().mapToLong(r -> count(r, operation)).sum();
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void everyCallShapeOfAGermanSubjectsRestrictedRequestStaysInTheEu(Shape shape) throws Exception {
        HttpResponse<String> response = call(plain, shape, ORDERS,
                Map.of("X-Subject-Country", "DE", "X-Data-Class", "RESTRICTED"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(regions.journal("us-east-1").entries()).as("requests in us-east-1").isEmpty();
        for (String operation : shape.operations()) {
            assertThat(EU.stream().mapToLong(r -> count(r, operation)).sum()).as(operation).isPositive();
        }
    }

    /** "a table replicating outside it is refused": RESTRICTED data is not put where replication carries it out. */
    @ParameterizedTest
    @EnumSource(Shape.class)
    void everyCallShapeOfAGermanSubjectsRestrictedRequestIsRefusedOnATableReplicatedToTheUs(Shape shape)
            throws Exception {
        HttpResponse<String> response = call(plain, shape, NOTES,
                Map.of("X-Subject-Country", "DE", "X-Data-Class", "RESTRICTED"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        REGIONS.forEach(r -> assertThat(regions.journal(r).entries()).as(r).isEmpty());
    }

    /** "name the resolved table in {@code meridian.dynamodb.tables.<name>.*}": whatever characters the name has. */
    @ParameterizedTest
    @ValueSource(strings = {"Orders_Archive", "orders-eu", "ORDERS2", "orders.eu",
        "Carts_Archive"})
    void aTablesSettingsApplyWhateverCharactersItsNameHas(String table) throws Exception {
        for (Shape shape : List.of(Shape.PUT_ITEM, Shape.GET_ITEM, Shape.ASYNC_PUT_THEN_UPDATE)) {
            HttpResponse<String> response = call(plain, shape, table,
                    Map.of("X-Subject-Country", "DE", "X-Data-Class", "RESTRICTED"));
            assertThat(response.statusCode()).as("%s on %s: %s", shape, table, response.body()).isEqualTo(200);
        }
        assertThat(regions.journal("us-east-1").entries()).isEmpty();
        assertThat(EU.stream().flatMap(r -> regions.journal(r).entries().stream()).map(e -> e.table().orElse("?")))
                .isNotEmpty().containsOnly(table);
    }

    /**
     * "A request with the header runs under {@code RoutingSession.after(token)}. A DynamoDB read under it is served
     * only where the write is visible: ... else the written region ... When the router holds none of them available
     * (the written region drained or its breaker open ...), the read waits up to {@code sessionReadWait} (default
     * 2 s) and is then refused with {@code SessionWriteNotVisibleException} (a {@code NoRegionAvailableException}:
     * answer 503). A region among them that is still tried and fails (down, its breaker not yet open) ends the read
     * with that region's own failure ... Either way: never a stale answer." No replication-lag probe here, so every
     * read shape goes to the written region (eu-west-1), never to the local us-east-1; with eu-west-1 drained, 503;
     * down, its own failure (500 here) or, once its breaker opened, 503; nothing read elsewhere.
     */
    @Test
    void aSessionTokensReadsOfEveryShapeGoToTheWrittenRegionOrAreRefused() throws Exception {
        List<Shape> reads = List.of(Shape.GET_ITEM, Shape.BATCH_GET_ITEM, Shape.QUERY_PAGINATOR, Shape.SCAN_PAGINATOR,
                Shape.TRANSACT_GET_ITEMS, Shape.PARTIQL_SELECT, Shape.ENHANCED_GET, Shape.ASYNC_QUERY_PAGINATOR,
                Shape.ASYNC_GET_THEN_GET_ASYNC);
        List<Shape> refused = List.of(Shape.GET_ITEM, Shape.QUERY_PAGINATOR, Shape.ASYNC_GET_THEN_GET_ASYNC);
        Map<String, String> headers = Map.of("X-Data-Class", "PUBLIC",
                "Meridian-Session", "1:eu-west-1:" + Long.toHexString(System.currentTimeMillis() << 16));
        for (Shape shape : reads) {
            regions.journalsClear();
            HttpResponse<String> response = call(plain, shape, NOTES, headers);
            assertThat(response.statusCode()).as("%s: %s", shape, response.body()).isEqualTo(200);
            for (String operation : shape.operations()) {
                assertThat(count("eu-west-1", operation)).as("%s in eu-west-1", shape).isPositive();
                assertThat(count("eu-central-1", operation) + count("us-east-1", operation)).as(shape.name())
                        .isZero();
            }
        }
        MultiRegion runtime = APPS.get(0).getBean(MultiRegion.class);
        runtime.drain(Region.EU_WEST_1);
        try {
            for (Shape shape : refused) {
                regions.journalsClear();
                HttpResponse<String> response = call(plain, shape, NOTES, headers);
                assertThat(response.statusCode()).as("drained, %s: %s", shape, response.body()).isEqualTo(503);
                REGIONS.forEach(r -> assertThat(regions.journal(r).entries()).as("%s: %s", shape, r).isEmpty());
            }
        } finally {
            runtime.undrain(Region.EU_WEST_1);
        }
        regions.faults("eu-west-1").down();
        try {
            for (Shape shape : refused) {
                regions.journalsClear();
                HttpResponse<String> response = call(plain, shape, NOTES, headers);
                assertThat(response.statusCode()).as("down, %s: %s", shape, response.body()).isIn(500, 503);
                assertThat(regions.journal("eu-central-1").entries()).as(shape.name()).isEmpty();
                assertThat(regions.journal("us-east-1").entries()).as(shape.name()).isEmpty();
            }
        } finally {
            regions.faults("eu-west-1").heal();
            runtime.resetHealth();
        }
    }

    /**
     * {@code X-Meridian-Region}: "tried first when residency and health allow, skipped (never forced) when it is
     * drained, open or outside the data's residency".
     */
    @Test
    void thePreferredRegionIsTriedFirstAndSkippedWhenDrainedOrOutsideResidency() throws Exception {
        Map<String, String> german = Map.of("X-Subject-Country", "DE", "X-Data-Class", "RESTRICTED");
        for (String preferred : EU) {
            regions.journalsClear();
            Map<String, String> headers = new HashMap<>(german);
            headers.put("X-Meridian-Region", preferred);
            assertThat(call(plain, Shape.PUT_ITEM, ORDERS, headers).statusCode()).isEqualTo(200);
            assertThat(count(preferred, "PutItem")).as("tried first: %s", preferred).isEqualTo(1);
        }

        regions.journalsClear();
        Map<String, String> us = new HashMap<>(german);
        us.put("X-Meridian-Region", "us-east-1");
        for (Shape shape : List.of(Shape.PUT_ITEM, Shape.GET_ITEM, Shape.QUERY_PAGINATOR)) {
            assertThat(call(plain, shape, ORDERS, us).statusCode()).as("outside residency: skipped, %s", shape)
                    .isEqualTo(200);
        }
        assertThat(regions.journal("us-east-1").entries()).isEmpty();

        MultiRegion runtime = APPS.get(0).getBean(MultiRegion.class);
        runtime.drain(Region.EU_CENTRAL_1);
        try {
            regions.journalsClear();
            Map<String, String> drained = new HashMap<>(german);
            drained.put("X-Meridian-Region", "eu-central-1");
            assertThat(call(plain, Shape.PUT_ITEM, ORDERS, drained).statusCode()).isEqualTo(200);
            assertThat(count("eu-west-1", "PutItem")).as("drained: skipped").isEqualTo(1);
            assertThat(count("eu-central-1", "PutItem")).isZero();
        } finally {
            runtime.undrain(Region.EU_CENTRAL_1);
        }
    }

    @Test
    void aSubjectCountryWithoutADataClassTakesTheTablesDefaultElseInternal() throws Exception {
        HttpResponse<String> ledger = call(plain, Shape.PUT_ITEM, LEDGER, Map.of("X-Subject-Country", "DE"));
        assertThat(ledger.statusCode()).as("RESTRICTED by the table's default: %s", ledger.body()).isEqualTo(403);
        assertThat(total("PutItem")).isZero();

        HttpResponse<String> notes = call(plain, Shape.PUT_ITEM, NOTES, Map.of("X-Subject-Country", "DE"));
        assertThat(notes.statusCode()).as(notes.body()).isEqualTo(200);
        assertThat(count("us-east-1", "PutItem")).as("INTERNAL: written in the local region").isEqualTo(1);
    }

    @Test
    void aHeaderlessRequestToATableDefaultingToRestrictedIsRefusedBeforeAnythingIsWritten() throws Exception {
        for (Shape shape : List.of(Shape.PUT_ITEM, Shape.ASYNC_PUT_THEN_UPDATE, Shape.BATCH_WRITE_ITEM)) {
            HttpResponse<String> response = call(plain, shape, LEDGER, Map.of("X-Correlation-Id", "no-headers"));
            assertThat(response.statusCode()).as("%s: %s", shape, response.body()).isEqualTo(403);
        }
        REGIONS.forEach(r -> assertThat(regions.journal(r).entries()).as(r).isEmpty());
    }

    @Test
    void requireContextRefusesHeaderlessRequestsAndAcceptsASubjectAlone() throws Exception {
        for (Shape shape : List.of(Shape.PUT_ITEM, Shape.GET_ITEM, Shape.ASYNC_PUT_THEN_UPDATE, Shape.QUERY_PAGINATOR)) {
            HttpResponse<String> response = call(requiring, shape, ORDERS,
                    Map.of("Idempotency-Key", "\"k-1\"", "X-Meridian-Region", "eu-west-1"));
            assertThat(response.statusCode()).as("%s: %s", shape, response.body()).isEqualTo(403);
        }
        REGIONS.forEach(r -> assertThat(regions.journal(r).entries()).as(r).isEmpty());

        // Declared by its subject, so accepted; its class is meridian.default-data-class (RESTRICTED): the EU only,
        // and refused on the table replicated to the US, which takes it as INTERNAL in the other application.
        HttpResponse<String> subject = call(requiring, Shape.PUT_ITEM, ORDERS, Map.of("X-Subject-Country", "DE"));
        assertThat(subject.statusCode()).as(subject.body()).isEqualTo(200);
        assertThat(count("us-east-1", "PutItem")).isZero();
        assertThat(total("PutItem")).isEqualTo(1);
        HttpResponse<String> notes = call(requiring, Shape.PUT_ITEM, NOTES, Map.of("X-Subject-Country", "DE"));
        assertThat(notes.statusCode()).as(notes.body()).isEqualTo(403);
        assertThat(total("PutItem")).isEqualTo(1);
    }
}
