package dev.meridian.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.FailureDecision;
import org.junit.jupiter.api.Test;

/** How far {@link ClaimRelease} looks for a failure that may have been applied: causes and suppressed, 64 at most. */
class ClaimReleaseWalkTest {
    /** A stand-in for a failure after the request was sent. */
    private static final class SentThenFailed extends RuntimeException {
    }

    private static final FailureClassifier SENT_THEN_FAILED_ONLY = t -> t instanceof SentThenFailed
            ? FailureDecision.REGIONAL_MAYBE_APPLIED : FailureDecision.CALLER_ERROR;

    private static Throwable underCallerErrors(Throwable inner, int layers) {
        Throwable t = inner;
        for (int i = 0; i < layers; i++) {
            t = new IllegalStateException("layer " + i, t);
        }
        return t;
    }

    @Test
    void aMaybeAppliedFailureAmongTheFirstSixtyFourVisitedKeepsTheClaim() {
        assertThat(ClaimRelease.mayHaveBeenApplied(underCallerErrors(new SentThenFailed(), 63), SENT_THEN_FAILED_ONLY))
                .isTrue();
        assertThat(ClaimRelease.mayHaveBeenApplied(underCallerErrors(new SentThenFailed(), 64), SENT_THEN_FAILED_ONLY))
                .as("the walk is bounded").isFalse();
    }

    @Test
    void aCycleOfCausesEndsTheWalk() {
        IllegalStateException a = new IllegalStateException("a");
        IllegalStateException b = new IllegalStateException("b", a);
        a.addSuppressed(b);
        assertThat(ClaimRelease.mayHaveBeenApplied(b, SENT_THEN_FAILED_ONLY)).isFalse();
        a.addSuppressed(new SentThenFailed());
        assertThat(ClaimRelease.mayHaveBeenApplied(b, SENT_THEN_FAILED_ONLY)).isTrue();
    }
}
