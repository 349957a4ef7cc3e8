package dev.meridian.core.execution;


/**
 * Decides whether a failed attempt is the caller's fault or the region's, and whether it may have been applied.
 * Drives failover (see the executor) and what counts as a circuit-breaker failure. Implementations must
 * be thread-safe and must not throw.
 */
@FunctionalInterface
public interface FailureClassifier {

    FailureDecision classify(Throwable failure);

    /**
     * The AWS SDK v2 taxonomy:
     * <ul>
     *   <li>{@code CallNotPermittedException} (breaker open), connection refused / unknown host / no route / connect
     *       timeout / TLS handshake failure, HTTP 503 and throttling ({@code isThrottlingException()}, 429) →
     *       {@link FailureDecision#REGIONAL_NOT_APPLIED} (rejected before anything was applied);</li>
     *   <li>{@code ApiCallAttemptTimeoutException}, {@code ApiCallTimeoutException}, socket timeouts, resets and
     *       other I/O errors mid-call, HTTP 408, 500, 502, 504 and other 5xx →
     *       {@link FailureDecision#REGIONAL_MAYBE_APPLIED};</li>
     *   <li>other 4xx service errors (validation, conditional check failed, access denied, resource not found),
     *       client-side SDK errors without an I/O cause (e.g. credentials), aborted calls and every other
     *       exception → {@link FailureDecision#CALLER_ERROR}.</li>
     * </ul>
     * Wrappers ({@code CompletionException}, {@code ExecutionException}, {@code InvocationTargetException},
     * {@code UndeclaredThrowableException}) are looked through.
     */
    static FailureClassifier aws() {
        return AwsFailureClassifier.INSTANCE;
    }
}
