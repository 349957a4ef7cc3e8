package dev.meridian.dynamodb.lww;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.clock.ClockDriftException;
import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.internal.SettingRules;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Last-writer-wins writes on DynamoDB, ordered by {@link HybridLogicalClock} stamps instead of arrival order.
 *
 * <p>Every write carries {@code _mr_stamp} (N, the HLC stamp from {@code clock.now()}), {@code _mr_region} (S, the
 * writing region) and {@code _mr_node} (S, the clock's {@link HybridLogicalClock#nodeId() node id}); the version
 * {@code (stamp, region, node)} orders writes, the last two only break ties. Each write is guarded by the condition
 * <pre>attribute_not_exists(_mr_stamp) OR _mr_stamp &gt; :bound OR _mr_stamp &lt; :stamp
 *   OR (_mr_stamp = :stamp AND (_mr_region &lt; :region
 *       OR (_mr_region = :region AND (attribute_not_exists(_mr_node) OR _mr_node &lt; :node))))</pre>
 * AND-ed with the request's own condition (its expression names and values are kept). {@code :bound} is the clock's
 * {@link HybridLogicalClock#maxAcceptableStamp()}: a stored stamp beyond the drift bound (a broken clock's, or a
 * corrupted item's such as {@link Long#MAX_VALUE}) is one the clock refuses to adopt, and any write wins over it, so
 * such an item can be rewritten. The failed check returns the stored item
 * ({@code ReturnValuesOnConditionCheckFailure.ALL_OLD}), so a superseded write costs exactly one call and reports the
 * winner: {@link LwwResult.Outcome#SUPERSEDED}. When the stored item is this very write (same stamp, region and node:
 * an SDK retry or a failover re-sent a write that had been applied), the outcome is {@link LwwResult.Outcome#APPLIED}:
 * a write is never superseded by itself. {@code attribute_not_exists(_mr_stamp)} rather than of the partition key
 * makes a missing item and an item written before LWW was adopted both count as oldest, and needs no key schema (no
 * {@code DescribeTable}).
 *
 * <p>{@link #delete} writes a <em>tombstone</em> (the key, stamp, region and {@code _mr_deleted = true}) instead of
 * deleting, so an older write that arrives late cannot resurrect the item; {@link #get} treats tombstones as absent.
 * Tombstones can be expired with {@link Builder#tombstoneTtl(String, Duration)}; choose a TTL far longer than any
 * write can be delayed (retries, replication), because an expired tombstone no longer stops a late older write.
 *
 * <p><b>What is guaranteed</b> (see {@code docs/lww.md}):
 * <ul>
 *   <li><b>Within one region</b> (all writes of a key reach the same table replica): the conditional write is atomic
 *       per item, so the stored item is always the write with the greatest (stamp, region, node) among those the
 *       region received, whatever order they arrived in; late, retried and replayed older writes are SUPERSEDED.</li>
 *   <li><b>Across regions with write-home</b> (each key written in one home region, e.g. routed with
 *       {@code RoutingStrategy.homeByKey()}): the home region decides as above and replication copies its result, so
 *       every replica converges to the greatest-stamp write. Exact LWW.</li>
 *   <li><b>Across regions with multi-active writes</b> of the same key: each region's guard only sees writes that
 *       reached it, so concurrent writes in two regions are both APPLIED locally; the global table's own conflict
 *       resolution (last writer by replication time, item-level) then picks the survivor, which may be the write
 *       with the <em>smaller</em> HLC stamp. The guard still stops an older write that arrives in a region after the
 *       newer item has replicated there.</li>
 * </ul>
 *
 * <p>{@link #get} (and a SUPERSEDED outcome) feed the item's stamp to {@link HybridLogicalClock#observe(long)}, so a
 * write made after reading an item is stamped after it even when this region's wall clock is behind.
 *
 * <p>Thread-safe. The client may be any {@link DynamoDbClient}, typically Meridian's multi-region one; if it fails a
 * write over to another region the region attribute still names the writer (it is a tie-breaker, not a location).
 * Requests using the legacy {@code Expected}/{@code AttributeUpdates} parameters are refused.
 */
@API(status = STABLE, since = "0.1")
public final class LwwWrites {

    private static final Logger log = LoggerFactory.getLogger(LwwWrites.class);
    private static final Pattern SET_CLAUSE = Pattern.compile("(?<![#:\\w])SET\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern REMOVE_CLAUSE = Pattern.compile("(?<![#:\\w])REMOVE\\b", Pattern.CASE_INSENSITIVE);
    private static final String STAMP_NAME = "#mr_stamp";
    private static final String REGION_NAME = "#mr_region";
    private static final String NODE_NAME = "#mr_node";
    private static final String DELETED_NAME = "#mr_deleted";
    private static final String STAMP_VALUE = ":mr_stamp";
    private static final String REGION_VALUE = ":mr_region";
    private static final String NODE_VALUE = ":mr_node";
    private static final String BOUND_VALUE = ":mr_bound";
    /** The write wins unless the stored version blocks it; see {@link LwwVersion#blocks}. */
    private static final String GUARD = "(attribute_not_exists(" + STAMP_NAME + ") OR " + STAMP_NAME + " > "
            + BOUND_VALUE + " OR " + STAMP_NAME + " < " + STAMP_VALUE + " OR (" + STAMP_NAME + " = " + STAMP_VALUE
            + " AND (" + REGION_NAME + " < " + REGION_VALUE + " OR (" + REGION_NAME + " = " + REGION_VALUE
            + " AND (attribute_not_exists(" + NODE_NAME + ") OR " + NODE_NAME + " < " + NODE_VALUE + ")))))";

    /** Receives one event per superseded write; the Micrometer implementation is used when a registry is set. */
    interface SupersededListener {
        void superseded(String table);
    }

    private final DynamoDbClient client;
    private final HybridLogicalClock clock;
    private final String region;
    private final String stampAttribute;
    private final String regionAttribute;
    private final String nodeAttribute;
    private final String tombstoneAttribute;
    private final @Nullable String tombstoneTtlAttribute;
    private final @Nullable Duration tombstoneTtl;
    private final InstantSource wallClock;
    private final SupersededListener listener;

    private LwwWrites(Builder b) {
        // build() has checked these with an IllegalArgumentException naming the setting.
        this.client = Objects.requireNonNull(b.client, "client");
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.region = Objects.requireNonNull(b.region, "region");
        this.stampAttribute = b.stampAttribute;
        this.regionAttribute = b.regionAttribute;
        this.nodeAttribute = b.nodeAttribute;
        this.tombstoneAttribute = b.tombstoneAttribute;
        this.tombstoneTtlAttribute = b.tombstoneTtlAttribute;
        this.tombstoneTtl = b.tombstoneTtl;
        this.wallClock = b.wallClock;
        // LwwMetrics (and the cast) are reached only with a registry, i.e. when Micrometer is on the classpath.
        this.listener = b.meterRegistry == null
                ? table -> { }
                : new LwwMetrics((MeterRegistry) b.meterRegistry, region);
    }

    /** A builder; client, clock and region are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Puts the item if it is newer than what the region holds. The request's condition, if any, must hold too. */
    public LwwResult put(PutItemRequest request) {
        Objects.requireNonNull(request, "request");
        SettingRules.check(!request.hasExpected(), "PutItemRequest.expected", "is not supported by LwwWrites",
                request.expected().keySet(), "write the condition as a ConditionExpression");
        LwwVersion version = nextVersion();
        long bound = clock.maxAcceptableStamp();
        Map<String, AttributeValue> item = new HashMap<>(request.item());
        item.put(stampAttribute, number(version.stamp()));
        item.put(regionAttribute, AttributeValue.fromS(region));
        item.put(nodeAttribute, AttributeValue.fromS(version.node()));
        PutItemRequest guarded = request.toBuilder()
                .item(item)
                .conditionExpression(and(request.conditionExpression(), GUARD))
                .expressionAttributeNames(names(request.expressionAttributeNames(), false))
                .expressionAttributeValues(values(request.expressionAttributeValues(), version, bound))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        try {
            PutItemResponse response = client.putItem(guarded);
            return LwwResult.applied(version.stamp(), response.attributes());
        } catch (ConditionalCheckFailedException e) {
            return supersededOrRethrow(request.tableName(), version, bound, e);
        }
    }

    /**
     * Updates the item if it is newer than what the region holds: adds {@code SET _mr_stamp, _mr_region, _mr_node} and
     * {@code REMOVE _mr_deleted} to the update expression (an update after a delete starts a fresh item, as on a
     * missing item). The request's condition, if any, must hold too.
     */
    public LwwResult update(UpdateItemRequest request) {
        Objects.requireNonNull(request, "request");
        SettingRules.check(!request.hasExpected(), "UpdateItemRequest.expected", "is not supported by LwwWrites",
                request.expected().keySet(), "write the condition as a ConditionExpression");
        SettingRules.check(!request.hasAttributeUpdates(), "UpdateItemRequest.attributeUpdates",
                "is not supported by LwwWrites", request.attributeUpdates().keySet(),
                "write the update as an UpdateExpression");
        LwwVersion version = nextVersion();
        long bound = clock.maxAcceptableStamp();
        UpdateItemRequest guarded = request.toBuilder()
                .updateExpression(stampedUpdate(request.updateExpression()))
                .conditionExpression(and(request.conditionExpression(), GUARD))
                .expressionAttributeNames(names(request.expressionAttributeNames(), true))
                .expressionAttributeValues(values(request.expressionAttributeValues(), version, bound))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        try {
            UpdateItemResponse response = client.updateItem(guarded);
            return LwwResult.applied(version.stamp(), response.attributes());
        } catch (ConditionalCheckFailedException e) {
            return supersededOrRethrow(request.tableName(), version, bound, e);
        }
    }

    /** Deletes the item by writing a newer tombstone (see the class Javadoc). */
    public LwwResult delete(String table, Map<String, AttributeValue> key) {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(key, "key");
        Map<String, AttributeValue> tombstone = new HashMap<>(key);
        tombstone.put(tombstoneAttribute, AttributeValue.fromBool(true));
        if (tombstoneTtlAttribute != null) {
            tombstone.put(tombstoneTtlAttribute, number(wallClock.instant().plus(tombstoneTtl).getEpochSecond()));
        }
        return put(PutItemRequest.builder().tableName(table).item(tombstone).build());
    }

    /** Reads an item (strongly consistent when asked); a tombstone reads as absent. The stamp is observed. */
    public Optional<Map<String, AttributeValue>> get(String table, Map<String, AttributeValue> key,
            boolean consistentRead) {
        return get(GetItemRequest.builder().tableName(table).key(key).consistentRead(consistentRead).build());
    }

    /** Reads an item with the caller's request; a tombstone reads as absent. The item's stamp is observed. */
    public Optional<Map<String, AttributeValue>> get(GetItemRequest request) {
        Objects.requireNonNull(request, "request");
        Map<String, AttributeValue> item = client.getItem(request).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        observe(item);
        AttributeValue deleted = item.get(tombstoneAttribute);
        if (deleted != null && Boolean.TRUE.equals(deleted.bool())) {
            return Optional.empty();
        }
        return Optional.of(item);
    }

    /** The stamp stored on an item, if it has one. */
    public Optional<Long> stampOf(Map<String, AttributeValue> item) {
        AttributeValue value = item == null ? null : item.get(stampAttribute);
        return value == null || value.n() == null ? Optional.empty() : Optional.of(Long.parseLong(value.n()));
    }

    /** The region stored on an item, if it has one. */
    public Optional<String> regionOf(Map<String, AttributeValue> item) {
        AttributeValue value = item == null ? null : item.get(regionAttribute);
        return value == null ? Optional.empty() : Optional.ofNullable(value.s());
    }

    /** The node id stored on an item, if it has one (items written before node ids have none). */
    public Optional<String> nodeOf(Map<String, AttributeValue> item) {
        AttributeValue value = item == null ? null : item.get(nodeAttribute);
        return value == null ? Optional.empty() : Optional.ofNullable(value.s());
    }

    private Optional<LwwVersion> versionOf(Map<String, AttributeValue> item) {
        Optional<Long> stamp = stampOf(item);
        return stamp.map(s -> new LwwVersion(s, regionOf(item).orElse(""), nodeOf(item).orElse(null)));
    }

    /** The clock stamping the writes. */
    public HybridLogicalClock clock() {
        return clock;
    }

    private LwwVersion nextVersion() {
        String node = clock.nodeId();
        return new LwwVersion(clock.now(), region, node);
    }

    private LwwResult supersededOrRethrow(String table, LwwVersion version, long bound,
            ConditionalCheckFailedException e) {
        Map<String, AttributeValue> stored = e.hasItem() ? e.item() : Map.of();
        Optional<LwwVersion> storedVersion = versionOf(stored);
        if (storedVersion.isPresent() && storedVersion.get().equals(version)) {
            // The stored item is this write: an earlier attempt (SDK retry, failover) applied it and lost the answer.
            log.debug("LWW write to {} had already been applied by an earlier attempt: stamp {}", table,
                    HybridLogicalClock.toString(version.stamp()));
            return LwwResult.applied(version.stamp(), Map.of());
        }
        if (storedVersion.isEmpty() || !storedVersion.get().blocks(version, bound)) {
            // The LWW guard held, so the request's own condition failed: that is the caller's answer.
            throw e;
        }
        observe(stored);
        listener.superseded(table);
        log.debug("LWW write to {} superseded: version {} < stored {}", table, version, storedVersion.get());
        return LwwResult.superseded(version.stamp(), stored);
    }

    private void observe(Map<String, AttributeValue> item) {
        Optional<Long> stamp = stampOf(item);
        if (stamp.isEmpty()) {
            return;
        }
        try {
            clock.observe(stamp.get());
        } catch (ClockDriftException e) {
            // A stamp beyond the clock's drift guard must not poison the clock, and must not make the item unreadable.
            log.warn("Ignored item stamp: {}", e.getMessage());
        }
    }

    private String stampedUpdate(String expression) {
        String set = STAMP_NAME + " = " + STAMP_VALUE + ", " + REGION_NAME + " = " + REGION_VALUE + ", " + NODE_NAME
                + " = " + NODE_VALUE;
        if (expression == null || expression.isBlank()) {
            return "SET " + set + " REMOVE " + DELETED_NAME;
        }
        String result = expression;
        Matcher setMatch = SET_CLAUSE.matcher(result);
        result = setMatch.find()
                ? result.substring(0, setMatch.end()) + " " + set + "," + result.substring(setMatch.end())
                : "SET " + set + " " + result;
        Matcher removeMatch = REMOVE_CLAUSE.matcher(result);
        return removeMatch.find()
                ? result.substring(0, removeMatch.end()) + " " + DELETED_NAME + "," + result.substring(removeMatch.end())
                : result + " REMOVE " + DELETED_NAME;
    }

    private Map<String, String> names(Map<String, String> userNames, boolean withDeleted) {
        Map<String, String> names = new HashMap<>(userNames);
        putOwn(names, STAMP_NAME, stampAttribute, "ExpressionAttributeNames");
        putOwn(names, REGION_NAME, regionAttribute, "ExpressionAttributeNames");
        putOwn(names, NODE_NAME, nodeAttribute, "ExpressionAttributeNames");
        if (withDeleted) {
            putOwn(names, DELETED_NAME, tombstoneAttribute, "ExpressionAttributeNames");
        }
        return names;
    }

    private Map<String, AttributeValue> values(Map<String, AttributeValue> userValues, LwwVersion version,
            long bound) {
        Map<String, AttributeValue> values = new HashMap<>(userValues);
        putOwn(values, STAMP_VALUE, number(version.stamp()), "ExpressionAttributeValues");
        putOwn(values, REGION_VALUE, AttributeValue.fromS(region), "ExpressionAttributeValues");
        putOwn(values, NODE_VALUE, AttributeValue.fromS(version.node()), "ExpressionAttributeValues");
        putOwn(values, BOUND_VALUE, number(bound), "ExpressionAttributeValues");
        return values;
    }

    private static <V> void putOwn(Map<String, V> map, String placeholder, V value, String what) {
        if (map.putIfAbsent(placeholder, value) != null) {
            throw SettingRules.invalid(what + " of the request", "must not use " + placeholder
                    + " (reserved by LwwWrites)", SettingRules.quoted(placeholder), "give your placeholder another name");
        }
    }

    private static String and(String userCondition, String guard) {
        return userCondition == null || userCondition.isBlank() ? guard : "(" + userCondition + ") AND " + guard;
    }

    private static AttributeValue number(long n) {
        return AttributeValue.fromN(Long.toString(n));
    }

    /** Builder for {@link LwwWrites}; validates each setting as it is given. */
    public static final class Builder {
        private @Nullable DynamoDbClient client;
        private @Nullable HybridLogicalClock clock;
        private @Nullable String region;
        private String stampAttribute = "_mr_stamp";
        private String regionAttribute = "_mr_region";
        private String nodeAttribute = "_mr_node";
        private String tombstoneAttribute = "_mr_deleted";
        private @Nullable String tombstoneTtlAttribute;
        private @Nullable Duration tombstoneTtl;
        private InstantSource wallClock = InstantSource.system();
        /** A MeterRegistry, typed Object so that building without one never touches Micrometer (optional). */
        private @Nullable Object meterRegistry;

        private Builder() {
        }

        /** The client writes go through (required): any {@link DynamoDbClient}, usually the multi-region one. */
        public Builder client(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * The clock stamping writes (required); share one per process, e.g. {@code MultiRegion.clock()}. Its node id
         * and drift guard (on by default, {@link HybridLogicalClock#DEFAULT_MAX_DRIFT}) apply to the writes.
         */
        public Builder clock(HybridLogicalClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** This process's region (required): written to {@code _mr_region}, breaks ties between equal stamps. */
        public Builder region(String region) {
            this.region = SettingRules.notBlank(region, "LwwWrites.region", "pass this process's region, e.g. eu-west-1");
            return this;
        }

        /** This process's region (required). */
        public Builder region(Region region) {
            return region(Objects.requireNonNull(region, "region").id());
        }

        /** Name of the stamp attribute (N), default {@code _mr_stamp}. */
        public Builder stampAttribute(String name) {
            this.stampAttribute = attributeName("stampAttribute", name);
            return this;
        }

        /** Name of the writer-region attribute (S), default {@code _mr_region}. */
        public Builder regionAttribute(String name) {
            this.regionAttribute = attributeName("regionAttribute", name);
            return this;
        }

        /** Name of the writer-node attribute (S, the clock's node id), default {@code _mr_node}. */
        public Builder nodeAttribute(String name) {
            this.nodeAttribute = attributeName("nodeAttribute", name);
            return this;
        }

        /** Name of the tombstone flag (BOOL), default {@code _mr_deleted}. */
        public Builder tombstoneAttribute(String name) {
            this.tombstoneAttribute = attributeName("tombstoneAttribute", name);
            return this;
        }

        /** Writes {@code attribute} = now + {@code ttl} (epoch seconds) on tombstones, for the table's TTL. */
        public Builder tombstoneTtl(String attribute, Duration ttl) {
            this.tombstoneTtlAttribute = attributeName("tombstoneTtl attribute", attribute);
            this.tombstoneTtl = SettingRules.positive(ttl, "LwwWrites.tombstoneTtl",
                    "pass how long the table keeps a tombstone, e.g. 7 days");
            return this;
        }

        /** Wall clock for tombstone TTLs (default the system clock). */
        public Builder wallClock(InstantSource wallClock) {
            this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
            return this;
        }

        /** Counts superseded writes as {@code meridian.lww.superseded} (tags {@code region}, {@code table}). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Builds it.
         *
         * @throws IllegalArgumentException when client, clock or region is missing, or two of the attributes
         *         LwwWrites writes have the same name
         */
        public LwwWrites build() {
            // IllegalArgumentExceptions, as documented, not the NullPointerException of a null argument.
            SettingRules.check(client != null, "LwwWrites.client", "is required", null,
                    "pass the DynamoDB client of this process's region");
            SettingRules.check(clock != null, "LwwWrites.clock", "is required", null,
                    "pass the process's clock, e.g. MultiRegion.clock()");
            SettingRules.check(region != null, "LwwWrites.region", "is required", null,
                    "pass this process's region, e.g. eu-west-1");
            Map<String, String> settingByAttribute = new HashMap<>();
            distinct(settingByAttribute, "stampAttribute", stampAttribute);
            distinct(settingByAttribute, "regionAttribute", regionAttribute);
            distinct(settingByAttribute, "nodeAttribute", nodeAttribute);
            distinct(settingByAttribute, "tombstoneAttribute", tombstoneAttribute);
            if (tombstoneTtlAttribute != null) {
                distinct(settingByAttribute, "tombstoneTtl attribute", tombstoneTtlAttribute);
            }
            return new LwwWrites(this);
        }

        private static void distinct(Map<String, String> settingByAttribute, String setting, String attribute) {
            String other = settingByAttribute.putIfAbsent(attribute, setting);
            SettingRules.check(other == null, "LwwWrites." + setting, "must name another attribute than LwwWrites."
                    + other, SettingRules.quoted(attribute), "give each attribute LwwWrites writes its own name");
        }

        private static String attributeName(String setting, String name) {
            return SettingRules.notBlank(name, "LwwWrites." + setting, "pass an attribute name, or leave it unset for the"
                    + " default");
        }
    }
}
