package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
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

    /**
     * An error answer cut off while it is read (a clean close mid-body) is passed on as it came: the SDK reads the part
     * that arrived and then meets the I/O failure itself, as without the interceptor — never an unchecked exception
     * of Meridian's, which the SDK would neither retry nor report as its own.
     */
    @Test
    void anErrorAnswerThatBreaksOffIsPassedOnWithItsFailure() throws IOException {
        byte[] part = "{\"__type\":\"com.amazonaws.dynamodb.v2012".getBytes(StandardCharsets.UTF_8);
        IOException cut = new IOException("Premature end of Content-Length delimited message body");
        InputStream body = new SequenceInputStream(new ByteArrayInputStream(part), new InputStream() {
            @Override
            public int read() throws IOException {
                throw cut;
            }
        });

        InputStream passedOn = ErrorAnswers.judged(listener, SdkHttpResponse.builder().statusCode(400).build(), body);

        assertThat(passedOn.readNBytes(part.length)).isEqualTo(part);
        assertThatThrownBy(passedOn::read).isSameAs(cut);
        assertThat(throttled).isEmpty();
    }
}
