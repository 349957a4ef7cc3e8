package dev.meridian.core.execution;

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
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/** {@link FailureClassifier#aws()}. */
final class AwsFailureClassifier implements FailureClassifier {
    static final AwsFailureClassifier INSTANCE = new AwsFailureClassifier();

    private AwsFailureClassifier() {
    }

    @Override
    public FailureDecision classify(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t == null) {
            return FailureDecision.CALLER_ERROR;
        }
        if (t instanceof CallNotPermittedException) {
            return FailureDecision.REGIONAL_NOT_APPLIED;
        }
        if (t instanceof ApiCallAttemptTimeoutException || t instanceof ApiCallTimeoutException) {
            return FailureDecision.REGIONAL_MAYBE_APPLIED;
        }
        if (t instanceof SdkServiceException) {
            return service((SdkServiceException) t);
        }
        if (t instanceof AbortedException) {
            return FailureDecision.CALLER_ERROR;
        }
        if (t instanceof SdkClientException) {
            FailureDecision io = ioCause(t.getCause());
            return io != null ? io : FailureDecision.CALLER_ERROR;
        }
        if (t instanceof IOException) {
            FailureDecision io = ioCause(t);
            return io != null ? io : FailureDecision.CALLER_ERROR;
        }
        if (t instanceof TimeoutException) {
            return FailureDecision.REGIONAL_MAYBE_APPLIED;
        }
        return FailureDecision.CALLER_ERROR;
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

    /** The decision for the first I/O exception in the cause chain, or null when there is none. */
    private static FailureDecision ioCause(Throwable start) {
        for (Throwable c = start; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException || c instanceof PortUnreachableException
                    || c instanceof SSLHandshakeException || isConnectTimeout(c)) {
                return FailureDecision.REGIONAL_NOT_APPLIED;
            }
            if (c instanceof IOException) {
                return FailureDecision.REGIONAL_MAYBE_APPLIED;
            }
        }
        return null;
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
