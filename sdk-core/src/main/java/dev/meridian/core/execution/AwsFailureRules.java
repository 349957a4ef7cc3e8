package dev.meridian.core.execution;

import dev.meridian.core.internal.PoolAcquireFailures;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.Crc32MismatchException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * The rules of {@link FailureClassifier#aws()} ({@link AwsFailureClassifier}). Loaded by the first failure classified:
 * kept off the first read (cold start).
 */
final class AwsFailureRules {
    private static final int MAX_CAUSE_DEPTH = 16;
    private static final String NETTY_PACKAGE = "io.netty.";

    private AwsFailureRules() {
    }

    static FailureDecision classify(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t == null) {
            return FailureDecision.CALLER_ERROR;
        }
        FailureDecision decision = lastAttempt(t);
        // The last attempt's refusal says nothing of an earlier one the region answered (AnsweredAttempts).
        return decision == FailureDecision.REGIONAL_NOT_APPLIED && AnsweredAttempts.marked(t)
                ? FailureDecision.REGIONAL_MAYBE_APPLIED : decision;
    }

    /** What the failure of the SDK call's last attempt says on its own. */
    private static FailureDecision lastAttempt(Throwable t) {
        if (t instanceof CallNotPermittedException) {
            return FailureDecision.REGIONAL_NOT_APPLIED;
        }
        if (t instanceof ApiCallAttemptTimeoutException || t instanceof ApiCallTimeoutException) {
            return FailureDecision.REGIONAL_MAYBE_APPLIED;
        }
        if (t instanceof SdkServiceException) {
            return service((SdkServiceException) t);
        }
        if (abortedByCaller(t)) {
            return FailureDecision.ABORTED;
        }
        if (t instanceof Crc32MismatchException) {
            // The service answered and the body arrived cut off or corrupted: the request was processed.
            return FailureDecision.REGIONAL_MAYBE_APPLIED;
        }
        // Transport failures arrive as SdkClientException (the SDK's wrapper), as UncheckedIOException (the
        // URL-connection client's invokeSafely, e.g. around a refused connect while a region flaps) or as the HTTP
        // client's own exception: the cause chain decides.
        FailureDecision transport = transportCause(t);
        if (transport != null) {
            return transport;
        }
        if (t instanceof TimeoutException) {
            return FailureDecision.REGIONAL_MAYBE_APPLIED;
        }
        return FailureDecision.CALLER_ERROR;
    }

    /**
     * Whether the caller gave up: the SDK's {@link AbortedException} (its report of an interrupted call), an
     * {@link InterruptedException} or {@link ClosedByInterruptException} anywhere in the cause chain (an HTTP client
     * interrupted while it waited, e.g. Apache's "Request aborted"), or a cancelled future. Looked for before the
     * transport causes: an interrupt's I/O exception is not the region's failure.
     */
    private static boolean abortedByCaller(Throwable start) {
        int depth = 0;
        for (Throwable c = start; c != null && depth < MAX_CAUSE_DEPTH; c = c.getCause() == c ? null : c.getCause()) {
            depth++;
            if (c instanceof AbortedException || c instanceof InterruptedException
                    || c instanceof ClosedByInterruptException || c instanceof CancellationException) {
                return true;
            }
        }
        return false;
    }

    private static FailureDecision service(SdkServiceException e) {
        if (e.isThrottlingException()) {
            return FailureDecision.REGIONAL_NOT_APPLIED;
        }
        int status = e.statusCode();
        if (status == 503) {
            return FailureDecision.REGIONAL_NOT_APPLIED;
        }
        if (status >= 500 || status == 408) {
            return FailureDecision.REGIONAL_MAYBE_APPLIED;
        }
        if (status == 0 && e instanceof AwsServiceException && ((AwsServiceException) e).awsErrorDetails() != null) {
            String code = ((AwsServiceException) e).awsErrorDetails().errorCode();
            if ("ServiceUnavailable".equals(code) || "ServiceUnavailableException".equals(code)) {
                return FailureDecision.REGIONAL_NOT_APPLIED;
            }
            if ("InternalServerError".equals(code) || "InternalFailure".equals(code)) {
                return FailureDecision.REGIONAL_MAYBE_APPLIED;
            }
        }
        return FailureDecision.CALLER_ERROR;
    }

    /**
     * The decision for the first transport failure in the cause chain of {@code start} (itself included), or null
     * when there is none: a failed connect or connection-pool acquire (nothing was sent) is NOT_APPLIED; any other I/O
     * failure, any timeout and any exception of the Netty transport (its read/write timeouts and premature closes are
     * not {@link IOException}s) happened after the request may have been sent and is MAYBE_APPLIED.
     */
    private static @Nullable FailureDecision transportCause(Throwable start) {
        int depth = 0;
        for (Throwable c = start; c != null && depth < MAX_CAUSE_DEPTH; c = c.getCause() == c ? null : c.getCause()) {
            depth++;
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException || c instanceof PortUnreachableException
                    || c instanceof SSLHandshakeException || isConnectTimeout(c)
                    || PoolAcquireFailures.gaveNoConnection(c)) {
                return FailureDecision.REGIONAL_NOT_APPLIED;
            }
            if (c instanceof IOException || c instanceof TimeoutException
                    || c.getClass().getName().startsWith(NETTY_PACKAGE)) {
                // A later cause can still say "connect failed" (e.g. Apache's HttpHostConnectException, an
                // IOException wrapping a ConnectException): look for one before settling on MAYBE_APPLIED.
                return connectFailureBelow(c) ? FailureDecision.REGIONAL_NOT_APPLIED
                        : FailureDecision.REGIONAL_MAYBE_APPLIED;
            }
        }
        return null;
    }

    private static boolean connectFailureBelow(Throwable t) {
        int depth = 0;
        for (Throwable c = t.getCause(); c != null && depth < MAX_CAUSE_DEPTH;
                c = c.getCause() == c ? null : c.getCause()) {
            depth++;
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException || isConnectTimeout(c)) {
                return true;
            }
        }
        return false;
    }

    /** A timeout while connecting: nothing was sent (Apache's ConnectTimeoutException, "connect timed out"). */
    private static boolean isConnectTimeout(Throwable t) {
        if (!(t instanceof InterruptedIOException)) {
            return false;
        }
        if (t.getClass().getSimpleName().contains("ConnectTimeout")) {
            return true;
        }
        String m = t.getMessage();
        return t instanceof SocketTimeoutException && m != null
                && m.toLowerCase(Locale.ROOT).contains("connect timed out");
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        for (int i = 0; i < 10 && c != null; i++) {
            if ((c instanceof CompletionException || c instanceof ExecutionException
                    || c instanceof InvocationTargetException || c instanceof UndeclaredThrowableException)
                    && c.getCause() != null) {
                c = c instanceof InvocationTargetException ? ((InvocationTargetException) c).getTargetException()
                        : c.getCause();
            } else {
                return c;
            }
        }
        return c;
    }
}
