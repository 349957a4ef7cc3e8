package dev.meridian.core.execution;

import static dev.meridian.core.execution.FailureDecision.ABORTED;
import static dev.meridian.core.execution.FailureDecision.CALLER_ERROR;
import static dev.meridian.core.execution.FailureDecision.REGIONAL_MAYBE_APPLIED;
import static dev.meridian.core.execution.FailureDecision.REGIONAL_NOT_APPLIED;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.Crc32MismatchException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

class FailureClassifierTest {

    private static AwsErrorDetails details(String code, int status) {
        return AwsErrorDetails.builder().errorCode(code).errorMessage(code).serviceName("DynamoDb")
                .sdkHttpResponse(software.amazon.awssdk.http.SdkHttpResponse.builder().statusCode(status).build())
                .build();
    }

    private static DynamoDbException dynamo(String code, int status) {
        return (DynamoDbException) DynamoDbException.builder().statusCode(status).awsErrorDetails(details(code, status))
                .message(code).build();
    }

    static Stream<Arguments> sdkFailures() {
        return Stream.of(
                Arguments.of("DynamoDB 503 ServiceUnavailable", dynamo("ServiceUnavailable", 503), REGIONAL_NOT_APPLIED),
                Arguments.of("DynamoDB 500 InternalServerError", InternalServerErrorException.builder().statusCode(500)
                        .awsErrorDetails(details("InternalServerError", 500)).message("boom").build(),
                        REGIONAL_MAYBE_APPLIED),
                Arguments.of("DynamoDB 500 generic", dynamo("InternalFailure", 500), REGIONAL_MAYBE_APPLIED),
                Arguments.of("ProvisionedThroughputExceeded", ProvisionedThroughputExceededException.builder()
                        .statusCode(400).awsErrorDetails(details("ProvisionedThroughputExceededException", 400))
                        .message("slow down").build(), REGIONAL_NOT_APPLIED),
                Arguments.of("RequestLimitExceeded", RequestLimitExceededException.builder().statusCode(400)
                        .awsErrorDetails(details("RequestLimitExceeded", 400)).build(), REGIONAL_NOT_APPLIED),
                Arguments.of("ThrottlingException-coded AwsServiceException", AwsServiceException.builder()
                        .statusCode(400).awsErrorDetails(details("ThrottlingException", 400)).build(),
                        REGIONAL_NOT_APPLIED),
                Arguments.of("429 Too Many Requests", dynamo("TooManyRequests", 429), REGIONAL_NOT_APPLIED),
                Arguments.of("ConditionalCheckFailed", ConditionalCheckFailedException.builder().statusCode(400)
                        .awsErrorDetails(details("ConditionalCheckFailedException", 400)).build(), CALLER_ERROR),
                Arguments.of("ResourceNotFound", ResourceNotFoundException.builder().statusCode(400)
                        .awsErrorDetails(details("ResourceNotFoundException", 400)).build(), CALLER_ERROR),
                Arguments.of("ValidationException 400", dynamo("ValidationException", 400), CALLER_ERROR),
                Arguments.of("AccessDenied 403", dynamo("AccessDeniedException", 403), CALLER_ERROR),
                Arguments.of("Connection refused", SdkClientException.builder().message("Unable to execute HTTP request")
                        .cause(new ConnectException("Connection refused")).build(), REGIONAL_NOT_APPLIED),
                Arguments.of("Unknown host", SdkClientException.create("dns", new UnknownHostException("x")),
                        REGIONAL_NOT_APPLIED),
                Arguments.of("Connect timed out", SdkClientException.create("t",
                        new SocketTimeoutException("Connect timed out")), REGIONAL_NOT_APPLIED),
                Arguments.of("Read timed out", SdkClientException.create("t",
                        new SocketTimeoutException("Read timed out")), REGIONAL_MAYBE_APPLIED),
                Arguments.of("Connection reset", SdkClientException.create("r",
                        new SocketException("Connection reset")), REGIONAL_MAYBE_APPLIED),
                Arguments.of("ApiCallAttemptTimeout", ApiCallAttemptTimeoutException.create(500),
                        REGIONAL_MAYBE_APPLIED),
                Arguments.of("ApiCallTimeout", ApiCallTimeoutException.create(2000), REGIONAL_MAYBE_APPLIED),
                Arguments.of("Breaker open", CallNotPermittedException.createCallNotPermittedException(
                        CircuitBreaker.ofDefaults("eu-west-1")), REGIONAL_NOT_APPLIED),
                Arguments.of("Client error without I/O cause", SdkClientException.create("Unable to load credentials"),
                        CALLER_ERROR),
                // The caller gave up (interrupt, cancel, time limiter): the request may have been applied.
                Arguments.of("Aborted", AbortedException.create("Thread was interrupted"), ABORTED),
                Arguments.of("Aborted with its InterruptedException", AbortedException.create(
                        "Thread was interrupted", new InterruptedException()), ABORTED),
                Arguments.of("Aborted in SdkClientException", SdkClientException.create("Unable to execute",
                        AbortedException.create("Thread was interrupted")), ABORTED),
                Arguments.of("Aborted in CompletionException", new CompletionException(
                        AbortedException.create("Thread was interrupted")), ABORTED),
                Arguments.of("Apache: request aborted by an interrupt while leasing a connection",
                        SdkClientException.create("Unable to execute HTTP request", interruptedIo()), ABORTED),
                Arguments.of("NIO channel closed by an interrupt", SdkClientException.create(
                        "Unable to execute HTTP request", new ClosedByInterruptException()), ABORTED),
                Arguments.of("Cancelled future", new CancellationException(), ABORTED),
                Arguments.of("Cancelled future in CompletionException", new CompletionException(
                        new CancellationException()), ABORTED),
                Arguments.of("Wrapped in CompletionException", new CompletionException(dynamo("ServiceUnavailable",
                        503)), REGIONAL_NOT_APPLIED),
                Arguments.of("Wrapped in InvocationTargetException", new InvocationTargetException(
                        SdkClientException.create("x", new ConnectException())), REGIONAL_NOT_APPLIED),
                Arguments.of("Bare IOException", new IOException("broken pipe"), REGIONAL_MAYBE_APPLIED),
                Arguments.of("Unknown non-SDK exception", new IllegalStateException("bug"), CALLER_ERROR),
                // Shapes recorded from the SDK's HTTP clients under faults (AwsFailureClassifierIT).
                Arguments.of("Crc32Mismatch: body cut off, no I/O cause", Crc32MismatchException.create(
                        "Expected 1234 as the Crc32 checksum but the actual calculated checksum was 5678", null),
                        REGIONAL_MAYBE_APPLIED),
                Arguments.of("URL connection: refused connect while a region flaps", new UncheckedIOException(
                        new ConnectException("Connection refused")), REGIONAL_NOT_APPLIED),
                Arguments.of("URL connection: premature EOF while unmarshalling", SdkClientException.create(
                        "Unable to unmarshall response", new UncheckedIOException(new IOException("Premature EOF"))),
                        REGIONAL_MAYBE_APPLIED),
                Arguments.of("Bare UncheckedIOException mid-body", new UncheckedIOException(
                        new SocketException("Connection reset")), REGIONAL_MAYBE_APPLIED),
                Arguments.of("Netty read timeout (not an IOException)", SdkClientException.create(
                        "Unable to execute HTTP request: Read timed out", ReadTimeoutException.INSTANCE),
                        REGIONAL_MAYBE_APPLIED),
                Arguments.of("Netty premature close (not an IOException)", SdkClientException.create(
                        "Unable to execute HTTP request", new PrematureChannelClosureException("closed")),
                        REGIONAL_MAYBE_APPLIED),
                Arguments.of("I/O wrapper of a refused connect", SdkClientException.create("x",
                        new IOException("connect failed", new ConnectException("Connection refused"))),
                        REGIONAL_NOT_APPLIED),
                Arguments.of("Credentials error wrapping a non-I/O cause", SdkClientException.create(
                        "Unable to load credentials", new IllegalArgumentException("no profile")), CALLER_ERROR));
    }

    /** Apache's shape of an interrupt while waiting: an I/O exception caused by the InterruptedException. */
    private static InterruptedIOException interruptedIo() {
        InterruptedIOException e = new InterruptedIOException("Request aborted");
        e.initCause(new InterruptedException());
        return e;
    }

    @Test
    void anAbortIsNeitherTheRegionsFailureNorKnownNotToHaveBeenApplied() {
        assertThat(ABORTED.isRegional()).as("no breaker penalty").isFalse();
        assertThat(ABORTED.mayHaveBeenApplied()).as("an idempotency claim is kept").isTrue();
        assertThat(REGIONAL_MAYBE_APPLIED.mayHaveBeenApplied()).isTrue();
        assertThat(REGIONAL_NOT_APPLIED.mayHaveBeenApplied()).isFalse();
        assertThat(CALLER_ERROR.mayHaveBeenApplied()).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("sdkFailures")
    void awsClassifierFollowsTheSdkTaxonomy(String name, Throwable failure, FailureDecision expected) {
        assertThat(FailureClassifier.aws().classify(failure)).isEqualTo(expected);
    }
}
