package dev.meridian.benchmarks.coldstart;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An in-memory {@link SdkHttpClient} answering every request with the same 200 JSON body, without I/O, so that a
 * cold-start measurement sees the SDK's and Meridian's work only, never the network.
 */
public final class CannedDynamoDbHttpClient implements SdkHttpClient {
    /** A GetItem response body for the item {@code pk = order-1}. */
    public static final String GET_ITEM_BODY = "{\"Item\":{\"pk\":{\"S\":\"order-1\"},"
            + "\"status\":{\"S\":\"SHIPPED\"},\"total\":{\"N\":\"42.50\"}}}";

    private final byte[] body;
    private final SdkHttpResponse response;

    /** Answers with {@code body} (JSON) to every request. */
    public CannedDynamoDbHttpClient(String body) {
        this.body = Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8);
        this.response = SdkHttpResponse.builder().statusCode(200)
                .putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("Content-Length", Integer.toString(this.body.length))
                .putHeader("x-amzn-RequestId", "cold-start")
                .build();
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                return HttpExecuteResponse.builder().response(response)
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body))).build();
            }

            @Override
            public void abort() {
                // Nothing in flight: the answer is already in memory.
            }
        };
    }

    @Override
    public String clientName() {
        return "canned";
    }

    @Override
    public void close() {
        // No connections to release.
    }
}
