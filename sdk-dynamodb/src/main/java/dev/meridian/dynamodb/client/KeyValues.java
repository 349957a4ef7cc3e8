package dev.meridian.dynamodb.client;

import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A key map's partition key value and the text form of key values: all that classifying a {@code GetItem} needs of
 * {@link ItemRef}, in a class of its own so that a cold start's first read does not load {@code ItemRef}.
 */
final class KeyValues {
    private KeyValues() {
    }

    /**
     * The partition key value of a key or item map, or null when it does not name one. Without a known key attribute
     * name, a map of exactly one attribute still identifies it (a table with a partition key only).
     */
    static @Nullable String ofKey(Map<String, AttributeValue> key, Optional<String> partitionKeyName) {
        if (partitionKeyName.isEmpty()) {
            return key.size() == 1 ? render(key.values().iterator().next()) : null;
        }
        return render(key.get(partitionKeyName.get()));
    }

    /** A stable text form of a key value: strings and numbers as written, binary as Base64; null for other types. */
    static @Nullable String render(@Nullable AttributeValue value) {
        if (value == null) {
            return null;
        }
        if (value.s() != null) {
            return value.s();
        }
        if (value.n() != null) {
            return value.n();
        }
        if (value.b() != null) {
            return Base64.getEncoder().encodeToString(value.b().asByteArray());
        }
        return null;
    }
}
