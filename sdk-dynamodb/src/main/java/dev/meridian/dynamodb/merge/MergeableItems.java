package dev.meridian.dynamodb.merge;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Mergeable items on a DynamoDB global table: each logical item is one item per region (partition key = the item's
 * key, sort key = the region), each written only by its region and holding the changes made there; a read merges
 * every region's item. Because no item has two writer regions, the global table's whole-item last-writer-wins
 * replication never chooses between two regions' changes: it only ever replaces a region's item by a newer state of
 * the same item, which contains the older one. Once replication has caught up, every region reads the merge of every
 * acknowledged change, whatever the order and the partitions in between (docs/mergeable-items.md).
 *
 * <p><b>Writes are guarded.</b> {@link #update} reads every region's item (a consistent read), merges them, asks the
 * operation for its change against that value, and puts this region's item with the change merged in, on the
 * condition that the item's {@code mergeVersion} is still the one read. When another writer of this region got there
 * first the condition fails and the update reads and merges again (at most {@code maxAttempts} rounds); nothing is
 * ever overwritten. A put whose answer was lost and that the SDK sent again is recognised by its stamp and counted
 * once. Every item also records {@code mergeStamp}, the stamp of its last change, which the clock observes on read,
 * so a change made after a read is later than everything read.
 *
 * <p><b>Requirements.</b> As for {@code GlobalCounter}: the client must be pinned to this process's region (a routing
 * client that moved a write to another region would make two writers of one item); the multi-region client is refused.
 * An update that fails with an exception other than a condition failure may or may not have been applied; an
 * application that calls it again makes a second change (a second add), so wrap changes that must happen once in
 * {@code Idempotency}.
 *
 * <p>Thread-safe.
 *
 * @param <T> the value type ({@link LwwMap}, {@link OrSet}, {@link PnCounter} or an application's own)
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class MergeableItems<T extends Mergeable<T>> {

    /** The attribute holding the version of a region's item, which guards its writes. */
    public static final String VERSION = "mergeVersion";
    /** The attribute holding the tag of the last change written to a region's item. */
    public static final String STAMP = "mergeStamp";

    private static final Logger log = LoggerFactory.getLogger(MergeableItems.class);

    /** Told of each write that lost to a concurrent writer of this region's item (the meter, when there is one). */
    interface ConflictListener {
        void conflict(String table);
    }

    private final MergeType<T> type;
    private final DynamoDbClient client;
    private final String table;
    private final String region;
    private final HybridLogicalClock clock;
    private final String partitionKey;
    private final String sortKey;
    private final int maxAttempts;
    private final ConflictListener conflicts;

    private MergeableItems(Builder<T> b) {
        // build() has checked the required settings with errors naming them.
        this.type = b.type;
        this.client = Objects.requireNonNull(b.client, "client");
        this.table = Objects.requireNonNull(b.table, "table");
        this.region = Objects.requireNonNull(b.region, "region");
        this.clock = b.clock;
        this.partitionKey = b.partitionKey;
        this.sortKey = b.sortKey;
        this.maxAttempts = b.maxAttempts;
        // MergeMetrics (and the cast) are reached only with a registry, i.e. when Micrometer is on the classpath.
        this.conflicts = b.meterRegistry == null ? t -> { } : new MergeMetrics((MeterRegistry) b.meterRegistry, region);
    }

    /** A builder for items of {@code type} (e.g. {@link OrSet#TYPE}); client, table and region are required. */
    public static <T extends Mergeable<T>> Builder<T> builder(MergeType<T> type) {
        return new Builder<>(Objects.requireNonNull(type, "type"));
    }

    /** The merged value of {@code key} as this region sees it (eventually consistent read). */
    public T read(String key) {
        return read(key, false);
    }

    /** The merged value of {@code key}; {@code consistentRead} sees this region's latest writes. */
    public T read(String key, boolean consistentRead) {
        return load(key, consistentRead).merged;
    }

    /**
     * Applies {@code operation} to {@code key}: reads and merges every region's item, merges the operation's change
     * into this region's item and writes it conditionally on the version read; after a concurrent write of this
     * region's item, reads and merges again.
     *
     * @throws MergeConflictException when {@code maxAttempts} rounds each lost to a concurrent writer
     */
    public MergeResult<T> update(String key, MergeOperation<T> operation) {
        Objects.requireNonNull(operation, "operation");
        @Nullable MergeResult<T> sent = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Snapshot<T> read = load(key, true);
            if (sent != null && sent.stamp().tag().equals(read.ownStamp)) {
                // The put of the previous round was applied and its answer lost; the SDK's retry then failed the
                // condition. Applying the change again would count it twice.
                return new MergeResult<>(read.merged, sent.change(), sent.stamp(), attempt - 1);
            }
            observe(key, read.latestHlc);
            MergeStamp stamp = new MergeStamp(clock.now(), region, clock.nodeId());
            T change = Objects.requireNonNull(operation.change(read.merged, stamp), "the operation's change");
            sent = new MergeResult<>(read.merged.merge(change), change, stamp, attempt);
            try {
                client.putItem(put(key, read, read.own.merge(change), stamp));
                return sent;
            } catch (ConditionalCheckFailedException e) {
                conflicts.conflict(table);
                log.debug("{}'s item '{}' in {} was written concurrently (version {} read); merging again", region,
                        key, table, read.version);
            }
        }
        throw new MergeConflictException("update of '" + key + "' in " + table + " (" + region + ") lost to a"
                + " concurrent writer of the region's item " + maxAttempts + " times; retry it, or raise"
                + " MergeableItems.maxAttempts if this region's writers of one key are that busy");
    }

    /**
     * Advances the clock past what was read, so this change is later than it. A stamp beyond the drift bound (a
     * broken clock's) is not adopted: it would fail every later update of the key; only an {@link LwwMap} field that
     * stamp wrote keeps winning until it is written by a clock that caught up.
     */
    private void observe(String key, long latestHlc) {
        if (latestHlc > clock.maxAcceptableStamp()) {
            log.warn("'{}' in {} holds a stamp beyond this clock's drift bound ({}); not adopted", key, table,
                    HybridLogicalClock.toString(latestHlc));
        } else if (latestHlc > 0) {
            clock.observe(latestHlc);
        }
    }

    private PutItemRequest put(String key, Snapshot<T> read, T own, MergeStamp stamp) {
        Map<String, AttributeValue> item = new HashMap<>(type.encode(region, own));
        item.put(partitionKey, AttributeValue.fromS(key));
        item.put(sortKey, AttributeValue.fromS(region));
        item.put(VERSION, AttributeValue.fromN(Long.toString(read.version + 1)));
        item.put(STAMP, AttributeValue.fromS(stamp.tag()));
        PutItemRequest.Builder request = PutItemRequest.builder().tableName(table).item(item)
                .expressionAttributeNames(Map.of("#v", VERSION));
        if (read.version == 0) {
            request.conditionExpression("attribute_not_exists(#v)");
        } else {
            request.conditionExpression("#v = :v")
                    .expressionAttributeValues(Map.of(":v", AttributeValue.fromN(Long.toString(read.version))));
        }
        return request.build();
    }

    private Snapshot<T> load(String key, boolean consistentRead) {
        Objects.requireNonNull(key, "key");
        T merged = type.empty();
        T own = type.empty();
        long version = 0;
        long latestHlc = 0;
        @Nullable String ownStamp = null;
        QueryRequest query = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#pk = :key")
                .expressionAttributeNames(Map.of("#pk", partitionKey))
                .expressionAttributeValues(Map.of(":key", AttributeValue.fromS(key)))
                .consistentRead(consistentRead)
                .build();
        for (Map<String, AttributeValue> item : client.queryPaginator(query).items()) {
            String itemRegion = string(item, sortKey);
            T state = type.decode(itemRegion, item);
            merged = merged.merge(state);
            AttributeValue stamp = item.get(STAMP);
            if (stamp != null && stamp.s() != null) {
                latestHlc = Math.max(latestHlc, MergeStamp.parse(stamp.s()).hlc());
            }
            if (itemRegion.equals(region)) {
                own = state;
                AttributeValue v = item.get(VERSION);
                version = v == null || v.n() == null ? 0 : Long.parseLong(v.n());
                ownStamp = stamp == null ? null : stamp.s();
            }
        }
        return new Snapshot<>(merged, own, version, latestHlc, ownStamp);
    }

    private static String string(Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        if (value == null || value.s() == null) {
            throw new IllegalStateException("mergeable item without its string key attribute '" + attribute + "'");
        }
        return value.s();
    }

    /** What one read saw: the merged value, this region's own state, its version and change tag, the latest stamp. */
    private record Snapshot<T>(T merged, T own, long version, long latestHlc, @Nullable String ownStamp) {
    }

    /**
     * Builder for {@link MergeableItems}; validates each setting as it is given.
     *
     * @param <T> the value type
     */
    public static final class Builder<T extends Mergeable<T>> {
        private final MergeType<T> type;
        private @Nullable DynamoDbClient client;
        private @Nullable String table;
        private @Nullable String region;
        private HybridLogicalClock clock = HybridLogicalClock.system();
        private String partitionKey = "pk";
        private String sortKey = "sk";
        private int maxAttempts = 10;
        private @Nullable Object meterRegistry;

        private Builder(MergeType<T> type) {
            this.type = type;
        }

        /**
         * A client pinned to this process's region (required).
         *
         * @throws IllegalArgumentException when {@code client} is the multi-region client of
         *         {@link MultiRegionDynamoDb}, which could write this region's item in another region
         */
        public Builder<T> client(DynamoDbClient client) {
            Objects.requireNonNull(client, "client");
            SettingRules.check(MultiRegionDynamoDb.shared(client).isEmpty(), "MergeableItems.client",
                    "must be pinned to one region (each region writes only its own item; a multi-region client"
                            + " could write it in another region, making two writers of one item)",
                    "the multi-region client from MultiRegionDynamoDb",
                    "pass a client of this one region, e.g. DynamoDbClient.builder().region(region).build()");
            this.client = client;
            return this;
        }

        /** The global table (required): string partition key and string sort key (the region). */
        public Builder<T> table(String table) {
            this.table = nonBlank("table", table);
            return this;
        }

        /** This process's region (required): the only item this instance writes. */
        public Builder<T> region(String region) {
            this.region = nonBlank("region", region);
            SettingRules.check(!region.contains("/"), "MergeableItems.region", "must not contain '/'",
                    SettingRules.quoted(region), "pass the region id, e.g. eu-west-1");
            return this;
        }

        /** This process's region (required). */
        public Builder<T> region(Region region) {
            return region(Objects.requireNonNull(region, "region").id());
        }

        /** The clock stamping changes; default {@link HybridLogicalClock#system()} (share the runtime's). */
        public Builder<T> clock(HybridLogicalClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Partition key attribute (S), default {@code pk}. */
        public Builder<T> partitionKey(String name) {
            this.partitionKey = nonBlank("partitionKey", name);
            return this;
        }

        /** Sort key attribute (S) holding the region, default {@code sk}. */
        public Builder<T> sortKey(String name) {
            this.sortKey = nonBlank("sortKey", name);
            return this;
        }

        /** Read-merge-write rounds an update may take before giving up, default 10. */
        public Builder<T> maxAttempts(int attempts) {
            SettingRules.check(attempts >= 1, "MergeableItems.maxAttempts", "must be at least 1", attempts,
                    "pass how many times an update may read and merge again after a concurrent write");
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Counts writes that merged again after a concurrent write as {@code meridian.merge.conflicts} (tags
         * {@code region}, {@code table}).
         */
        public Builder<T> meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Builds it. */
        public MergeableItems<T> build() {
            SettingRules.check(client != null, "MergeableItems.client", "is required", null,
                    "pass the DynamoDB client of this process's region");
            SettingRules.check(table != null, "MergeableItems.table", "is required", null, "name the global table");
            SettingRules.check(region != null, "MergeableItems.region", "is required", null,
                    "pass this process's region, e.g. eu-west-1");
            return new MergeableItems<>(this);
        }

        private static String nonBlank(String setting, String value) {
            return SettingRules.notBlank(value, "MergeableItems." + setting, "pass a name, or leave an optional"
                    + " setting unset for its default");
        }
    }
}
