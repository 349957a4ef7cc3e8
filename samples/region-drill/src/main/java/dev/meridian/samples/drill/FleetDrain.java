package dev.meridian.samples.drill;

import dev.meridian.cli.MeridianCli;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.control.ControlTable;
import dev.meridian.dynamodb.control.ControlTableSource;
import dev.meridian.testkit.LocalRegions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The phase "operator drains eu-west-1 fleet-wide", run after the timeline on the same local regions, in mirror
 * mode: three independent runtimes (separate {@link MultiRegion} instances, each polling the control table every
 * second through a {@link ControlTableSource} that reads in a different region first) serve reads; mirror candidates
 * ({@link FleetMirror}, lease-elected, one holder per region) copy an ARC endpoint's routing controls ({@link ArcStub})
 * into the table; the operator CLI, run in-process, turns eu-west-1's routing control Off; each instance's time from
 * ARC's acknowledged update to its last request sent to eu-west-1 is measured, then eu-west-1 must see no request for
 * a while. Then eu-west-1's mirror holder dies and another candidate takes its lease while the state holds. Then the
 * control plane goes dark (every region refuses the control table's reads, {@code BatchGetItem}, with 503) and traffic
 * must go on under the last known state with no additional failure.
 */
final class FleetDrain {
    static final String CONTROL_TABLE = ControlTable.DEFAULT_TABLE_NAME;
    static final int INSTANCES = 3;
    static final Duration POLL = Duration.ofSeconds(1);
    /** The acceptance: every instance stops sending to the drained region within this of the change. */
    static final Duration TARGET = Duration.ofSeconds(2);
    private static final Duration QUIET_WINDOW = Duration.ofSeconds(2);
    /**
     * Pause between an instance's calls: 20 ms samples its routing 50 times per poll interval, fine enough to time the
     * drain within 2 % of a poll and to catch any request the drained region gets; more calls only burn CPU.
     */
    private static final Duration CALL_INTERVAL = Duration.ofMillis(20);
    private static final long BOUND_SECONDS = 30;
    private static final String LOCAL_KEY = "meridiantestkit";
    private static final String STATE = "state";

    private FleetDrain() {
    }

    /** One instance of the fleet: its runtime, its routed client, and what its traffic sent where. */
    private static final class Instance implements AutoCloseable {
        final String name;
        final Region controlReadRegion;
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();
        final MultiRegion runtime;
        final DynamoDbClient dynamo;
        final AtomicLong lastEuWestSendNanos = new AtomicLong();
        final AtomicLong euWestRequests = new AtomicLong();
        final AtomicLong calls = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final Thread traffic;
        volatile boolean running = true;

        Instance(int index, LocalRegions regions) {
            controlReadRegion = Region.of(Phase.REGIONS.get(index % Phase.REGIONS.size()));
            name = "instance-" + (index + 1);
            List<Region> readOrder = new ArrayList<>(List.of(controlReadRegion));
            Phase.REGIONS.stream().map(Region::of).filter(r -> !r.equals(controlReadRegion)).forEach(readOrder::add);
            List<Region> fleet = Phase.REGIONS.stream().map(Region::of).toList();
            ControlTableSource source = ControlTableSource.builder().tableName(CONTROL_TABLE).readOrder(readOrder)
                    .controlledRegions(fleet)
                    .clientFactory(r -> regions.clientBuilder(r.id()).overrideConfiguration(
                            RegionalClientDefaults.overrideConfiguration(1, Duration.ofMillis(500))).build())
                    .build();
            runtime = MultiRegion.builder(config()).meterRegistry(meters)
                    .control(ControlConfig.builder(source).pollInterval(POLL).build()).build();
            dynamo = MultiRegionDynamoDb.builder().multiRegion(runtime)
                    .clientFactory(r -> regions.clientBuilder(r.id()).overrideConfiguration(RegionalClientDefaults
                            .apply(ClientOverrideConfiguration.builder(), 2, Duration.ofSeconds(1))
                            .addExecutionInterceptor(new SendRecorder(r)).build()).build())
                    .table(TableConfig.builder(Workload.ORDERS).partitionKey("pk").build())
                    .build();
            traffic = new Thread(this::serve, "fleet-" + name);
            traffic.setDaemon(true);
            traffic.start();
        }

        private void serve() {
            while (running) {
                try {
                    dynamo.getItem(g -> g.tableName(Workload.ORDERS).key(Map.of("pk", AttributeValue.fromS("o-1"))));
                    calls.incrementAndGet();
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                }
                try {
                    Thread.sleep(CALL_INTERVAL.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Control table reads that failed ({@code meridian.control.failures}, every source). */
        double controlFailures() {
            return meters.find("meridian.control.failures").counters().stream().mapToDouble(c -> c.count()).sum();
        }

        /** Records when a request of this instance's data traffic is sent to eu-west-1. */
        private final class SendRecorder implements ExecutionInterceptor {
            private final boolean euWest;

            SendRecorder(Region region) {
                euWest = region.id().equals(Phase.EU_WEST_1);
            }

            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (euWest) {
                    lastEuWestSendNanos.set(System.nanoTime());
                    euWestRequests.incrementAndGet();
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            traffic.join(TimeUnit.SECONDS.toMillis(10));
            dynamo.close();
            runtime.close();
        }
    }

    /**
     * Runs the phase on {@code regions} (healed, the timeline's traffic stopped) and prints its lines to {@code out}.
     *
     * @throws IllegalStateException when the CLI does not drain (its exit code and output are in the message) or the
     *         fleet does not reach a state within {@value #BOUND_SECONDS} s
     */
    static FleetDrainOutcome run(LocalRegions regions, PrintStream out, long started) throws InterruptedException {
        regions.createGlobalTable(RegionDrill.table(CONTROL_TABLE, ControlTable.PK));
        List<Instance> fleet = new ArrayList<>();
        long phaseStart = System.nanoTime();
        try (ArcStub arc = new ArcStub(); FleetMirror mirror = new FleetMirror(regions, arc)) {
            for (int i = 0; i < INSTANCES; i++) {
                fleet.add(new Instance(i, regions));
            }
            await("every instance sends to eu-west-1", () -> fleet.stream().allMatch(i -> i.euWestRequests.get() > 5));
            // The holders are noted as soon as every region is held, not after another wait: on a starved machine a
            // candidate that misses its renewals for a lease's length loses it until the other one takes over.
            await("every region's mirror lease is held", mirror::everyRegionHeld);
            Map<String, String> holders = mirror.holders();
            cli(regions, arc, "status"); // warms the CLI's classes, so the flip measures the write and its propagation
            out.printf(Locale.ROOT, "[%5.1fs] fleet drain: %d instances serving, polling %s every %d ms; mirror lease "
                    + "holders %s copy ARC into it; the CLI turns eu-west-1's ARC routing control Off%n",
                    RegionDrill.seconds(started), fleet.size(), CONTROL_TABLE, POLL.toMillis(), holders.values());
            cli(regions, arc, "drain", Phase.EU_WEST_1, "--by", "region-drill");
            long flip = System.nanoTime(); // the CLI returned: ARC acknowledged the update
            await("every instance sees eu-west-1 OFF", () -> fleet.stream()
                    .noneMatch(i -> i.runtime.status(Region.EU_WEST_1).available()));
            // Requests planned just before an instance applied the change may still be in flight; after this
            // window nothing may reach eu-west-1 any more.
            Thread.sleep(500);
            long[] euWestAtQuiet = fleet.stream().mapToLong(i -> i.euWestRequests.get()).toArray();
            Thread.sleep(QUIET_WINDOW.toMillis());
            List<FleetDrainOutcome.InstanceDrain> instances = new ArrayList<>();
            for (int k = 0; k < fleet.size(); k++) {
                Instance i = fleet.get(k);
                long last = i.lastEuWestSendNanos.get();
                instances.add(new FleetDrainOutcome.InstanceDrain(i.name, i.controlReadRegion.id(),
                        Math.max(0, TimeUnit.NANOSECONDS.toMillis(last - flip)),
                        i.euWestRequests.get() - euWestAtQuiet[k]));
            }

            FleetDrainOutcome.Mirror mirrored = takeover(regions, fleet, mirror, holders, arc, phaseStart, out,
                    started);
            long[] callsBefore = fleet.stream().mapToLong(i -> i.calls.get()).toArray();
            long[] failuresBefore = fleet.stream().mapToLong(i -> i.failures.get()).toArray();
            long[] euWestBefore = fleet.stream().mapToLong(i -> i.euWestRequests.get()).toArray();
            double[] controlFailuresBefore = fleet.stream().mapToDouble(Instance::controlFailures).toArray();
            for (String region : Phase.REGIONS) {
                regions.faults(region).only("BatchGetItem").status(503);
            }
            out.printf(Locale.ROOT, "[%5.1fs] fleet drain: control plane dark (every region answers the control "
                    + "table's reads with 503)%n", RegionDrill.seconds(started));
            await("every instance sees the control plane down", () -> {
                for (int k = 0; k < fleet.size(); k++) {
                    if (fleet.get(k).controlFailures() <= controlFailuresBefore[k]) {
                        return false;
                    }
                }
                return true;
            });
            Thread.sleep(QUIET_WINDOW.toMillis());
            long darkCalls = 0;
            long darkFailures = 0;
            long darkEuWest = 0;
            for (int k = 0; k < fleet.size(); k++) {
                Instance i = fleet.get(k);
                darkCalls += i.calls.get() - callsBefore[k];
                darkFailures += i.failures.get() - failuresBefore[k];
                darkEuWest += i.euWestRequests.get() - euWestBefore[k];
            }
            FleetDrainOutcome outcome = new FleetDrainOutcome(instances, POLL, TARGET, darkCalls, darkFailures,
                    darkEuWest, mirrored);
            outcome.printProgress(out);
            return outcome;
        } finally {
            for (String region : Phase.REGIONS) {
                regions.faults(region).heal();
            }
            for (Instance i : fleet) {
                i.close();
            }
        }
    }

    /**
     * The mirror's part: eu-west-1's lease holder dies; until another candidate takes the lease (it expires after
     * {@link FleetMirror#LEASE}) and while it does, the fleet's state must not move: eu-west-1 stays OFF in every
     * instance and in the table, no request goes there, no call fails.
     */
    private static FleetDrainOutcome.Mirror takeover(LocalRegions regions, List<Instance> fleet, FleetMirror mirror,
            Map<String, String> holders, ArcStub arc, long phaseStart, PrintStream out, long started)
            throws InterruptedException {
        int arcReads = arc.reads();
        double arcSeconds = (System.nanoTime() - phaseStart) / 1e9;
        AttributeValue stateBefore = controlItem(regions).get(STATE);
        long[] failuresBefore = fleet.stream().mapToLong(i -> i.failures.get()).toArray();
        long[] euWestBefore = fleet.stream().mapToLong(i -> i.euWestRequests.get()).toArray();
        FleetMirror.Candidate dead = mirror.kill(Phase.EU_WEST_1);
        long killed = System.nanoTime();
        out.printf(Locale.ROOT, "[%5.1fs] fleet drain: mirror %s (eu-west-1's lease holder) dies%n",
                RegionDrill.seconds(started), dead.name);
        await("another candidate takes eu-west-1's mirror lease", () -> mirror.holder(Phase.EU_WEST_1).isPresent());
        long takeoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        String successor = mirror.holder(Phase.EU_WEST_1).map(c -> c.name).orElse("none");
        // one more poll, so the new holder's first copy (of an unchanged state) is included
        Thread.sleep(POLL.toMillis());
        long failures = 0;
        long euWest = 0;
        for (int k = 0; k < fleet.size(); k++) {
            failures += fleet.get(k).failures.get() - failuresBefore[k];
            euWest += fleet.get(k).euWestRequests.get() - euWestBefore[k];
        }
        boolean stateUnchanged = controlItem(regions).get(STATE).equals(stateBefore)
                && fleet.stream().noneMatch(i -> i.runtime.status(Region.EU_WEST_1).available());
        return new FleetDrainOutcome.Mirror(holders, arcReads, arcSeconds, dead.name, successor, takeoverMillis,
                FleetMirror.LEASE, FleetMirror.POLL, euWest, failures, stateUnchanged);
    }

    /** eu-west-1's item in the control table (its eu-west-1 replica), read consistently. */
    private static Map<String, AttributeValue> controlItem(LocalRegions regions) {
        return regions.client(Phase.EU_WEST_1).getItem(g -> g.tableName(CONTROL_TABLE).consistentRead(true)
                .key(Map.of(ControlTable.PK, AttributeValue.fromS(ControlTable.regionKey(Region.EU_WEST_1))))).item();
    }

    /**
     * The runtimes of the phases after the timeline (fleet instances, mirrors, the session store): the drill's three
     * regions, eu-west-1 local, local-first; fleet instances add their control source.
     */
    static MultiRegionConfig config() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.EU_WEST_1)
                .routing(RoutingStrategy.localFirst())
                .build();
    }

    /**
     * Runs the operator CLI in this JVM against the ARC endpoint, naming the fleet's regions with their
     * jurisdictions for the safety rule.
     */
    private static void cli(LocalRegions regions, ArcStub arc, String... command) {
        List<String> args = new ArrayList<>(arc.cliOptions());
        args.addAll(List.of("--region", Phase.EU_WEST_1, "--endpoint-url",
                regions.endpoint(Phase.EU_WEST_1).toString(), "--table", CONTROL_TABLE,
                "--jurisdiction", Phase.EU_WEST_1 + "=EU", "--jurisdiction", Phase.EU_CENTRAL_1 + "=EU",
                "--jurisdiction", Phase.US_EAST_1 + "=US"));
        args.addAll(List.of(command));
        StringWriter text = new StringWriter();
        int code;
        // The CLI takes credentials from the AWS SDK's default chain; DynamoDB Local keeps one database per key.
        String key = System.getProperty("aws.accessKeyId");
        String secret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", LOCAL_KEY);
        System.setProperty("aws.secretAccessKey", LOCAL_KEY);
        try (PrintWriter writer = new PrintWriter(text, true)) {
            code = MeridianCli.run(writer, writer, args.toArray(String[]::new));
        } finally {
            restore("aws.accessKeyId", key);
            restore("aws.secretAccessKey", secret);
        }
        if (code != 0) {
            throw new IllegalStateException("meridian " + String.join(" ", command) + " exited " + code + ": "
                    + text);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("fleet drain: not reached within " + BOUND_SECONDS + " s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
