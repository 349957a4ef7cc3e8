package dev.meridian.dynamodb.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyRecord;
import dev.meridian.core.idempotency.InMemoryIdempotencyStore;
import dev.meridian.core.idempotency.ResultCodec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The in-progress timeout follows the invocation's remaining time (DynamoDB side: DynamoDbIdempotencyStoreIT). */
class LambdaIdempotencyTest {

    private final InstantSource clock = InstantSource.fixed(Instant.parse("2025-01-01T00:00:00Z"));
    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(clock);
    private final Idempotency idempotency = Idempotency.builder().store(store).clock(clock)
            .inProgressTimeout(Duration.ofMinutes(5)).build();

    @Test
    void remainingTimeIsTheInvocationsRemainingTimeAndAtLeastOneMillisecond() {
        assertThat(LambdaIdempotency.remainingTime(new FixedRemainingTime(42_000))).isEqualTo(Duration.ofSeconds(42));
        assertThat(LambdaIdempotency.remainingTime(new FixedRemainingTime(0))).isEqualTo(Duration.ofMillis(1));
        assertThat(LambdaIdempotency.remainingTime(new FixedRemainingTime(-5))).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void claimLastsExactlyTheInvocationsRemainingTimeNotTheConfiguredTimeout() {
        AtomicReference<Optional<IdempotencyRecord>> whileRunning = new AtomicReference<>();

        String result = LambdaIdempotency.execute(idempotency, new FixedRemainingTime(42_000), "order-1", "p", () -> {
            whileRunning.set(store.find("order-1"));
            return "receipt";
        }, ResultCodec.string());

        assertThat(result).isEqualTo("receipt");
        assertThat(whileRunning.get()).get().satisfies(r ->
                assertThat(r.inProgressExpiry()).contains(clock.instant().plusMillis(42_000)));
    }

    @Test
    void duplicateInvocationReplaysTheFirstResult() {
        LambdaIdempotency.execute(idempotency, new FixedRemainingTime(1_000), "order-1", new byte[] {1},
                () -> "first", ResultCodec.string());

        String replayed = LambdaIdempotency.execute(idempotency, new FixedRemainingTime(1_000), "order-1",
                new byte[] {1}, () -> "second", ResultCodec.string());

        assertThat(replayed).isEqualTo("first");
    }

    /** A Lambda context whose invocation always has the same time left; everything else is unused. */
    static final class FixedRemainingTime implements Context {
        private final int remainingMillis;

        FixedRemainingTime(int remainingMillis) {
            this.remainingMillis = remainingMillis;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return remainingMillis;
        }

        @Override
        public String getAwsRequestId() {
            return "request-1";
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/orders";
        }

        @Override
        public String getLogStreamName() {
            return "stream";
        }

        @Override
        public String getFunctionName() {
            return "orders";
        }

        @Override
        public String getFunctionVersion() {
            return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:eu-west-1:000000000000:function:orders";
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getMemoryLimitInMB() {
            return 512;
        }

        @Override
        public LambdaLogger getLogger() {
            return null;
        }
    }
}
