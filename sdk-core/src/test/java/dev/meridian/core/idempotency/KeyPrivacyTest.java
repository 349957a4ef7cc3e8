package dev.meridian.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;

/** Keys are often personal data: messages and WARN logs show {@link Idempotency#keyHash(String)} only. */
class KeyPrivacyTest {

    private static final String KEY = "jane.doe@example.com/2025-01-01/order";

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(clock);
    private final Idempotency idempotency = Idempotency.builder().store(store).clock(clock).maxResultBytes(4)
            .inProgressTimeout(Duration.ofSeconds(30)).build();
    /** slf4j-simple writes to whatever {@code System.err} is when it logs. */
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureLogs() {
        originalErr = System.err;
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreLogs() {
        System.setErr(originalErr);
    }

    @Test
    void keyHashIsAStableShortSha256Prefix() {
        assertThat(Idempotency.keyHash("abc")).isEqualTo("sha256:ba7816bf8f01");
        assertThat(Idempotency.keyHash(KEY)).isEqualTo(Idempotency.keyHash(KEY)).hasSize(19);
    }

    @Test
    void noMessageOrWarningShowsTheRawKey() {
        String hash = Idempotency.keyHash(KEY);
        assertThatThrownBy(() -> idempotency.execute(KEY, "p", () -> {
            throw ApiCallAttemptTimeoutException.create(1_000);
        })).isInstanceOf(ApiCallAttemptTimeoutException.class);
        assertThatThrownBy(() -> idempotency.execute(KEY, "p", () -> "x"))
                .isInstanceOf(IdempotencyInProgressException.class)
                .hasMessageContaining(hash).hasMessageNotContaining(KEY);
        assertThatThrownBy(() -> idempotency.execute(KEY, "other", () -> "x"))
                .isInstanceOf(IdempotencyKeyReuseException.class)
                .hasMessageContaining(hash).hasMessageNotContaining(KEY);
        clock.advance(Duration.ofSeconds(31));
        assertThatThrownBy(() -> idempotency.execute(KEY, "p", () -> "too long"))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining(hash).hasMessageNotContaining(KEY)
                .satisfies(e -> assertThat(((IdempotencyResultNotStoredException) e).key()).isEqualTo(KEY));
        assertThatThrownBy(() -> idempotency.execute(KEY, "p", () -> "x"))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining(hash).hasMessageNotContaining(KEY);
        assertThat(store.find(KEY).orElseThrow().toString()).contains(hash).doesNotContain(KEY);

        String log = logged.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("WARN").contains(hash).doesNotContain(KEY);
    }
}
