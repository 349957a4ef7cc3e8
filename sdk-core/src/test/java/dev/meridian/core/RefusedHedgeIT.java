package dev.meridian.core;

import static dev.meridian.core.BlackHoledReaders.CENTRAL;
import static dev.meridian.core.BlackHoledReaders.WEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Issue 19's black-hole acceptance with a hedge budget that runs out (on real DynamoDB Locals behind fault proxies):
 * concurrent readers are reading from eu-west-1 when it is black-holed; the budget (burst 2, 1 % share) lets out the
 * hedges that make the region suspect and refuses the others. A refused hedge is not final: once the region is
 * suspect (or ejected) the reads stuck in it are hedged regardless of the budget, so none waits on until its 2 s
 * attempt timeout, whichever timer hedges it: the caller running its first attempt itself, the caller waiting for a hedge
 * thread's attempt, or the hedge timer of an asynchronous read.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class RefusedHedgeIT {
    private static final Duration FAULT = Duration.ofSeconds(6);
    /** A hedge delay and the scheduler's slack on a loaded machine. */
    private static final long RETRY_SLACK = Duration.ofMillis(500).toNanos();

    private static LocalRegions regions;

    @AutoClose
    private final BlackHoledReaders rig = new BlackHoledReaders(regions, "refused-hedge");

    @BeforeAll
    static void createTables() {
        ServedByTable.create(regions, "refused-hedge");
    }

    @Test
    void callersRunningTheirFirstAttemptAreHedgedOnceTheRegionIsSuspect() throws Exception {
        DynamoDbClient items = rig.syncClient(true);
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(rig.getItem()));
    }

    @Test
    void callersWaitingForAHedgeThreadAreHedgedOnceTheRegionIsSuspect() throws Exception {
        // Clients without RegionalClientDefaults cannot release their caller: every attempt runs on a hedge thread.
        DynamoDbClient items = rig.syncClient(false);
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(rig.getItem()));
    }

    @Test
    void asynchronousReadsAreHedgedOnceTheRegionIsSuspect() throws Exception {
        DynamoDbAsyncClient items = rig.asyncClient();
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(rig.getItem()).join());
    }

    /**
     * Readers read in a loop while eu-west-1 is black-holed for {@link #FAULT}: none fails, and at most one read waits
     * an attempt timeout and ends later than a hedge delay (and slack) after eu-west-1 was given up on (on a machine
     * loaded enough that the first losers are excused as process stalls, the region is given up on only when the first
     * attempts time out; those reads are not this test's).
     */
    private void assertNoReadWaitsAnAttemptTimeout(Supplier<GetItemResponse> read) throws Exception {
        BlackHoledReaders.Seen seen = rig.readThroughBlackHole(read, FAULT, () -> { });
        // A read may wait its attempt timeout only if it ended within a hedge delay (and the scheduler's slack) of the
        // moment eu-west-1 was given up on: a refused hedge is asked for again once per hedge delay.
        long waited = seen.slowReadEnds().stream()
                .filter(end -> seen.givenUpAt() == 0 || end - seen.givenUpAt() > RETRY_SLACK).count();
        String said = seen.reads() + " reads, " + seen.failed() + " failed, " + waited + " waited an attempt timeout "
                + "after eu-west-1 was given up on; hedges sent " + rig.count("meridian.hedge.sent", CENTRAL)
                + " (after a refusal " + rig.count("meridian.hedge.retried", CENTRAL) + "), refused "
                + rig.count("meridian.hedge.refused", CENTRAL) + "; eu-west-1 suspected "
                + rig.count("meridian.region.suspicion", WEST) + " time(s)";
        System.out.println("RefusedHedgeIT: " + said);
        assertThat(seen.failed()).as(said).isZero();
        // A refused hedge sent later counts as retried, one never sent as refused.
        assertThat(rig.count("meridian.hedge.refused", CENTRAL) + rig.count("meridian.hedge.retried", CENTRAL))
                .as("the budget ran out: " + said).isPositive();
        assertThat(waited).as(said).isLessThanOrEqualTo(1);
    }
}
