package dev.meridian.core.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.routing.OperationKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The one move rule: which failures let a call of which kind go to another region. */
class FailureDecisionTest {

    @ParameterizedTest
    @EnumSource(OperationKind.class)
    void aFailureThatProvesNothingWasAppliedMovesEveryKind(OperationKind kind) {
        assertThat(FailureDecision.REGIONAL_NOT_APPLIED.movesOn(kind)).isTrue();
    }

    @Test
    void aFailureAfterWhichTheRequestMayHaveBeenAppliedMovesOnlyWhatIsSafeToRepeat() {
        assertThat(FailureDecision.REGIONAL_MAYBE_APPLIED.movesOn(OperationKind.READ)).isTrue();
        assertThat(FailureDecision.REGIONAL_MAYBE_APPLIED.movesOn(OperationKind.IDEMPOTENT_WRITE)).isTrue();
        assertThat(FailureDecision.REGIONAL_MAYBE_APPLIED.movesOn(OperationKind.WRITE)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(OperationKind.class)
    void aCallerErrorOrAnAbortedCallNeverMoves(OperationKind kind) {
        assertThat(FailureDecision.CALLER_ERROR.movesOn(kind)).isFalse();
        assertThat(FailureDecision.ABORTED.movesOn(kind)).isFalse();
    }
}
