package dev.meridian.dynamodb.acceptance.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.control.RegionControlSource;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.control.StaticControlSource;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.control.ControlTable;
import dev.meridian.dynamodb.control.ControlTableSource;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
 * docs/fleet-control.md's semantics read as a user, on LocalRegions and the public API: OFF removes a region from
 * every plan and a local drain stays an override; a home-only operation whose home is OFF fails instead of moving; a
 * control never adds a region residency forbids and ignores regions the runtime does not know; weights replace the
 * configured ones they name; the poller is one daemon thread and building never waits for it; before the first good
 * read every region is ON; a failing source, or a control-table item that breaks the schema, keeps the state in force
 * (fail static) and is metered. The journals witness where requests went. Polls are short (100 ms) so a change is
 * seen quickly; the waits are bounded generously, never asserted as timings.
 */
@LocalRegionsConfig
class FleetControlAcceptanceIT {
    private static final String TABLE = "fca_orders";
    private static final String EU_TABLE = "fca_eu_profiles";
    private static final String CONTROL = "fca_control";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration SEEN = Duration.ofSeconds(10);
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static LocalRegions regions;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final MeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void createTables() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(EU_TABLE), List.of("eu-west-1", "eu-central-1"));
        regions.createGlobalTable(CreateTableRequest.builder().tableName(CONTROL)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .build());
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private static MultiRegionConfig.Builder config(UnaryOperator<MultiRegionConfig.Builder> routing) {
        return routing.apply(MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.EU_WEST_1)
                .hedging(HedgingConfig.disabled()));
    }

    private MultiRegion runtime(RegionControlSource source) {
        return runtime(source, config(b -> b.routing(RoutingStrategy.localFirst())).build());
    }

    private MultiRegion runtime(RegionControlSource source, MultiRegionConfig config) {
        MultiRegion runtime = MultiRegion.builder(config).meterRegistry(meters)
                .control(ControlConfig.builder(source).pollInterval(POLL).build()).build();
        closing.add(runtime);
        return runtime;
    }

    private DynamoDbClient client(MultiRegion runtime, TableConfig... tables) {
        DynamoDbClient client = MultiRegionDynamoDb.builder().multiRegion(runtime)
                .clientFactory(r -> TestRegions.client(regions, r)).tables(List.of(tables)).build();
        closing.add(client);
        return client;
    }

    private static StaticControlSource states(String text) {
        return StaticControlSource.parse(text, "test control");
    }

    private static GetItemRequest get() {
        return GetItemRequest.builder().tableName(TABLE)
                .key(Map.of("pk", AttributeValue.fromS("k-" + KEYS.incrementAndGet()))).build();
    }

    private static int gets(String region) {
        return regions.journal(region).count("GetItem");
    }

    private double reads(String source) {
        return meters.find("meridian.control.reads").tag("source", source).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private double failures(String source) {
        return meters.find("meridian.control.failures").tag("source", source).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    /** Waits until the runtime's poller has read the source {@code n} times (after a change: it is in force). */
    private void awaitReads(String source, double n) {
        await().atMost(SEEN).until(() -> reads(source) >= n);
    }

    @Test
    void offRemovesTheRegionFromEveryPlanALocalDrainStaysAnOverrideAndOnBringsItBack() {
        StaticControlSource control = states("eu-west-1=OFF");
        MultiRegion runtime = runtime(control);
        DynamoDbClient orders = client(runtime);
        awaitReads("static", 1);

        for (int i = 0; i < 5; i++) {
            orders.getItem(get());
        }
        assertThat(gets("eu-west-1")).isZero();
        assertThat(gets("eu-central-1")).isEqualTo(5);
        assertThat(runtime.status(Region.EU_WEST_1).available()).as("health shows the OFF region unavailable")
                .isFalse();
        assertThat(runtime.status(Region.EU_WEST_1).drained()).as("OFF is not a local drain").isFalse();
        assertThat(meters.get("meridian.control.state").tag("region", "eu-west-1").gauge().value()).isZero();
        assertThat(meters.get("meridian.control.state").tag("region", "eu-central-1").gauge().value()).isEqualTo(1);

        runtime.drain(Region.EU_CENTRAL_1);
        orders.getItem(get());
        assertThat(gets("us-east-1")).as("neither drained locally nor OFF: only us-east-1").isEqualTo(1);

        control.set(RegionControlState.empty().with(Region.EU_WEST_1, RegionControlEntry.of(ControlState.ON, null,
                Instant.now(), "operator", 2)));
        await().atMost(SEEN).untilAsserted(() -> {
            orders.getItem(get());
            assertThat(gets("eu-west-1")).isPositive();
        });
        assertThat(meters.get("meridian.control.propagation").tag("region", "eu-west-1").timer().count())
                .as("the change's first effect, timed from its updatedAt").isEqualTo(1);
        regions.journalsClear();
        runtime.undrain(Region.EU_CENTRAL_1);
        orders.getItem(get());
        assertThat(gets("eu-west-1")).isEqualTo(1);
    }

    @Test
    void aHomeOnlyOperationWhoseHomeIsOffFailsWithNoRegionAvailableAndNeverMoves() {
        StaticControlSource control = states("");
        MultiRegion runtime = runtime(control);
        Operation op = Operation.builder("pinned", OperationKind.WRITE).routingKey("account-42")
                .strategy(RoutingStrategy.homeByKey()).homeOnly().build();
        Region home = runtime.execute(op, r -> r);
        List<Region> called = Collections.synchronizedList(new ArrayList<>());

        control.set(RegionControlState.empty().with(home, RegionControlEntry.of(ControlState.OFF)));
        double before = reads("static");
        awaitReads("static", before + 1);

        assertThatThrownBy(() -> runtime.execute(op, r -> {
            called.add(r);
            return r;
        })).isInstanceOf(NoRegionAvailableException.class);
        assertThat(called).isEmpty();
    }

    /**
     * A control never adds a region: with both EU regions OFF and us-east-1 ON, a German RESTRICTED put on an
     * EU-only table has nowhere to go (NoRegionAvailableException) and never reaches us-east-1; an entry for a region
     * the runtime is not configured with is ignored.
     */
    @Test
    void aControlNeverAddsARegionResidencyForbidsAndIgnoresRegionsTheRuntimeDoesNotKnow() {
        MultiRegion runtime = runtime(states("eu-west-1=OFF,eu-central-1=OFF,us-east-1=ON,ap-southeast-2=OFF"));
        DynamoDbClient profiles = client(runtime, TableConfig.builder(EU_TABLE).partitionKey("pk")
                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build());
        awaitReads("static", 1);

        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE")
                .dataClass(DataClass.RESTRICTED).open()) {
            assertThatThrownBy(() -> profiles.putItem(PutItemRequest.builder().tableName(EU_TABLE)
                    .item(Map.of("pk", AttributeValue.fromS("de-1"))).build()))
                    .isInstanceOf(NoRegionAvailableException.class);
        }
        assertThat(regions.journal("us-east-1").isEmpty()).isTrue();
        assertThat(regions.journal("eu-west-1").isEmpty()).isTrue();
        assertThat(regions.journal("eu-central-1").isEmpty()).isTrue();
        assertThat(meters.find("meridian.control.state").tag("region", "ap-southeast-2").gauge())
                .as("a region the runtime does not know is ignored").isNull();
    }

    /** Weights from the source replace the configured weights of the regions they name; the others keep theirs. */
    @Test
    void weightsFromTheSourceReplaceTheConfiguredWeightsOfTheRegionsTheyNameOnly() {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").weight(50))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").weight(50))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").weight(0))
                .localRegion(Region.EU_WEST_1)
                .routing(RoutingStrategy.weighted(new java.util.Random(7)))
                .hedging(HedgingConfig.disabled())
                .build();
        MultiRegion runtime = runtime(states("eu-west-1=ON:0"), config);
        awaitReads("static", 1);
        Map<Region, AtomicInteger> firsts = Map.of(Region.EU_WEST_1, new AtomicInteger(),
                Region.EU_CENTRAL_1, new AtomicInteger(), Region.US_EAST_1, new AtomicInteger());
        Operation read = Operation.of("read", OperationKind.READ);

        for (int i = 0; i < 1000; i++) {
            runtime.execute(read, r -> firsts.get(r).incrementAndGet());
        }

        assertThat(firsts.get(Region.EU_WEST_1).get()).as("weight 0 from the control").isZero();
        assertThat(firsts.get(Region.US_EAST_1).get()).as("configured weight 0 kept").isZero();
        assertThat(firsts.get(Region.EU_CENTRAL_1).get()).isEqualTo(1000);
    }

    /**
     * Building never waits for the control plane: the first read runs on the one daemon poller thread
     * ({@code meridian-control}); until it answers every configured region is ON, and the runtime serves calls.
     */
    @Test
    void theFirstReadRunsOnTheDaemonPollerAndUntilItAnswersEveryRegionIsOn() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        AtomicReference<Thread> poller = new AtomicReference<>();
        RegionControlSource slow = new RegionControlSource() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public RegionControlState read() {
                poller.compareAndSet(null, Thread.currentThread());
                reading.countDown();
                try {
                    answer.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return StaticControlSource.parseState("eu-west-1=OFF", "slow");
            }
        };
        MultiRegion runtime = runtime(slow);
        DynamoDbClient orders = client(runtime);
        assertThat(reading.await(30, TimeUnit.SECONDS)).isTrue();

        orders.getItem(get());
        assertThat(gets("eu-west-1")).as("every region ON before the first good read").isEqualTo(1);
        assertThat(meters.get("meridian.control.age").tag("source", "slow").gauge().value()).isNaN();
        assertThat(poller.get().getName()).isEqualTo("meridian-control");
        assertThat(poller.get().isDaemon()).isTrue();

        answer.countDown();
        awaitReads("slow", 1);
        orders.getItem(get());
        assertThat(gets("eu-central-1")).isEqualTo(1);
    }

    /**
     * "While a region is OFF and traffic asks for it an instance reads at most twice per interval": calls that keep
     * finding eu-west-1 OFF bring reads forward, never more than two per interval (a bound on a count, not a timing).
     */
    @Test
    void callsThatFindARegionOffReadTheSourceAtMostTwicePerInterval() {
        Duration interval = Duration.ofMillis(400);
        AtomicInteger sourceReads = new AtomicInteger();
        RegionControlSource counting = new RegionControlSource() {
            @Override
            public String name() {
                return "counting";
            }

            @Override
            public RegionControlState read() {
                sourceReads.incrementAndGet();
                return StaticControlSource.parseState("eu-west-1=OFF", "counting");
            }
        };
        MultiRegion runtime = MultiRegion.builder(config(b -> b.routing(RoutingStrategy.localFirst())).build())
                .meterRegistry(meters).control(ControlConfig.builder(counting).pollInterval(interval).build()).build();
        closing.add(runtime);
        awaitReads("counting", 1);
        Operation read = Operation.of("read", OperationKind.READ);
        int before = sourceReads.get();
        long start = System.nanoTime();
        long calls = 0;
        while (System.nanoTime() - start < interval.toNanos() * 5) {
            runtime.execute(read, r -> r);
            calls++;
        }
        long elapsed = System.nanoTime() - start;

        int reads = sourceReads.get() - before;
        long intervals = elapsed / interval.toNanos() + 1;
        assertThat(calls).isPositive();
        assertThat(reads).as("%s reads in %s intervals", reads, intervals)
                .isLessThanOrEqualTo((int) (2 * intervals + 1));
    }

    /** Fail static: once a source fails, the last good state stays in force and the failures are metered. */
    @Test
    void aSourceThatStartsFailingKeepsTheLastGoodStateInForceAndIsMetered() {
        AtomicBoolean failing = new AtomicBoolean();
        RegionControlSource flaky = new RegionControlSource() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public RegionControlState read() {
                if (failing.get()) {
                    throw new IllegalStateException("control plane down");
                }
                return StaticControlSource.parseState("eu-west-1=OFF", "flaky");
            }
        };
        MultiRegion runtime = runtime(flaky);
        DynamoDbClient orders = client(runtime);
        awaitReads("flaky", 1);
        failing.set(true);
        await().atMost(SEEN).until(() -> failures("flaky") >= 2);

        for (int i = 0; i < 5; i++) {
            orders.getItem(get());
        }
        assertThat(gets("eu-west-1")).isZero();
        assertThat(gets("eu-central-1")).isEqualTo(5);
        assertThat(meters.get("meridian.control.age").tag("source", "flaky").gauge().value()).isNotNaN();
    }

    /**
     * The control table: an item that breaks the schema (a weight over 100) fails the read and the instance fails
     * static rather than guess; a region without an item is ON. The reads are consistent {@code BatchGetItem}s in the
     * local region only.
     */
    @Test
    void aControlTableItemThatBreaksTheSchemaFailsStaticAndTheTableIsReadInTheLocalRegionOnly() {
        DynamoDbClient eu = regions.client("eu-west-1");
        ControlTableSource table = ControlTableSource.builder().tableName(CONTROL)
                .readOrder(List.of(Region.EU_WEST_1, Region.EU_CENTRAL_1))
                .controlledRegions(List.of(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1))
                .clientFactory(r -> TestRegions.client(regions, r, Duration.ofMillis(500)))
                .build();
        new ControlTable(CONTROL).write(eu, Region.EU_WEST_1, ControlState.OFF, null, "acceptance", 0, Instant.now());
        MultiRegion runtime = runtime(table);
        DynamoDbClient orders = client(runtime);
        awaitReads("table", 1);
        orders.getItem(get());
        assertThat(gets("eu-central-1")).isEqualTo(1);

        eu.putItem(PutItemRequest.builder().tableName(CONTROL).item(Map.of(
                "pk", AttributeValue.fromS("region#eu-central-1"), "state", AttributeValue.fromS("OFF"),
                "weight", AttributeValue.fromN("150"), "version", AttributeValue.fromN("1"))).build());
        await().atMost(SEEN).until(() -> failures("table") >= 1);
        orders.getItem(get());

        assertThat(gets("eu-central-1")).as("the broken item is not applied").isEqualTo(2);
        assertThat(gets("eu-west-1")).as("the last good state is kept").isZero();
        assertThat(regions.journal("eu-west-1").count("BatchGetItem")).isPositive();
        assertThat(regions.journal("eu-central-1").count("BatchGetItem")).isZero();
        assertThat(regions.journal("us-east-1").count("BatchGetItem")).isZero();
    }
}
