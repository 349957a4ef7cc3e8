package dev.meridian.dynamodb.control;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A weighted shift is one write per step: the control table's weights drive the weighted strategy of a routed
 * DynamoDB client, measured from the regions' request journals.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class WeightedShiftIT {
    private static final Logger LOG = LoggerFactory.getLogger(WeightedShiftIT.class);
    private static final int CALLS = 2_000;
    private static final int READERS = 4;

    @Test
    void tenNinetyThenFiftyFiftyThenNinetyTenWithinThreePoints(LocalRegions regions) throws Exception {
        regions.createGlobalTable(LocalRegions.pkTable("meridian-control"));
        regions.createGlobalTable(LocalRegions.pkTable("shift_orders"));
        ControlTable table = new ControlTable("meridian-control");
        List<Region> both = List.of(EU_WEST_1, EU_CENTRAL_1);
        ControlTableSource source = ControlTableSource.builder().readOrder(both).controlledRegions(both)
                .clientFactory(r -> TestRegions.client(regions, r, Duration.ofSeconds(2))).build();
        MultiRegionConfig config = MultiRegionConfig.builder().region(RegionSpec.of(EU_WEST_1))
                .region(RegionSpec.of(EU_CENTRAL_1)).localRegion(EU_WEST_1)
                .routing(RoutingStrategy.weighted(new SplittableRandom(17)))
                // The shares are counted from the journals: a hedge would add a request to the other region.
                .hedging(HedgingConfig.disabled()).build();
        try (MultiRegion runtime = MultiRegion.builder(config).control(ControlConfig.builder(source)
                .pollInterval(Duration.ofMillis(200)).build()).build();
                DynamoDbClient client = TestRegions.routed(runtime, r -> TestRegions.client(regions, r))) {
            long[] versions = new long[2];
            for (int[] step : new int[][] {{10, 90}, {50, 50}, {90, 10}}) {
                for (int i = 0; i < 2; i++) {
                    table.write(regions.client(both.get(i).id()), both.get(i), ControlState.ON, step[i],
                            "operator", versions[i], Instant.now());
                    versions[i]++;
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> MultiRegionSpi.of(runtime).control()
                        .orElseThrow().state().entry(EU_WEST_1).map(RegionControlEntry::weight)
                        .filter(w -> w.isPresent() && w.getAsInt() == step[0]).isPresent()
                        && MultiRegionSpi.of(runtime).control().orElseThrow().weight(EU_CENTRAL_1)
                                .orElse(-1) == step[1]);
                regions.journalsClear();
                readConcurrently(client);
                int west = regions.journal("eu-west-1").count("GetItem");
                int central = regions.journal("eu-central-1").count("GetItem");
                double westShare = west * 100.0 / (west + central);
                LOG.info("Weights {}/{}: eu-west-1 took {} of {} reads ({} %)", step[0], step[1], west,
                        west + central, String.format("%.1f", westShare));
                assertThat(west + central).isEqualTo(CALLS);
                assertThat(westShare).isCloseTo(step[0], within(3.0));
            }
        }
    }

    /**
     * {@link #CALLS} reads from {@link #READERS} threads. Each read is a chain of hand-offs between threads (client,
     * fault proxy, DynamoDB Local, its SQLite queue); one read at a time, the 6,000 reads were most of this class's
     * 40 s and left a core idle between hops. The weighted strategy draws per thread: same strategy, same shares.
     */
    private static void readConcurrently(DynamoDbClient client) throws Exception {
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        try {
            List<Callable<Void>> batches = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                batches.add(() -> {
                    for (int n = 0; n < CALLS / READERS; n++) {
                        client.getItem(g -> g.tableName("shift_orders")
                                .key(Map.of("pk", AttributeValue.fromS("o-1"))));
                    }
                    return null;
                });
            }
            for (Future<Void> batch : readers.invokeAll(batches)) {
                batch.get();
            }
        } finally {
            readers.shutdownNow();
        }
    }
}
