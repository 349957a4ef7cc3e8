package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.SdkHttpResponse;

/** Which answers {@link HeardAtTheWire} reports as throttling: the SDK's rule on their status and error code. */
class HeardAtTheWireTest {
    private final List<SdkServiceException> throttled = new ArrayList<>();
    private final HeardAtTheWire.Listener listener = new HeardAtTheWire.Listener() {
        @Override
        public void heard() {
        }

        @Override
        public void throttled(SdkServiceException throttling) {
            throttled.add(throttling);
        }
    };

    @Test
    void dynamoDbThrottlingBodiesAreThrottling() {
        for (String code : List.of("ThrottlingException", "ProvisionedThroughputExceededException",
                "RequestLimitExceeded")) {
            judge(400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + code + "\",\"message\":\"Rate exceeded\"}");
        }
        assertThat(throttled).hasSize(3).allMatch(SdkServiceException::isThrottlingException);
    }

    @Test
    void otherErrorsAreNot() {
        judge(400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ValidationException\",\"message\":\"bad key\"}");
        judge(400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\"}");
        judge(500, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\"}");
        judge(503, "not json at all");
        assertThat(throttled).isEmpty();
    }

    @Test
    void aStatus429OrAnErrorTypeHeaderOrAnXmlCodeIsEnough() {
        judge(429, "");
        SdkHttpResponse named = SdkHttpResponse.builder().statusCode(400)
                .putHeader("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/").build();
        HeardAtTheWire.judge(listener, named, new byte[0], 0);
        judge(400, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>");
        assertThat(throttled).hasSize(3);
    }

    @Test
    void onlyTheBytesPeekedAreRead() {
        byte[] body = "{\"__type\":\"x#ThrottlingException\"}".getBytes(StandardCharsets.UTF_8);
        HeardAtTheWire.judge(listener, SdkHttpResponse.builder().statusCode(400).build(), body, 5);
        assertThat(throttled).isEmpty();
    }

    private void judge(int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HeardAtTheWire.judge(listener, SdkHttpResponse.builder().statusCode(status).build(), bytes, bytes.length);
    }
}
