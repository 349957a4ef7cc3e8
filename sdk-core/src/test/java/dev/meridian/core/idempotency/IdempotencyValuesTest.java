package dev.meridian.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Records, claims and codecs are values: equal exactly when every part is equal; bytes are copied both ways. */
class IdempotencyValuesTest {
    private static final Instant EXPIRY = Instant.parse("2025-01-02T00:00:00Z");
    private static final Instant IN_PROGRESS = Instant.parse("2025-01-01T00:00:30Z");

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recordsAreEqualExactlyWhenEveryPartIsEqual() {
        IdempotencyRecord done = IdempotencyRecord.completed("k", "h", bytes("r"), EXPIRY);
        assertThat(done).isEqualTo(done).isEqualTo(IdempotencyRecord.completed("k", "h", bytes("r"), EXPIRY))
                .isNotEqualTo("k").isNotEqualTo(null)
                .isNotEqualTo(IdempotencyRecord.completed("other", "h", bytes("r"), EXPIRY))
                .isNotEqualTo(IdempotencyRecord.completed("k", "other", bytes("r"), EXPIRY))
                .isNotEqualTo(IdempotencyRecord.completed("k", null, bytes("r"), EXPIRY))
                .isNotEqualTo(IdempotencyRecord.completed("k", "h", bytes("other"), EXPIRY))
                .isNotEqualTo(IdempotencyRecord.completed("k", "h", bytes("r"), EXPIRY.plusSeconds(1)))
                .isNotEqualTo(IdempotencyRecord.completedWithoutResult("k", "h", "too big", EXPIRY));
        IdempotencyRecord running = IdempotencyRecord.inProgress("k", "h", IN_PROGRESS, EXPIRY);
        assertThat(running).isEqualTo(IdempotencyRecord.inProgress("k", "h", IN_PROGRESS, EXPIRY))
                .isNotEqualTo(IdempotencyRecord.inProgress("k", "h", IN_PROGRESS.plusSeconds(1), EXPIRY))
                .isNotEqualTo(done);
        assertThat(IdempotencyRecord.completedWithoutResult("k", "h", "too big", EXPIRY))
                .isEqualTo(IdempotencyRecord.completedWithoutResult("k", "h", "too big", EXPIRY))
                .isNotEqualTo(IdempotencyRecord.completedWithoutResult("k", "h", "codec failed", EXPIRY));
    }

    @Test
    void claimsAreEqualExactlyWhenKeyOwnerAndExistingRecordAreEqual() {
        IdempotencyClaim mine = IdempotencyClaim.acquired("k", "owner-1");
        assertThat(mine).isEqualTo(mine).isEqualTo(IdempotencyClaim.acquired("k", "owner-1")).isNotEqualTo("k")
                .isNotEqualTo(IdempotencyClaim.acquired("other", "owner-1"))
                .isNotEqualTo(IdempotencyClaim.acquired("k", "owner-2"));
        IdempotencyRecord done = IdempotencyRecord.completed("k", "h", bytes("r"), EXPIRY);
        assertThat(IdempotencyClaim.existing(done)).isEqualTo(IdempotencyClaim.existing(
                IdempotencyRecord.completed("k", "h", bytes("r"), EXPIRY)))
                .isNotEqualTo(IdempotencyClaim.existing(IdempotencyRecord.completed("k", "h", bytes("x"), EXPIRY)))
                .isNotEqualTo(mine);
    }

    @Test
    void theBytesCodecCopiesBothWays() {
        byte[] original = bytes("abc");
        byte[] encoded = ResultCodec.bytes().encode(original);
        assertThat(encoded).isEqualTo(original).isNotSameAs(original);
        byte[] decoded = ResultCodec.bytes().decode(encoded);
        assertThat(decoded).isEqualTo(original).isNotSameAs(encoded);
    }

    @Test
    void theRefusalsCarryTheKeyButNeverPrintIt() {
        IdempotencyInProgressException held = new IdempotencyInProgressException("user@example.com", IN_PROGRESS);
        assertThat(held.key()).isEqualTo("user@example.com");
        assertThat(held.inProgressExpiry()).contains(IN_PROGRESS);
        assertThat(held.getMessage()).contains("claim expires at " + IN_PROGRESS).doesNotContain("user@example.com");
        IdempotencyInProgressException noExpiry = new IdempotencyInProgressException("k", null);
        assertThat(noExpiry.inProgressExpiry()).isEmpty();
        assertThat(noExpiry.getMessage()).doesNotContain("claim expires");

        IdempotencyKeyReuseException reuse = new IdempotencyKeyReuseException("user@example.com");
        assertThat(reuse.key()).isEqualTo("user@example.com");
        assertThat(reuse.getMessage()).doesNotContain("user@example.com");

        IdempotencyResultNotStoredException notStored = new IdempotencyResultNotStoredException("k", "message",
                "too big", "result", null);
        assertThat(notStored.key()).isEqualTo("k");
        assertThat(notStored.reason()).isEqualTo("too big");
        assertThat(notStored.result()).contains("result");
    }
}
