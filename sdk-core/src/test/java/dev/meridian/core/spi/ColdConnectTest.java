package dev.meridian.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.routing.RoutingContext;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * When a cold client's attempt asks again: only after the connection pool's acquire timeout (nothing sent), only
 * within the first-attempt budget. The client's answers are futures completed by the test (pure logic); the real
 * Netty client's cold connect is {@code ColdFirstAttemptBudgetIT} in sdk-dynamodb.
 */
class ColdConnectTest {
    private static final GetItemRequest REQUEST = GetItemRequest.builder().tableName("t").build();
    private static final Duration LONG = Duration.ofHours(1);

    /** What the SDK's Netty client fails an attempt with when its pool had no connection in time. */
    private static SdkClientException acquireTimeout() {
        return SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new RuntimeException("Acquire operation took longer than the configured maximum time.",
                        new TimeoutException("Acquire operation took longer than 1000 milliseconds.")))
                .build();
    }

    /** Records every request sent and answers each with a future the test completes. */
    private static final class Sent {
        final List<GetItemRequest> requests = new ArrayList<>();
        final List<CompletableFuture<GetItemResponse>> answers = new ArrayList<>();

        CompletableFuture<GetItemResponse> send(Object client, GetItemRequest request) {
            requests.add(request);
            CompletableFuture<GetItemResponse> f = new CompletableFuture<>();
            answers.add(f);
            return f;
        }

        CompletableFuture<GetItemResponse> last() {
            return answers.get(answers.size() - 1);
        }
    }

    @Test
    void anAcquireTimeoutIsAskedAgainAndTheAnswerIsTheCalls() {
        Sent sent = new Sent();
        CompletableFuture<GetItemResponse> call = ColdConnect.attempt(new Object(), REQUEST, LONG, sent::send);
        sent.last().completeExceptionally(acquireTimeout());
        assertThat(call).isNotDone();
        assertThat(sent.requests).hasSize(2);
        GetItemResponse answer = GetItemResponse.builder().build();
        sent.last().complete(answer);
        assertThat(call).isCompletedWithValue(answer);
    }

    @Test
    void theRequestAskedAgainHasTheRestOfTheBudget() {
        Sent sent = new Sent();
        try (DynamoDbAsyncClient client = DynamoDbAsyncClient.builder().region(Region.EU_WEST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build()) {
            ColdConnect.attempt(client, REQUEST, LONG, sent::send);
            sent.last().completeExceptionally(new CompletionException(acquireTimeout()));
            Duration first = sent.requests.get(0).overrideConfiguration().orElseThrow().apiCallTimeout().orElseThrow();
            Duration again = sent.requests.get(1).overrideConfiguration().orElseThrow().apiCallTimeout().orElseThrow();
            assertThat(first).isEqualTo(LONG);
            assertThat(again).isLessThan(LONG).isGreaterThan(RegionalClientDefaults.ATTEMPT_TIMEOUT);
        }
    }

    @Test
    void anAcquireTimeoutWithoutTwiceItsWaitLeftInTheBudgetIsTheCallsFailure() {
        Sent sent = new Sent();
        CompletableFuture<GetItemResponse> call = ColdConnect.attempt(new Object(), REQUEST, Duration.ofNanos(1),
                sent::send);
        SdkClientException timeout = acquireTimeout();
        sent.last().completeExceptionally(timeout);
        assertThat(sent.requests).hasSize(1);
        assertThatThrownBy(call::join).hasCause(timeout);
    }

    @Test
    void anyOtherFailureIsTheCallsAtOnce() {
        Sent sent = new Sent();
        CompletableFuture<GetItemResponse> call = ColdConnect.attempt(new Object(), REQUEST, LONG, sent::send);
        SdkClientException refused = SdkClientException.builder().message("refused")
                .cause(new ConnectException("Connection refused")).build();
        sent.last().completeExceptionally(refused);
        assertThat(sent.requests).hasSize(1);
        assertThatThrownBy(call::join).hasCause(refused);
    }

    @Test
    void aThrowingClientFailsTheCall() {
        IllegalStateException closed = new IllegalStateException("closed");
        CompletableFuture<GetItemResponse> call = ColdConnect.attempt(new Object(), REQUEST, LONG,
                (client, request) -> {
                    throw closed;
                });
        assertThatThrownBy(call::join).hasCause(closed);
    }

    @Test
    void cancellingTheCallCancelsTheRequestInFlightAndAsksNoMore() {
        Sent sent = new Sent();
        CompletableFuture<GetItemResponse> call = ColdConnect.attempt(new Object(), REQUEST, LONG, sent::send);
        sent.last().completeExceptionally(acquireTimeout());
        assertThat(call.cancel(true)).isTrue();
        assertThat(sent.last()).isCancelled();
        assertThat(sent.requests).hasSize(2);
        assertThatThrownBy(call::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void aRequestAskedAgainIsSentUnderTheCallsRoutingContext() {
        List<RoutingContext> seen = new ArrayList<>();
        Sent sent = new Sent();
        RoutingContext call = RoutingContext.builder().routingKey("order-7").build();
        CompletableFuture<GetItemResponse> attempt;
        try (RoutingContext.Scope s = call.open()) {
            attempt = ColdConnect.attempt(new Object(), REQUEST, LONG, (client, request) -> {
                seen.add(RoutingContext.current());
                return sent.send(client, request);
            });
        }
        // Completed on a thread with no context of the call's (here: the test's own, its scope closed).
        sent.last().completeExceptionally(acquireTimeout());
        assertThat(attempt).isNotDone();
        assertThat(seen).containsExactly(call, call);
        assertThat(RoutingContext.current()).isNotSameAs(call);
    }
}
