package dev.meridian.dynamodb.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.internal.SettingRules;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The control table's schema and its reads and writes in one region: region items {@code pk = "region#<id>"} with
 * {@code state} (S: ON | OFF), optional {@code weight} (N 0..100), {@code updatedAt} (S, ISO-8601), {@code updatedBy}
 * (S) and {@code version} (N, incremented by every writer under a condition on it), and flag items
 * {@code pk = "flag#<name>"} under the same version rule. Shared by the source, the mirror and operator tools (the
 * CLI), so that every writer keeps the schema and the version rule. Thread-safe when the client is.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ControlTable {
    /** The default table name. */
    public static final String DEFAULT_TABLE_NAME = "meridian-control";
    /** The partition key attribute (S); the table has no sort key. */
    public static final String PK = "pk";
    private static final String REGION_PREFIX = "region#";
    private static final String FLAG_PREFIX = "flag#";
    static final String STATE = "state";
    static final String WEIGHT = "weight";
    static final String UPDATED_AT = "updatedAt";
    static final String UPDATED_BY = "updatedBy";
    static final String VERSION = "version";

    private final String tableName;

    public ControlTable(String tableName) {
        this.tableName = SettingRules.notBlank(tableName, "meridian.control.table-name", "name the control table, e.g. "
                + DEFAULT_TABLE_NAME);
    }

    public String tableName() {
        return tableName;
    }

    /** The key of a region's item: {@code region#<id>}. */
    public static String regionKey(Region region) {
        return REGION_PREFIX + region.id();
    }

    /** The key of a flag's item: {@code flag#<name>}. */
    public static String flagKey(String name) {
        return FLAG_PREFIX + name;
    }

    /** The key of a region's mirror lease: {@code lease#mirror#<id>}. */
    public static String mirrorLeaseKey(Region region) {
        return "lease#mirror#" + region.id();
    }

    /**
     * The region items of {@code regions}, read with one consistent {@code BatchGetItem} through {@code client}.
     * Regions without an item are left out (no control: ON).
     *
     * @throws IllegalStateException when an item breaks the schema (the caller fails static rather than guess)
     * @throws software.amazon.awssdk.core.exception.SdkException when the region cannot answer, or leaves keys
     *         unprocessed
     */
    public RegionControlState read(DynamoDbClient client, List<Region> regions) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (Region r : regions) {
            keys.add(Map.of(PK, AttributeValue.fromS(regionKey(r))));
        }
        BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(Map.of(tableName,
                KeysAndAttributes.builder().keys(keys).consistentRead(true).build())));
        if (response.hasUnprocessedKeys() && !response.unprocessedKeys().isEmpty()) {
            throw new IllegalStateException("Control table " + tableName + " left keys unprocessed (throttled)");
        }
        Map<String, Map<String, AttributeValue>> byKey = new HashMap<>();
        for (Map<String, AttributeValue> item : response.responses().getOrDefault(tableName, List.of())) {
            AttributeValue pk = item.get(PK);
            if (pk != null && pk.s() != null) {
                byKey.put(pk.s(), item);
            }
        }
        Map<Region, RegionControlEntry> entries = new LinkedHashMap<>();
        for (Region r : regions) {
            Map<String, AttributeValue> item = byKey.get(regionKey(r));
            if (item != null) {
                entries.put(r, entry(item));
            }
        }
        return RegionControlState.of(entries);
    }

    /** A region item as an entry. */
    static RegionControlEntry entry(Map<String, AttributeValue> item) {
        String pk = string(item, PK);
        String state = string(item, STATE);
        if (state == null) {
            throw new IllegalStateException("Control item " + pk + " has no " + STATE + " (S: ON | OFF)");
        }
        ControlState parsed;
        Integer weight = null;
        Instant updatedAt = null;
        try {
            parsed = ControlState.parse(state, "control item " + pk + " " + STATE);
            AttributeValue w = item.get(WEIGHT);
            if (w != null && w.n() != null) {
                weight = Integer.valueOf(w.n());
            }
            String at = string(item, UPDATED_AT);
            updatedAt = at == null ? null : Instant.parse(at);
            return RegionControlEntry.of(parsed, weight, updatedAt, string(item, UPDATED_BY), version(item));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalStateException("Control item " + pk + " breaks the schema: " + e.getMessage(), e);
        }
    }

    /**
     * Every region item the table holds in {@code client}'s region, by region, read with a consistent scan (operator
     * tools: the regions someone wrote, whatever the fleet's configuration).
     *
     * @throws IllegalStateException when an item breaks the schema
     */
    public Map<Region, RegionControlEntry> readAll(DynamoDbClient client) {
        ScanRequest scan = ScanRequest.builder().tableName(tableName).consistentRead(true)
                .filterExpression("begins_with(#pk, :prefix)").expressionAttributeNames(Map.of("#pk", PK))
                .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(REGION_PREFIX))).build();
        Map<Region, RegionControlEntry> entries = new LinkedHashMap<>();
        client.scanPaginator(scan).items().forEach(item -> entries.put(
                Region.of(Objects.requireNonNull(string(item, PK)).substring(REGION_PREFIX.length())), entry(item)));
        return entries;
    }

    /**
     * Writes a region's item as version {@code expectedVersion + 1}, only if its version is still
     * {@code expectedVersion} (0: the item must not exist yet).
     *
     * @return the written entry
     * @throws ConditionalCheckFailedException when another writer changed the item first: read again and decide again
     */
    public RegionControlEntry write(DynamoDbClient client, Region region, ControlState state, @Nullable Integer weight,
            String updatedBy, long expectedVersion, Instant now) {
        RegionWrite change = new RegionWrite(region, state, weight, expectedVersion);
        Map<String, AttributeValue> item = change.item(updatedBy, now);
        try {
            client.putItem(p -> p.tableName(tableName).item(item)
                    .conditionExpression(versionCondition(expectedVersion))
                    .expressionAttributeNames(versionNames(expectedVersion))
                    .expressionAttributeValues(versionValues(expectedVersion))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            // An SDK retry of a put whose first attempt was applied (its answer lost or late) finds its own item: the
            // write happened once, and reporting "changed by another writer" would be false.
            if (e.hasItem() && item.equals(e.item())) {
                return change.entry(updatedBy, now);
            }
            throw e;
        }
        return change.entry(updatedBy, now);
    }

    /**
     * Writes several region items at once, all or nothing: one {@code TransactWriteItems}, each item conditioned on
     * the version it was read at (as {@link #write}), and every other item the change was judged on checked at the
     * version it was read at ({@code ConditionCheck}). A change judged as a whole (a drain checked against the safety
     * rule, a weights change adding up to 100) is never left half-applied, and never applied over a state it was not
     * judged on: two operators draining the two ON regions of a jurisdiction at once cannot both succeed. The AWS SDK
     * gives the transaction a client request token, so its own retries of an applied transaction are not applied twice.
     *
     * @param changes  the items to write
     * @param judgedOn the version (0: no item) of each other region item the change was judged on, e.g. every region
     *                 the safety rule looked at; regions also in {@code changes} are conditioned there
     * @return the written entries, by region
     * @throws ConditionalCheckFailedException when another writer changed any of these items first (the transaction
     *         was cancelled: nothing was written): read again and decide again
     * @throws TransactionCanceledException when the transaction was cancelled for another reason (nothing written)
     */
    public Map<Region, RegionControlEntry> writeAll(DynamoDbClient client, List<RegionWrite> changes,
            Map<Region, Long> judgedOn, String updatedBy, Instant now) {
        if (changes.isEmpty()) {
            return Map.of();
        }
        List<TransactWriteItem> items = new ArrayList<>();
        Map<Region, RegionControlEntry> written = new LinkedHashMap<>();
        for (RegionWrite change : changes) {
            items.add(TransactWriteItem.builder().put(conditionalPut(change.item(updatedBy, now),
                    change.expectedVersion())).build());
            written.put(change.region(), change.entry(updatedBy, now));
        }
        judgedOn.forEach((region, version) -> {
            if (!written.containsKey(region)) {
                items.add(TransactWriteItem.builder().conditionCheck(c -> c.tableName(tableName)
                        .key(Map.of(PK, AttributeValue.fromS(regionKey(region))))
                        .conditionExpression(versionCondition(version))
                        .expressionAttributeNames(versionNames(version))
                        .expressionAttributeValues(versionValues(version))).build());
            }
        });
        transact(client, items);
        return written;
    }

    /** A flag's item, read consistently; empty when the table holds no such flag. */
    public Optional<Map<String, AttributeValue>> readFlag(DynamoDbClient client, String name) {
        var response = client.getItem(g -> g.tableName(tableName).consistentRead(true)
                .key(Map.of(PK, AttributeValue.fromS(flagKey(name)))));
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(response.item()) : Optional.empty();
    }

    /**
     * Writes a flag's item ({@code attributes}: its settings, e.g. {@code enabled}, {@code regions},
     * {@code rolloutPercent}; the key and the stamps are added) as version {@code expectedVersion + 1}, only if its
     * version is still {@code expectedVersion} (0: the flag must not exist yet).
     *
     * @throws ConditionalCheckFailedException when another writer changed the flag first
     */
    public void writeFlag(DynamoDbClient client, String name, Map<String, AttributeValue> attributes,
            long expectedVersion, String updatedBy, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(attributes);
        item.put(PK, AttributeValue.fromS(flagKey(name)));
        stamp(item, updatedBy, now, expectedVersion + 1);
        transact(client, List.of(TransactWriteItem.builder().put(conditionalPut(item, expectedVersion)).build()));
    }

    /** The stored {@code version} of an item (0 without one). */
    public static long version(Map<String, AttributeValue> item) {
        AttributeValue v = item.get(VERSION);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    /**
     * One region item to write: its new state and weight, and the version it was read at (0: it had no item).
     *
     * @param region          the region
     * @param state           ON or OFF
     * @param weight          0..100, or null for none
     * @param expectedVersion the item's version when it was read; the write is conditioned on it
     */
    public record RegionWrite(Region region, ControlState state, @Nullable Integer weight, long expectedVersion) {
        /** Checks the values. */
        public RegionWrite {
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(state, "state");
            if (expectedVersion < 0) {
                throw new IllegalArgumentException("expectedVersion must be >= 0, was " + expectedVersion);
            }
        }

        Map<String, AttributeValue> item(String updatedBy, Instant now) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(PK, AttributeValue.fromS(regionKey(region)));
            item.put(STATE, AttributeValue.fromS(state.name()));
            if (weight != null) {
                item.put(WEIGHT, AttributeValue.fromN(Integer.toString(weight)));
            }
            stamp(item, updatedBy, now, expectedVersion + 1);
            return item;
        }

        RegionControlEntry entry(String updatedBy, Instant now) {
            return RegionControlEntry.of(state, weight, now, updatedBy, expectedVersion + 1);
        }
    }

    private static void stamp(Map<String, AttributeValue> item, String updatedBy, Instant now, long version) {
        item.put(UPDATED_AT, AttributeValue.fromS(now.toString()));
        item.put(UPDATED_BY, AttributeValue.fromS(Objects.requireNonNull(updatedBy, "updatedBy")));
        item.put(VERSION, AttributeValue.fromN(Long.toString(version)));
    }

    private Put conditionalPut(Map<String, AttributeValue> item, long expectedVersion) {
        return Put.builder().tableName(tableName).item(item).conditionExpression(versionCondition(expectedVersion))
                .expressionAttributeNames(versionNames(expectedVersion))
                .expressionAttributeValues(versionValues(expectedVersion)).build();
    }

    /** Runs a transaction; a cancellation because a condition failed is the same conflict as {@link #write}'s. */
    private void transact(DynamoDbClient client, List<TransactWriteItem> items) {
        try {
            client.transactWriteItems(t -> t.transactItems(items));
        } catch (TransactionCanceledException e) {
            if (e.hasCancellationReasons() && e.cancellationReasons().stream().map(CancellationReason::code)
                    .anyMatch("ConditionalCheckFailed"::equals)) {
                throw (ConditionalCheckFailedException) ConditionalCheckFailedException.builder()
                        .message("Control table " + tableName + ": an item changed since it was read (its version "
                                + "moved); nothing was written")
                        .cause(e).build();
            }
            throw e;
        }
    }

    private static String versionCondition(long expectedVersion) {
        return expectedVersion == 0 ? "attribute_not_exists(#pk)" : "#v = :expected";
    }

    private static Map<String, String> versionNames(long expectedVersion) {
        return expectedVersion == 0 ? Map.of("#pk", PK) : Map.of("#v", VERSION);
    }

    private static @Nullable Map<String, AttributeValue> versionValues(long expectedVersion) {
        return expectedVersion == 0 ? null
                : Map.of(":expected", AttributeValue.fromN(Long.toString(expectedVersion)));
    }

    /**
     * Takes or renews the mirror lease of {@code region} for {@code owner} until {@code expiresAt}: succeeds when the
     * lease is free, expired at {@code now}, or already {@code owner}'s.
     *
     * @return whether {@code owner} holds the lease now
     */
    public boolean acquireLease(DynamoDbClient client, Region region, String owner, Instant now, Instant expiresAt) {
        Objects.requireNonNull(owner, "owner");
        try {
            client.updateItem(u -> u.tableName(tableName)
                    .key(Map.of(PK, AttributeValue.fromS(mirrorLeaseKey(region))))
                    .updateExpression("SET #o = :owner, #e = :expires ADD #v :one")
                    .conditionExpression("attribute_not_exists(#pk) OR #o = :owner OR #e < :now")
                    .expressionAttributeNames(Map.of("#pk", PK, "#o", "owner", "#e", "expiresAt", "#v", VERSION))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner),
                            ":expires", AttributeValue.fromN(Long.toString(expiresAt.toEpochMilli())),
                            ":now", AttributeValue.fromN(Long.toString(now.toEpochMilli())),
                            ":one", AttributeValue.fromN("1"))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static @Nullable String string(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }
}
