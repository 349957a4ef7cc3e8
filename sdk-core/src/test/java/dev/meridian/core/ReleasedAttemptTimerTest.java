package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a won hedge leaves on the shared SDK timeout timer ({@link SdkTimeoutScheduler}): a released attempt runs the
 * SDK's call timeout task again at doubling intervals only while its call has not returned. Once the caller's call
 * returned, nothing of it stays queued: every hedge a process ever won must not keep a task (and the read it holds)
 * firing on the timer thread for the life of the process.
 */
class ReleasedAttemptTimerTest {
    private static final ScheduledThreadPoolExecutor TIMER = (ScheduledThreadPoolExecutor) SdkTimeoutScheduler.timer();

    /** The SDK's timeout task (a {@link Runnable}, as the SDK schedules it), counting its runs. */
    private static Runnable counting(AtomicInteger runs) {
        return runs::incrementAndGet;
    }

    @Test
    void aReleasedAttemptLeavesNothingOnTheTimerOnceItsCallReturned() {
        AtomicInteger sdkTimeoutRuns = new AtomicInteger();
        ReleasableAttempt attempt = new ReleasableAttempt();
        ScheduledFuture<?> sdkTimeout;
        ReleasableAttempt before = SdkTimeoutScheduler.arm(attempt);
        try {
            // The SDK schedules its call timeout as its call starts: the armed attempt keeps it.
            sdkTimeout = SdkTimeoutScheduler.INSTANCE.schedule(counting(sdkTimeoutRuns), 1, TimeUnit.HOURS);
        } finally {
            SdkTimeoutScheduler.restore(before);
        }

        attempt.release(); // a hedge won: the timeout task runs now, and again while the call has not returned
        await().atMost(Duration.ofSeconds(10)).until(() -> sdkTimeoutRuns.get() >= 3);
        sdkTimeout.cancel(false); // the SDK's call ended (aborted): it cancels its timeout
        assertThat(attempt.finish()).isEqualTo(ReleasableAttempt.RELEASED);

        // At most the run already due fires once more, and finds the call returned.
        await().atMost(Duration.ofSeconds(5)).until(() -> TIMER.getQueue().isEmpty());
        int runs = sdkTimeoutRuns.get();
        assertThat(TIMER.getQueue()).as("tasks left on the SDK timeout timer").isEmpty();
        assertThat(sdkTimeoutRuns.get()).isEqualTo(runs);
    }

    @Test
    void aReleaseAfterTheCallReturnedRunsNothing() {
        AtomicInteger sdkTimeoutRuns = new AtomicInteger();
        ReleasableAttempt attempt = new ReleasableAttempt();
        ReleasableAttempt before = SdkTimeoutScheduler.arm(attempt);
        ScheduledFuture<?> sdkTimeout;
        try {
            sdkTimeout = SdkTimeoutScheduler.INSTANCE.schedule(counting(sdkTimeoutRuns), 1, TimeUnit.HOURS);
        } finally {
            SdkTimeoutScheduler.restore(before);
        }
        sdkTimeout.cancel(false);
        assertThat(attempt.finish()).isEqualTo(ReleasableAttempt.RUNNING);

        attempt.release();

        assertThat(sdkTimeoutRuns.get()).isZero();
        assertThat(attempt.state()).isEqualTo(ReleasableAttempt.FINISHED);
        assertThat(TIMER.getQueue()).isEmpty();
    }
}
