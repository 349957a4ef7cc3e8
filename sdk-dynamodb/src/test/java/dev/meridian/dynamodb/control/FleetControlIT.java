package dev.meridian.dynamodb.control;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.ControlState;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Three independent runtimes (instances of one fleet, reading the control table in three different regions) serve
 * traffic; one write of the control table drains eu-west-1 fleet-wide; then the table's regions stop answering and
 * traffic goes on under the last known state.
 */
@LocalRegionsConfig
class FleetControlIT {
    private static final Logger LOG = LoggerFactory.getLogger(FleetControlIT.class);
    private static final Operation GET = Operation.of("GetItem", OperationKind.READ);
    private static final String CONTROL = "meridian-control";
    private static final String ORDERS = "fleet_orders";

    /** One instance: its runtime, and what its traffic saw. */
    private static final class Instance implements AutoCloseable {
        final MultiRegion runtime;
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();
        final AtomicLong lastEuWestCallNanos = new AtomicLong();
        final AtomicInteger euWestCalls = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final Thread traffic;
        volatile boolean running = true;

        Instance(LocalRegions regions, Region tableRegion) {
            List<Region> readOrder = new ArrayList<>(List.of(tableRegion));
            ControlTableSourceIT.FLEET.stream().filter(r -> !r.equals(tableRegion)).forEach(readOrder::add);
            ControlTableSource source = ControlTableSourceIT.source(regions, CONTROL,
                    readOrder.toArray(Region[]::new));
            runtime = MultiRegion.builder(TestRegions.config()).meterRegistry(meters)
                    .control(ControlConfig.builder(source).pollInterval(Duration.ofSeconds(1)).build()).build();
            traffic = new Thread(() -> {
                while (running) {
                    try {
                        runtime.execute(GET, region -> {
                            long start = System.nanoTime();
                            regions.client(region.id()).getItem(g -> g.tableName(ORDERS)
                                    .key(Map.of("pk", AttributeValue.fromS("o-1"))));
                            if (region.equals(EU_WEST_1)) {
                                lastEuWestCallNanos.set(start);
                                euWestCalls.incrementAndGet();
                            }
                            return null;
                        });
                        calls.incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                    // About 100 calls a second per instance.
                    LockSupport.parkNanos(10_000_000L);
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                }
            }, "traffic-" + tableRegion.id());
            traffic.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            traffic.join();
            runtime.close();
        }
    }

    @Test
    void oneWriteDrainsARegionFleetWideAndTrafficSurvivesTheControlPlaneGoingDark(LocalRegions regions)
            throws Exception {
        regions.createGlobalTable(LocalRegions.pkTable(CONTROL));
        regions.createGlobalTable(LocalRegions.pkTable(ORDERS));
        ControlTable table = new ControlTable(CONTROL);
        List<Instance> fleet = List.of(new Instance(regions, EU_WEST_1), new Instance(regions, EU_CENTRAL_1),
                new Instance(regions, US_EAST_1));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> fleet.stream().allMatch(i -> i.euWestCalls.get() > 5
                    && MultiRegionSpi.of(i.runtime).control().orElseThrow().status().lastGoodRead().isPresent()));

            // Warms the operator's write path (client, marshallers) so the flip measures propagation only.
            table.write(regions.client("eu-west-1"), US_EAST_1, ControlState.ON, null, "operator", 0,
                    Instant.now());
            long writeStart = System.nanoTime();
            table.write(regions.client("eu-west-1"), EU_WEST_1, ControlState.OFF, null, "operator", 0,
                    Instant.now());
            // The change exists once the table acknowledged it: measure from there.
            long flip = System.nanoTime();
            LOG.info("The operator's write took {} ms", (flip - writeStart) / 1_000_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> fleet.stream().allMatch(
                    i -> !MultiRegionSpi.of(i.runtime).control().orElseThrow().isOn(EU_WEST_1)));
            // A call planned just before the state changed may still be in flight: each instance's traffic is one
            // thread, so once it finished two more calls, that one has ended.
            int[] callsAtChange = fleet.stream().mapToInt(i -> i.calls.get()).toArray();
            await().atMost(Duration.ofSeconds(10)).until(() -> IntStream.range(0, fleet.size())
                    .allMatch(k -> fleet.get(k).calls.get() >= callsAtChange[k] + 2));
            List<Long> millis = new ArrayList<>();
            for (Instance i : fleet) {
                millis.add(Math.max(0, (i.lastEuWestCallNanos.get() - flip) / 1_000_000));
            }
            LOG.info("Time from the flip to each instance's last call in eu-west-1 (ms): {}; p100 {} ms", millis,
                    millis.stream().mapToLong(Long::longValue).max().orElse(0));
            for (Instance i : fleet) {
                Timer propagation = i.meters.get("meridian.control.propagation").tag("region", "eu-west-1").timer();
                assertThat(propagation.count()).isEqualTo(1);
                LOG.info("{}: change applied {} ms after its updatedAt; control reads {}, failures {}",
                        i.traffic.getName(), (long) propagation.max(TimeUnit.MILLISECONDS),
                        (long) i.meters.get("meridian.control.reads").counter().count(),
                        i.meters.find("meridian.control.failures").counters().stream()
                                .mapToDouble(c -> c.count()).sum());
            }
            assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(5_000));

            int[] euWestAfter = fleet.stream().mapToInt(i -> i.euWestCalls.get()).toArray();
            int[] callsBefore = fleet.stream().mapToInt(i -> i.calls.get()).toArray();
            // Traffic goes on (100 more calls each) and none of it reaches eu-west-1 meanwhile.
            await().atMost(Duration.ofSeconds(30)).until(() -> IntStream.range(0, fleet.size())
                    .allMatch(k -> fleet.get(k).calls.get() >= callsBefore[k] + 100));
            for (int k = 0; k < fleet.size(); k++) {
                assertThat(fleet.get(k).euWestCalls.get()).as("calls in eu-west-1 after the drain")
                        .isEqualTo(euWestAfter[k]);
                assertThat(fleet.get(k).calls.get()).isGreaterThan(callsBefore[k]);
            }

            int[] failuresBefore = fleet.stream().mapToInt(i -> i.failures.get()).toArray();
            for (String id : IDS) {
                regions.faults(id).only("BatchGetItem").status(503);
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> fleet.stream().allMatch(
                    i -> MultiRegionSpi.of(i.runtime).control().orElseThrow().status().outage()));
            int[] callsInOutage = fleet.stream().mapToInt(i -> i.calls.get()).toArray();
            // 100 more calls each while the control plane is dark (more than a poll interval's worth).
            await().atMost(Duration.ofSeconds(30)).until(() -> IntStream.range(0, fleet.size())
                    .allMatch(k -> fleet.get(k).calls.get() >= callsInOutage[k] + 100));
            for (int k = 0; k < fleet.size(); k++) {
                Instance i = fleet.get(k);
                assertThat(i.failures.get()).as("failed calls while the control plane is dark")
                        .isEqualTo(failuresBefore[k]);
                assertThat(i.calls.get()).isGreaterThan(callsInOutage[k]);
                assertThat(i.euWestCalls.get()).isEqualTo(euWestAfter[k]);
                assertThat(i.runtime.status(EU_WEST_1).available()).isFalse();
                assertThat(i.meters.get("meridian.control.state").tag("region", "eu-west-1").gauge().value())
                        .isZero();
                assertThat(i.meters.get("meridian.control.age").gauge().value()).isGreaterThan(0);
            }
            LOG.info("Control plane dark: calls went on, failures {}", fleet.stream().map(i -> i.failures.get())
                    .toList());
        } finally {
            for (Instance i : fleet) {
                i.close();
            }
        }
    }
}
