package dev.meridian.dynamodb.merge;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.clock.HybridLogicalClock;
import java.util.Comparator;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The identity and order of one change: the hybrid-logical-clock stamp it was made at, the region and the clock's
 * node id. Unique per change (a clock never issues a stamp twice), totally ordered by stamp, then region, then node,
 * so two field writes never tie.
 *
 * @param hlc the change's {@link HybridLogicalClock} stamp
 * @param region the region whose item records the change
 * @param node the writing clock's node id
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record MergeStamp(long hlc, String region, String node) implements Comparable<MergeStamp> {

    private static final Comparator<MergeStamp> ORDER = Comparator.comparingLong(MergeStamp::hlc)
            .thenComparing(MergeStamp::region).thenComparing(MergeStamp::node);

    /** Checks the parts; a region or node must not contain {@code '/'} (the separator of {@link #tag()}). */
    public MergeStamp {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(node, "node");
        if (hlc < 0 || region.contains("/") || node.contains("/")) {
            throw new IllegalArgumentException("MergeStamp needs a non-negative stamp and a region and node without"
                    + " '/', was " + hlc + ", '" + region + "', '" + node + "'");
        }
    }

    /** The stamp as text, {@code <hlc>/<region>/<node>}: the unique tag of an add, stored in items. */
    public String tag() {
        return HybridLogicalClock.toString(hlc) + "/" + region + "/" + node;
    }

    /** Parses {@link #tag()}. */
    public static MergeStamp parse(String tag) {
        String[] parts = tag.split("/", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("a merge stamp tag is <hlc>/<region>/<node>, was '" + tag + "'");
        }
        return new MergeStamp(HybridLogicalClock.parse(parts[0]), parts[1], parts[2]);
    }

    @Override
    public int compareTo(MergeStamp other) {
        return ORDER.compare(this, other);
    }
}
