package dev.meridian.dynamodb.counter;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * A conflict-free counter on a DynamoDB global table (a PN-counter CRDT): one item per region, written only by that
 * region with atomic {@code ADD}s to its {@code increments} and {@code decrements} attributes; the value is the sum
 * over all regions' items of {@code increments - decrements}.
 *
 * <p><b>Guarantee.</b> Because every item has a single writer region, replication never has to resolve a conflict on
 * it, so after replication has caught up every region reads the exact total of all increments and decrements made in
 * all regions, however concurrent. Before that, a region reads its own contribution exactly and the others' as of
 * their last replicated state (a lower bound of progress per region, never a lost update).
 *
 * <p><b>Requirements.</b>
 * <ul>
 *   <li>The client must be pinned to this process's region (a plain regional client). A routing client that fails a
 *       write over to another region would make two regions write the same item, and the global table's
 *       last-writer-wins would then drop increments: {@link Builder#client} refuses the multi-region client of
 *       {@code MultiRegionDynamoDb}; give it that client's per-region client of this region instead.</li>
 *   <li>{@code ADD} is not idempotent: a write retried after a timeout may count twice. Wrap increments that must
 *       count exactly once in {@code Idempotency}.</li>
 * </ul>
 *
 * <p>Two layouts: by default a table with partition key {@code pk} = counter name and sort key {@code sk} = region
 * (the value is one {@code Query}); or, with {@link Builder#compositeKey(List)}, a table with only a partition key
 * {@code pk} = {@code name#region} (the value is one {@code BatchGetItem} over the listed regions).
 *
 * <p>Thread-safe. Nothing is retried here: a failed call throws what the client threw.
 */
@API(status = STABLE, since = "0.1")
public final class GlobalCounter {

    private static final String INCREMENTS = "increments";
    private static final String DECREMENTS = "decrements";

    private final DynamoDbClient client;
    private final String table;
    private final String region;
    private final String partitionKey;
    private final String sortKey;
    private final @Nullable List<String> compositeRegions;

    private GlobalCounter(Builder b) {
        // build() has checked these with an IllegalArgumentException naming the setting.
        this.client = Objects.requireNonNull(b.client, "client");
        this.table = Objects.requireNonNull(b.table, "table");
        this.region = Objects.requireNonNull(b.region, "region");
        this.partitionKey = b.partitionKey;
        this.sortKey = b.sortKey;
        this.compositeRegions = b.compositeRegions;
    }

    /** A builder; client, table and region are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Adds 1 to {@code name} in this region; returns this region's contribution after the add. */
    public long increment(String name) {
        return add(name, 1);
    }

    /** Subtracts 1 from {@code name} in this region; returns this region's contribution after the change. */
    public long decrement(String name) {
        return add(name, -1);
    }

    /**
     * Adds {@code delta} (may be negative) in this region with one {@code UpdateItem}; returns its contribution.
     *
     * @throws IllegalArgumentException when {@code delta} is 0 or {@link Long#MIN_VALUE} (its magnitude has no
     *         {@code long})
     */
    public long add(String name, long delta) {
        Objects.requireNonNull(name, "name");
        if (delta == 0 || delta == Long.MIN_VALUE) {
            throw SettingRules.invalid("GlobalCounter.add delta of counter '" + name + "'",
                    "must be non-zero and greater than " + Long.MIN_VALUE, delta,
                    "pass the amount to add or, negative, to subtract");
        }
        String attribute = delta > 0 ? INCREMENTS : DECREMENTS;
        Map<String, AttributeValue> item = client.updateItem(UpdateItemRequest.builder()
                .tableName(table)
                .key(key(name, region))
                .updateExpression("ADD #a :d")
                .expressionAttributeNames(Map.of("#a", attribute))
                .expressionAttributeValues(Map.of(":d", AttributeValue.fromN(Long.toString(Math.abs(delta)))))
                .returnValues(ReturnValue.ALL_NEW)
                .build()).attributes();
        return contribution(item);
    }

    /** The counter's value as this region sees it (eventually consistent read). */
    public long value(String name) {
        return value(name, false);
    }

    /** The counter's value as this region sees it; {@code consistentRead} sees this region's latest writes. */
    public long value(String name, boolean consistentRead) {
        return partials(name, consistentRead).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Each region's contribution (increments minus decrements) as this region sees it. */
    public Map<String, Long> partials(String name, boolean consistentRead) {
        Objects.requireNonNull(name, "name");
        return compositeRegions == null ? queryPartials(name, consistentRead)
                : batchPartials(name, consistentRead, compositeRegions);
    }

    private Map<String, Long> queryPartials(String name, boolean consistentRead) {
        Map<String, Long> partials = new LinkedHashMap<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse page = client.query(QueryRequest.builder()
                    .tableName(table)
                    .keyConditionExpression("#pk = :name")
                    .expressionAttributeNames(Map.of("#pk", partitionKey))
                    .expressionAttributeValues(Map.of(":name", AttributeValue.fromS(name)))
                    .consistentRead(consistentRead)
                    .exclusiveStartKey(start)
                    .build());
            for (Map<String, AttributeValue> item : page.items()) {
                partials.put(keyAttribute(item, sortKey), contribution(item));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return partials;
    }

    private Map<String, Long> batchPartials(String name, boolean consistentRead, List<String> regions) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (String r : regions) {
            keys.add(key(name, r));
        }
        Map<String, Long> partials = new LinkedHashMap<>();
        Map<String, KeysAndAttributes> request = Map.of(table,
                KeysAndAttributes.builder().keys(keys).consistentRead(consistentRead).build());
        while (!request.isEmpty()) {
            BatchGetItemResponse response = client.batchGetItem(BatchGetItemRequest.builder()
                    .requestItems(request).build());
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                String id = keyAttribute(item, partitionKey);
                partials.put(id.substring(id.lastIndexOf('#') + 1), contribution(item));
            }
            request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
        }
        return partials;
    }

    private Map<String, AttributeValue> key(String name, String itemRegion) {
        return compositeRegions == null
                ? Map.of(partitionKey, AttributeValue.fromS(name), sortKey, AttributeValue.fromS(itemRegion))
                : Map.of(partitionKey, AttributeValue.fromS(name + "#" + itemRegion));
    }

    private static long contribution(Map<String, AttributeValue> item) {
        return number(item.get(INCREMENTS)) - number(item.get(DECREMENTS));
    }

    /** A key attribute of an item DynamoDB returned: always present, as every key attribute is. */
    private static String keyAttribute(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || value.s() == null) {
            throw new IllegalStateException("counter item without its string key attribute '" + name + "'");
        }
        return value.s();
    }

    private static long number(@Nullable AttributeValue value) {
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    /** Builder for {@link GlobalCounter}; validates each setting as it is given. */
    public static final class Builder {
        private @Nullable DynamoDbClient client;
        private @Nullable String table;
        private @Nullable String region;
        private String partitionKey = "pk";
        private String sortKey = "sk";
        private @Nullable List<String> compositeRegions;

        private Builder() {
        }

        /**
         * A client pinned to this process's region (required); see the class Javadoc.
         *
         * @throws IllegalArgumentException when {@code client} is a multi-region client from
         *         {@link MultiRegionDynamoDb} (or {@code MultiRegion.wrap}), which may send one region's {@code ADD} to
         *         another region's item
         */
        public Builder client(DynamoDbClient client) {
            Objects.requireNonNull(client, "client");
            // Refused rather than pinned: pinning would mean quietly picking one of its per-region clients behind the
            // caller's back, bypassing the routing and residency checks they chose the routed client for, for a
            // region that region(..) may not even name yet. The fix is one line and makes the single writer explicit.
            SettingRules.check(MultiRegionDynamoDb.shared(client).isEmpty(), "GlobalCounter.client",
                    "must be pinned to one region (each region ADDs only to its own item; a multi-region client"
                            + " fails an ADD over to another region, making two writers of one item and losing"
                            + " increments)", "the multi-region client from MultiRegionDynamoDb",
                    "pass a client of this one region, e.g. the one your client factory builds for it:"
                            + " DynamoDbClient.builder().region(region).build()");
            this.client = client;
            return this;
        }

        /** The global table (required). */
        public Builder table(String table) {
            this.table = nonBlank("table", table);
            return this;
        }

        /** This process's region (required): the only item this instance writes. */
        public Builder region(String region) {
            this.region = nonBlank("region", region);
            SettingRules.check(!region.contains("#"), "GlobalCounter.region", "must not contain '#'",
                    SettingRules.quoted(region), "pass the region id, e.g. eu-west-1");
            return this;
        }

        /** This process's region (required). */
        public Builder region(Region region) {
            return region(Objects.requireNonNull(region, "region").id());
        }

        /** Partition key attribute (S), default {@code pk}. */
        public Builder partitionKey(String name) {
            this.partitionKey = nonBlank("partitionKey", name);
            return this;
        }

        /** Sort key attribute (S) holding the region, default {@code sk}. */
        public Builder sortKey(String name) {
            this.sortKey = nonBlank("sortKey", name);
            return this;
        }

        /** Uses a partition-key-only table with keys {@code name#region} for each of {@code regions}. */
        public Builder compositeKey(List<String> regions) {
            String fix = "pass every region that writes the counter";
            SettingRules.required(regions, "GlobalCounter.compositeKey regions", fix);
            SettingRules.check(!regions.isEmpty(), "GlobalCounter.compositeKey regions", "must not be empty", regions, fix);
            this.compositeRegions = List.copyOf(regions);
            return this;
        }

        /** Builds it. */
        public GlobalCounter build() {
            // IllegalArgumentExceptions like every other bad setting of this builder.
            SettingRules.check(client != null, "GlobalCounter.client", "is required", null,
                    "pass the DynamoDB client of this process's region");
            SettingRules.check(table != null, "GlobalCounter.table", "is required", null, "name the global table");
            SettingRules.check(region != null, "GlobalCounter.region", "is required", null,
                    "pass this process's region, e.g. eu-west-1");
            SettingRules.check(compositeRegions == null || compositeRegions.contains(region),
                    "GlobalCounter.compositeKey regions", "must contain this region '" + region + "'",
                    compositeRegions, "add " + region + " to them");
            return new GlobalCounter(this);
        }

        private static String nonBlank(String setting, String value) {
            return SettingRules.notBlank(value, "GlobalCounter." + setting, "pass a name, or leave an optional setting"
                    + " unset for its default");
        }
    }
}
