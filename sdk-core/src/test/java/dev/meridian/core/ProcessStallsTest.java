package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The stall rule on a fake clock: how late timers fired decides what of an attempt is the region's. */
class ProcessStallsTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ProcessStalls stalls = new ProcessStalls();

    @Test
    void lateTimersBelowTheNoiseFloorAreNotStalls() {
        stalls.timerFired(1_000 * MS, 1_000 * MS + ProcessStalls.NOISE_NANOS - 1);
        assertThat(stalls.stalledNanos(0, 5_000 * MS)).isZero();
    }

    @Test
    void onlyTheStallWithinAnAttemptIsTakenOffItsTime() {
        stalls.timerFired(1_000 * MS, 1_800 * MS);   // 800 ms stall
        stalls.timerFired(3_000 * MS, 3_100 * MS);   // 100 ms, outside the attempt below
        // An attempt from 1 500 ms to 2 500 ms overlaps 300 ms of the first stall.
        assertThat(stalls.stalledNanos(1_500 * MS, 2_500 * MS)).isEqualTo(300 * MS);
        assertThat(stalls.unstalledNanos(2_500 * MS, 1_000 * MS)).isEqualTo(700 * MS);
        assertThat(stalls.stalledNanos(0, 999 * MS)).isZero();
    }

    @Test
    void aTimeoutIsExcusedOnlyWhenAQuarterOfItWasAStall() {
        stalls.timerFired(1_000 * MS, 1_500 * MS);   // 500 ms stall
        assertThat(stalls.excuses(3_000 * MS, 2_000 * MS)).as("500 of 2 000 ms stalled").isTrue();
        assertThat(stalls.excuses(3_000 * MS, 2_004 * MS)).as("less than a quarter stalled").isFalse();
        assertThat(stalls.excuses(5_000 * MS, 2_000 * MS)).as("the stall was before the attempt").isFalse();
    }

    @Test
    void aHedgeWaitsAsLongAsTheProcessWasStalledDuringItsDelayAtMostTheDelay() {
        long delay = 50 * MS;
        assertThat(stalls.hedgeGrace(1_000 * MS, 1_050 * MS, delay)).as("no stall: hedge now").isZero();
        stalls.timerFired(1_050 * MS, 1_080 * MS);   // the hedge timer itself ran 30 ms late
        assertThat(stalls.hedgeGrace(1_000 * MS, 1_080 * MS, delay)).isEqualTo(30 * MS);
        stalls.timerFired(1_100 * MS, 1_400 * MS);   // 300 ms stall
        assertThat(stalls.hedgeGrace(1_000 * MS, 1_400 * MS, delay)).as("at most the delay").isEqualTo(delay);
        assertThat(stalls.hedgeGrace(2_000 * MS, 2_050 * MS, delay)).as("the stalls were before the attempt")
                .isZero();
        stalls.timerFired(3_000 * MS, 3_000 * MS + ProcessStalls.NOISE_NANOS - 1);
        assertThat(stalls.hedgeGrace(3_000 * MS, 3_060 * MS, delay)).as("scheduling jitter").isZero();
    }

    @Test
    void withoutAnyStallNothingIsEverExcused() {
        assertThat(stalls.excuses(10_000 * MS, 2_000 * MS)).isFalse();
        assertThat(stalls.unstalledNanos(10_000 * MS, 2_000 * MS)).isEqualTo(2_000 * MS);
    }

    @Test
    void theMeterReportsHowLateItsTickRan() {
        long[] now = {0};
        Runnable tick = stalls.meter(() -> now[0]);
        now[0] = ProcessStalls.TICK_NANOS;           // on time
        tick.run();
        now[0] += ProcessStalls.TICK_NANOS + 700 * MS; // the process did not run for 700 ms
        tick.run();
        assertThat(stalls.stalledNanos(0, now[0])).isEqualTo(700 * MS);
    }

    @Test
    void aTickLateRightNowIsAStallInProgressBeforeItRuns() {
        long[] now = {0};
        Runnable tick = stalls.meter(() -> now[0]);
        now[0] = ProcessStalls.TICK_NANOS;
        tick.run();                                            // the next tick is due at 2 × TICK
        assertThat(stalls.stalledNanos(0, 2 * ProcessStalls.TICK_NANOS + 10 * MS)).as("late by less than the noise")
                .isZero();
        long end = 2 * ProcessStalls.TICK_NANOS + 600 * MS;   // the tick, due 600 ms ago, has not run yet
        assertThat(stalls.unstalledNanos(end, 700 * MS)).isEqualTo(100 * MS);
        now[0] = end;
        tick.run();                                            // it runs late and records the same stall: once
        assertThat(stalls.stalledNanos(end - 700 * MS, end)).isEqualTo(600 * MS);
    }

    @Test
    void timersLateForTheSameStallCountItOnce() {
        // An asynchronous read's hedge timers run on the meter's thread: one 400 ms stall makes the tick and the
        // eight timers due within it all late; it is still 400 ms of the attempt's time, not nine times that.
        stalls.timerFired(1_050 * MS, 1_400 * MS);                 // the tick
        for (int i = 0; i < 8; i++) {
            stalls.timerFired(1_050 * MS + i * MS, 1_400 * MS + i * MS); // the hedge timers, run one after another
        }
        assertThat(stalls.stalledNanos(1_000 * MS, 1_600 * MS)).isEqualTo(357 * MS);
        assertThat(stalls.unstalledNanos(1_600 * MS, 600 * MS)).isEqualTo(243 * MS);
        assertThat(stalls.excuses(3_000 * MS, 2_000 * MS)).as("357 of 2 000 ms stalled").isFalse();
    }

    @Test
    void aStallInProgressAndTheTimersThatRecordedItCountOnce() {
        long[] now = {0};
        Runnable tick = stalls.meter(() -> now[0]);
        now[0] = ProcessStalls.TICK_NANOS;
        tick.run();                                            // the next tick is due at 2 × TICK = 100 ms
        stalls.timerFired(100 * MS, 500 * MS);                 // a hedge timer ran before the late tick
        assertThat(stalls.stalledNanos(0, 600 * MS)).as("the tick, due 500 ms ago, has not run yet")
                .isEqualTo(500 * MS);
    }

    @Test
    void onlyTheLatestStallsAreRemembered() {
        for (int i = 0; i < 100; i++) {
            stalls.timerFired(i * 1_000 * MS, i * 1_000 * MS + 100 * MS);
        }
        assertThat(stalls.stalledNanos(0, 100_000 * MS)).isEqualTo(64 * 100 * MS);
    }
}
