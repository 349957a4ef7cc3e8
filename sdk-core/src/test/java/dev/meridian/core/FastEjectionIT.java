package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * Issue 19, item 3 on real DynamoDB Locals behind fault proxies, the request journals as the witness: a black-holed
 * region is ejected after a few stalled attempts instead of a window of 10, no read waits an attempt timeout with
 * the default configuration, and a half-open trial does not hold the read that triggers it. Each region holds its
 * own copy of the item naming the region, so each answer says which region served it.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class FastEjectionIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String TABLE = "fast-ejection";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

    private static LocalRegions regions;

    @AutoClose
    private final WarmedRuntime rig = new WarmedRuntime(regions);

    @BeforeAll
    static void createTables() {
        ServedByTable.create(regions, TABLE);
    }

    /** A multi-region client over warmed-up per-region clients with the README's client defaults. */
    private DynamoDbClient wrap(MultiRegionConfig.Builder builder) {
        return rig.wrap(builder.build(), (r, b) -> b.overrideConfiguration(
                RegionalClientDefaults.overrideConfiguration(2, ATTEMPT_TIMEOUT)), c -> c.getItem(getItem()));
    }

    private static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    private static GetItemRequest getItem() {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", s("item-1"))).build();
    }

    private RegionStatus.BreakerState west() {
        return rig.runtime().status(Region.of(WEST)).breaker();
    }

    private double count(String meter, String region) {
        Counter c = rig.meters.find(meter).tag("region", region).counter();
        return c == null ? 0 : c.count();
    }

    /** Reads that waited at least an attempt timeout, of {@code reads} made one after the other. */
    private static int readsThatWaitedAnAttemptTimeout(DynamoDbClient items, int reads, String servedBy) {
        int waited = 0;
        for (int i = 0; i < reads; i++) {
            long start = System.nanoTime();
            assertThat(items.getItem(getItem()).item()).containsEntry("servedBy", s(servedBy));
            if (System.nanoTime() - start >= ATTEMPT_TIMEOUT.toNanos()) {
                waited++;
            }
        }
        return waited;
    }

    @Test
    void withTheDefaultConfigurationABlackHoledRegionIsEjectedAndNoReadWaitsAnAttemptTimeout() {
        DynamoDbClient items = wrap(rig.config());
        regions.faults(WEST).blackhole();

        assertThat(readsThatWaitedAnAttemptTimeout(items, 20, CENTRAL)).isZero();

        // Suspect after the default 5 first attempts in a row left unanswered while their hedges answered (on a
        // loaded machine a few more: an attempt during which the process itself stalled is not counted): the next
        // reads start in eu-central-1 and some of them are sent to eu-west-1 as detached trials, which eject the region
        // when they go unanswered (a region that answered a trial would have stayed: SlowButAnsweringRegionIT).
        await().atMost(Duration.ofSeconds(30)).until(() -> west() == RegionStatus.BreakerState.OPEN);
        assertThat(rig.meters.counter("meridian.region.suspicion", "region", WEST, "outcome", "suspected").count())
                .isGreaterThanOrEqualTo(1);
        int hedgeLosers = (int) count("meridian.hedge.won", CENTRAL);
        assertThat(hedgeLosers).isBetween(HealthConfig.DEFAULT_EJECT_AFTER_STALLS, 19);
        assertThat(regions.journal(CENTRAL).count("GetItem")).isEqualTo(20);
        // Besides the hedge losers, eu-west-1 saw only the suspect region's trials: at most one per hedge delay, the
        // fifth unanswered in time ejecting it, each at most its client's SDK attempts.
        assertThat(regions.journal(WEST).count("GetItem") - hedgeLosers)
                .isBetween(1, HealthConfig.DEFAULT_EJECT_AFTER_STALLS * RegionalClientDefaults.MAX_ATTEMPTS);
    }

    @Test
    void theHedgeBudgetCapsTheExtraRequestsToASlowRegionsNeighbour() {
        DynamoDbClient items = wrap(rig.config()
                .hedging(HedgingConfig.fixed(Duration.ofMillis(50)).withBudget(0.1, 2)));
        regions.faults(WEST).latency(Duration.ofMillis(300));

        for (int i = 0; i < 40; i++) {
            items.getItem(getItem());
        }

        // Every read wanted a hedge; the budget let out its burst of 2 and one per ten reads: 2 + 40 / 10.
        int extra = regions.journal(CENTRAL).count("GetItem");
        assertThat(extra).isBetween(4, 6);
        assertThat(regions.journal(WEST).count("GetItem")).isEqualTo(40);
        assertThat(count("meridian.hedge.sent", CENTRAL)).isEqualTo(extra);
        assertThat(count("meridian.hedge.refused", CENTRAL)).isEqualTo(40 - extra);
    }

    @Test
    void withoutHedgingTimeoutsEjectAfterTheConfiguredRunAndTheHalfOpenTrialDoesNotHoldTheRead() {
        DynamoDbClient items = wrap(rig.config()
                .hedging(HedgingConfig.disabled())
                .health(HealthConfig.builder().ejectAfterStalls(2).waitInOpenState(Duration.ofSeconds(1))
                        .permittedCallsInHalfOpenState(1).build()));
        regions.faults(WEST).blackhole();

        assertThat(readsThatWaitedAnAttemptTimeout(items, 2, CENTRAL)).isEqualTo(2);
        assertThat(west()).as("ejected at the second timeout in a row, not after a window of 10")
                .isEqualTo(RegionStatus.BreakerState.OPEN);
        int beforeTrial = regions.journal(WEST).count("GetItem");

        await().pollDelay(Duration.ofMillis(1_100)).atMost(Duration.ofSeconds(5))
                .until(() -> rig.runtime().status(Region.of(WEST)).available());
        assertThat(readsThatWaitedAnAttemptTimeout(items, 3, CENTRAL)).as("the trial is detached").isZero();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(regions.journal(WEST).count("GetItem")).isGreaterThan(beforeTrial));
    }
}
