package dev.meridian.dynamodb.client;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RequestJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ParameterizedStatement;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The promises on the newest paths for calls made with <em>no</em> {@code RoutingContext}: no scope open on the
 * caller's thread, a scope that declares nothing (a correlation id only, as a request without routing headers gets),
 * a thread that never had one — and, beside them, a context naming only a German subject (declared, no data class).
 * eu-west-1, first in every plan (priority, local region), is made suspect (its hedged reads' losers went unanswered,
 * then its black hole ends), so that every unhedged read (consistent {@code GetItem}, {@code Query}, {@code Scan},
 * {@code BatchGetItem}, PartiQL {@code SELECT}, {@code TransactGetItems}, a PartiQL transaction, the paginators;
 * synchronous and asynchronous) and every write starts past it. A random call × caller × configuration (default
 * {@code INTERNAL}, {@code defaultDataClass(RESTRICTED)}, {@code requireContext}) × table (no default; EU replicas
 * with table default {@code RESTRICTED}; table default {@code PUBLIC}) × condition (the other regions healthy,
 * answering 500, throttling); the request journals (with bodies) are the witness:
 * <ol>
 *   <li>the call reaches only the regions the documented rules allow (docs/configuration.md, "Calls with no
 *       context"): the table's default data class, else the configuration's; {@code requireContext} refuses a call
 *       without a context; RESTRICTED data without a subject is refused — with {@link ResidencyViolationException}
 *       and nothing sent anywhere;</li>
 *   <li>a read is answered: in the first other allowed region while it answers, else back in the suspect region,
 *       which must then have been asked;</li>
 *   <li>a write is sent to one region when that region may have applied it (500), never to the suspect region it
 *       started past, and never back to it when every other region refused it (throttling); a guarded write
 *       ({@code attribute_not_exists}, repeat-safe) moves on but never goes back either.</li>
 * </ol>
 * The breakers get a window of 1000 calls and a 60 s wait in the open state: the property holds its condition
 * (eu-west-1 suspect, the other regions planned) across tries; a breaker that opens on the faults is another path,
 * which {@code DoorReadProperties}' ejected regions cover. eu-west-1 is made suspect again when it no longer is or its
 * suspicion is older than {@link #SUSPICION_USE} (a write is sent to a region suspect for longer than the wait in the
 * open state, as documented: it is the trial).
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class NoContextSuspectRegionIT {
    private static final String WEST = EU_WEST_1.id();
    private static final String CENTRAL = EU_CENTRAL_1.id();
    private static final String US = US_EAST_1.id();
    /** The table the hedged reads that make eu-west-1 suspect read (left out of the witness). */
    private static final String SUSPICION = "nc_suspicion";
    private static final Duration WAIT_IN_OPEN = Duration.ofSeconds(60);
    /** How long a suspicion is used for tries: well within {@link #WAIT_IN_OPEN}, the window writes pass it in. */
    private static final Duration SUSPICION_USE = Duration.ofSeconds(40);
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    private static final LocalRegions regions = LocalRegions.start(IDS);
    private static final Map<Setup, Rig> RIGS = new EnumMap<>(Setup.class);

    @BeforeContainer
    static void start() {
        List<String> tables = new ArrayList<>(List.of(SUSPICION));
        for (Table t : Table.values()) {
            tables.add(t.readTable);
            tables.add(t.writeTable);
        }
        for (String table : tables) {
            regions.createGlobalTable(LocalRegions.pkTable(table));
        }
        for (String id : IDS) {
            try (DynamoDbClient c = TestRegions.client(regions, Region.of(id), Duration.ofSeconds(30))) {
                for (String table : tables) {
                    for (String pk : List.of("item-1", "item-2")) {
                        c.putItem(p -> p.tableName(table).item(Map.of("pk", AttributeValue.fromS(pk))));
                    }
                }
            }
        }
        regions.awaitReplication();
        for (String id : IDS) {
            regions.journal(id).keepBodies();
        }
    }

    @AfterContainer
    static void stop() {
        RIGS.values().forEach(Rig::close);
        RIGS.clear();
    }

    /** The configuration a call without a context meets. */
    enum Setup {
        INTERNAL_BY_DEFAULT, RESTRICTED_BY_DEFAULT, REQUIRE_CONTEXT;

        MultiRegionConfig config() {
            MultiRegionConfig.Builder b = MultiRegionConfig.builder()
                    .region(RegionSpec.of(EU_WEST_1).jurisdiction("EU").priority(0))
                    .region(RegionSpec.of(US_EAST_1).jurisdiction("US").priority(1))
                    .region(RegionSpec.of(EU_CENTRAL_1).jurisdiction("EU").priority(2))
                    .localRegion(EU_WEST_1)
                    .health(HealthConfig.builder().slidingWindowSize(1000).minimumNumberOfCalls(1000)
                            .waitInOpenState(WAIT_IN_OPEN).build());
            return switch (this) {
                case INTERNAL_BY_DEFAULT -> b.build();
                case RESTRICTED_BY_DEFAULT -> b.defaultDataClass(DataClass.RESTRICTED).build();
                case REQUIRE_CONTEXT -> b.requireContext(true).build();
            };
        }
    }

    /** A table, by its replicas and its default data class; reads and writes use twins, so reads see two items. */
    enum Table {
        EVERYWHERE("nc_catalog", null, WEST, US, CENTRAL),
        EU_RESTRICTED_DEFAULT("nc_eu_profiles", DataClass.RESTRICTED, WEST, CENTRAL),
        PUBLIC_DEFAULT("nc_public", DataClass.PUBLIC, WEST, US, CENTRAL);

        final String readTable;
        final String writeTable;
        final @Nullable DataClass defaultDataClass;
        final Set<String> replicas;

        Table(String name, @Nullable DataClass defaultDataClass, String... replicas) {
            this.readTable = name;
            this.writeTable = name + "_w";
            this.defaultDataClass = defaultDataClass;
            this.replicas = Set.of(replicas);
        }

        List<TableConfig> configs() {
            List<TableConfig> configs = new ArrayList<>();
            for (String name : List.of(readTable, writeTable)) {
                TableConfig.Builder b = TableConfig.builder(name).partitionKey("pk")
                        .replicaRegions(replicas.stream().map(Region::of).toArray(Region[]::new));
                if (defaultDataClass != null) {
                    b.defaultDataClass(defaultDataClass);
                }
                configs.add(b.build());
            }
            return configs;
        }
    }

    /** Where the call is made from. */
    enum Caller {
        /** The test's thread, no scope open. */
        NO_SCOPE(false),
        /** Under a scope declaring nothing but a correlation id (a request without routing headers). */
        UNDECLARED_SCOPE(false),
        /** A new thread, which never had a context. */
        FRESH_THREAD(false),
        /** Under a context naming a German subject but no data class: declared, the default data class applies. */
        GERMAN_SUBJECT_ONLY(true);

        final boolean declared;

        Caller(boolean declared) {
            this.declared = declared;
        }
    }

    /** What the regions other than the suspect eu-west-1 do during the call. */
    enum Condition {
        HEALTHY, ANSWER_500, THROTTLE
    }

    /** A call through the multi-region clients; true when everything it asked for came back (or was written). */
    interface Call {
        boolean run(Rig rig, String table, String id) throws Exception;
    }

    enum Kind {
        READ, WRITE, GUARDED_WRITE
    }

    /** Reads that are never hedged, and writes; each with its kind. */
    enum Shape implements Call {
        GET_ITEM(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                return rig.client.getItem(g -> g.tableName(table).key(key("item-1")).consistentRead(true)).hasItem();
            }
        },
        ASYNC_GET_ITEM(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) throws Exception {
                return rig.async.getItem(g -> g.tableName(table).key(key("item-1")).consistentRead(true))
                        .get(30, TimeUnit.SECONDS).hasItem();
            }
        },
        QUERY(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                return rig.client.query(q -> q.tableName(table).keyConditionExpression("pk = :k")
                        .expressionAttributeValues(Map.of(":k", AttributeValue.fromS("item-1"))).consistentRead(true))
                        .count() == 1;
            }
        },
        ASYNC_QUERY(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) throws Exception {
                return rig.async.query(q -> q.tableName(table).keyConditionExpression("pk = :k")
                        .expressionAttributeValues(Map.of(":k", AttributeValue.fromS("item-1"))).consistentRead(true))
                        .get(30, TimeUnit.SECONDS).count() == 1;
            }
        },
        SCAN(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                return rig.client.scan(s -> s.tableName(table).consistentRead(true)).count() == 2;
            }
        },
        ASYNC_SCAN(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) throws Exception {
                return rig.async.scan(s -> s.tableName(table).consistentRead(true)).get(30, TimeUnit.SECONDS)
                        .count() == 2;
            }
        },
        BATCH_GET_ITEM(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                return rig.client.batchGetItem(b -> b.requestItems(both(table))).responses().get(table).size() == 2;
            }
        },
        ASYNC_BATCH_GET_ITEM(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) throws Exception {
                return rig.async.batchGetItem(b -> b.requestItems(both(table))).get(30, TimeUnit.SECONDS)
                        .responses().get(table).size() == 2;
            }
        },
        PARTIQL_SELECT(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                return rig.client.executeStatement(e -> e.statement(select(table, "item-1")).consistentRead(true))
                        .items().size() == 1;
            }
        },
        ASYNC_PARTIQL_SELECT(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) throws Exception {
                return rig.async.executeStatement(e -> e.statement(select(table, "item-1")).consistentRead(true))
                        .get(30, TimeUnit.SECONDS).items().size() == 1;
            }
        },
        TRANSACT_GET_ITEMS(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                return rig.client.transactGetItems(x -> x.transactItems(transactBoth(table))).responses().stream()
                        .allMatch(r -> r.hasItem());
            }
        },
        ASYNC_TRANSACT_GET_ITEMS(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) throws Exception {
                return rig.async.transactGetItems(x -> x.transactItems(transactBoth(table))).get(30, TimeUnit.SECONDS)
                        .responses().stream().allMatch(r -> r.hasItem());
            }
        },
        ASYNC_PARTIQL_TRANSACTION(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) throws Exception {
                return rig.async.executeTransaction(x -> x.transactStatements(
                        ParameterizedStatement.builder().statement(select(table, "item-1")).build(),
                        ParameterizedStatement.builder().statement(select(table, "item-2")).build()))
                        .get(30, TimeUnit.SECONDS).responses().stream().allMatch(r -> r.hasItem());
            }
        },
        QUERY_PAGINATOR(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                return rig.client.queryPaginator(q -> q.tableName(table).keyConditionExpression("pk = :k")
                        .expressionAttributeValues(Map.of(":k", AttributeValue.fromS("item-1"))).consistentRead(true))
                        .items().stream().count() == 1;
            }
        },
        ASYNC_SCAN_PAGINATOR(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) throws Exception {
                List<Map<String, AttributeValue>> items = new CopyOnWriteArrayList<>();
                // One item a page: every page is a routed call of its own.
                rig.async.scanPaginator(s -> s.tableName(table).consistentRead(true).limit(1)).items()
                        .subscribe(items::add).get(30, TimeUnit.SECONDS);
                return items.size() == 2;
            }
        },
        SCAN_PAGINATOR(Kind.READ) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                return rig.client.scanPaginator(s -> s.tableName(table).consistentRead(true).limit(1)).items()
                        .stream().count() == 2;
            }
        },
        PUT_ITEM(Kind.WRITE) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                rig.client.putItem(p -> p.tableName(table).item(Map.of("pk", AttributeValue.fromS(id))));
                return true;
            }
        },
        ASYNC_PUT_ITEM(Kind.WRITE) {
            @Override
            public boolean run(Rig rig, String table, String id) throws Exception {
                rig.async.putItem(p -> p.tableName(table).item(Map.of("pk", AttributeValue.fromS(id))))
                        .get(30, TimeUnit.SECONDS);
                return true;
            }
        },
        UPDATE_ITEM(Kind.WRITE) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                rig.client.updateItem(u -> u.tableName(table).key(key(id)).updateExpression("SET v = :v")
                        .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("written"))));
                return true;
            }
        },
        ASYNC_TRANSACT_WRITE_ITEMS(Kind.WRITE) {
            @Override
            public boolean run(Rig rig, String table, String id) throws Exception {
                rig.async.transactWriteItems(x -> x.transactItems(TransactWriteItem.builder().put(Put.builder()
                        .tableName(table).item(Map.of("pk", AttributeValue.fromS(id))).build()).build()))
                        .get(30, TimeUnit.SECONDS);
                return true;
            }
        },
        GUARDED_PUT_ITEM(Kind.GUARDED_WRITE) {
            @Override
            public boolean run(Rig rig, String table, String id) {
                rig.client.putItem(p -> p.tableName(table).item(Map.of("pk", AttributeValue.fromS(id)))
                        .conditionExpression("attribute_not_exists(pk)"));
                return true;
            }
        };

        final Kind kind;

        Shape(Kind kind) {
            this.kind = kind;
        }

        private static Map<String, KeysAndAttributes> both(String table) {
            return Map.of(table, KeysAndAttributes.builder().keys(key("item-1"), key("item-2")).consistentRead(true)
                    .build());
        }

        private static List<TransactGetItem> transactBoth(String table) {
            return List.of(
                    TransactGetItem.builder().get(Get.builder().tableName(table).key(key("item-1")).build()).build(),
                    TransactGetItem.builder().get(Get.builder().tableName(table).key(key("item-2")).build()).build());
        }

        private static String select(String table, String pk) {
            return "SELECT * FROM \"" + table + "\" WHERE pk = '" + pk + "'";
        }
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    /** One configuration's runtime and multi-region clients, and when eu-west-1 was last made suspect. */
    static final class Rig implements AutoCloseable {
        final MultiRegion runtime;
        final DynamoDbClient client;
        final DynamoDbAsyncClient async;
        long suspectSince;

        Rig(Setup setup) {
            runtime = MultiRegion.builder(setup.config()).build();
            List<TableConfig> tables = new ArrayList<>(List.of(TableConfig.builder(SUSPICION).partitionKey("pk")
                    .build()));
            for (Table t : Table.values()) {
                tables.addAll(t.configs());
            }
            client = MultiRegionDynamoDb.builder().multiRegion(runtime).tables(tables)
                    .clientFactory(r -> TestRegions.client(regions, r)).build();
            async = MultiRegionDynamoDb.builder().multiRegion(runtime).tables(tables)
                    .asyncClientFactory(r -> TestRegions.asyncClient(regions, r)).buildAsyncClient();
            warmUp();
        }

        /** A read and a write in each region alone, through both clients: no call below goes through a cold client. */
        private void warmUp() {
            for (String id : IDS) {
                RoutingContext.Builder only = RoutingContext.builder().dataClass(DataClass.PUBLIC);
                for (String other : IDS) {
                    if (!other.equals(id)) {
                        only.excludeRegion(Region.of(other));
                    }
                }
                try (RoutingContext.Scope s = only.build().open()) {
                    for (int i = 0; i < 3; i++) {
                        client.getItem(g -> g.tableName(SUSPICION).key(key("item-1")));
                        async.getItem(g -> g.tableName(SUSPICION).key(key("item-1"))).join();
                        client.putItem(p -> p.tableName(SUSPICION).item(key("warm-up")));
                        async.putItem(p -> p.tableName(SUSPICION).item(key("warm-up"))).join();
                    }
                }
            }
        }

        RegionStatus status(String region) {
            return runtime.status(Region.of(region));
        }

        /** eu-west-1 suspect (not ejected) for less than {@link #SUSPICION_USE}; the other regions' breakers closed. */
        void ensureWestSuspect() throws Exception {
            boolean usable = status(WEST).suspect() && System.nanoTime() - suspectSince < SUSPICION_USE.toNanos()
                    && Arrays.stream(IDS).allMatch(r -> status(r).breaker() == RegionStatus.BreakerState.CLOSED);
            if (usable) {
                return;
            }
            runtime.resetHealth();
            makeWestSuspect();
            suspectSince = System.nanoTime();
            for (String r : IDS) {
                assertThat(status(r).breaker()).as("precondition: %s's breaker", r)
                        .isEqualTo(RegionStatus.BreakerState.CLOSED);
            }
            assertThat(status(WEST).suspect()).as("precondition: eu-west-1 suspect").isTrue();
        }

        /**
         * Black-holes eu-west-1 under hedged (eventually consistent, PUBLIC) reads until it is suspect, then ends the
         * black hole: it would answer, so a call the journal shows was not sent there was passed, not lost there.
         */
        private void makeWestSuspect() throws Exception {
            regions.faults(WEST).blackhole();
            // Four readers, each reading again 20 ms after its last read ended: the load's rate (unpaced readers'
            // late answers would clear the suspicion), as in SuspectRegionReadBackIT.
            ScheduledExecutorService readers = Executors.newScheduledThreadPool(4);
            RoutingContext publicData = RoutingContext.builder().dataClass(DataClass.PUBLIC).build();
            try {
                for (int t = 0; t < 4; t++) {
                    readers.scheduleWithFixedDelay(() -> {
                        try (RoutingContext.Scope s = publicData.open()) {
                            client.getItem(g -> g.tableName(SUSPICION).key(key("item-1")));
                        } catch (RuntimeException e) {
                            // only the suspicion matters here
                        }
                    }, 0, 20, TimeUnit.MILLISECONDS);
                }
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                        .until(() -> status(WEST).suspect());
            } finally {
                regions.faults(WEST).heal();
                readers.shutdown();
                assertThat(readers.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
            }
        }

        @Override
        public void close() {
            client.close();
            async.close();
            runtime.close();
        }
    }

    private static Rig rig(Setup setup) {
        return RIGS.computeIfAbsent(setup, Rig::new);
    }

    /** The configurations that let a call without a context through more often: most tries should send something. */
    @Provide
    Arbitrary<Setup> setups() {
        return Arbitraries.frequency(Tuple.of(3, Setup.INTERNAL_BY_DEFAULT), Tuple.of(2, Setup.RESTRICTED_BY_DEFAULT),
                Tuple.of(1, Setup.REQUIRE_CONTEXT));
    }

    @Provide
    Arbitrary<Condition> conditions() {
        // Throttled calls wait out the SDK's backoff: fewer of them.
        return Arbitraries.frequency(Tuple.of(3, Condition.HEALTHY), Tuple.of(3, Condition.ANSWER_500),
                Tuple.of(1, Condition.THROTTLE));
    }

    @Property(tries = 90)
    void callsWithoutAContextPastASuspectRegionKeepEveryPromise(@ForAll Shape shape, @ForAll Caller caller,
            @ForAll("setups") Setup setup, @ForAll Table table, @ForAll("conditions") Condition condition)
            throws Exception {
        String what = shape + " " + caller + " " + setup + " " + table + " " + condition;
        Rig rig = rig(setup);
        rig.ensureWestSuspect();
        String tableName = shape.kind == Kind.READ ? table.readTable : table.writeTable;
        String id = "nc-" + NEXT_ID.incrementAndGet();
        List<String> allowed = allowed(caller, setup, table);
        regions.journalsClear();
        Outcome outcome;
        try {
            for (String r : List.of(US, CENTRAL)) {
                switch (condition) {
                    case ANSWER_500 -> regions.faults(r).status(500);
                    case THROTTLE -> regions.faults(r).throttle();
                    default -> { }
                }
            }
            outcome = call(rig, caller, shape, tableName, id);
        } finally {
            regions.healAll();
        }
        // Nothing may be sent late (a retry, a page): the journals settle before they are judged.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(new Settled()::test);
        List<String> reached = reached();
        Statistics.label("outcome").collect(outcome.kind());
        Statistics.label("regions reached").collect(reached.toString());
        String seen = what + ": " + outcome + ", reached " + reached + ", allowed " + allowed;

        assertThat(reached).as("regions reached; %s", seen).isSubsetOf(allowed);
        if (allowed.isEmpty()) {
            assertThat(outcome.failure).as(seen).isInstanceOf(ResidencyViolationException.class);
            return;
        }
        List<String> others = allowed.stream().filter(r -> !r.equals(WEST)).toList();
        assertThat(others).as("every table has a region other than eu-west-1").isNotEmpty();
        String next = others.get(0);
        if (shape.kind == Kind.READ) {
            assertThat(outcome.answered()).as("read answered; %s", seen).isTrue();
            if (condition == Condition.HEALTHY) {
                assertThat(reached).as("started past eu-west-1, answered in %s; %s", next, seen)
                        .containsExactly(next);
            } else {
                assertThat(reached).as("back in eu-west-1 after every other region failed; %s", seen)
                        .containsExactlyInAnyOrderElementsOf(allowed);
            }
            return;
        }
        assertThat(reached).as("a write never reaches the suspect eu-west-1; %s", seen).doesNotContain(WEST)
                .contains(next);
        if (condition == Condition.HEALTHY) {
            assertThat(outcome.answered()).as("acknowledged; %s", seen).isTrue();
            assertThat(reached).as(seen).containsExactly(next);
        } else {
            assertThat(outcome.failure).as("failed in every other region, not sent back; %s", seen).isNotNull();
        }
        if (shape.kind == Kind.WRITE && condition == Condition.ANSWER_500) {
            assertThat(reached).as("a write that may have been applied is not moved; %s", seen).containsExactly(next);
        }
    }

    /**
     * The regions the documented rules allow, in plan order (priority): the table's default data class, else the
     * configuration's; {@code requireContext} refuses a call without a context; RESTRICTED needs a subject.
     */
    private static List<String> allowed(Caller caller, Setup setup, Table table) {
        if (!caller.declared && setup == Setup.REQUIRE_CONTEXT) {
            return List.of();
        }
        DataClass dataClass = table.defaultDataClass != null ? table.defaultDataClass
                : setup == Setup.RESTRICTED_BY_DEFAULT ? DataClass.RESTRICTED : DataClass.INTERNAL;
        Set<String> jurisdiction = !dataClass.equals(DataClass.RESTRICTED) ? Set.of(WEST, US, CENTRAL)
                : caller == Caller.GERMAN_SUBJECT_ONLY ? Set.of(WEST, CENTRAL) : Set.of();
        if (!jurisdiction.containsAll(table.replicas)) {
            // RESTRICTED data of a table replicated outside the subject's jurisdiction: refused before sending.
            return List.of();
        }
        return List.of(WEST, US, CENTRAL).stream().filter(r -> jurisdiction.contains(r) && table.replicas.contains(r))
                .toList();
    }

    /** What the call returned or threw. */
    record Outcome(boolean answered, @Nullable Throwable failure) {
        String kind() {
            return failure == null ? (answered ? "answered" : "incomplete") : failure.getClass().getSimpleName();
        }

        @Override
        public String toString() {
            return failure == null ? kind() : failure.toString();
        }
    }

    @SuppressWarnings("try")
    private static Outcome call(Rig rig, Caller caller, Shape shape, String table, String id) throws Exception {
        switch (caller) {
            case UNDECLARED_SCOPE -> {
                try (RoutingContext.Scope s = RoutingContext.builder().correlationId(id).build().open()) {
                    return outcome(rig, shape, table, id);
                }
            }
            case GERMAN_SUBJECT_ONLY -> {
                try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").build().open()) {
                    return outcome(rig, shape, table, id);
                }
            }
            case FRESH_THREAD -> {
                ExecutorService fresh = Executors.newSingleThreadExecutor();
                try {
                    Future<Outcome> f = fresh.submit(() -> {
                        assertThat(RoutingContext.current()).isSameAs(RoutingContext.empty());
                        return outcome(rig, shape, table, id);
                    });
                    return f.get(2, TimeUnit.MINUTES);
                } finally {
                    fresh.shutdown();
                }
            }
            default -> {
                assertThat(RoutingContext.current()).isSameAs(RoutingContext.empty());
                return outcome(rig, shape, table, id);
            }
        }
    }

    private static Outcome outcome(Rig rig, Shape shape, String table, String id) {
        try {
            return new Outcome(shape.run(rig, table, id), null);
        } catch (Exception e) {
            Throwable t = e;
            while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
                t = t.getCause();
            }
            return new Outcome(false, t);
        }
    }

    /** The regions that received a request since the journals were cleared, other than the suspicion's reads. */
    private static List<String> reached() {
        Set<String> reached = new LinkedHashSet<>();
        for (String region : List.of(WEST, US, CENTRAL)) {
            for (RequestJournal.Entry e : regions.journal(region).entries()) {
                if (!e.body().orElse("").contains(SUSPICION)) {
                    reached.add(region);
                }
            }
        }
        return new ArrayList<>(reached);
    }

    /** True once the journals' total stays the same between two polls. */
    private static final class Settled {
        private int last = -1;

        boolean test() {
            int total = Arrays.stream(IDS).mapToInt(r -> regions.journal(r).count()).sum();
            boolean same = total == last;
            last = total;
            return same;
        }
    }
}
