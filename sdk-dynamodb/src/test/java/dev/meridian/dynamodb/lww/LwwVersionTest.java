package dev.meridian.dynamodb.lww;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which stored version makes an incoming LWW write fail: the exact ends of "not older" and "not from a broken clock". */
class LwwVersionTest {
    private static final long BOUND = 1_000;

    @Test
    void theSameVersionBlocksItsOwnRepeat() {
        LwwVersion v = new LwwVersion(500, "eu-west-1", "n1");
        assertThat(v.blocks(new LwwVersion(500, "eu-west-1", "n1"), BOUND)).isTrue();
    }

    @Test
    void aStoredVersionAtExactlyTheAcceptableBoundStillBlocksAndOneAboveDoesNot() {
        LwwVersion incoming = new LwwVersion(900, "eu-west-1", "n1");
        assertThat(new LwwVersion(BOUND, "eu-west-1", "n1").blocks(incoming, BOUND)).isTrue();
        assertThat(new LwwVersion(BOUND + 1, "eu-west-1", "n1").blocks(incoming, BOUND))
                .as("a broken clock's stamp blocks nothing").isFalse();
    }

    @Test
    void equalStampsAreOrderedByRegionThenNodeWithMissingOnesFirst() {
        LwwVersion stored = new LwwVersion(500, "eu-west-1", null);
        assertThat(stored.blocks(new LwwVersion(500, "eu-west-1", "n1"), BOUND)).isFalse();
        assertThat(new LwwVersion(500, "us-east-1", "a").blocks(new LwwVersion(500, "eu-west-1", "z"), BOUND))
                .isTrue();
        assertThat(new LwwVersion(499, "us-east-1", "z").blocks(new LwwVersion(500, "eu-west-1", "a"), BOUND))
                .isFalse();
    }
}
