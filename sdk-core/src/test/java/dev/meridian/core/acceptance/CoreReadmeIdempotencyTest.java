package dev.meridian.core.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.IdempotencyKeyReuseException;
import dev.meridian.core.idempotency.InMemoryIdempotencyStore;
import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * sdk-core/README.md's idempotency row: "first call runs, duplicates replay, concurrent duplicates and key reuse are
 * errors; a failure's claim is released only when it cannot have been applied; a result that cannot be stored is
 * recorded and thrown, never re-run" — on the in-memory store.
 */
class CoreReadmeIdempotencyTest {

    private static Idempotency idempotency() {
        return Idempotency.builder().store(new InMemoryIdempotencyStore()).build();
    }

    @Property(tries = 30)
    void theFirstCallRunsAndDuplicatesReplayItsResult(@ForAll @AlphaChars @StringLength(min = 1, max = 30) String key,
            @ForAll @StringLength(max = 40) String payload, @ForAll @IntRange(min = 1, max = 5) int duplicates) {
        Idempotency idem = idempotency();
        AtomicInteger runs = new AtomicInteger();
        String first = idem.execute(key, payload, () -> "result-" + runs.incrementAndGet());
        for (int i = 0; i < duplicates; i++) {
            assertThat(idem.execute(key, payload, () -> "result-" + runs.incrementAndGet())).isEqualTo(first);
        }
        assertThat(runs).hasValue(1);
    }

    @Property(tries = 20)
    void aKeyReusedWithAnotherPayloadIsAnError(@ForAll @AlphaChars @StringLength(min = 1, max = 30) String key,
            @ForAll @StringLength(min = 1, max = 20) String payload) {
        Idempotency idem = idempotency();
        idem.execute(key, payload, () -> "ok");
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> idem.execute(key, payload + "-changed", () -> "again" + runs.incrementAndGet()))
                .isInstanceOf(IdempotencyKeyReuseException.class);
        assertThat(runs).hasValue(0);
    }

    @Property(tries = 10)
    void aDuplicateWhileTheFirstRunsIsAnError(@ForAll @AlphaChars @StringLength(min = 1, max = 30) String key) {
        Idempotency idem = idempotency();
        AtomicInteger runs = new AtomicInteger();
        String result = idem.execute(key, "p", () -> {
            runs.incrementAndGet();
            assertThatThrownBy(() -> idem.execute(key, "p", () -> "duplicate" + runs.incrementAndGet()))
                    .isInstanceOf(IdempotencyInProgressException.class);
            return "first";
        });
        assertThat(result).isEqualTo("first");
        assertThat(runs).hasValue(1);
    }

    /** A refused connection cannot have been applied: the claim is released and a retry runs. */
    @Property(tries = 10)
    void aFailureThatCannotHaveBeenAppliedReleasesTheKey(
            @ForAll @AlphaChars @StringLength(min = 1, max = 30) String key) {
        Idempotency idem = idempotency();
        SdkClientException refused = SdkClientException.create("refused", new ConnectException("refused"));
        assertThatThrownBy(() -> idem.execute(key, "p", () -> {
            throw refused;
        })).isSameAs(refused);
        assertThat(idem.execute(key, "p", () -> "retried")).isEqualTo("retried");
    }

    /** A 500 may have been applied: the claim is kept and a retry does not run the work again. */
    @Property(tries = 10)
    void aFailureThatMayHaveBeenAppliedKeepsTheKey(@ForAll @AlphaChars @StringLength(min = 1, max = 30) String key) {
        Idempotency idem = idempotency();
        RuntimeException maybe = AwsServiceException.builder().statusCode(500).message("internal").build();
        assertThatThrownBy(() -> idem.execute(key, "p", () -> {
            throw maybe;
        })).isSameAs(maybe);
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> idem.execute(key, "p", () -> "again" + runs.incrementAndGet()))
                .isInstanceOf(IdempotencyInProgressException.class);
        assertThat(runs).hasValue(0);
    }

    /** "a result that cannot be stored is recorded and thrown, never re-run". */
    @Property(tries = 10)
    void aResultTooLargeToStoreIsThrownAndNeverRunAgain(
            @ForAll @AlphaChars @StringLength(min = 1, max = 30) String key) {
        Idempotency idem = Idempotency.builder().store(new InMemoryIdempotencyStore()).maxResultBytes(8).build();
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> idem.execute(key, "p", () -> "a result far longer than eight bytes" + runs.incrementAndGet()))
                .isInstanceOf(dev.meridian.core.exception.MeridianException.class);
        assertThatThrownBy(() -> idem.execute(key, "p", () -> "again" + runs.incrementAndGet()))
                .isInstanceOf(dev.meridian.core.exception.MeridianException.class);
        assertThat(runs).hasValue(1);
    }
}
