package dev.meridian.spring.doors;

import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RegionFaults;
import dev.meridian.testkit.RequestJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Hooks;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Three local regions (eu-west-1, eu-central-1, us-east-1; the local region is us-east-1, so a call that lost its
 * context goes there first) and the door applications over them, started with any extra {@code meridian.*}
 * properties. The request journals are the witness of which region received each write. Tables:
 * <ul>
 *   <li>{@value #TABLE}: replicated to all three regions, so residency alone keeps EU data out of us-east-1;</li>
 *   <li>{@value #EU_TABLE}: replicated to the two EU regions;</li>
 *   <li>{@value #DEFAULTED_TABLE}: replicated to all three, with a table default data class of RESTRICTED.</li>
 * </ul>
 * Close it after the tests: it closes every application it started and turns Reactor's global automatic context
 * propagation (which the starter turns on) off again for the other tests of the JVM.
 */
public final class DoorsFixture implements AutoCloseable {
    public static final String TABLE = "orders";
    public static final String EU_TABLE = "eu_orders";
    public static final String DEFAULTED_TABLE = "ledger";
    public static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    public static final List<String> EU = List.of("eu-west-1", "eu-central-1");

    private final LocalRegions regions;
    private final List<ConfigurableApplicationContext> apps = new ArrayList<>();

    private DoorsFixture(LocalRegions regions) {
        this.regions = regions;
    }

    /** Starts the local regions and creates the tables. */
    public static DoorsFixture start() {
        DoorsFixture f = new DoorsFixture(LocalRegions.start(REGIONS.toArray(String[]::new)));
        for (String table : List.of(TABLE, EU_TABLE, DEFAULTED_TABLE)) {
            f.regions.createGlobalTable(CreateTableRequest.builder().tableName(table)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                    .build());
        }
        return f;
    }

    /**
     * Starts the servlet and the reactive door applications with {@code properties} on top of the topology, the
     * tables' settings and {@code server.port=0}.
     */
    public Apps apps(String... properties) {
        return apps(EnumSet.allOf(Door.class), properties);
    }

    /** Like {@link #apps(String...)}, but starts only the applications that have one of {@code doors}. */
    public Apps apps(Collection<Door> doors, String... properties) {
        Map<WebApplicationType, WebTestClient> clients = new EnumMap<>(WebApplicationType.class);
        for (Door door : doors) {
            clients.computeIfAbsent(door.type(), type -> start(type == WebApplicationType.SERVLET
                    ? ServletDoorsApp.class : ReactiveDoorsApp.class, type, properties));
        }
        Apps apps = new Apps(clients);
        warmUp(apps);
        return apps;
    }

    /**
     * One PUBLIC write into every region through the sync and the async clients of each started application,
     * repeated until it succeeds: a per-region client's first call on a loaded machine may exceed the attempt timeout,
     * and the tests are about where writes go, not about cold starts. The journals are cleared after.
     */
    private void warmUp(Apps apps) {
        for (Door door : List.of(Door.SERVLET_SYNC, Door.FUTURE_THEN_COMPOSE, Door.WEBFLUX)) {
            if (!apps.clients.containsKey(door.type())) {
                continue;
            }
            for (String region : REGIONS) {
                Awaitility.await("warm-up of " + region + " through " + door).atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> apps.send(door, TABLE, "warm-up", h -> {
                            h.set("X-Data-Class", "PUBLIC");
                            h.set("X-Meridian-Region", region);
                        }).status() == 204);
            }
        }
        clearJournals();
    }

    private WebTestClient start(Class<?> app, WebApplicationType type, String... properties) {
        List<String> props = new ArrayList<>(List.of("server.port=0",
                "meridian.regions=" + String.join(",", REGIONS), "meridian.local-region=us-east-1",
                "meridian.dynamodb.tables." + TABLE + ".partition-key=pk",
                "meridian.dynamodb.tables." + TABLE + ".replica-regions=" + String.join(",", REGIONS),
                "meridian.dynamodb.tables." + EU_TABLE + ".partition-key=pk",
                "meridian.dynamodb.tables." + EU_TABLE + ".replica-regions=" + String.join(",", EU),
                "meridian.dynamodb.tables." + DEFAULTED_TABLE + ".partition-key=pk",
                "meridian.dynamodb.tables." + DEFAULTED_TABLE + ".replica-regions=" + String.join(",", REGIONS),
                "meridian.dynamodb.tables." + DEFAULTED_TABLE + ".default-data-class=RESTRICTED"));
        for (String region : REGIONS) {
            props.add("meridian.region." + region + ".endpoint=" + regions.endpoint(region));
        }
        props.addAll(List.of(properties));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(app).web(type)
                .properties(props.toArray(String[]::new)).run();
        apps.add(ctx);
        String port = ctx.getEnvironment().getProperty("local.server.port");
        return WebTestClient.bindToServer(new JdkClientHttpConnector()).baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(60)).build();
    }

    /** Forgets every request the regions have received so far. */
    public void clearJournals() {
        regions.journalsClear();
    }

    /** The faults to inject into {@code region}'s endpoint. */
    public RegionFaults regionFaults(String region) {
        return regions.faults(region);
    }

    /** Removes every injected fault. */
    public void healAll() {
        regions.healAll();
    }

    /** The requests {@code region} received. */
    public RequestJournal journal(String region) {
        return regions.journal(region);
    }

    /** The PutItem requests {@code region} received for {@code table}. */
    public long puts(String region, String table) {
        return regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals("PutItem") && e.table().filter(table::equals).isPresent())
                .count();
    }

    @Override
    public void close() {
        apps.forEach(ConfigurableApplicationContext::close);
        Hooks.disableAutomaticContextPropagation();
        regions.close();
    }

    /** The running door applications of one configuration. */
    public static final class Apps {
        private final Map<WebApplicationType, WebTestClient> clients;

        private Apps(Map<WebApplicationType, WebTestClient> clients) {
            this.clients = clients;
        }

        /**
         * Sends {@code door}'s request writing {@code id} into {@code table} with {@code headers}, and returns its
         * answer (the write has finished, or was refused, when it returns).
         */
        public Response send(Door door, String table, String id, Consumer<HttpHeaders> headers) {
            WebTestClient client = clients.get(door.type());
            if (client == null) {
                throw new IllegalStateException(door + " needs the " + door.type() + " application, not started here");
            }
            EntityExchangeResult<String> r = client.put().uri(door.uri(table, id)).headers(headers)
                    .exchange().expectBody(String.class).returnResult();
            return new Response(r.getStatus().value(), r.getResponseBody());
        }
    }

    /**
     * A door's answer.
     *
     * @param status 204 written, 403 refused by residency, 500 anything else
     * @param body   the refusal or failure, null when written
     */
    public record Response(int status, String body) {
    }
}
