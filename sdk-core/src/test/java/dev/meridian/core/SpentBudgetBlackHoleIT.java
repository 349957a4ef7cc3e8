package dev.meridian.core;

import static dev.meridian.core.BlackHoledReaders.CENTRAL;
import static dev.meridian.core.BlackHoledReaders.WEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Issue 19's black-hole acceptance when the hedge budget was spent before the fault (real DynamoDB Locals behind fault
 * proxies): the budget (burst 2, 1 % share) is emptied just before eu-west-1 is black-holed, as a brown-out or a cold
 * process's slow warm-up a moment earlier would leave it, so no stuck read's hedge goes to eu-central-1 with a token,
 * nothing shows that the process receives while eu-west-1 is silent, and without more every stuck read waits its 2 s
 * attempt timeout. One read whose region stayed unheard for the unheard rule's delays sends a proof hedge on a
 * borrowed token; eu-central-1 answers it, eu-west-1 is then unheard while the next region answered, so it is suspect
 * and the other refused hedges go past the budget: none fails and at most one read waits an attempt timeout (the
 * acceptance's "1 per region"), whichever timer hedges it.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class SpentBudgetBlackHoleIT {
    private static final Duration FAULT = Duration.ofSeconds(5);

    private static LocalRegions regions;

    @AutoClose
    private final BlackHoledReaders rig = new BlackHoledReaders(regions, "spent-budget");

    @BeforeAll
    static void createTables() {
        ServedByTable.create(regions, "spent-budget");
    }

    @Test
    void callersRunningTheirFirstAttemptAreHedgedWithTheBudgetSpent() throws Exception {
        DynamoDbClient items = rig.syncClient(true);
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(rig.getItem()));
    }

    @Test
    void callersWaitingForAHedgeThreadAreHedgedWithTheBudgetSpent() throws Exception {
        // Clients without RegionalClientDefaults cannot release their caller: every attempt runs on a hedge thread.
        DynamoDbClient items = rig.syncClient(false);
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(rig.getItem()));
    }

    @Test
    void asynchronousReadsAreHedgedWithTheBudgetSpent() throws Exception {
        DynamoDbAsyncClient items = rig.asyncClient();
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(rig.getItem()).join());
    }

    /**
     * Readers read in a loop while eu-west-1 is black-holed for {@link #FAULT}, the budget emptied just before: none
     * fails and at most one waits an attempt timeout.
     */
    private void assertNoReadWaitsAnAttemptTimeout(Supplier<GetItemResponse> read) throws Exception {
        BlackHoledReaders.Seen seen = rig.readThroughBlackHole(read, FAULT, this::spendTheBudget);
        int waited = seen.slowReadEnds().size();
        String said = seen.reads() + " reads, " + seen.failed() + " failed, " + waited + " waited an attempt timeout; "
                + "hedges sent " + rig.count("meridian.hedge.sent", CENTRAL) + " (after a refusal: proof "
                + retried("proof") + ", failover " + retried("failover") + ", budget " + retried("budget")
                + "), refused " + rig.count("meridian.hedge.refused", CENTRAL) + "; eu-west-1 suspected "
                + rig.count("meridian.region.suspicion", WEST) + " time(s), process stalls excused "
                + rig.count("meridian.process.stall", WEST);
        System.out.println("SpentBudgetBlackHoleIT: " + said);
        assertThat(seen.failed()).as(said).isZero();
        assertThat(waited).as(said).isLessThanOrEqualTo(1);
        assertThat(retried("proof")).as("one read proved the process receives: " + said).isPositive();
    }

    /** Empties the hedge budget (less than one token left), as a brown-out just before the fault would. */
    private void spendTheBudget() {
        HedgeBudget budget = Objects.requireNonNull(rig.runtime().executor().hedgeBudget(), "hedging is on");
        while (budget.trySpend()) {
            // spent
        }
    }

    /** Hedges sent to eu-central-1 after a refusal, with {@code outcome}. */
    private double retried(String outcome) {
        return rig.meters.find("meridian.hedge.retried").tags("region", CENTRAL, "outcome", outcome).counters()
                .stream().mapToDouble(Counter::count).sum();
    }
}
