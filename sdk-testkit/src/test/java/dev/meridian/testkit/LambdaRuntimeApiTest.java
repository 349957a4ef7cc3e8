package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Runtime API as a runtime sees it, over real HTTP. */
class LambdaRuntimeApiTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesQueuedEventsAndRecordsResponsesErrorsAndInitErrors() throws Exception {
        try (LambdaRuntimeApi api = LambdaRuntimeApi.start()) {
            String base = "http://" + api.address() + "/2018-06-01/runtime/";
            String first = api.invoke("{\"n\":1}");
            String second = api.invoke("{\"n\":2}");

            HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create(base + "invocation/next")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("{\"n\":1}");
            assertThat(next.headers().firstValue("Lambda-Runtime-Aws-Request-Id")).contains(first);
            assertThat(next.headers().firstValue("Lambda-Runtime-Invoked-Function-Arn")).isPresent();
            assertThat(Long.parseLong(next.headers().firstValue("Lambda-Runtime-Deadline-Ms").orElseThrow()))
                    .isGreaterThan(System.currentTimeMillis());
            assertThat(api.firstPoll()).isDone();
            assertThat(post(base + "invocation/" + first + "/response", "{\"ok\":true}", null)).isEqualTo(202);

            HttpResponse<String> next2 = http.send(HttpRequest.newBuilder(URI.create(base + "invocation/next")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(next2.headers().firstValue("Lambda-Runtime-Aws-Request-Id")).contains(second);
            assertThat(post(base + "invocation/" + second + "/error",
                    "{\"errorMessage\":\"boom\",\"errorType\":\"java.lang.IllegalStateException\"}",
                    "java.lang.IllegalStateException")).isEqualTo(202);
            assertThat(post(base + "invocation/" + second + "/response", "{}", null)).isEqualTo(400);
            assertThat(post(base + "init/error", "{\"errorMessage\":\"no config\"}", "Runtime.Unknown")).isEqualTo(202);

            assertThat(api.await(first, Duration.ofSeconds(1)))
                    .isEqualTo(new LambdaRuntimeApi.Invocation(first, true, "{\"ok\":true}", null));
            LambdaRuntimeApi.Invocation failed = api.await(second, Duration.ofSeconds(1));
            assertThat(failed.succeeded()).isFalse();
            assertThat(failed.errorType()).isEqualTo("java.lang.IllegalStateException");
            assertThat(failed.body()).contains("boom");
            assertThat(api.initError()).contains("{\"errorMessage\":\"no config\"}");
        }
    }

    @Test
    void awaitNamesTheInvocationThatGotNoAnswer() {
        try (LambdaRuntimeApi api = LambdaRuntimeApi.start()) {
            String id = api.invoke("{}");
            assertThatThrownBy(() -> api.await(id, Duration.ofMillis(10)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(id);
        }
    }

    private int post(String uri, String body, String errorType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (errorType != null) {
            b.header("Lambda-Runtime-Function-Error-Type", errorType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
