package dev.meridian.core.execution;

import static dev.meridian.core.execution.FailureDecision.ABORTED;
import static dev.meridian.core.execution.FailureDecision.CALLER_ERROR;
import static dev.meridian.core.execution.FailureDecision.REGIONAL_MAYBE_APPLIED;
import static dev.meridian.core.execution.FailureDecision.REGIONAL_NOT_APPLIED;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The edges of {@link AwsFailureClassifier} the recorded shapes in {@link FailureClassifierTest} do not reach: error
 * codes without an HTTP status, connect failures below an I/O wrapper, the wrappers it unwraps, and the bounds of
 * its walks down a cause chain.
 */
class AwsFailureClassifierEdgesTest {
    private final FailureClassifier classifier = FailureClassifier.aws();

    private static AwsServiceException coded(String code, int status) {
        return (AwsServiceException) AwsServiceException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build()).build();
    }

    /** {@code inner} under {@code layers} exceptions made by {@code wrap}. */
    private static Throwable nested(Throwable inner, int layers, UnaryOperator<Throwable> wrap) {
        Throwable t = inner;
        for (int i = 0; i < layers; i++) {
            t = wrap.apply(t);
        }
        return t;
    }

    private static Throwable underRuntimeExceptions(Throwable inner, int layers) {
        return nested(inner, layers, c -> new RuntimeException("layer", c));
    }

    @Test
    void anErrorCodeWithoutAnHttpStatusDecidesByTheCode() {
        assertThat(classifier.classify(coded("ServiceUnavailable", 0))).isEqualTo(REGIONAL_NOT_APPLIED);
        assertThat(classifier.classify(coded("ServiceUnavailableException", 0))).isEqualTo(REGIONAL_NOT_APPLIED);
        assertThat(classifier.classify(coded("InternalServerError", 0))).isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classifier.classify(coded("InternalFailure", 0))).isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classifier.classify(coded("ValidationException", 0))).isEqualTo(CALLER_ERROR);
        assertThat(classifier.classify(AwsServiceException.builder().statusCode(0).build())).isEqualTo(CALLER_ERROR);
    }

    @Test
    void aStatusTheServiceSentOverridesTheErrorCode() {
        assertThat(classifier.classify(coded("ServiceUnavailable", 400))).isEqualTo(CALLER_ERROR);
        assertThat(classifier.classify(coded("InternalServerError", 409))).isEqualTo(CALLER_ERROR);
        assertThat(classifier.classify(coded("Whatever", 408))).isEqualTo(REGIONAL_MAYBE_APPLIED);
    }

    @Test
    void aConnectFailureBelowAnIoWrapperMeansNothingWasSent() {
        assertThat(classifier.classify(new IOException("io", new UnknownHostException("x"))))
                .isEqualTo(REGIONAL_NOT_APPLIED);
        assertThat(classifier.classify(new IOException("io", new NoRouteToHostException("x"))))
                .isEqualTo(REGIONAL_NOT_APPLIED);
        assertThat(classifier.classify(new IOException("io", new SocketTimeoutException("connect timed out"))))
                .isEqualTo(REGIONAL_NOT_APPLIED);
        assertThat(classifier.classify(new IOException("io", new SocketTimeoutException("Read timed out"))))
                .isEqualTo(REGIONAL_MAYBE_APPLIED);
    }

    @Test
    void anApacheConnectTimeoutIsKnownByItsTypeWhateverItsMessage() {
        assertThat(classifier.classify(SdkClientException.create("x", new ConnectTimeoutException("no message hint"))))
                .isEqualTo(REGIONAL_NOT_APPLIED);
    }

    /** Was MAYBE_APPLIED: the name has no "ConnectTimeout", though the class is a {@code ConnectTimeoutException}. */
    @Test
    void anApachePoolLeaseTimeoutSentNothing() {
        String leaseTimedOut = "Timeout waiting for connection from pool";
        assertThat(classifier.classify(SdkClientException.create("Unable to execute HTTP request: " + leaseTimedOut,
                new ConnectionPoolTimeoutException(leaseTimedOut)))).isEqualTo(REGIONAL_NOT_APPLIED);
    }

    @Test
    void aBareTimeoutMayHaveBeenAppliedAndNoFailureIsTheCallersError() {
        assertThat(classifier.classify(new TimeoutException("time limiter"))).isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classifier.classify(null)).isEqualTo(CALLER_ERROR);
    }

    @Test
    void aNettyPoolThatGaveUpBeforeItHadAConnectionSentNothing() {
        // The SDK's shape (NettyUtils.decorateException): SdkClientException <- Throwable <- the pool's exception.
        Throwable acquire = SdkClientException.create("Unable to execute HTTP request",
                new Throwable("Acquire operation took longer than the configured maximum time.",
                        new TimeoutException("Acquire operation took longer than 10000 milliseconds.")));
        Throwable queueFull = SdkClientException.create("Unable to execute HTTP request",
                new Throwable("Maximum pending connection acquisitions exceeded.",
                        new IllegalStateException("Too many outstanding acquire operations")));
        assertThat(classifier.classify(acquire)).isEqualTo(REGIONAL_NOT_APPLIED);
        assertThat(classifier.classify(queueFull)).isEqualTo(REGIONAL_NOT_APPLIED);
    }

    @Test
    void anyOtherTimeoutBelowTheSdksWrapperIsRegionalAndMayHaveBeenApplied() {
        Throwable timeout = SdkClientException.create("Unable to execute HTTP request",
                new Throwable("wrapped", new TimeoutException("something else timed out")));
        assertThat(classifier.classify(timeout)).isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classifier.classify(SdkClientException.create("x", new IllegalStateException("other"))))
                .isEqualTo(CALLER_ERROR);
    }

    @Test
    void everyWrapperOfTheRealFailureIsUnwrapped() {
        Throwable timeout = ApiCallTimeoutException.create(1000);
        assertThat(classifier.classify(new ExecutionException(timeout))).isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classifier.classify(new InvocationTargetException(timeout))).isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classifier.classify(new UndeclaredThrowableException(timeout))).isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classifier.classify(new CompletionException(timeout))).isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classifier.classify(new CompletionException("no cause", null))).isEqualTo(CALLER_ERROR);
    }

    @Test
    void unwrappingStopsAfterTenWrappers() {
        Throwable timeout = ApiCallTimeoutException.create(1000);
        assertThat(classifier.classify(nested(timeout, 10, CompletionException::new)))
                .isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classifier.classify(nested(timeout, 11, CompletionException::new))).isEqualTo(CALLER_ERROR);
        // What is left after ten wrappers is still classified by its cause chain.
        assertThat(classifier.classify(nested(new ConnectException("refused"), 11, CompletionException::new)))
                .isEqualTo(REGIONAL_NOT_APPLIED);
    }

    @Test
    void theWalksDownACauseChainLookAtSixteenCausesAtMost() {
        assertThat(classifier.classify(underRuntimeExceptions(new InterruptedException(), 15))).isEqualTo(ABORTED);
        assertThat(classifier.classify(underRuntimeExceptions(new InterruptedException(), 16)))
                .isEqualTo(CALLER_ERROR);
        assertThat(classifier.classify(underRuntimeExceptions(new IOException("reset"), 15)))
                .isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classifier.classify(underRuntimeExceptions(new IOException("reset"), 16)))
                .isEqualTo(CALLER_ERROR);
        Throwable ioOverConnect = new IOException("io", underRuntimeExceptions(new ConnectException("refused"), 15));
        assertThat(classifier.classify(ioOverConnect)).isEqualTo(REGIONAL_NOT_APPLIED);
        Throwable ioOverDeepConnect = new IOException("io",
                underRuntimeExceptions(new ConnectException("refused"), 16));
        assertThat(classifier.classify(ioOverDeepConnect)).isEqualTo(REGIONAL_MAYBE_APPLIED);
    }
}
