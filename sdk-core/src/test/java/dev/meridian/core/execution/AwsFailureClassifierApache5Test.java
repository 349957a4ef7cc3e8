package dev.meridian.core.execution;

import static dev.meridian.core.execution.FailureDecision.ABORTED;
import static dev.meridian.core.execution.FailureDecision.REGIONAL_MAYBE_APPLIED;
import static dev.meridian.core.execution.FailureDecision.REGIONAL_NOT_APPLIED;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.client5.http.ConnectExceptionSupport;
import org.apache.hc.client5.http.impl.classic.RequestFailedException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * What {@link FailureClassifier#aws()} decides for each failure the AWS SDK's Apache 5 client
 * ({@code Apache5HttpClient}, on httpclient5/httpcore5) really throws: the client lets httpclient5's exception out as
 * it is, and the SDK wraps it as {@code SdkClientException("Unable to execute HTTP request: " + message, cause)}
 * ({@code RetryableStageHelper}). The instances are httpclient5's own, made the way httpclient5 makes them (its
 * {@code ConnectExceptionSupport} for connect failures, the messages its classes use). {@code AwsFailureClassifierIT}
 * records the same shapes from real calls.
 */
class AwsFailureClassifierApache5Test {
    private static final HttpHost TARGET = new HttpHost("http", "localhost", 4566);

    private final FailureClassifier classifier = FailureClassifier.aws();

    /** The SDK's wrapper of an HTTP client's {@link IOException}. */
    private static SdkClientException asTheSdkWrapsIt(IOException e) {
        return SdkClientException.create("Unable to execute HTTP request: " + e.getMessage(), e);
    }

    private static IOException asHttpClient5ConnectFails(IOException socketFailure) {
        return ConnectExceptionSupport.enhance(socketFailure, TARGET, InetAddress.getLoopbackAddress());
    }

    private FailureDecision classify(IOException e) {
        return classifier.classify(asTheSdkWrapsIt(e));
    }

    @Test
    void aRefusedConnectSentNothing() {
        IOException refused = asHttpClient5ConnectFails(new ConnectException("Connection refused"));
        assertThat(refused.getClass().getName()).isEqualTo("org.apache.hc.client5.http.HttpHostConnectException");
        assertThat(classify(refused)).isEqualTo(REGIONAL_NOT_APPLIED);
    }

    @Test
    void aConnectTimeoutSentNothing() {
        IOException timedOut = asHttpClient5ConnectFails(new SocketTimeoutException("Connect timed out"));
        assertThat(timedOut.getClass().getName()).isEqualTo("org.apache.hc.client5.http.ConnectTimeoutException");
        assertThat(classify(timedOut)).isEqualTo(REGIONAL_NOT_APPLIED);
    }

    @Test
    void anUnknownHostSentNothing() {
        // httpclient5's SystemDefaultDnsResolver lets the JDK's exception out.
        assertThat(classify(new UnknownHostException("dynamodb.nowhere.invalid: Name or service not known")))
                .isEqualTo(REGIONAL_NOT_APPLIED);
    }

    @Test
    void aFailedTlsHandshakeSentNothing() {
        assertThat(classify(asHttpClient5ConnectFails(
                new SSLHandshakeException("Remote host terminated the handshake")))).isEqualTo(REGIONAL_NOT_APPLIED);
    }

    /**
     * No pooled connection within the connection acquisition timeout: httpclient5 had not connected or sent anything
     * (it leases before it connects). Was MAYBE_APPLIED: httpcore5's {@code ConnectionRequestTimeoutException} is an
     * {@code InterruptedIOException} that Apache 4's rule ("ConnectTimeout" in the name) did not recognize.
     */
    @Test
    void aPoolLeaseTimeoutSentNothing() {
        assertThat(classify(new ConnectionRequestTimeoutException(
                "Timeout deadline: 500 MILLISECONDS, actual: 503 MILLISECONDS"))).isEqualTo(REGIONAL_NOT_APPLIED);
    }

    @Test
    void aReadTimeoutMayHaveBeenApplied() {
        assertThat(classify(new SocketTimeoutException("Read timed out"))).isEqualTo(REGIONAL_MAYBE_APPLIED);
    }

    @Test
    void noResponseMayHaveBeenApplied() {
        // Sent on a connection the server closed without answering (often a stale pooled one): unknowable.
        assertThat(classify(new NoHttpResponseException("The target server failed to respond")))
                .isEqualTo(REGIONAL_MAYBE_APPLIED);
    }

    @Test
    void aResetMayHaveBeenApplied() {
        assertThat(classify(new SocketException("Connection reset"))).isEqualTo(REGIONAL_MAYBE_APPLIED);
        assertThat(classify(new MalformedChunkCodingException("Bad chunk header: x")))
                .isEqualTo(REGIONAL_MAYBE_APPLIED);
    }

    @Test
    void aTruncatedBodyMayHaveBeenApplied() {
        assertThat(classify(new ConnectionClosedException(
                "Premature end of Content-Length delimited message body (expected: %,d; received: %,d)", 2_000L,
                100L))).isEqualTo(REGIONAL_MAYBE_APPLIED);
    }

    @Test
    void aLeaseTheCallerInterruptedIsAborted() {
        assertThat(classify(new RequestFailedException("Request aborted", new InterruptedException())))
                .isEqualTo(ABORTED);
    }

    @Test
    void aLeaseThatFailedOtherwiseMayHaveBeenApplied() {
        // httpclient5's wrapper of whatever else ended the lease: nothing says nothing was sent.
        assertThat(classify(new RequestFailedException("Request execution failed", new IllegalStateException("x"))))
                .isEqualTo(REGIONAL_MAYBE_APPLIED);
    }
}
