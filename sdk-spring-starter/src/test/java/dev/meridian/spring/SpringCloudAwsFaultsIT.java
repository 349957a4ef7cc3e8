package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RequestJournal;
import io.awspring.cloud.autoconfigure.core.AwsAutoConfiguration;
import io.awspring.cloud.autoconfigure.core.CredentialsProviderAutoConfiguration;
import io.awspring.cloud.autoconfigure.core.RegionProviderAutoConfiguration;
import io.awspring.cloud.autoconfigure.dynamodb.DynamoDbAutoConfiguration;
import io.awspring.cloud.autoconfigure.dynamodb.DynamoDbClientCustomizer;
import io.awspring.cloud.dynamodb.DynamoDbTemplate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The Spring Cloud AWS door under a fault: an application using {@code spring-cloud-aws-starter-dynamodb} (its
 * {@code DynamoDbClient} bean and {@code DynamoDbTemplate}) with Meridian's starter, whose Spring Cloud AWS client is
 * set up for long calls (a {@link DynamoDbClientCustomizer} sets a 30 s attempt and a 2 min call timeout), against
 * DynamoDB Local in three regions, Meridian's defaults otherwise (hedging on). The local region eu-west-1, where every
 * call starts, is healthy, refusing connections, answering 500, throttling, black-holed, or answering 3 s late
 * (DynamoDB gets the request and applies it after the client gave up: a write that timed out and was applied). A
 * random door (the template's {@code save}, {@code load}, {@code query}; the client's {@code putItem},
 * {@code getItem}, consistent {@code getItem}) × table (orders, replicated to the EU regions; catalog, everywhere) ×
 * context (a German subject's RESTRICTED data, a US subject's, none) × fault; each try names a new item; the regions'
 * request journals (with bodies) are the witness:
 * <ol>
 *   <li>the call reaches only the regions residency allows, and is refused (nothing sent) when none is;</li>
 *   <li>a read is answered with the item, in another region when eu-west-1 is faulted;</li>
 *   <li>a write is acknowledged, or fails: sent to eu-west-1 only after an answer that may mean it was applied (500,
 *       timeout), moved to one other region only when eu-west-1 did not apply it (refused connection, throttling);</li>
 *   <li>no call takes anywhere near the customizer's 30 s: the per-region clients copied from Spring Cloud AWS's keep
 *       Meridian's 2 s attempt (and call) timeout as a ceiling, so a black-holed region costs about 2 s.</li>
 * </ol>
 * Each try starts with the runtime's health reset, so every try's call meets the fault in eu-west-1 first.
 */
class SpringCloudAwsFaultsIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String US = "us-east-1";
    private static final List<String> REGIONS = List.of(WEST, CENTRAL, US);
    /** Far beyond Meridian's 2 s ceiling; the customizer's 30 s attempt timeout would be reached first. */
    private static final Duration CEILING_BOUND = Duration.ofSeconds(10);
    /** Beyond Meridian's 2 s attempt timeout: a request DynamoDB applies, answered too late. */
    private static final Duration SLOW = Duration.ofSeconds(3);

    private static LocalRegions regions;
    private static ConfigurableApplicationContext app;

    @BeforeContainer
    static void start() {
        regions = LocalRegions.start(REGIONS.toArray(String[]::new));
        for (Table t : Table.values()) {
            regions.createGlobalTable(LocalRegions.pkTable(t.name));
        }
        app = startApp(FaultsApp.class);
        for (String r : REGIONS) {
            regions.journal(r).keepBodies();
        }
    }

    /** The application {@code config}, warmed up: Meridian's regions and tables, Spring Cloud AWS's credentials. */
    private static ConfigurableApplicationContext startApp(Class<?> config) {
        ConfigurableApplicationContext started = new SpringApplicationBuilder(config).web(WebApplicationType.NONE)
                .properties(
                        "meridian.regions=eu-west-1,eu-central-1,us-east-1",
                        "meridian.local-region=eu-west-1",
                        // Unrestricted data fails over to us-east-1 first: residency, not the order, keeps RESTRICTED
                        // out of it.
                        "meridian.region.us-east-1.priority=1",
                        "meridian.region.eu-central-1.priority=2",
                        "meridian.region.eu-west-1.endpoint=" + regions.endpoint(WEST),
                        "meridian.region.eu-central-1.endpoint=" + regions.endpoint(CENTRAL),
                        "meridian.dynamodb.tables.orders.partition-key=pk",
                        "meridian.dynamodb.tables.orders.replica-regions=eu-west-1,eu-central-1",
                        "meridian.dynamodb.tables.catalog.partition-key=pk",
                        "meridian.dynamodb.tables.catalog.replica-regions=eu-west-1,eu-central-1,us-east-1",
                        "spring.cloud.aws.credentials.access-key=AKIDSPRINGCLOUDAWS",
                        "spring.cloud.aws.credentials.secret-key=not-checked-by-dynamodb-local",
                        "spring.cloud.aws.region.static=ap-southeast-2",
                        "spring.cloud.aws.dynamodb.endpoint=" + regions.endpoint(US)).run();
        DynamoDbClient client = started.getBean(DynamoDbClient.class);
        assertThat(RegionalDynamoDbClients.isRouted(client)).isTrue();
        warmUp(client);
        return started;
    }

    @AfterContainer
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (regions != null) {
            regions.close();
        }
    }

    /** A read and a write in each region alone: no try's call goes through a cold client. */
    @SuppressWarnings("try")
    private static void warmUp(DynamoDbClient client) {
        for (String r : REGIONS) {
            RoutingContext.Builder only = RoutingContext.builder().dataClass(DataClass.PUBLIC);
            REGIONS.stream().filter(o -> !o.equals(r)).forEach(o -> only.excludeRegion(Region.of(o)));
            try (RoutingContext.Scope s = only.build().open()) {
                client.putItem(p -> p.tableName(Table.CATALOG.name).item(Map.of("pk", AttributeValue.fromS("warm"))));
                client.getItem(g -> g.tableName(Table.CATALOG.name).key(Map.of("pk", AttributeValue.fromS("warm"))));
            }
        }
    }

    /** Spring Cloud AWS's DynamoDB starter beside Meridian's, its client as Spring Cloud AWS makes it. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({MeridianAutoConfiguration.class, MeridianDynamoDbAutoConfiguration.class,
            CredentialsProviderAutoConfiguration.class, RegionProviderAutoConfiguration.class,
            AwsAutoConfiguration.class, DynamoDbAutoConfiguration.class})
    static class DefaultsApp {
    }

    /** The application of the property: its Spring Cloud AWS client set up for long calls. */
    @Configuration(proxyBeanMethods = false)
    @Import(DefaultsApp.class)
    static class FaultsApp {
        @Bean
        DynamoDbClientCustomizer longCalls() {
            return builder -> builder.overrideConfiguration(builder.overrideConfiguration().toBuilder()
                    .apiCallAttemptTimeout(Duration.ofSeconds(30)).apiCallTimeout(Duration.ofMinutes(2)).build());
        }
    }

    enum Table {
        ORDERS("orders", WEST, CENTRAL), CATALOG("catalog", WEST, CENTRAL, US);

        final String name;
        final Set<String> replicas;

        Table(String name, String... replicas) {
            this.name = name;
            this.replicas = Set.of(replicas);
        }
    }

    enum Context {
        DE_RESTRICTED, US_RESTRICTED, NONE;

        @Nullable RoutingContext context() {
            return switch (this) {
                case DE_RESTRICTED -> RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                        .build();
                case US_RESTRICTED -> RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("US")
                        .build();
                case NONE -> null;
            };
        }
    }

    enum Fault {
        NONE(false), REFUSED(false), ANSWER_500(true), THROTTLE(false), BLACKHOLE(true), SLOW_AFTER_APPLY(true);

        /** Whether eu-west-1's answer may mean a write was applied there. */
        final boolean ambiguous;

        Fault(boolean ambiguous) {
            this.ambiguous = ambiguous;
        }

        void inject() {
            switch (this) {
                case REFUSED -> regions.faults(WEST).down();
                case ANSWER_500 -> regions.faults(WEST).status(500);
                case THROTTLE -> regions.faults(WEST).throttle();
                case BLACKHOLE -> regions.faults(WEST).blackhole();
                case SLOW_AFTER_APPLY -> regions.faults(WEST).latency(SLOW);
                default -> { }
            }
        }
    }

    /** A way the application reads or writes item {@code id} of a table. */
    enum Door {
        TEMPLATE_SAVE(true) {
            @Override
            boolean call(Table table, String id) {
                template().save(table == Table.ORDERS ? Orders.of(id, "saved") : Catalog.of(id, "saved"));
                return true;
            }
        },
        CLIENT_PUT(true) {
            @Override
            boolean call(Table table, String id) {
                client().putItem(p -> p.tableName(table.name).item(Map.of("pk", AttributeValue.fromS(id),
                        "status", AttributeValue.fromS("put"))));
                return true;
            }
        },
        TEMPLATE_LOAD(false) {
            @Override
            boolean call(Table table, String id) {
                Key key = Key.builder().partitionValue(id).build();
                String status = table == Table.ORDERS ? template().load(key, Orders.class).getStatus()
                        : template().load(key, Catalog.class).getStatus();
                return "seeded".equals(status);
            }
        },
        TEMPLATE_QUERY(false) {
            @Override
            boolean call(Table table, String id) {
                QueryEnhancedRequest q = QueryEnhancedRequest.builder()
                        .queryConditional(QueryConditional.keyEqualTo(Key.builder().partitionValue(id).build()))
                        .build();
                List<String> statuses = new ArrayList<>();
                if (table == Table.ORDERS) {
                    template().query(q, Orders.class).items().forEach(o -> statuses.add(o.getStatus()));
                } else {
                    template().query(q, Catalog.class).items().forEach(c -> statuses.add(c.getStatus()));
                }
                return statuses.equals(List.of("seeded"));
            }
        },
        CLIENT_GET(false) {
            @Override
            boolean call(Table table, String id) {
                return "seeded".equals(client().getItem(g -> g.tableName(table.name)
                        .key(Map.of("pk", AttributeValue.fromS(id)))).item().get("status").s());
            }
        },
        /** Never hedged: it fails over only when its attempt in eu-west-1 has failed. */
        CLIENT_CONSISTENT_GET(false) {
            @Override
            boolean call(Table table, String id) {
                return "seeded".equals(client().getItem(g -> g.tableName(table.name)
                        .key(Map.of("pk", AttributeValue.fromS(id))).consistentRead(true)).item().get("status").s());
            }
        };

        final boolean write;

        Door(boolean write) {
            this.write = write;
        }

        /** True when it read the seeded item, or wrote. */
        abstract boolean call(Table table, String id);
    }

    private static DynamoDbTemplate template() {
        return app.getBean(DynamoDbTemplate.class);
    }

    private static DynamoDbClient client() {
        return app.getBean(DynamoDbClient.class);
    }

    /** Tries with eu-west-1 faulted more often than not, and contexts that reach some region more often. */
    @Provide
    Arbitrary<Fault> faults() {
        return Arbitraries.frequency(Tuple.of(1, Fault.NONE), Tuple.of(2, Fault.REFUSED), Tuple.of(2, Fault.ANSWER_500),
                Tuple.of(2, Fault.THROTTLE), Tuple.of(2, Fault.BLACKHOLE), Tuple.of(2, Fault.SLOW_AFTER_APPLY));
    }

    @Provide
    Arbitrary<Context> contexts() {
        return Arbitraries.frequency(Tuple.of(3, Context.DE_RESTRICTED), Tuple.of(1, Context.US_RESTRICTED),
                Tuple.of(3, Context.NONE));
    }

    /** The EU table, on which a German subject's RESTRICTED data is allowed, more often. */
    @Provide
    Arbitrary<Table> tables() {
        return Arbitraries.frequency(Tuple.of(2, Table.ORDERS), Tuple.of(1, Table.CATALOG));
    }

    /** How the application set up its Spring Cloud AWS client's timeouts. */
    enum ClientTimeouts {
        /** A customizer's 30 s attempt and 2 min call timeout: cut to Meridian's ceiling. */
        LONG_CALLS,
        /** None: the SDK's (no attempt timeout; the HTTP client's socket timeout). */
        SPRING_CLOUD_AWS_DEFAULTS
    }

    /**
     * The ceiling on the path that waits for it: a consistent read is never hedged, so with eu-west-1 black-holed it
     * waits there for the attempt timeout and then fails over. It waits Meridian's 2 s, not the customizer's 30 s nor
     * the HTTP client's socket timeout, and the call timeout (cut to the attempt timeout too) leaves no time for an
     * SDK retry there.
     */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    @SuppressWarnings("try")
    void aBlackHoledRegionCostsAConsistentReadTheTwoSecondCeiling(@ForAll ClientTimeouts timeouts) {
        ConfigurableApplicationContext tried = timeouts == ClientTimeouts.LONG_CALLS ? app
                : startApp(DefaultsApp.class);
        try {
            String id = UUID.randomUUID().toString();
            tried.getBean(MultiRegion.class).resetHealth();
            seed(Table.ORDERS, id);
            regions.journalsClear();
            DynamoDbClient client = tried.getBean(DynamoDbClient.class);
            long start = System.nanoTime();
            try (RoutingContext.Scope s = Context.DE_RESTRICTED.context().open()) {
                regions.faults(WEST).blackhole();
                assertThat(client.getItem(g -> g.tableName(Table.ORDERS.name)
                        .key(Map.of("pk", AttributeValue.fromS(id))).consistentRead(true)).item().get("status").s())
                        .isEqualTo("seeded");
            } finally {
                regions.healAll();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("waited for eu-west-1's attempt timeout, then failed over")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1900)).isLessThan(CEILING_BOUND);
            assertThat(regions.journal(WEST).count("GetItem")).as("one attempt in eu-west-1, no SDK retry")
                    .isEqualTo(1);
            assertThat(regions.journal(CENTRAL).count("GetItem")).as("answered by eu-central-1").isEqualTo(1);
            assertThat(regions.journal(US).isEmpty()).as("a German subject's RESTRICTED read").isTrue();
        } finally {
            if (tried != app) {
                tried.close();
            }
        }
    }

    @Property(tries = 44)
    @SuppressWarnings("try")
    void theSpringCloudAwsDoorKeepsThePromisesUnderAFault(@ForAll Door door, @ForAll("tables") Table table,
            @ForAll("contexts") Context context, @ForAll("faults") Fault fault) {
        String id = UUID.randomUUID().toString();
        String what = door + " " + table + " " + context + " " + fault + " " + id;
        List<String> allowed = allowed(table, context);
        app.getBean(MultiRegion.class).resetHealth();
        if (!door.write) {
            seed(table, id);
        }
        regions.journalsClear();
        boolean answered = false;
        Throwable failure = null;
        long start = System.nanoTime();
        RoutingContext ctx = context.context();
        try (RoutingContext.Scope s = ctx == null ? null : ctx.open()) {
            fault.inject();
            answered = door.call(table, id);
        } catch (RuntimeException e) {
            failure = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        } finally {
            regions.healAll();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(new Settled()::test);
        List<String> reached = reached(id);
        String seen = what + ": " + (failure == null ? "answered " + answered : failure.toString()) + " in "
                + took.toMillis() + " ms, reached " + reached + ", allowed " + allowed;
        Statistics.label("outcome").collect(failure == null ? "ok" : failure.getClass().getSimpleName());
        Statistics.label("regions reached").collect(reached.toString());
        Statistics.label("door kind x fault").collect((door.write ? "write " : "read ") + fault);

        assertThat(reached).as("residency; %s", seen).isSubsetOf(allowed);
        assertThat(took).as("the 2 s attempt-timeout ceiling of the copied clients; %s", seen)
                .isLessThan(CEILING_BOUND);
        if (allowed.isEmpty()) {
            assertThat(failure).as(seen).isInstanceOf(ResidencyViolationException.class);
            return;
        }
        if (!door.write) {
            assertThat(failure).as("read failed; %s", seen).isNull();
            assertThat(answered).as("the seeded item; %s", seen).isTrue();
            return;
        }
        if (fault.ambiguous) {
            assertThat(failure).as("a write that may have been applied is not moved; %s", seen).isNotNull();
            assertThat(reached).as("sent to eu-west-1 only; %s", seen).containsExactly(WEST);
            if (fault == Fault.SLOW_AFTER_APPLY) {
                // The ambiguity is real: DynamoDB applied the write the client gave up on.
                await().atMost(Duration.ofSeconds(30)).until(() -> stored(WEST, table, id));
            }
            return;
        }
        assertThat(failure).as("write failed; %s", seen).isNull();
        List<String> elsewhere = reached.stream().filter(r -> !r.equals(WEST)).toList();
        if (fault == Fault.NONE) {
            assertThat(reached).as(seen).containsExactly(WEST);
        } else {
            assertThat(elsewhere).as("moved to one other region, eu-west-1 did not apply it; %s", seen).hasSize(1);
            assertThat(stored(elsewhere.get(0), table, id)).as("written in %s; %s", elsewhere.get(0), seen).isTrue();
        }
    }

    /** The regions residency allows a call on {@code table} under {@code context}, the table's replicas bounding it. */
    private static List<String> allowed(Table table, Context context) {
        return switch (context) {
            // RESTRICTED data of a table replicated outside the EU is refused before anything is sent.
            case DE_RESTRICTED -> table == Table.ORDERS ? List.of(WEST, CENTRAL) : List.of();
            case US_RESTRICTED -> List.of();
            case NONE -> REGIONS.stream().filter(table.replicas::contains).toList();
        };
    }

    /** Writes item {@code id} in every region directly (the testkit's own clients), then waits for nothing else. */
    private static void seed(Table table, String id) {
        for (String r : REGIONS) {
            regions.client(r).putItem(p -> p.tableName(table.name).item(Map.of("pk", AttributeValue.fromS(id),
                    "status", AttributeValue.fromS("seeded"))));
        }
    }

    private static boolean stored(String region, Table table, String id) {
        return regions.client(region).getItem(g -> g.tableName(table.name).key(Map.of("pk", AttributeValue.fromS(id)))
                .consistentRead(true)).hasItem();
    }

    /** The regions whose journal holds a request naming item {@code id}. */
    private static List<String> reached(String id) {
        Set<String> reached = new LinkedHashSet<>();
        for (String r : REGIONS) {
            for (RequestJournal.Entry e : regions.journal(r).entries()) {
                if (e.body().orElse("").contains(id)) {
                    reached.add(r);
                }
            }
        }
        return new ArrayList<>(reached);
    }

    /** True once the journals' total stays the same between two polls. */
    private static final class Settled {
        private int last = -1;

        boolean test() {
            int total = REGIONS.stream().mapToInt(r -> regions.journal(r).count()).sum();
            boolean same = total == last;
            last = total;
            return same;
        }
    }

    /** An item of the table "catalog". */
    @DynamoDbBean
    public static class Catalog extends Orders {
        static Catalog of(String pk, String status) {
            return of(new Catalog(), pk, status);
        }
    }
}
