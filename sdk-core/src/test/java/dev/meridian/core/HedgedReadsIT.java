package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * Hedged reads with a real {@link DynamoDbClient} wrapped by a {@link MultiRegion} runtime over two local "regions",
 * the local one made slow by the fault proxy. Each region holds its own copy of the item (not a global table) naming
 * the region, so every answer says which region served it.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class HedgedReadsIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String TABLE = "hedged-reads";
    private static final Duration SLOW = Duration.ofMillis(600);
    private static final Duration HEDGE_DELAY = Duration.ofMillis(50);
    private static final int READS = 3;

    private static LocalRegions regions;

    @AutoClose
    private final WarmedRuntime rig = new WarmedRuntime(regions);

    @BeforeAll
    static void createTables() {
        ServedByTable.create(regions, TABLE);
    }

    /**
     * A multi-region client over warmed-up per-region clients, so that no read pays for building an SDK client or a
     * first connection (which on a busy machine could outlast the hedge delay and blur what is measured).
     */
    private DynamoDbClient wrap(HedgingConfig hedging) {
        return rig.wrap(rig.config().hedging(hedging).build(), (r, b) -> b.overrideConfiguration(
                RegionalClientDefaults.overrideConfiguration(2, Duration.ofSeconds(2))), c -> c.getItem(getItem()));
    }

    private static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    private static GetItemRequest getItem() {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", s("item-1"))).build();
    }

    private double count(String meter, String region) {
        Counter c = rig.meters.find(meter).tag("region", region).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void slowLocalRegionIsHedgedAndTheNextRegionAnswersEveryRead() {
        DynamoDbClient items = wrap(HedgingConfig.fixed(HEDGE_DELAY));
        regions.faults(WEST).latency(SLOW);

        // The answer is the hedge's (servedBy, hedge.won below), not the slow region's: no wall-clock bound, which a
        // loaded machine breaks without telling anything about hedging.
        for (int i = 0; i < READS; i++) {
            assertThat(items.getItem(getItem()).item()).containsEntry("servedBy", s(CENTRAL));
        }

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(regions.journal(WEST).count("GetItem")).isEqualTo(READS));
        assertThat(regions.journal(CENTRAL).count("GetItem")).isEqualTo(READS);
        assertThat(count("meridian.hedge.sent", CENTRAL)).isEqualTo(READS);
        assertThat(count("meridian.hedge.won", CENTRAL)).isEqualTo(READS);
        assertThat(count("meridian.hedge.cancelled", WEST)).isEqualTo(READS);
        assertThat(count("meridian.hedge.sent", WEST) + count("meridian.hedge.won", WEST)).isZero();
    }

    @Test
    void withoutHedgingTheSameReadsWaitForTheSlowLocalRegion() {
        DynamoDbClient items = wrap(HedgingConfig.disabled());
        regions.faults(WEST).latency(SLOW);

        for (int i = 0; i < READS; i++) {
            assertThat(items.getItem(getItem()).item()).containsEntry("servedBy", s(WEST));
        }

        assertThat(regions.journal(WEST).count("GetItem")).isEqualTo(READS);
        assertThat(regions.journal(CENTRAL).isEmpty()).isTrue();
        assertThat(rig.meters.find("meridian.hedge.sent").counters()).isEmpty();
        Timer west = rig.meters.get("meridian.call.latency").tag("region", WEST).timer();
        assertThat(west.count()).isEqualTo(READS);
        assertThat(west.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(SLOW.toMillis());
        assertThat(west.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(READS * SLOW.toMillis());
    }
}
