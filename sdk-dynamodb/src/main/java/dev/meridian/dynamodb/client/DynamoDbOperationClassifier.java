package dev.meridian.dynamodb.client;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.OperationClassifier;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.client.TableCatalog.Described;
import java.lang.reflect.Method;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * Describes DynamoDB client calls as sdk-core {@link Operation}s.
 *
 * <ul>
 *   <li>Kind: {@code GetItem}, {@code BatchGetItem}, {@code Query}, {@code Scan}, {@code TransactGetItems},
 *       {@code Describe*}, {@code List*} and PartiQL {@code SELECT}s are {@link OperationKind#READ}; every other
 *       call is a {@link OperationKind#WRITE}, promoted to {@link OperationKind#IDEMPOTENT_WRITE} only when its
 *       condition is false once the write has been applied ({@link WriteGuard}: {@code attribute_not_exists} on a
 *       put, a version or LWW stamp check the write advances, {@code attribute_exists} on a delete). Such a repeat
 *       fails its check instead of applying twice, which is what lets it move to another region. A client request
 *       token (deduplicated within one region only), a legacy {@code Expected} map, a condition the written item may
 *       still satisfy and a context's idempotency key do not count.</li>
 *   <li>Resource: the table name of the first item. Routing key: {@code <table>#<partition key value>} of the first
 *       homed item (see below), else of the first item.</li>
 *   <li>Strategy: a call that writes an item of a {@link WriteMode#WRITE_HOME_BY_KEY} table (or reads one strongly
 *       consistently, when {@link TableConfig#consistentReadsAtHome()}) carries {@code RoutingStrategy.homeByKey()},
 *       whichever of a batch's or transaction's items it is.</li>
 *   <li>Hedging: a read with {@code ConsistentRead=true} ({@code GetItem}, {@code Query}, {@code Scan}, a
 *       consistent {@code BatchGetItem} or PartiQL {@code SELECT}) and a transactional read ({@code TransactGetItems},
 *       a PartiQL {@code ExecuteTransaction} of {@code SELECT}s) are {@linkplain Operation#unhedged() never hedged}:
 *       another region's answer is only eventually consistent, and global tables replicate item by item, not by
 *       transaction. Such a read still fails over when its attempt fails.</li>
 * </ul>
 *
 * <p>Thread-safe and allocation-light; it never performs I/O itself. Used standalone with
 * {@code MultiRegion.wrap}, it knows the partition key only from {@link TableConfig} (or a key map of a single
 * attribute); {@link MultiRegionDynamoDb} also feeds it key schemas read from {@code DescribeTable}.
 */
@API(status = STABLE, since = "0.1")
public final class DynamoDbOperationClassifier implements OperationClassifier {
    static final RoutingStrategy HOME_BY_KEY = RoutingStrategy.homeByKey();

    /**
     * What classifying a one-item call on each configured table needs, made once and found with one lookup: most calls
     * touch one item of one of them.
     */
    private final Map<String, Single> singles;
    /** Where partition keys not configured come from (see {@link #partitionKey}). */
    private final TableCatalog catalog;
    private final Function<String, Described> describe;

    /**
     * A classifier of {@code tables} whose partition key names {@code catalog} answers with {@code describe}: a
     * configured table's own key when it has one (a one-item call then reads that one without asking), else e.g. a
     * described one.
     */
    DynamoDbOperationClassifier(Map<String, TableConfig> tables, TableCatalog catalog,
            Function<String, Described> describe) {
        // A loop, not a forEach lambda: every routed client builds a classifier at start-up.
        Map<String, Single> singleValues = new HashMap<>();
        for (Map.Entry<String, TableConfig> e : tables.entrySet()) {
            singleValues.put(e.getKey(),
                    new Single(Set.of(e.getKey()), Optional.of(e.getValue()), e.getValue().partitionKey()));
        }
        this.singles = Map.copyOf(singleValues);
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.describe = Objects.requireNonNull(describe, "describe");
    }

    /** A classifier that knows these tables; tables not listed are multi-active with an unknown key schema. */
    public static DynamoDbOperationClassifier of(Collection<TableConfig> tables) {
        Map<String, TableConfig> byName = new LinkedHashMap<>();
        for (TableConfig t : tables) {
            byName.put(t.tableName(), t);
        }
        // Configured keys only: the cache-only describe function of a catalog that never describes answers none.
        return new DynamoDbOperationClassifier(byName, new TableCatalog(byName, Set.of()), TableCatalog.cacheOnly());
    }

    /** Classifies a {@code DynamoDbClient}/{@code DynamoDbAsyncClient} method call; {@code null} for non-calls. */
    @Override
    public @Nullable Operation classify(Method method, Object @Nullable [] args) {
        if (args == null || args.length != 1 || !(args[0] instanceof DynamoDbRequest)) {
            return null;
        }
        return classify(method.getName(), (DynamoDbRequest) args[0], RoutingContext.current()).operation();
    }

    /**
     * Classifies a call. A {@code GetItem} of a configured table (the most frequent call) is classified off the request
     * itself, with no {@link RequestShape}; every other call is shaped ({@link ShapedClassification}).
     */
    Classification classify(String methodName, DynamoDbRequest request, RoutingContext ctx) {
        GetItemRequest get = getItem(methodName, request);
        Single known = get == null ? null : configured(get);
        if (get != null && known != null) {
            // A configured key is what partitionKey answers first: asked here, no second lookup.
            String value = partitionValue(get, known.partitionKey().isPresent() ? known.partitionKey()
                    : partitionKey(get.tableName()));
            return new Classification(getItemOperation(get, known, value), known.tables(), get.tableName(), value);
        }
        return ShapedClassification.classify(this, RequestShape.of(methodName, request), ctx);
    }

    /**
     * The operation of a {@code GetItem} of a configured table whose partition key is configured, or null for any
     * other call. Issue 19, item 5: a routed read that needs nothing but its operation (no footprint to check, no
     * read-your-writes marks; see {@code DynamoDbRequestModel.classify}) is classified by this alone, so that it makes
     * no {@link Classification} and no {@link RequestShape} — objects whose elimination by escape analysis depended on
     * which helper C2 happened to compile on its own first (a fork that compiled this classifier separately kept
     * them: 40 B per call each). The operation itself is routed, so it exists anyway.
     */
    @Nullable Operation readOperation(String methodName, DynamoDbRequest request) {
        GetItemRequest get = getItem(methodName, request);
        if (get == null) {
            return null;
        }
        Single known = keyed(get);
        if (known == null) {
            return null;
        }
        return getItemOperation(get, known, partitionValue(get, known.partitionKey()));
    }

    /**
     * Whether {@link #readOperation} classifies this call (a {@code GetItem} of a configured table whose partition key
     * is configured): nothing about it needs describing first, and it is not shaped to find that out.
     */
    boolean readsAlone(String methodName, DynamoDbRequest request) {
        GetItemRequest get = getItem(methodName, request);
        return get != null && keyed(get) != null;
    }

    /** The cached view of a {@code GetItem}'s table when it is a configured one with a configured key, else null. */
    private @Nullable Single keyed(GetItemRequest get) {
        Single known = configured(get);
        return known == null || known.partitionKey().isEmpty() ? null : known;
    }

    private static @Nullable GetItemRequest getItem(String methodName, DynamoDbRequest request) {
        return request instanceof GetItemRequest get && RequestShape.GET_ITEM_METHOD.equals(methodName) ? get : null;
    }

    /** The cached view of a {@code GetItem}'s table when it is a configured one, else null. */
    private @Nullable Single configured(GetItemRequest get) {
        String table = get.tableName();
        return table == null ? null : singles.get(table);
    }

    private static @Nullable String partitionValue(GetItemRequest get, Optional<String> partitionKey) {
        Map<String, AttributeValue> key = get.key();
        return keyValue(key == null ? Map.of() : key, partitionKey);
    }

    /**
     * The partition key value of a key or item map, or null when it does not name one. Without a known key attribute
     * name, a map of exactly one attribute still identifies it (a table with a partition key only). Here, not in
     * {@link ItemRef}, which classifying a {@code GetItem} of a configured table then does not load.
     */
    static @Nullable String keyValue(Map<String, AttributeValue> key, Optional<String> partitionKeyName) {
        if (partitionKeyName.isEmpty()) {
            return key.size() == 1 ? render(key.values().iterator().next()) : null;
        }
        return render(key.get(partitionKeyName.get()));
    }

    /**
     * A key value as routing keys hold it: strings and numbers as written, binary as Base64; null for other types.
     */
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

    /** As {@link ShapedClassification} makes it for a {@code GetItem}: a consistent one is never hedged. */
    private static Operation getItemOperation(GetItemRequest get, Single known, @Nullable String value) {
        boolean consistent = Boolean.TRUE.equals(get.consistentRead());
        return singleItemOperation(RequestShape.GET_ITEM, OperationKind.READ, get.tableName(), value,
                value != null && homesByKey(true, consistent, known.settings()), consistent);
    }

    /** The operation of a call on one item of {@code table}, routed by its partition value when it has one. */
    static Operation singleItemOperation(String name, OperationKind kind, String table, @Nullable String value,
            boolean homesByKey, boolean unhedged) {
        Operation.Builder op = Operation.builder(name, kind).resource(table);
        if (unhedged) {
            op.unhedged();
        }
        if (value != null) {
            // Joined only if a strategy reads it (home-by-key): the default local-first order never does.
            op.routingKey(table, value);
            if (homesByKey) {
                op.strategy(HOME_BY_KEY);
            }
        }
        return op.build();
    }

    /**
     * Whether a call's items of a table with {@code settings} are homed by key: writes of a
     * {@link WriteMode#WRITE_HOME_BY_KEY} table, and its strongly consistent reads when
     * {@link TableConfig#consistentReadsAtHome()}; for a call that reads (or not), consistently (or not).
     */
    static boolean homesByKey(boolean read, boolean consistentRead, Optional<TableConfig> settings) {
        if (settings.isEmpty() || settings.get().writeMode() != WriteMode.WRITE_HOME_BY_KEY) {
            return false;
        }
        return !read || consistentRead && settings.get().consistentReadsAtHome();
    }

    /** The settings of {@code table}, when configured: its {@link Single}'s, made once (asked for every key). */
    Optional<TableConfig> settings(String table) {
        Single single = singles.get(table);
        return single == null ? Optional.empty() : single.settings();
    }

    /** The cached view of configured {@code table}, or null. */
    @Nullable Single single(String table) {
        return singles.get(table);
    }

    /** The partition key name of {@code table}: configured, else described (through the catalog's cache). */
    Optional<String> partitionKey(String table) {
        return catalog.partitionKey(table, describe);
    }

    /** A configured table as a one-item call sees it: its one-table set, its settings and its configured key. */
    static final class Single {
        private final Set<String> tables;
        private final Optional<TableConfig> settings;
        private final Optional<String> partitionKey;

        // A class, not a record: a record's bootstrap entries (toString, equals, hashCode) nothing here asks for.
        Single(Set<String> tables, Optional<TableConfig> settings, Optional<String> partitionKey) {
            this.tables = tables;
            this.settings = settings;
            this.partitionKey = partitionKey;
        }

        Set<String> tables() {
            return tables;
        }

        Optional<TableConfig> settings() {
            return settings;
        }

        Optional<String> partitionKey() {
            return partitionKey;
        }
    }

    /** One (table, partition key value) pair a call touches. */
    record TableKey(String table, String partitionValue) {
        /** The routing key {@code <table>#<partition key value>}, as {@code Operation.Builder.routingKey} joins it. */
        String routingKey() {
            return table + '#' + partitionValue;
        }
    }

    /**
     * The operation plus what the client needs beyond routing: the tables and keys touched, and the shape of a call
     * with several keys or none. A call with one key holds only its table and partition value: no shape, no key object
     * and no list, three objects less on most calls; {@link #keys()} makes the key and list when asked
     * (read-your-writes).
     */
    static final class Classification {
        private final Operation operation;
        /** The request's shape when the call has several keys or none, else null (nothing reads it then). */
        private final @Nullable RequestShape shape;
        private final Set<String> tables;
        /** The table and the partition value of a single-key call's one item, else null. */
        private final @Nullable String singleTable;
        private final @Nullable String singleValue;
        private final @Nullable List<TableKey> keys;

        Classification(Operation operation, RequestShape shape, Set<String> tables, List<TableKey> keys) {
            this.operation = operation;
            this.shape = shape;
            this.tables = tables;
            this.singleTable = null;
            this.singleValue = null;
            this.keys = keys;
        }

        /**
         * A call with one item, of {@code table}, and of partition key value {@code singleValue}; no key when that is
         * null (the item does not name its partition key).
         */
        Classification(Operation operation, Set<String> tables, String table, @Nullable String singleValue) {
            this.operation = operation;
            this.shape = null;
            this.tables = tables;
            this.singleTable = singleValue == null ? null : table;
            this.singleValue = singleValue;
            this.keys = singleValue == null ? List.of() : null;
        }

        Operation operation() {
            return operation;
        }

        /** The shape of a call with several keys or none: the only calls whose routing reads it (one home). */
        RequestShape shape() {
            return Objects.requireNonNull(shape, "a single-key call's classification holds no shape");
        }

        /**
         * Whether a PartiQL statement of the call names a table its shape could not read; never for a single-key call,
         * whose one table was read.
         */
        boolean unreadTable() {
            return shape != null && shape.unreadTable();
        }

        /** Whether the call reads: its operation is a READ exactly when its shape reads (a single-key call keeps none). */
        boolean read() {
            return operation.kind() == OperationKind.READ;
        }

        Set<String> tables() {
            return tables;
        }

        List<TableKey> keys() {
            return singleTable != null && singleValue != null ? List.of(new TableKey(singleTable, singleValue))
                    : Objects.requireNonNull(keys, "keys");
        }

        /** How many keys: {@link #keys()}'s size without a list. */
        int keyCount() {
            return singleValue != null ? 1 : Objects.requireNonNull(keys, "keys").size();
        }
    }
}
