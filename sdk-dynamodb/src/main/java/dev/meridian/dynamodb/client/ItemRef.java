package dev.meridian.dynamodb.client;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ComparisonOperator;
import software.amazon.awssdk.services.dynamodb.model.Condition;

/**
 * One item (or item collection) a request touches: its table and whatever identifies it, a key or full item map,
 * or a query's key condition. Knows how to find the partition key value once the key attribute name is known.
 */
final class ItemRef {

    private final String table;
    private final Map<String, AttributeValue> attributes;
    /** A query's key condition; null for a key, an item or a table (most calls: one object less each). */
    private final @Nullable QueryKey query;

    ItemRef(String table, @Nullable Map<String, AttributeValue> attributes, @Nullable QueryKey query) {
        this.table = Objects.requireNonNull(table, "table");
        this.attributes = attributes == null ? Map.of() : attributes;
        this.query = query;
    }

    /** A key or a full item. */
    static ItemRef ofAttributes(String table, Map<String, AttributeValue> attributes) {
        return new ItemRef(table, attributes, null);
    }

    /** A query: the partition key value sits in the key condition. */
    static ItemRef ofQuery(String table, @Nullable String keyConditionExpression, @Nullable Map<String, String> names,
            @Nullable Map<String, AttributeValue> values, @Nullable Map<String, Condition> keyConditions) {
        return new ItemRef(table, null, new QueryKey(keyConditionExpression, names == null ? Map.of() : names,
                values == null ? Map.of() : values, keyConditions == null ? Map.of() : keyConditions));
    }

    /** A table-wide access (scan, describe): no item. */
    static ItemRef ofTable(String table) {
        return new ItemRef(table, null, null);
    }

    /** A query's key condition: an expression with its names and values, or the legacy conditions. */
    record QueryKey(@Nullable String keyConditionExpression, Map<String, String> expressionNames,
            Map<String, AttributeValue> expressionValues, Map<String, Condition> keyConditions) {
    }

    String table() {
        return table;
    }

    /** The key or item map; empty for a query or a table. */
    Map<String, AttributeValue> attributes() {
        return attributes;
    }

    /** The query's key condition, or null when this is not a query. */
    @Nullable QueryKey query() {
        return query;
    }

    /**
     * The partition key value, or null when the request does not name one. Without a known key attribute name, a key
     * map of exactly one attribute still identifies it (a table with a partition key only). Null rather than an
     * {@code Optional}: it is asked for every item of every call.
     */
    @Nullable String partitionValue(Optional<String> partitionKeyName) {
        return partitionValue(attributes, query, partitionKeyName);
    }

    /** {@link #partitionValue(Optional)} of an item held as its parts (a single-item {@link RequestShape}'s). */
    static @Nullable String partitionValue(Map<String, AttributeValue> attributes, @Nullable QueryKey query,
            Optional<String> partitionKeyName) {
        if (query == null) {
            return DynamoDbOperationClassifier.keyValue(attributes, partitionKeyName);
        }
        if (partitionKeyName.isEmpty()) {
            return null;
        }
        String pk = partitionKeyName.get();
        AttributeValue direct = attributes.get(pk);
        if (direct != null) {
            return DynamoDbOperationClassifier.render(direct);
        }
        Condition legacy = query.keyConditions().get(pk);
        if (legacy != null && legacy.comparisonOperator() == ComparisonOperator.EQ && legacy.hasAttributeValueList()
                && !legacy.attributeValueList().isEmpty()) {
            return DynamoDbOperationClassifier.render(legacy.attributeValueList().get(0));
        }
        return query.keyConditionExpression() == null ? null : fromExpression(query, pk);
    }

    private static @Nullable String fromExpression(QueryKey query, String pk) {
        for (String clause : KeyCondition.AND.split(Objects.requireNonNull(query.keyConditionExpression()))) {
            Matcher m = KeyCondition.EQUALS.matcher(clause);
            if (!m.matches()) {
                continue;
            }
            String left = m.group(1);
            String right = m.group(2);
            if (pk.equals(resolveName(query, left)) && right.startsWith(":")) {
                return DynamoDbOperationClassifier.render(query.expressionValues().get(right));
            }
            if (pk.equals(resolveName(query, right)) && left.startsWith(":")) {
                return DynamoDbOperationClassifier.render(query.expressionValues().get(left));
            }
        }
        return null;
    }

    private static @Nullable String resolveName(QueryKey query, String token) {
        return token.startsWith("#") ? query.expressionNames().get(token) : token;
    }

    /** Key-condition patterns, compiled on the first Query that needs them rather than on a cold start's GetItem. */
    private static final class KeyCondition {
        static final Pattern AND = Pattern.compile("(?i)\\s+and\\s+");
        static final Pattern EQUALS = Pattern.compile("^\\s*\\(*\\s*([#:]?[A-Za-z0-9_.\\-]+)\\s*=\\s*([#:]?[A-Za-z0-9_.\\-]+)\\s*\\)*\\s*$");

        private KeyCondition() {
        }
    }
}
