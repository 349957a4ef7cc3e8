package dev.meridian.dynamodb.saga;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/** Where one step of a saga stands, as the saga log records it. */
@API(status = EXPERIMENTAL, since = "0.1")
public enum SagaStepStatus {
    /** Its action has not run to an outcome yet (it may be running, or a run may have crashed in it). */
    PENDING,
    /** Its action ran; its result is recorded. */
    DONE,
    /** Its action failed in a way known not to have applied it (a caller error): it is not compensated. */
    FAILED,
    /**
     * Its action failed in a way that may have applied it (a timeout, an ambiguous AWS failure, an interrupt): it is
     * compensated like a step that ran, so its compensation must cope with an action that never took effect.
     */
    FAILED_MAYBE_APPLIED,
    /** Its compensation ran. */
    COMPENSATED;

    /** Whether a saga that fails must compensate a step in this status. */
    boolean needsCompensation() {
        return this == DONE || this == FAILED_MAYBE_APPLIED;
    }
}
