package dev.meridian.dynamodb.acceptance.fleetconditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.acceptance.realconditions.Starvation;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.control.ControlTable;
import dev.meridian.dynamodb.control.ControlTableSource;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RegionFaults;
import dev.meridian.testkit.RequestJournal;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * docs/fleet-control.md under the conditions where it could break, read as a user on LocalRegions and the public API.
 * A "fleet" is several runtimes in one JVM, each with its own control-table source, clients and meters, and each
 * reading its own data table so that the regions' request journals tell its calls apart.
 *
 * <p>The bound every change is held to is the documented one: "a change is seen within one interval after it reaches
 * the source the instance reads", where the read itself bounds its time ("read() must bound its own time"; the table
 * source's clients here time out after {@link #READ_TIMEOUT}, below the poll interval as the docs advise) and a read
 * whose first region cannot answer goes to the next region of the read order. So: one interval, plus one timed-out
 * read of the failing region and one answered read, plus {@link #SLACK} for the replicator and a 2-core machine that
 * other builds share. Awaitility waits no longer than that; nothing is timed in the unit-test sense.
 */
@LocalRegionsConfig
class FleetControlUnderFaultsIT {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration READ_TIMEOUT = Duration.ofMillis(250);
    private static final Duration SLACK = Duration.ofMillis(750);
    private static final Duration BOUND = POLL.plus(READ_TIMEOUT.multipliedBy(2)).plus(SLACK);
    private static final Region EU_WEST = Region.EU_WEST_1;
    private static final Region EU_CENTRAL = Region.EU_CENTRAL_1;
    private static final Region US_EAST = Region.US_EAST_1;
    private static final List<Region> ALL = List.of(EU_WEST, EU_CENTRAL, US_EAST);
    private static final String WEST_ONLY_TABLE = "fcf_west_only";
    private static final AtomicInteger IDS = new AtomicInteger();
    private static LocalRegions regions;

    private final List<AutoCloseable> closing = new ArrayList<>();

    /** One runtime of the fleet: its own meters, control source, routed client and data table. */
    private record Instance(MultiRegion runtime, MeterRegistry meters, DynamoDbClient dynamo, String table) {
        boolean on(Region region) {
            return runtime.status(region).available();
        }

        void get() {
            dynamo.getItem(GetItemRequest.builder().tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS("k-" + IDS.incrementAndGet()))).build());
        }

        double controlReads() {
            return meters.find("meridian.control.reads").counters().stream().mapToDouble(c -> c.count()).sum();
        }

        double controlFailures() {
            return meters.find("meridian.control.failures").counters().stream().mapToDouble(c -> c.count()).sum();
        }

        double age() {
            return meters.get("meridian.control.age").gauge().value();
        }
    }

    @BeforeAll
    static void createTables() {
        for (int i = 0; i < 4; i++) {
            regions.createGlobalTable(LocalRegions.pkTable(dataTable(i)));
        }
        regions.createGlobalTable(LocalRegions.pkTable(WEST_ONLY_TABLE), List.of("eu-west-1"));
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private static String dataTable(int i) {
        return "fcf_data_" + i;
    }

    /** A fresh control table per test: tables outlive the tests of a class. */
    private static String controlTable() {
        String name = "fcf_control_" + IDS.incrementAndGet();
        regions.createGlobalTable(CreateTableRequest.builder().tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .build());
        return name;
    }

    private static MultiRegionConfig config() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST).jurisdiction("EU"))
                .region(RegionSpec.of(EU_CENTRAL).jurisdiction("EU"))
                .region(RegionSpec.of(US_EAST).jurisdiction("US"))
                .localRegion(EU_WEST)
                .routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.disabled())
                .build();
    }

    private Instance instance(String control, List<Region> readOrder, int table) {
        return instance(control, readOrder, table, config());
    }

    private Instance instance(String control, List<Region> readOrder, int table, MultiRegionConfig config) {
        ControlTableSource source = ControlTableSource.builder().tableName(control).readOrder(readOrder)
                .controlledRegions(ALL).clientFactory(r -> TestRegions.client(regions, r, READ_TIMEOUT)).build();
        MeterRegistry meters = new SimpleMeterRegistry();
        MultiRegion runtime = MultiRegion.builder(config).meterRegistry(meters)
                .control(ControlConfig.builder(source).pollInterval(POLL).build()).build();
        closing.add(runtime);
        DynamoDbClient dynamo = MultiRegionDynamoDb.builder().multiRegion(runtime)
                .clientFactory(r -> TestRegions.client(regions, r))
                .tables(List.of(TableConfig.builder(WEST_ONLY_TABLE).partitionKey("pk")
                        .replicaRegions(EU_WEST).build()))
                .build();
        closing.add(dynamo);
        return new Instance(runtime, meters, dynamo, dataTable(table));
    }

    /** Writes a region item in eu-central-1 the way an operator's tool does (under its version) and returns it. */
    private static RegionControlEntry write(String control, Region region, ControlState state, long version) {
        return new ControlTable(control).write(regions.client("eu-central-1"), region, state, null, "acceptance",
                version, Instant.now());
    }

    private static long gets(String region, String table) {
        return calls(region, "GetItem", table);
    }

    /** {@code operation}s on {@code table} that reached {@code region} (the control table's own traffic apart). */
    private static long calls(String region, String operation, String table) {
        return regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals(operation) && e.table().equals(java.util.Optional.of(table)))
                .count();
    }

    /** The last GetItem of {@code table} that reached {@code region}, if any. */
    private static java.util.Optional<Instant> lastGet(String region, String table) {
        return regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals("GetItem") && e.table().equals(java.util.Optional.of(table)))
                .map(RequestJournal.Entry::time).max(Instant::compareTo);
    }

    private static void awaitFirstRead(Instance... fleet) {
        await().atMost(BOUND.multipliedBy(4)).until(() -> List.of(fleet).stream().allMatch(i -> i.controlReads() >= 1));
    }

    /** Traffic on every instance of the fleet, every 20 ms each, until closed. */
    private AutoCloseable traffic(List<Instance> fleet) {
        ScheduledExecutorService calls = Executors.newScheduledThreadPool(fleet.size());
        for (Instance i : fleet) {
            calls.scheduleWithFixedDelay(() -> {
                try {
                    i.get();
                } catch (SdkException | NoRegionAvailableException e) {
                    // a failed call is visible in the journals; traffic goes on
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
        }
        return () -> {
            calls.shutdownNow();
            calls.awaitTermination(10, TimeUnit.SECONDS);
        };
    }

    /**
     * The control table's first region for two of the three instances fails — refused, black hole, throttled, or its
     * answers lost (applied by the table, never heard back) — while eu-west-1 is turned OFF and back ON: every
     * instance applies each change within the bound, and once an instance shows eu-west-1 OFF no call of it reaches
     * eu-west-1 (its last one there came before it applied the change).
     */
    @Test
    void aDrainAndAnUndrainReachEveryInstanceWithinTheBoundWhileTheControlTablesFirstRegionFails() throws Exception {
        String control = controlTable();
        List<Instance> fleet = List.of(
                instance(control, List.of(US_EAST, EU_CENTRAL), 0),
                instance(control, List.of(EU_WEST, EU_CENTRAL), 1),
                instance(control, List.of(US_EAST, EU_WEST), 2));
        awaitFirstRead(fleet.toArray(Instance[]::new));
        Map<String, Consumer<RegionFaults>> faults = new java.util.LinkedHashMap<>();
        faults.put("refused", RegionFaults::down);
        faults.put("black hole", f -> f.only("BatchGetItem").blackhole());
        faults.put("throttled", f -> f.only("BatchGetItem").throttle());
        faults.put("answers lost", f -> f.only("BatchGetItem").latency(READ_TIMEOUT.multipliedBy(4)));
        long version = 0;
        List<String> figures = new ArrayList<>();
        try (AutoCloseable running = traffic(fleet)) {
            for (Map.Entry<String, Consumer<RegionFaults>> fault : faults.entrySet()) {
                fault.getValue().accept(regions.faults("us-east-1"));
                ControlState next = version % 2 == 0 ? ControlState.OFF : ControlState.ON;
                boolean off = next == ControlState.OFF;
                RegionControlEntry written = write(control, EU_WEST, next, version);
                Instant acknowledged = Instant.now();
                version = written.version();
                long start = System.nanoTime();
                for (Instance i : fleet) {
                    await(fault.getKey() + ": " + next + " reaches " + i.table()).atMost(BOUND)
                            .pollInterval(Duration.ofMillis(10)).until(() -> i.on(EU_WEST) != off);
                }
                figures.add(fault.getKey() + " " + next + ": all applied in "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
                if (off) {
                    Instant seen = Instant.now();
                    for (Instance i : fleet) {
                        for (int n = 0; n < 5; n++) {
                            i.get();
                        }
                        assertThat(lastGet("eu-west-1", i.table()).filter(t -> t.isAfter(seen)))
                                .as("%s: no call of %s in eu-west-1 once it shows it OFF", fault.getKey(), i.table())
                                .isEmpty();
                        figures.add("  " + i.table() + " last call in eu-west-1 "
                                + lastGet("eu-west-1", i.table()).map(t -> Duration.between(acknowledged, t).toMillis()
                                        + " ms after the write").orElse("never"));
                    }
                } else {
                    regions.journalsClear();
                    for (Instance i : fleet) {
                        i.get();
                        assertThat(gets("eu-west-1", i.table())).as("%s back in eu-west-1", i.table()).isPositive();
                    }
                }
                regions.faults("us-east-1").heal();
                regions.faults("us-east-1").only("BatchGetItem").heal();
            }
        }
        System.out.println("FleetControlUnderFaultsIT propagation: " + String.join("\n", figures));
    }

    /**
     * An instance that starts cold while eu-west-1 is OFF — and while its local control region (eu-west-1) is a black
     * hole for control reads — has every region ON until its first good read (documented), which comes from the next
     * region of its read order within the bound; from then on none of its calls reaches eu-west-1. Building it never
     * waits for the control plane.
     */
    @Test
    void anInstanceStartingColdDuringADrainStopsCallingTheDrainedRegionOnceItsFirstReadAnswers() {
        String control = controlTable();
        write(control, EU_WEST, ControlState.OFF, 0);
        regions.awaitReplication();
        regions.faults("eu-west-1").only("BatchGetItem").blackhole();

        long start = System.nanoTime();
        Instance cold = instance(control, List.of(EU_WEST, EU_CENTRAL), 0);
        long built = System.nanoTime() - start;
        assertThat(Duration.ofNanos(built)).as("building does not wait out the black-holed control read")
                .isLessThan(Duration.ofSeconds(5));
        await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> !cold.on(EU_WEST));
        regions.journalsClear();
        for (int n = 0; n < 10; n++) {
            cold.get();
        }
        assertThat(gets("eu-west-1", cold.table())).isZero();
        assertThat(gets("eu-central-1", cold.table())).isEqualTo(10);
        assertThat(regions.journal("eu-west-1").count("BatchGetItem")).as("the local control region was tried")
                .isPositive();
    }

    /**
     * Unreachable at start-up: every configured region is ON, the failures are metered and the age is NaN; once the
     * table answers, its OFF applies. Unreachable later (every control region failing): the last known state stays
     * in force — an undrain written meanwhile is not applied, no call reaches the OFF region, the age grows — until a
     * read answers again, which applies the undrain within the bound.
     */
    @Test
    void unreachableAtStartUpEverythingIsOnAndUnreachableLaterTheLastKnownStateStaysInForce() {
        String control = controlTable();
        long version = write(control, EU_WEST, ControlState.OFF, 0).version();
        regions.awaitReplication();
        for (String r : regions.regions()) {
            regions.faults(r).only("BatchGetItem").status(503);
        }
        Instance instance = instance(control, ALL, 0);
        await().atMost(BOUND.multipliedBy(2)).until(() -> instance.controlFailures() >= 1);
        assertThat(instance.age()).as("no good read yet").isNaN();
        assertThat(instance.on(EU_WEST)).as("before the first good read every region is ON").isTrue();
        regions.journalsClear();
        instance.get();
        assertThat(gets("eu-west-1", instance.table())).isEqualTo(1);

        for (String r : regions.regions()) {
            regions.faults(r).only("BatchGetItem").heal();
        }
        await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> !instance.on(EU_WEST));

        for (String r : regions.regions()) {
            regions.faults(r).only("BatchGetItem").blackhole();
        }
        double failures = instance.controlFailures();
        write(control, EU_WEST, ControlState.ON, version);
        await().atMost(BOUND.multipliedBy(2)).until(() -> instance.controlFailures() >= failures + 2);
        regions.journalsClear();
        for (int n = 0; n < 5; n++) {
            instance.get();
        }
        assertThat(instance.on(EU_WEST)).as("fail static: the undrain is not known").isFalse();
        assertThat(gets("eu-west-1", instance.table())).isZero();
        assertThat(instance.age()).as("seconds since the last good read").isGreaterThan(0.0);

        for (String r : regions.regions()) {
            regions.faults(r).only("BatchGetItem").heal();
        }
        await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> instance.on(EU_WEST));
    }

    /**
     * Under CPU starvation (twice as many busy threads as cores, always stopped), a drain still reaches three
     * instances within the bound and no call of theirs reaches the drained region once they show it OFF.
     */
    @Test
    void underCpuStarvationADrainStillReachesEveryInstanceWithinTheBound() throws Exception {
        String control = controlTable();
        List<Instance> fleet = List.of(instance(control, List.of(EU_WEST, EU_CENTRAL), 0),
                instance(control, List.of(EU_CENTRAL, EU_WEST), 1),
                instance(control, List.of(US_EAST, EU_WEST), 2));
        awaitFirstRead(fleet.toArray(Instance[]::new));
        try (Starvation busy = Starvation.start(2 * Runtime.getRuntime().availableProcessors(), false)) {
            write(control, EU_WEST, ControlState.OFF, 0);
            long start = System.nanoTime();
            for (Instance i : fleet) {
                await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> !i.on(EU_WEST));
            }
            System.out.println("FleetControlUnderFaultsIT under CPU starvation: all applied in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
            regions.journalsClear();
            for (Instance i : fleet) {
                i.get();
                assertThat(gets("eu-west-1", i.table())).isZero();
            }
        }
    }

    /**
     * Writes in flight in eu-west-1 when it is turned OFF are not sent again elsewhere: slow writes (answered late)
     * complete in eu-west-1 once each, and a write whose answer is lost (it may have been applied) fails instead of
     * moving to eu-central-1; new writes after the drain go to eu-central-1.
     */
    @Test
    void writesInFlightWhenTheirRegionIsTurnedOffAreNeverSentAgainElsewhere() throws Exception {
        String control = controlTable();
        Instance instance = instance(control, List.of(EU_CENTRAL), 3);
        awaitFirstRead(instance);
        regions.faults("eu-west-1").only("PutItem").latency(Duration.ofMillis(1200));
        ExecutorService writers = Executors.newFixedThreadPool(4);
        long version;
        List<CompletableFuture<Object>> inFlight = new ArrayList<>();
        try {
            for (int n = 0; n < 4; n++) {
                String key = "inflight-" + IDS.incrementAndGet();
                inFlight.add(CompletableFuture.supplyAsync(() -> instance.dynamo().putItem(PutItemRequest.builder()
                        .tableName(instance.table()).item(Map.of("pk", AttributeValue.fromS(key))).build()), writers));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> calls("eu-west-1", "PutItem", instance.table()) >= 4);
            version = write(control, EU_WEST, ControlState.OFF, 0).version();
            await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> !instance.on(EU_WEST));
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            writers.shutdownNow();
        }
        assertThat(calls("eu-west-1", "PutItem", instance.table())).as("each in-flight write sent once").isEqualTo(4);
        assertThat(calls("eu-central-1", "PutItem", instance.table())).as("none sent again elsewhere").isZero();

        // A write whose answer is lost while its region goes OFF: it may have been applied, so it must not move.
        version = write(control, EU_WEST, ControlState.ON, version).version();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> instance.on(EU_WEST));
        regions.journalsClear();
        regions.faults("eu-west-1").only("PutItem").blackhole();
        String lost = "lost-" + IDS.incrementAndGet();
        CompletableFuture<Object> pending = CompletableFuture.supplyAsync(() -> instance.dynamo().putItem(
                PutItemRequest.builder().tableName(instance.table()).item(Map.of("pk", AttributeValue.fromS(lost)))
                        .build()));
        await().atMost(Duration.ofSeconds(5)).until(() -> calls("eu-west-1", "PutItem", instance.table()) >= 1);
        write(control, EU_WEST, ControlState.OFF, version);
        assertThatThrownBy(() -> pending.get(30, TimeUnit.SECONDS)).as("the possibly-applied write fails")
                .isInstanceOf(java.util.concurrent.ExecutionException.class);
        assertThat(calls("eu-central-1", "PutItem", instance.table())).as("never re-sent to another region").isZero();
        assertThat(calls("us-east-1", "PutItem", instance.table())).isZero();

        await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> !instance.on(EU_WEST));
        instance.dynamo().putItem(PutItemRequest.builder().tableName(instance.table())
                .item(Map.of("pk", AttributeValue.fromS("after-" + IDS.incrementAndGet()))).build());
        assertThat(calls("eu-central-1", "PutItem", instance.table())).as("new writes go where it is ON").isEqualTo(1);
    }

    /**
     * Bad control items, as documented: an entry for a region the runtime is not configured with is ignored (the
     * others apply); a state other than ON/OFF, a negative weight, or an unparsable updatedAt fails the read, the state
     * in force stays and the failure is metered; once the item is mended it applies.
     */
    @Test
    void badControlItemsFailStaticAndAnUnknownRegionIsIgnored() {
        String control = controlTable();
        DynamoDbClient table = regions.client("eu-west-1");
        ControlTableSource source = ControlTableSource.builder().tableName(control).readOrder(List.of(EU_WEST))
                .controlledRegions(List.of(EU_WEST, EU_CENTRAL, US_EAST, Region.AP_SOUTHEAST_2))
                .clientFactory(r -> TestRegions.client(regions, r, READ_TIMEOUT)).build();
        MeterRegistry meters = new SimpleMeterRegistry();
        MultiRegion runtime = MultiRegion.builder(config()).meterRegistry(meters)
                .control(ControlConfig.builder(source).pollInterval(POLL).build()).build();
        closing.add(runtime);
        new ControlTable(control).write(table, Region.AP_SOUTHEAST_2, ControlState.OFF, null, "acceptance", 0,
                Instant.now());
        new ControlTable(control).write(table, EU_WEST, ControlState.OFF, null, "acceptance", 0, Instant.now());
        await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> !runtime.status(EU_WEST).available());
        assertThat(meters.find("meridian.control.state").tag("region", "ap-southeast-2").gauge())
                .as("a region the runtime does not know is ignored").isNull();

        List<Map<String, AttributeValue>> bad = List.of(
                Map.of("state", AttributeValue.fromS("DRAINING")),
                Map.of("state", AttributeValue.fromS("ON"), "weight", AttributeValue.fromN("-1")),
                Map.of("state", AttributeValue.fromS("ON"), "updatedAt", AttributeValue.fromS("yesterday")));
        for (Map<String, AttributeValue> item : bad) {
            double failures = failures(meters);
            Map<String, AttributeValue> written = new java.util.HashMap<>(item);
            written.put("pk", AttributeValue.fromS(ControlTable.regionKey(EU_CENTRAL)));
            written.put("version", AttributeValue.fromN("1"));
            table.putItem(PutItemRequest.builder().tableName(control).item(written).build());
            await(item.toString()).atMost(BOUND).until(() -> failures(meters) >= failures + 1);
            assertThat(runtime.status(EU_WEST).available()).as("%s: the state in force stays", item).isFalse();
            assertThat(runtime.status(EU_CENTRAL).available()).as("%s: not guessed", item).isTrue();
        }
        table.putItem(PutItemRequest.builder().tableName(control).item(Map.of(
                "pk", AttributeValue.fromS(ControlTable.regionKey(EU_CENTRAL)), "state", AttributeValue.fromS("OFF"),
                "version", AttributeValue.fromN("2"))).build());
        await().atMost(BOUND).pollInterval(Duration.ofMillis(10))
                .until(() -> !runtime.status(EU_CENTRAL).available());
    }

    private static double failures(MeterRegistry meters) {
        return meters.find("meridian.control.failures").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /**
     * Residency wins over a control change: eu-west-1 is the only replica of a table; turning it OFF (a forced
     * change, written with the low-level table API) leaves a German RESTRICTED write nowhere to go
     * (NoRegionAvailableException), never us-east-1 — also while the control table's local region is failing.
     */
    @Test
    void turningOffTheOnlyInJurisdictionRegionNeverSendsRestrictedDataElsewhere() {
        String control = controlTable();
        Instance instance = instance(control, List.of(EU_CENTRAL, EU_WEST), 0);
        awaitFirstRead(instance);
        PutItemRequest put = PutItemRequest.builder().tableName(WEST_ONLY_TABLE)
                .item(Map.of("pk", AttributeValue.fromS("de-" + IDS.incrementAndGet()))).build();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            instance.dynamo().putItem(put);
        }
        regions.faults("eu-central-1").only("BatchGetItem").throttle();
        write(control, EU_WEST, ControlState.OFF, 0);
        await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> !instance.on(EU_WEST));
        regions.journalsClear();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            for (int n = 0; n < 3; n++) {
                assertThatThrownBy(() -> instance.dynamo().putItem(put))
                        .isInstanceOf(NoRegionAvailableException.class);
                assertThatThrownBy(() -> instance.dynamo().getItem(GetItemRequest.builder().tableName(WEST_ONLY_TABLE)
                        .key(put.item()).build())).isInstanceOf(NoRegionAvailableException.class);
            }
        }
        for (String r : regions.regions()) {
            assertThat(regions.journal(r).entries()).as("nothing RESTRICTED reached %s", r)
                    .noneMatch(e -> e.table().equals(java.util.Optional.of(WEST_ONLY_TABLE)));
        }
    }

    /**
     * Weights from the control table reach an instance of the weighted strategy within the bound while its first
     * control region is throttled: eu-west-1 weight 0 takes it out of every first attempt, then eu-west-1 100 with
     * eu-central-1 0 moves all of it back (us-east-1 keeps its configured weight 0).
     */
    @Test
    void aWeightChangeReachesAnInstanceWithinTheBoundWhileItsFirstControlRegionIsThrottled() {
        String control = controlTable();
        MultiRegionConfig weighted = MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST).jurisdiction("EU").weight(50))
                .region(RegionSpec.of(EU_CENTRAL).jurisdiction("EU").weight(50))
                .region(RegionSpec.of(US_EAST).jurisdiction("US").weight(0))
                .localRegion(EU_WEST)
                .routing(RoutingStrategy.weighted(new java.util.Random(11)))
                .hedging(HedgingConfig.disabled())
                .build();
        Instance instance = instance(control, List.of(US_EAST, EU_CENTRAL), 1, weighted);
        awaitFirstRead(instance);
        regions.faults("us-east-1").only("BatchGetItem").throttle();
        ControlTable table = new ControlTable(control);
        DynamoDbClient writer = regions.client("eu-central-1");

        long west = table.write(writer, EU_WEST, ControlState.ON, 0, "acceptance", 0, Instant.now()).version();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            regions.journalsClear();
            for (int n = 0; n < 20; n++) {
                instance.get();
            }
            assertThat(gets("eu-west-1", instance.table())).isZero();
        });

        table.write(writer, EU_CENTRAL, ControlState.ON, 0, "acceptance", 0, Instant.now());
        table.write(writer, EU_WEST, ControlState.ON, 100, "acceptance", west, Instant.now());
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            regions.journalsClear();
            for (int n = 0; n < 20; n++) {
                instance.get();
            }
            assertThat(gets("eu-west-1", instance.table())).isEqualTo(20);
        });
    }

    /**
     * "While a region is OFF and traffic asks for it an instance reads at most twice per interval" also holds when
     * every read fails: traffic that keeps finding eu-west-1 OFF while the control table answers 503 everywhere does
     * not hammer the control plane (a bound on a count of failed reads, not a timing).
     */
    @Test
    void trafficFindingARegionOffDoesNotHammerAFailingControlPlane() {
        String control = controlTable();
        write(control, EU_WEST, ControlState.OFF, 0);
        Instance instance = instance(control, List.of(EU_WEST, EU_CENTRAL), 2);
        await().atMost(BOUND.multipliedBy(2)).pollInterval(Duration.ofMillis(10)).until(() -> !instance.on(EU_WEST));
        for (String r : regions.regions()) {
            regions.faults(r).only("BatchGetItem").status(503);
        }
        double before = instance.controlFailures() + instance.controlReads();
        long start = System.nanoTime();
        long calls = 0;
        while (System.nanoTime() - start < POLL.toNanos() * 5) {
            instance.get();
            calls++;
        }
        long intervals = (System.nanoTime() - start) / POLL.toNanos() + 1;
        double reads = instance.controlFailures() + instance.controlReads() - before;
        assertThat(calls).isPositive();
        assertThat(reads).as("%s reads in %s intervals", reads, intervals).isLessThanOrEqualTo(2.0 * intervals + 1);
        assertThat(instance.on(EU_WEST)).as("fail static").isFalse();
    }
}
