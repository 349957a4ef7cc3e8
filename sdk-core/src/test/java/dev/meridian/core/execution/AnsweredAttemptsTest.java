package dev.meridian.core.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.InterceptorContext;
import software.amazon.awssdk.core.internal.interceptor.DefaultFailedExecutionContext;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * {@link AnsweredAttempts} driven through one SDK call's interceptor hooks, attempt by attempt, as the SDK calls them,
 * and what {@link FailureClassifier#aws()} then makes of the call's failure.
 */
class AnsweredAttemptsTest {
    private static final SdkRequest REQUEST = GetItemRequest.builder().tableName("t").build();
    private static final SdkHttpFullRequest HTTP_REQUEST = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST)
            .protocol("https").host("dynamodb.eu-west-1.amazonaws.com").build();

    private final ExecutionAttributes attributes = new ExecutionAttributes();

    @Test
    void aThrottledRetryOfAnAttemptAnsweredWith200MayHaveBeenApplied() {
        Throwable failure = call(List.of(200, 400), throttling());

        assertThat(FailureClassifier.aws().classify(failure)).isEqualTo(FailureDecision.REGIONAL_MAYBE_APPLIED);
        assertThat(failure.getSuppressed()).singleElement()
                .satisfies(note -> assertThat(note.getMessage()).contains("earlier attempt"));
    }

    @Test
    void a503RetryOfAnAttemptAnsweredWith500MayHaveBeenApplied() {
        assertThat(FailureClassifier.aws().classify(call(List.of(500, 503), status(503))))
                .isEqualTo(FailureDecision.REGIONAL_MAYBE_APPLIED);
    }

    @Test
    void refusalsAlonePromiseNothingWasApplied() {
        Throwable failure = call(List.of(503, 400), throttling());

        assertThat(FailureClassifier.aws().classify(failure)).isEqualTo(FailureDecision.REGIONAL_NOT_APPLIED);
        assertThat(failure.getSuppressed()).isEmpty();
    }

    @Test
    void anAnswerOfTheLastAttemptIsLeftToTheClassifier() {
        Throwable failure = call(List.of(503, 200), throttling());

        assertThat(failure.getSuppressed()).isEmpty();
    }

    @Test
    void aCallerErrorAfterAnAnsweredAttemptStaysACallerError() {
        assertThat(FailureClassifier.aws().classify(call(List.of(200, 400), status(400))))
                .isEqualTo(FailureDecision.CALLER_ERROR);
    }

    /** Runs the hooks of one attempt per status, then fails the call with {@code failure}. */
    private Throwable call(List<Integer> statuses, Throwable failure) {
        for (int status : statuses) {
            InterceptorContext attempt = InterceptorContext.builder().request(REQUEST).httpRequest(HTTP_REQUEST)
                    .httpResponse(SdkHttpResponse.builder().statusCode(status).build()).build();
            AnsweredAttempts.INSTANCE.beforeTransmission(attempt, attributes);
            AnsweredAttempts.INSTANCE.afterTransmission(attempt, attributes);
        }
        InterceptorContext last = InterceptorContext.builder().request(REQUEST).httpRequest(HTTP_REQUEST).build();
        return AnsweredAttempts.INSTANCE.modifyException(DefaultFailedExecutionContext.builder()
                .interceptorContext(last).exception(failure).build(), attributes);
    }

    private static DynamoDbException throttling() {
        return error("ThrottlingException", 400);
    }

    private static DynamoDbException status(int status) {
        return error(status == 503 ? "ServiceUnavailable" : "ValidationException", status);
    }

    private static DynamoDbException error(String code, int status) {
        return (DynamoDbException) DynamoDbException.builder().statusCode(status).message(code)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).serviceName("DynamoDb")
                        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build()).build())
                .build();
    }
}
