package dev.meridian.core.execution;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * Decides whether a failed attempt is the caller's fault or the region's, and whether it may have been applied.
 * Drives failover (see the executor) and what counts as a circuit-breaker failure. Implementations must
 * be thread-safe and must not throw.
 */
@API(status = STABLE, since = "0.1")
@FunctionalInterface
public interface FailureClassifier {

    FailureDecision classify(Throwable failure);

    /**
     * The AWS SDK v2 taxonomy, checked against what the SDK's HTTP clients (URL connection, Apache, Netty) actually
     * throw under each fault of the testkit's fault proxy ({@code AwsFailureClassifierIT}):
     * <ul>
     *   <li>{@code CallNotPermittedException} (breaker open), a failed connect anywhere in the cause chain (connection
     *       refused, unknown host, no route, connect timeout, TLS handshake failure) — whether wrapped in
     *       {@code SdkClientException} or, as the URL-connection client does, in {@code UncheckedIOException} —
     *       HTTP 503 and throttling ({@code isThrottlingException()}, 429) →
     *       {@link FailureDecision#REGIONAL_NOT_APPLIED} (rejected before anything was applied);</li>
     *   <li>{@code ApiCallAttemptTimeoutException}, {@code ApiCallTimeoutException}, {@code Crc32MismatchException}
     *       (the answer arrived cut off or corrupted), read timeouts, resets, premature ends of the body and every
     *       other I/O failure in the cause chain (also under {@code UncheckedIOException}), exceptions of the Netty
     *       transport (its timeouts and premature closes are not {@code IOException}s), HTTP 408, 500, 502, 504 and
     *       other 5xx → {@link FailureDecision#REGIONAL_MAYBE_APPLIED};</li>
     *   <li>an interrupted or cancelled call: {@code AbortedException}, an {@code InterruptedException} or
     *       {@code ClosedByInterruptException} anywhere in the cause chain, {@code CancellationException} →
     *       {@link FailureDecision#ABORTED} (the caller gave up; the request may have been applied);</li>
     *   <li>other 4xx service errors (validation, conditional check failed, access denied, resource not found),
     *       client-side SDK errors without a transport cause (e.g. credentials) and every other exception →
     *       {@link FailureDecision#CALLER_ERROR}.</li>
     * </ul>
     * Wrappers ({@code CompletionException}, {@code ExecutionException}, {@code InvocationTargetException},
     * {@code UndeclaredThrowableException}) are looked through.
     */
    static FailureClassifier aws() {
        return AwsFailureClassifier.INSTANCE;
    }
}
