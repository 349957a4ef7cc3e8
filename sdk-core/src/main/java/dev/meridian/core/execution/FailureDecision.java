package dev.meridian.core.execution;

/** What a failed attempt means for the rest of the call; see {@link FailureClassifier}. */
public enum FailureDecision {
    /** The request was wrong (validation, condition failed, access denied...): rethrow at once, never fail over. */
    CALLER_ERROR,
    /** The region failed before applying the request (connection refused, 503, throttling, breaker open). */
    REGIONAL_NOT_APPLIED,
    /** The region failed and the request may have been applied (timeout after send, 500, reset mid-call). */
    REGIONAL_MAYBE_APPLIED;

    /** True for the two regional decisions (they count as circuit-breaker failures). */
    public boolean isRegional() {
        return this != CALLER_ERROR;
    }
}
