package dev.meridian.dynamodb.saga;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/** Where a saga stands, as its log records it. */
@API(status = EXPERIMENTAL, since = "0.1")
public enum SagaState {
    /** Running its steps forward. */
    RUNNING,
    /** A step failed; compensating the steps that ran, in reverse order. */
    COMPENSATING,
    /** Every step ran (terminal). */
    COMPLETED,
    /** A step failed and every step that ran was compensated (terminal). */
    COMPENSATED,
    /**
     * A compensation failed: an operator must look at it. {@link Sagas#resume(String)} retries the remaining
     * compensations once the cause is fixed; {@link Sagas#sweep} leaves it alone.
     */
    FAILED;

    /** Whether nothing more happens to a saga in this state. */
    public boolean isTerminal() {
        return this == COMPLETED || this == COMPENSATED;
    }
}
