package dev.meridian.dynamodb.merge;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An add-wins observed-remove set with quantities (the shopping cart): every add is tagged with its unique
 * {@link MergeStamp} and carries a quantity; a remove deletes the adds it observed (their tags become tombstones), so
 * an add it did not see — concurrent, in another region — survives it. An element is in the set while it has an add
 * that is not removed, and its quantity is the sum of those adds' quantities.
 *
 * <p><b>Quantities.</b> Concurrent adds of one element both count (two regions each adding one of a product: two), as
 * a counter would, but unlike a separate counter the quantity lives and dies with the element: removing it and adding
 * it again starts from the new add's quantity. {@link #setQuantity} is a remove of the observed adds plus one add, so
 * two concurrent {@code setQuantity} calls add up; use a {@link LwwMap} field when one of them should win instead.
 *
 * <p>Removed tags are kept (tombstones) so that a late replica cannot bring a removed add back; they are not collected.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class OrSet implements Mergeable<OrSet> {

    /** Items with {@code adds} (map: element → map: tag → quantity) and {@code removed} (string set of tags). */
    public static final MergeType<OrSet> TYPE = new Type();

    private static final String ADDS = "adds";
    private static final String REMOVED = "removed";
    private static final OrSet EMPTY = new OrSet(Map.of(), Set.of());

    /** Live adds only: element → tag → quantity (removed tags are dropped when a value is made). */
    private final Map<String, Map<String, Long>> adds;
    private final Set<String> removed;

    private OrSet(Map<String, Map<String, Long>> adds, Set<String> removed) {
        Map<String, Map<String, Long>> live = new HashMap<>();
        adds.forEach((element, tags) -> {
            Map<String, Long> kept = new HashMap<>();
            tags.forEach((tag, quantity) -> {
                if (!removed.contains(tag)) {
                    kept.put(tag, quantity);
                }
            });
            if (!kept.isEmpty()) {
                live.put(element, Map.copyOf(kept));
            }
        });
        this.adds = Map.copyOf(live);
        this.removed = Set.copyOf(removed);
    }

    /** The empty set. */
    public static OrSet empty() {
        return EMPTY;
    }

    /** The elements and their quantities, sorted by element. */
    public Map<String, Long> items() {
        Map<String, Long> items = new TreeMap<>();
        adds.forEach((element, tags) -> items.put(element, tags.values().stream().mapToLong(Long::longValue).sum()));
        return items;
    }

    /** Whether {@code element} is in the set. */
    public boolean contains(String element) {
        return adds.containsKey(element);
    }

    /** The quantity of {@code element}, 0 when it is not in the set. */
    public long quantity(String element) {
        return adds.getOrDefault(element, Map.of()).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The tags of the adds that keep {@code element} in the set (what a remove of it observes). */
    public Set<String> tags(String element) {
        return adds.getOrDefault(element, Map.of()).keySet();
    }

    /** The tags of every removed add (tombstones). */
    public Set<String> removedTags() {
        return removed;
    }

    /**
     * The change adding {@code quantity} of {@code element}, tagged with {@code stamp}.
     *
     * @throws IllegalArgumentException when {@code element} is empty or {@code quantity} is less than 1
     */
    public OrSet add(String element, long quantity, MergeStamp stamp) {
        Objects.requireNonNull(element, "element");
        Objects.requireNonNull(stamp, "stamp");
        if (element.isEmpty() || quantity < 1) {
            throw new IllegalArgumentException("OrSet.add needs a non-empty element and a quantity of at least 1, was '"
                    + element + "' x " + quantity + "; use remove(element) to take an element out");
        }
        return new OrSet(Map.of(element, Map.of(stamp.tag(), quantity)), Set.of());
    }

    /** The change removing {@code element} as this value holds it: its observed adds become tombstones. */
    public OrSet remove(String element) {
        return new OrSet(Map.of(), tags(element));
    }

    /** The change replacing the observed quantity of {@code element} by {@code quantity}: a remove and an add. */
    public OrSet setQuantity(String element, long quantity, MergeStamp stamp) {
        return remove(element).merge(add(element, quantity, stamp));
    }

    @Override
    public OrSet merge(OrSet other) {
        Map<String, Map<String, Long>> union = new HashMap<>();
        for (OrSet side : new OrSet[] {this, other}) {
            side.adds.forEach((element, tags) -> union.merge(element, tags, (a, b) -> {
                Map<String, Long> both = new HashMap<>(a);
                b.forEach((tag, quantity) -> both.merge(tag, quantity, Math::max));
                return both;
            }));
        }
        Set<String> tombstones = new HashSet<>(removed);
        tombstones.addAll(other.removed);
        return new OrSet(union, tombstones);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof OrSet other && adds.equals(other.adds) && removed.equals(other.removed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(adds, removed);
    }

    @Override
    public String toString() {
        return "OrSet" + items() + " (" + removed.size() + " removed adds)";
    }

    private static final class Type implements MergeType<OrSet> {
        @Override
        public OrSet empty() {
            return EMPTY;
        }

        @Override
        public OrSet decode(String region, Map<String, AttributeValue> attributes) {
            Map<String, Map<String, Long>> adds = new HashMap<>();
            AttributeValue addsValue = attributes.get(ADDS);
            if (addsValue != null && addsValue.hasM()) {
                addsValue.m().forEach((element, tags) -> {
                    Map<String, Long> quantities = new HashMap<>();
                    tags.m().forEach((tag, quantity) -> quantities.put(tag, Long.parseLong(quantity.n())));
                    adds.put(element, quantities);
                });
            }
            AttributeValue removedValue = attributes.get(REMOVED);
            Set<String> removed = removedValue != null && removedValue.hasSs() ? Set.copyOf(removedValue.ss()) : Set.of();
            return new OrSet(adds, removed);
        }

        @Override
        public Map<String, AttributeValue> encode(String region, OrSet value) {
            Map<String, AttributeValue> adds = new LinkedHashMap<>();
            value.adds.forEach((element, tags) -> {
                Map<String, AttributeValue> quantities = new LinkedHashMap<>();
                tags.forEach((tag, quantity) -> quantities.put(tag, AttributeValue.fromN(Long.toString(quantity))));
                adds.put(element, AttributeValue.fromM(quantities));
            });
            Map<String, AttributeValue> attributes = new LinkedHashMap<>();
            attributes.put(ADDS, AttributeValue.fromM(adds));
            if (!value.removed.isEmpty()) {
                // DynamoDB refuses an empty string set: no tombstones, no attribute.
                attributes.put(REMOVED, AttributeValue.fromSs(value.removed.stream().sorted().toList()));
            }
            return attributes;
        }
    }
}
