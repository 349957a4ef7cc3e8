package dev.meridian.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.execution.FailureDecision;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import java.net.ConnectException;
import java.nio.channels.ClosedByInterruptException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Which failures release a claim (a retry runs at once) and which keep it (a retry waits for the expiry). */
class ClaimReleaseTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(clock);
    private final Idempotency idempotency = Idempotency.builder().store(store).clock(clock)
            .inProgressTimeout(Duration.ofSeconds(30)).build();
    private final AtomicInteger executions = new AtomicInteger();

    private Supplier<String> failingWith(RuntimeException failure) {
        return () -> {
            executions.incrementAndGet();
            throw failure;
        };
    }

    private String charge() {
        return "receipt-" + executions.incrementAndGet();
    }

    @Test
    void timeoutAfterSendKeepsTheClaimSoAnImmediateRetryDoesNotRunAgain() {
        ApiCallAttemptTimeoutException timeout = ApiCallAttemptTimeoutException.create(2_000);

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", failingWith(timeout))).isSameAs(timeout);

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyInProgressException.class);
        assertThat(executions).hasValue(1);
        clock.advance(Duration.ofSeconds(31));
        assertThat(idempotency.execute("order-1", "p", this::charge))
                .as("after the in-progress expiry a retry takes over, as after a crash").isEqualTo("receipt-2");
    }

    @Test
    void sdkClientExceptionWithAnIoCauseMidCallKeepsTheClaim() {
        SdkClientException reset = SdkClientException.create("Unable to execute HTTP request",
                new SocketTimeoutException("Read timed out"));

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", failingWith(reset))).isSameAs(reset);

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyInProgressException.class);
    }

    @Test
    void maybeAppliedFailureReportedAsACauseOrSuppressedKeepsTheClaim() {
        ResidencyViolationException exhausted = new ResidencyViolationException("every allowed region failed",
                DataClass.RESTRICTED, null, SdkClientException.create("refused", new ConnectException("refused")));
        exhausted.addSuppressed(ApiCallAttemptTimeoutException.create(2_000));

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", failingWith(exhausted))).isSameAs(exhausted);

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyInProgressException.class);
    }

    /** What an interrupted or cancelled call looks like, as the SDK and the JDK report it. */
    static Stream<Arguments> aborts() {
        return Stream.of(
                Arguments.of("AbortedException", AbortedException.create("Thread was interrupted",
                        new InterruptedException())),
                Arguments.of("AbortedException in SdkClientException", SdkClientException.create("Unable to execute",
                        AbortedException.create("Thread was interrupted"))),
                Arguments.of("AbortedException in CompletionException", new CompletionException(
                        AbortedException.create("Thread was interrupted"))),
                Arguments.of("SdkClientException caused by InterruptedException", SdkClientException.create(
                        "Unable to execute HTTP request", new InterruptedException())),
                Arguments.of("SdkClientException caused by ClosedByInterruptException", SdkClientException.create(
                        "Unable to execute HTTP request", new ClosedByInterruptException())),
                Arguments.of("cancelled future", new CancellationException()));
    }

    /**
     * An interrupt (Future.cancel(true), a time limiter) may land after the request was sent and applied: the claim
     * stays, so a retry is refused instead of running the operation again, and the interrupt status survives.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("aborts")
    void anInterruptedOrCancelledOperationKeepsTheClaimAndTheInterrupt(String name, RuntimeException abort) {
        try {
            assertThatThrownBy(() -> idempotency.execute("order-1", "p", () -> {
                executions.incrementAndGet();
                Thread.currentThread().interrupt();
                throw abort;
            })).isSameAs(abort);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt status is preserved").isTrue();
        } finally {
            Thread.interrupted();
        }

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyInProgressException.class);
        assertThat(executions).hasValue(1);
    }

    @Test
    void errorKeepsTheClaimLikeACrash() {
        assertThatThrownBy(() -> idempotency.execute("order-1", "p", () -> {
            executions.incrementAndGet();
            throw new OutOfMemoryError("simulated");
        })).isInstanceOf(OutOfMemoryError.class);

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyInProgressException.class);
    }

    @Test
    void connectionRefusedIsNotAppliedAndReleasesTheClaim() {
        SdkClientException refused = SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused"));

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", failingWith(refused))).isSameAs(refused);

        assertThat(store.find("order-1")).isEmpty();
        assertThat(idempotency.execute("order-1", "p", this::charge)).isEqualTo("receipt-2");
    }

    @Test
    void callerErrorThrownByTheOperationReleasesTheClaim() {
        assertThatThrownBy(() -> idempotency.execute("order-1", "p",
                failingWith(new IllegalArgumentException("amount must be positive"))))
                .hasMessage("amount must be positive");

        assertThat(idempotency.execute("order-1", "p", this::charge)).isEqualTo("receipt-2");
    }

    @Test
    void ownClassifierCanMarkAnApplicationExceptionAsMaybeApplied() {
        class PaymentGatewayTimeout extends RuntimeException {
            private static final long serialVersionUID = 1L;
        }
        Idempotency classified = Idempotency.builder().store(store).clock(clock)
                .failureClassifier(t -> t instanceof PaymentGatewayTimeout
                        ? FailureDecision.REGIONAL_MAYBE_APPLIED : FailureDecision.CALLER_ERROR)
                .build();

        assertThatThrownBy(() -> classified.execute("order-1", "p", failingWith(new PaymentGatewayTimeout())))
                .isInstanceOf(PaymentGatewayTimeout.class);

        assertThatThrownBy(() -> classified.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyInProgressException.class);
    }
}
