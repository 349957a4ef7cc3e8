package dev.meridian.dynamodb.lww;

import java.util.Comparator;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The version an {@link LwwWrites} write carries: {@code (stamp, region, node)}, ordered in that order (strings as
 * ASCII, as DynamoDB compares them; a missing node — an item written before node ids — is the smallest). Two writes of
 * one clock never share a stamp and two clocks never share a node id, so equal versions are the same write.
 *
 * <p>{@link #blocks} is the negation of the condition {@link LwwWrites} attaches to every write, as pure logic: the
 * same decision DynamoDB makes, testable without it.
 */
record LwwVersion(long stamp, String region, @Nullable String node) implements Comparable<LwwVersion> {

    private static final Comparator<String> NULL_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());
    private static final Comparator<LwwVersion> ORDER = Comparator.comparingLong(LwwVersion::stamp)
            .thenComparing(LwwVersion::region, NULL_FIRST)
            .thenComparing(LwwVersion::node, NULL_FIRST);

    LwwVersion {
        Objects.requireNonNull(region, "region");
    }

    @Override
    public int compareTo(LwwVersion other) {
        return ORDER.compare(this, other);
    }

    /**
     * Whether a stored item of this version makes the conditional write of {@code incoming} fail: it does unless it is
     * older, or its stamp is above {@code maxAcceptableStamp} (a broken clock's: any write wins over it).
     */
    boolean blocks(LwwVersion incoming, long maxAcceptableStamp) {
        return stamp <= maxAcceptableStamp && compareTo(incoming) >= 0;
    }

    @Override
    public String toString() {
        return stamp + "/" + region + "/" + node;
    }
}
