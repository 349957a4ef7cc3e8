package dev.meridian.dynamodb.merge;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A PN counter: per region, the total of its increments and of its decrements (each only grows); the value is the
 * sum over regions of increments minus decrements, and the merge keeps each region's larger totals.
 *
 * <p>Its item layout is {@code GlobalCounter}'s: the item of a region holds that region's {@code increments} and
 * {@code decrements}, so {@link MergeableItems} with {@link #TYPE} reads a {@code GlobalCounter} table (partition key =
 * counter name, sort key = region) and gets the same value. Write one counter through one of them: {@code GlobalCounter}
 * adds blindly with {@code ADD}, which the guarded writes of {@link MergeableItems} do not see.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PnCounter implements Mergeable<PnCounter> {

    /** Items with {@code increments} and {@code decrements} (numbers), as {@code GlobalCounter} writes them. */
    public static final MergeType<PnCounter> TYPE = new Type();

    private static final String INCREMENTS = "increments";
    private static final String DECREMENTS = "decrements";
    private static final PnCounter EMPTY = new PnCounter(Map.of());

    /** Per region: {increments, decrements}. */
    private final Map<String, Totals> totals;

    private record Totals(long increments, long decrements) {
        Totals max(Totals other) {
            return new Totals(Math.max(increments, other.increments), Math.max(decrements, other.decrements));
        }
    }

    private PnCounter(Map<String, Totals> totals) {
        this.totals = Map.copyOf(totals);
    }

    /** The counter no region has counted in. */
    public static PnCounter empty() {
        return EMPTY;
    }

    /** The sum of every region's increments minus decrements. */
    public long value() {
        return totals.values().stream().mapToLong(t -> t.increments - t.decrements).sum();
    }

    /** Each region's contribution (increments minus decrements), by region. */
    public Map<String, Long> partials() {
        Map<String, Long> partials = new TreeMap<>();
        totals.forEach((region, t) -> partials.put(region, t.increments - t.decrements));
        return partials;
    }

    /**
     * The change adding {@code delta} (negative: subtracting) in the stamp's region, for {@link MergeOperation}.
     *
     * @throws IllegalArgumentException when {@code delta} is 0 or {@link Long#MIN_VALUE}
     */
    public PnCounter add(long delta, MergeStamp stamp) {
        Objects.requireNonNull(stamp, "stamp");
        if (delta == 0 || delta == Long.MIN_VALUE) {
            throw new IllegalArgumentException("PnCounter.add delta must be non-zero and greater than "
                    + Long.MIN_VALUE + ", was " + delta + "; pass the amount to add or, negative, to subtract");
        }
        Totals now = totals.getOrDefault(stamp.region(), new Totals(0, 0));
        Totals next = delta > 0 ? new Totals(Math.addExact(now.increments, delta), now.decrements)
                : new Totals(now.increments, Math.addExact(now.decrements, -delta));
        return new PnCounter(Map.of(stamp.region(), next));
    }

    @Override
    public PnCounter merge(PnCounter other) {
        Map<String, Totals> merged = new HashMap<>(totals);
        other.totals.forEach((region, t) -> merged.merge(region, t, Totals::max));
        return new PnCounter(merged);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof PnCounter other && totals.equals(other.totals);
    }

    @Override
    public int hashCode() {
        return totals.hashCode();
    }

    @Override
    public String toString() {
        return "PnCounter" + new TreeMap<>(totals);
    }

    private static final class Type implements MergeType<PnCounter> {
        @Override
        public PnCounter empty() {
            return EMPTY;
        }

        @Override
        public PnCounter decode(String region, Map<String, AttributeValue> attributes) {
            long increments = number(attributes.get(INCREMENTS));
            long decrements = number(attributes.get(DECREMENTS));
            return increments == 0 && decrements == 0 ? EMPTY
                    : new PnCounter(Map.of(region, new Totals(increments, decrements)));
        }

        @Override
        public Map<String, AttributeValue> encode(String region, PnCounter value) {
            // A region's item holds only its own totals: no region ever counts in another's (add() names its own).
            if (!value.totals.keySet().stream().allMatch(region::equals)) {
                throw new IllegalArgumentException("a PN counter change may only count in its own region " + region
                        + ", was " + value + "; build changes with PnCounter.add(delta, stamp)");
            }
            Totals own = value.totals.getOrDefault(region, new Totals(0, 0));
            Map<String, AttributeValue> attributes = new LinkedHashMap<>();
            attributes.put(INCREMENTS, AttributeValue.fromN(Long.toString(own.increments)));
            attributes.put(DECREMENTS, AttributeValue.fromN(Long.toString(own.decrements)));
            return attributes;
        }

        private static long number(@Nullable AttributeValue value) {
            return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
        }
    }
}
