package dev.meridian.core.execution;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;
import dev.meridian.core.routing.OperationKind;

/**
 * What a failed attempt means for the rest of the call; see {@link FailureClassifier}. The two regional decisions
 * differ in one question — could the region have applied the request? — which decides whether a write may be sent to
 * another region: only a failure that proves the request was never applied ({@link #REGIONAL_NOT_APPLIED}) lets a
 * plain write move on; a failure after the request may have reached the service ({@link #REGIONAL_MAYBE_APPLIED})
 * moves only reads and writes that are safe to repeat.
 */
@API(status = STABLE, since = "0.1")
public enum FailureDecision {
    /**
     * The request was wrong (validation, condition failed, access denied...): rethrow at once, never fail over. Never
     * used for a transport failure.
     */
    CALLER_ERROR,
    /**
     * The region failed before applying the request: the connection was refused (or could not be made: unknown
     * host, no route, connect timeout, TLS handshake), HTTP 503, throttling, or the region's circuit breaker is open.
     * Nothing was sent, or the service answered that it did not process it.
     */
    REGIONAL_NOT_APPLIED,
    /**
     * The region failed after the request may have been sent and applied: an attempt or call timeout, a read timeout,
     * a connection reset or premature end of the answer, a body cut off ({@code Crc32MismatchException}), HTTP 500 and
     * other 5xx but 503. The answer was lost; the write may have taken effect.
     */
    REGIONAL_MAYBE_APPLIED,
    /**
     * The caller gave up while the attempt was in flight: its thread was interrupted or its future cancelled
     * ({@code Future.cancel(true)}, a time limiter), which the AWS SDK reports as {@code AbortedException}. It says
     * nothing about the region, and the request may already have been sent and applied: the call ends at once (no
     * other region is tried, whatever the operation's kind), the region's breaker records nothing, and an idempotency
     * claim is kept as after {@link #REGIONAL_MAYBE_APPLIED}.
     */
    ABORTED;

    /** True for the two regional decisions (they count as circuit-breaker failures). */
    public boolean isRegional() {
        return this == REGIONAL_NOT_APPLIED || this == REGIONAL_MAYBE_APPLIED;
    }

    /**
     * True when the request may have been applied although the call failed ({@link #REGIONAL_MAYBE_APPLIED},
     * {@link #ABORTED}): repeating it could apply it twice.
     */
    public boolean mayHaveBeenApplied() {
        return this == REGIONAL_MAYBE_APPLIED || this == ABORTED;
    }

    /**
     * Whether a call of {@code kind} that failed with this decision may be sent to another region: the one move rule
     * of Meridian, applied by the runtime's failover and asked by integrations that move work themselves (a JDBC
     * statement run again on a new connection). A failure that proves nothing was applied moves every kind; one after
     * which the request may have been applied moves only reads and writes that are safe to repeat; a caller error or
     * an aborted call never moves.
     */
    public boolean movesOn(OperationKind kind) {
        switch (this) {
            case REGIONAL_NOT_APPLIED:
                return true;
            case REGIONAL_MAYBE_APPLIED:
                return kind != OperationKind.WRITE;
            default:
                return false;
        }
    }
}
