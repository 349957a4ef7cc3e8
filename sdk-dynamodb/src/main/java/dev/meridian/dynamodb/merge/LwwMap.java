package dev.meridian.dynamodb.merge;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Field-level last-writer-wins: every field carries the {@link MergeStamp} of its last write, and the merge keeps, per
 * field, the write with the greater stamp. Concurrent writes of different fields (in two regions) both survive;
 * concurrent writes of one field keep the later one. A removed field keeps its stamp (a tombstone), so an older write
 * cannot bring it back.
 *
 * <p>Stamps come from the hybrid logical clock, which {@link MergeableItems} advances past every stamp it reads, so a
 * write made after reading a field always wins over it.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class LwwMap implements Mergeable<LwwMap> {

    /** Items with {@code fields}: a map of field → map {@code v} (the value, absent when removed), {@code t} (stamp tag). */
    public static final MergeType<LwwMap> TYPE = new Type();

    private static final String FIELDS = "fields";
    private static final String VALUE = "v";
    private static final String STAMP = "t";
    private static final LwwMap EMPTY = new LwwMap(Map.of());

    private record Entry(@Nullable AttributeValue value, MergeStamp stamp) {
        Entry later(Entry other) {
            return stamp.compareTo(other.stamp) >= 0 ? this : other;
        }
    }

    private final Map<String, Entry> fields;

    private LwwMap(Map<String, Entry> fields) {
        this.fields = Map.copyOf(fields);
    }

    /** The map with no field. */
    public static LwwMap empty() {
        return EMPTY;
    }

    /** The value of {@code field}, empty when it was never written or was removed last. */
    public Optional<AttributeValue> get(String field) {
        Entry entry = fields.get(field);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.value);
    }

    /** The stamp of the last write (or removal) of {@code field}. */
    public Optional<MergeStamp> stamp(String field) {
        return Optional.ofNullable(fields.get(field)).map(Entry::stamp);
    }

    /** Every present field's value, sorted by field name. */
    public Map<String, AttributeValue> values() {
        Map<String, AttributeValue> values = new TreeMap<>();
        fields.forEach((field, entry) -> {
            if (entry.value != null) {
                values.put(field, entry.value);
            }
        });
        return values;
    }

    /** The change setting {@code field} to {@code value} at {@code stamp}. */
    public LwwMap put(String field, AttributeValue value, MergeStamp stamp) {
        Objects.requireNonNull(value, "value");
        return change(field, value, stamp);
    }

    /** The change removing {@code field} at {@code stamp}. */
    public LwwMap remove(String field, MergeStamp stamp) {
        return change(field, null, stamp);
    }

    private static LwwMap change(String field, @Nullable AttributeValue value, MergeStamp stamp) {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(stamp, "stamp");
        return new LwwMap(Map.of(field, new Entry(value, stamp)));
    }

    @Override
    public LwwMap merge(LwwMap other) {
        Map<String, Entry> merged = new HashMap<>(fields);
        other.fields.forEach((field, entry) -> merged.merge(field, entry, Entry::later));
        return new LwwMap(merged);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof LwwMap other && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return "LwwMap" + values();
    }

    private static final class Type implements MergeType<LwwMap> {
        @Override
        public LwwMap empty() {
            return EMPTY;
        }

        @Override
        public LwwMap decode(String region, Map<String, AttributeValue> attributes) {
            AttributeValue stored = attributes.get(FIELDS);
            if (stored == null || !stored.hasM()) {
                return EMPTY;
            }
            Map<String, Entry> fields = new HashMap<>();
            stored.m().forEach((field, entry) -> {
                AttributeValue stamp = entry.m().get(STAMP);
                if (stamp == null || stamp.s() == null) {
                    throw new IllegalStateException("field '" + field + "' of " + region + "'s item has no stamp '"
                            + STAMP + "': not written by MergeableItems with LwwMap.TYPE");
                }
                fields.put(field, new Entry(entry.m().get(VALUE), MergeStamp.parse(stamp.s())));
            });
            return new LwwMap(fields);
        }

        @Override
        public Map<String, AttributeValue> encode(String region, LwwMap value) {
            Map<String, AttributeValue> fields = new LinkedHashMap<>();
            value.fields.forEach((field, entry) -> {
                Map<String, AttributeValue> stored = new LinkedHashMap<>();
                if (entry.value != null) {
                    stored.put(VALUE, entry.value);
                }
                stored.put(STAMP, AttributeValue.fromS(entry.stamp.tag()));
                fields.put(field, AttributeValue.fromM(stored));
            });
            return Map.of(FIELDS, AttributeValue.fromM(fields));
        }
    }
}
