package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a won hedge leaves on the shared SDK timeout timer ({@link SdkTimeoutScheduler}): a released attempt runs the
 * SDK's call timeout task again at doubling intervals only while its call has not returned. Once the caller's call
 * returned, it is not run again: every hedge a process ever won must not keep a task (and the read it holds) firing on
 * the timer thread for the life of the process. (The timer is shared by the whole JVM, so its queue is not asserted.)
 */
class ReleasedAttemptTimerTest {
    /** The SDK's timeout task (a {@link Runnable}, as the SDK schedules it), counting its runs. */
    private static Runnable counting(AtomicInteger runs) {
        return runs::incrementAndGet;
    }

    @Test
    void aReleasedAttemptStopsRunningTheSdkTimeoutOnceItsCallReturned() {
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

        assertThat(attempt.state()).as("a returned call's attempt").isEqualTo(ReleasableAttempt.FINISHED);
        // A run already under way may still end; after it the SDK's task is never run again (before, it was, at
        // doubling intervals up to every second, for good).
        int runs = sdkTimeoutRuns.get();
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5))
                .until(() -> sdkTimeoutRuns.get() <= runs + 1);
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
    }
}
