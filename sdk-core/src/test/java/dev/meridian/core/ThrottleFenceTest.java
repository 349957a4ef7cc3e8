package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.NonRetryableException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * The wire's proof that a call applied nothing ({@link ThrottleFence}), as the interceptor's hooks drive it: every
 * request sent got a throttling answer and none is in flight, or the call stays ambiguous.
 */
class ThrottleFenceTest {
    private static final SdkServiceException THROTTLING =
            SdkServiceException.builder().statusCode(429).message("Rate exceeded").build();

    private final ThrottleFence fence = new ThrottleFence();

    @Test
    void aCallWhoseEveryRequestWasThrottledIsFencedAndItsResendRefused() {
        throttledAnswer();
        throttledAnswer();

        assertThat(fence.fence()).isTrue();
        assertThat(fence.lastThrottling()).isSameAs(THROTTLING);
        assertThatThrownBy(fence::sending).isInstanceOf(NonRetryableException.class)
                .hasMessageContaining("fenced");
        assertThat(fence.wire()).isEqualTo(ThrottleFence.FENCED);
    }

    @Test
    void aRequestInFlightIsNotFenced() {
        throttledAnswer();
        fence.sending(); // the SDK's resend started before the call ended

        assertThat(fence.fence()).isFalse();
        assertThat(fence.wire()).isEqualTo(ThrottleFence.SENDING);
    }

    @Test
    void anAnswerNotYetJudgedThrottlingIsNotFenced() {
        fence.sending();
        fence.heard();

        assertThat(fence.fence()).isFalse();
    }

    @Test
    void anyOtherAnswerBeforeAThrottleLeavesTheCallAmbiguous() {
        fence.sending();
        fence.heard(); // a 500: may have been applied
        throttledAnswer();

        assertThat(fence.wire()).isEqualTo(ThrottleFence.UNPROVEN);
        assertThat(fence.fence()).isFalse();
    }

    @Test
    void aResendOfARequestThatGotNoAnswerLeavesTheCallAmbiguous() {
        fence.sending(); // an attempt timeout: no answer
        throttledAnswer();

        assertThat(fence.wire()).isEqualTo(ThrottleFence.UNPROVEN);
        assertThat(fence.fence()).isFalse();
    }

    @Test
    void aCallThatSentNothingOrWasNeverListenedToIsNotFenced() {
        assertThat(fence.fence()).isFalse();
        assertThat(fence.wire()).isEqualTo(ThrottleFence.IDLE);
    }

    @Test
    void aThrottleWithoutAnAnswerHeardChangesNothing() {
        fence.sending();
        fence.throttled(THROTTLING);

        assertThat(fence.fence()).isFalse();
    }

    /** The fence and the SDK's resend race; exactly one of them wins, whichever thread comes first. */
    @Test
    void exactlyOneOfFenceAndResendWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 500; i++) {
                ThrottleFence f = new ThrottleFence();
                f.sending();
                f.heard();
                f.throttled(THROTTLING);
                CountDownLatch go = new CountDownLatch(1);
                Future<Boolean> fenced = pool.submit(() -> {
                    go.await();
                    return f.fence();
                });
                Future<Boolean> sent = pool.submit(() -> {
                    go.await();
                    try {
                        f.sending();
                        return true;
                    } catch (NonRetryableException e) {
                        return false;
                    }
                });
                go.countDown();
                boolean wasFenced = fenced.get(10, TimeUnit.SECONDS);
                boolean wasSent = sent.get(10, TimeUnit.SECONDS);
                assertThat(wasFenced).as("try %d: fenced xor sent", i).isNotEqualTo(wasSent);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void throttledAnswer() {
        fence.sending();
        fence.heard();
        fence.throttled(THROTTLING);
    }
}
