package dev.meridian.spring.doors;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RegionFaults;
import dev.meridian.testkit.RequestJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.EnumMap;
import java.util.HashMap;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

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

    /**
     * The hedge budget's burst for tests that make a region suspect again and again in one runtime: each time takes
     * {@code eject-after-stalls} (5) hedges, far more than the default budget (10 tokens, a tenth of one per read)
     * holds over a few dozen tries; a spent budget turns those reads into attempt timeouts (the subject of sdk-core's
     * RefusedHedgeIT), seconds each, and suspicion into ejection.
     */
    public static final String ROOMY_HEDGE_BUDGET = "meridian.hedge.budget-burst=500";
    /** PUBLIC reads of a replicated item that may make a region suspect, at most. */
    private static final int MAX_PRIMING_READS = 60;

    private final LocalRegions regions;
    private final List<ConfigurableApplicationContext> apps = new ArrayList<>();
    private final Map<String, DynamoDbClient> direct = new HashMap<>();

    private DoorsFixture(LocalRegions regions) {
        this.regions = regions;
    }

    /** Starts the local regions and creates the tables. */
    public static DoorsFixture start() {
        DoorsFixture f = new DoorsFixture(LocalRegions.start(REGIONS.toArray(String[]::new)));
        for (String table : List.of(TABLE, EU_TABLE, DEFAULTED_TABLE)) {
            f.regions.createGlobalTable(LocalRegions.pkTable(table));
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

    /** {@code properties} and {@link #ROOMY_HEDGE_BUDGET}. */
    public static String[] withRoomyHedgeBudget(String... properties) {
        String[] all = Arrays.copyOf(properties, properties.length + 1);
        all[properties.length] = ROOMY_HEDGE_BUDGET;
        return all;
    }

    /** Like {@link #apps(String...)}, but starts only the applications that have one of {@code doors}. */
    public Apps apps(Collection<Door> doors, String... properties) {
        Map<WebApplicationType, ConfigurableApplicationContext> contexts = new EnumMap<>(WebApplicationType.class);
        for (Door door : doors) {
            contexts.computeIfAbsent(door.type(), type -> start(type == WebApplicationType.SERVLET
                    ? ServletDoorsApp.class : ReactiveDoorsApp.class, type, properties));
        }
        Apps apps = new Apps(contexts);
        warmUp(apps);
        return apps;
    }

    /**
     * One PUBLIC write into every region through the sync and the async clients of each started application, and a
     * read of it of every shape, each repeated until it succeeds: a per-region client's first call on a loaded
     * machine may exceed the attempt timeout, and the tests are about where calls go, not about cold starts. The
     * journals are cleared after.
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
                for (DoorReads.Shape shape : DoorReads.Shape.values()) {
                    Awaitility.await("read warm-up of " + region + " through " + door).atMost(Duration.ofMinutes(2))
                            .pollInterval(Duration.ofMillis(200))
                            .until(() -> apps.read(door, TABLE, "warm-up", shape, h -> {
                                h.set("X-Data-Class", "PUBLIC");
                                h.set("X-Meridian-Region", region);
                            }).status() == 200);
                }
            }
        }
        clearJournals();
    }

    /**
     * Writes item {@code id} (its {@value DoorReads#VALUE} attribute {@link #value(String)}) into {@code table} in
     * every region directly, past the proxies: what a read of it should find wherever it is served.
     */
    public void seed(String table, String id) {
        for (String region : REGIONS) {
            DynamoDbClient client = direct.computeIfAbsent(region, r -> DynamoDbClient.builder()
                    .endpointOverride(regions.directEndpoint(r)).region(Region.of(r))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .build());
            client.putItem(p -> p.tableName(table).item(Map.of("pk", AttributeValue.fromS(id),
                    DoorReads.VALUE, AttributeValue.fromS(value(id)))));
        }
    }

    /** The value {@link #seed} gives item {@code id}. */
    public static String value(String id) {
        return "value-" + id;
    }

    /**
     * Black-holes {@code region} (until {@link #healAll()}) and reads a PUBLIC replicated item there first (its
     * session region) through the application of {@code type} until its runtime stops planning calls there first:
     * the region is suspect (its hedge losers left unanswered) or its breaker left CLOSED. Returns that status; a
     * failed assertion when {@value #MAX_PRIMING_READS} reads did not get there.
     */
    public RegionStatus blackholeUntilGivenUp(Apps apps, WebApplicationType type, String region) {
        regions.faults(region).blackhole();
        Door door = type == WebApplicationType.SERVLET ? Door.SERVLET_SYNC : Door.WEBFLUX;
        for (int i = 0; i < MAX_PRIMING_READS; i++) {
            RegionStatus status = apps.status(type, region);
            if (status.suspect() || status.breaker() != RegionStatus.BreakerState.CLOSED) {
                return status;
            }
            apps.read(door, TABLE, "warm-up", DoorReads.Shape.GET, h -> {
                h.set("X-Data-Class", "PUBLIC");
                h.set("X-Meridian-Region", region);
            });
        }
        throw new AssertionError(region + " neither suspect nor ejected after " + MAX_PRIMING_READS
                + " reads while black-holed: " + apps.status(type, region));
    }

    private ConfigurableApplicationContext start(Class<?> app, WebApplicationType type, String... properties) {
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
        return ctx;
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
        direct.values().forEach(DynamoDbClient::close);
        Hooks.disableAutomaticContextPropagation();
        regions.close();
    }

    /** The running door applications of one configuration. */
    public static final class Apps {
        private final Map<WebApplicationType, ConfigurableApplicationContext> contexts;
        private final Map<WebApplicationType, WebTestClient> clients = new EnumMap<>(WebApplicationType.class);

        private Apps(Map<WebApplicationType, ConfigurableApplicationContext> contexts) {
            this.contexts = contexts;
            contexts.forEach((type, ctx) -> clients.put(type, WebTestClient.bindToServer(new JdkClientHttpConnector())
                    .baseUrl("http://localhost:" + ctx.getEnvironment().getProperty("local.server.port"))
                    .responseTimeout(Duration.ofSeconds(60)).build()));
        }

        /** What the runtime of the application of {@code type} says of {@code region}. */
        public RegionStatus status(WebApplicationType type, String region) {
            return runtime(type).status(Region.of(region));
        }

        /** The runtime of the application of {@code type}. */
        public MultiRegion runtime(WebApplicationType type) {
            return contexts.get(type).getBean(MultiRegion.class);
        }

        /**
         * Sends {@code door}'s request reading {@code id} from {@code table} the way {@code shape} says with
         * {@code headers}, and returns its answer.
         */
        public ReadResponse read(Door door, String table, String id, DoorReads.Shape shape,
                Consumer<HttpHeaders> headers) {
            EntityExchangeResult<String> r = client(door).get().uri(door.readUri(table, id, shape)).headers(headers)
                    .exchange().expectBody(String.class).returnResult();
            return new ReadResponse(r.getStatus().value(), r.getResponseBody(), r.getResponseHeaders());
        }

        private WebTestClient client(Door door) {
            WebTestClient client = clients.get(door.type());
            if (client == null) {
                throw new IllegalStateException(door + " needs the " + door.type() + " application, not started here");
            }
            return client;
        }

        /**
         * Sends {@code door}'s request writing {@code id} into {@code table} with {@code headers}, and returns its
         * answer (the write has finished, or was refused, when it returns).
         */
        public Response send(Door door, String table, String id, Consumer<HttpHeaders> headers) {
            EntityExchangeResult<String> r = client(door).put().uri(door.uri(table, id)).headers(headers)
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

    /**
     * A door's answer to a read.
     *
     * @param status  200 read (the body is the item's value), 404 no such item, 403 refused by residency, 400 bad
     *                routing headers, 500 anything else
     * @param body    the value, the refusal or the failure
     * @param headers what the reading thread saw ({@link DoorReads})
     */
    public record ReadResponse(int status, String body, HttpHeaders headers) {
        /** A header {@link DoorReads} sets on a 200. */
        public String seen(String header) {
            return headers.getFirst(header);
        }
    }
}
