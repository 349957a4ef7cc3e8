package dev.meridian.core;

import static dev.meridian.core.BlackHoledReaders.CENTRAL;
import static dev.meridian.core.BlackHoledReaders.WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * Issue 19's black-hole acceptance on a process that stalls as the fault begins (real DynamoDB Locals behind fault
 * proxies): the stall meter's thread is frozen from just before eu-west-1 is black-holed until {@link #STALL} into the
 * fault, as on a machine loaded enough that the meter's tick runs late, so the first hedges' losers are excused as
 * process stalls and no run of losers makes the region suspect; the hedge budget (burst 2, 1 % share) refuses the
 * other stuck reads' hedges. A region not heard from since such a read's attempt started, for several hedge delays of
 * the process's running time, while the next region answered meanwhile, is suspect: the refused hedges then go past
 * the budget, and no read waits its 2 s attempt timeout (at most one allowed, the acceptance's "1 per region").
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class UnheardRegionIT {
    private static final Duration FAULT = Duration.ofSeconds(5);
    /** How long into the fault the process (its stall meter) is stalled. */
    private static final Duration STALL = Duration.ofMillis(300);

    private static LocalRegions regions;

    @AutoClose
    private final BlackHoledReaders rig = new BlackHoledReaders(regions, "unheard");

    @BeforeAll
    static void createTables() {
        ServedByTable.create(regions, "unheard");
    }

    @Test
    void callersRunningTheirFirstAttemptAreHedgedOnceTheRegionIsUnheard() throws Exception {
        DynamoDbClient items = rig.syncClient(true);
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(rig.getItem()));
    }

    @Test
    void asynchronousReadsAreHedgedOnceTheRegionIsUnheard() throws Exception {
        DynamoDbAsyncClient items = rig.asyncClient();
        assertNoReadWaitsAnAttemptTimeout(() -> items.getItem(rig.getItem()).join());
    }

    /**
     * Readers read in a loop while eu-west-1 is black-holed for {@link #FAULT}, the process stalled for its first
     * {@link #STALL}: none fails and at most one waits an attempt timeout.
     */
    private void assertNoReadWaitsAnAttemptTimeout(Supplier<GetItemResponse> read) throws Exception {
        BlackHoledReaders.Seen seen = rig.readThroughBlackHole(read, FAULT, this::stallTheProcess);
        int waited = seen.slowReadEnds().size();
        String said = seen.reads() + " reads, " + seen.failed() + " failed, " + waited + " waited an attempt timeout; "
                + "hedges sent " + rig.count("meridian.hedge.sent", CENTRAL) + " (after a refusal "
                + rig.count("meridian.hedge.retried", CENTRAL) + "), refused "
                + rig.count("meridian.hedge.refused", CENTRAL) + "; eu-west-1 suspected "
                + rig.count("meridian.region.suspicion", WEST) + " time(s), process stalls excused "
                + rig.count("meridian.process.stall", WEST);
        System.out.println("UnheardRegionIT: " + said);
        assertThat(seen.failed()).as(said).isZero();
        assertThat(rig.count("meridian.hedge.retried", CENTRAL)).as("the budget ran out: " + said).isPositive();
        assertThat(waited).as(said).isLessThanOrEqualTo(1);
    }

    /**
     * Freezes the stall meter's thread (the hedge timer) from just before eu-west-1 is black-holed until
     * {@link #STALL} into the fault: its tick is late, so the process is seen stalled from the first hedges on.
     */
    private void stallTheProcess() {
        RegionalExecutor executor = rig.runtime().executor();
        long frozen = System.nanoTime();
        Duration lead = Duration.ofMillis(2 * ProcessStalls.TICK_NANOS / 1_000_000);
        executor.stallMeter().onTickThread(() -> {
            try {
                Thread.sleep(lead.plus(STALL).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(lead.multipliedBy(10)).pollInterval(Duration.ofMillis(2))
                .until(() -> executor.stalls().stalledNanos(frozen, System.nanoTime()) >= ProcessStalls.NOISE_NANOS);
    }
}
