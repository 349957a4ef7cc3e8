package dev.meridian.dynamodb.client;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.OperationClassifier;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;

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
 * </ul>
 *
 * <p>Thread-safe and allocation-light; it never performs I/O itself. Used standalone with
 * {@code MultiRegion.wrap}, it knows the partition key only from {@link TableConfig} (or a key map of a single
 * attribute); {@link MultiRegionDynamoDb} also feeds it key schemas read from {@code DescribeTable}.
 */
@API(status = STABLE, since = "0.1")
public final class DynamoDbOperationClassifier implements OperationClassifier {
    private static final RoutingStrategy HOME_BY_KEY = RoutingStrategy.homeByKey();

    private final Map<String, TableConfig> tables;
    /** {@link #settings(String)}'s answers, made once: it is asked for every key of every call. */
    private final Map<String, Optional<TableConfig>> settingsValues;
    /**
     * What classifying a one-item call on each configured table needs, made once and found with one lookup: most calls
     * touch one item of one of them.
     */
    private final Map<String, Single> singles;
    private final Function<String, Optional<String>> partitionKeys;

    /**
     * A classifier of {@code tables} whose partition key names {@code partitionKeys} answers: a configured table's own
     * key when it has one (a one-item call then reads that one without asking), else e.g. a described one.
     */
    DynamoDbOperationClassifier(Map<String, TableConfig> tables, Function<String, Optional<String>> partitionKeys) {
        this.tables = Map.copyOf(tables);
        // One loop, not two forEach lambdas: every routed client builds a classifier at start-up.
        Map<String, Optional<TableConfig>> values = new HashMap<>();
        Map<String, Single> singleValues = new HashMap<>();
        for (Map.Entry<String, TableConfig> e : this.tables.entrySet()) {
            Optional<TableConfig> settings = Optional.of(e.getValue());
            values.put(e.getKey(), settings);
            singleValues.put(e.getKey(), new Single(Set.of(e.getKey()), settings, e.getValue().partitionKey()));
        }
        this.settingsValues = Map.copyOf(values);
        this.singles = Map.copyOf(singleValues);
        this.partitionKeys = Objects.requireNonNull(partitionKeys, "partitionKeys");
    }

    /** A classifier that knows these tables; tables not listed are multi-active with an unknown key schema. */
    public static DynamoDbOperationClassifier of(Collection<TableConfig> tables) {
        Map<String, TableConfig> byName = new LinkedHashMap<>();
        for (TableConfig t : tables) {
            byName.put(t.tableName(), t);
        }
        return new DynamoDbOperationClassifier(byName,
                table -> Optional.ofNullable(byName.get(table)).flatMap(TableConfig::partitionKey));
    }

    /** Classifies a {@code DynamoDbClient}/{@code DynamoDbAsyncClient} method call; {@code null} for non-calls. */
    @Override
    public @Nullable Operation classify(Method method, Object @Nullable [] args) {
        if (args == null || args.length != 1 || !(args[0] instanceof DynamoDbRequest)) {
            return null;
        }
        return classify(method.getName(), (DynamoDbRequest) args[0], RoutingContext.current()).operation();
    }

    Classification classify(String methodName, DynamoDbRequest request, RoutingContext ctx) {
        RequestShape shape = RequestShape.of(methodName, request);
        int count = shape.itemCount();
        Set<String> touched;
        String singleTable = null;
        String singleValue = null;
        Optional<TableConfig> singleSettings = Optional.empty();
        List<TableKey> keys = null;
        // Most calls touch one item: a cached one-table set, no key object and no key list allocate the least on this
        // per-call path.
        if (count == 1) {
            singleTable = shape.table(0);
            Single known = singles.get(singleTable);
            Optional<String> partitionKey;
            if (known != null) {
                touched = known.tables();
                singleSettings = known.settings();
                // A configured key is what partitionKeys answers first: asked here, no second lookup.
                partitionKey = known.partitionKey().isPresent() ? known.partitionKey()
                        : partitionKeys.apply(singleTable);
            } else {
                touched = Set.of(singleTable);
                partitionKey = partitionKeys.apply(singleTable);
            }
            singleValue = shape.partitionValue(0, partitionKey);
            if (singleValue == null) {
                keys = List.of();
            }
        } else {
            touched = new LinkedHashSet<>();
            keys = new ArrayList<>();
            for (ItemRef item : shape.items()) {
                touched.add(item.table());
                String pk = item.partitionValue(partitionKeys.apply(item.table()));
                if (pk != null) {
                    keys.add(new TableKey(item.table(), pk));
                }
            }
        }
        Operation.Builder op = Operation.builder(shape.operation(), kind(shape, ctx));
        if (count > 0) {
            op.resource(shape.table(0));
        }
        if (singleTable != null && singleValue != null) {
            // Joined only if a strategy reads it (home-by-key): the default local-first order never does.
            op.routingKey(singleTable, singleValue);
            if (homesByKey(shape, singleSettings)) {
                op.strategy(HOME_BY_KEY);
            }
        } else if (keys != null && !keys.isEmpty()) {
            // Every item counts, not only the first: a call that touches a homed key is routed to that key's home
            // (DynamoDbRouting refuses it when its homed keys disagree on one).
            TableKey routedBy = keys.get(0);
            boolean homed = false;
            for (TableKey key : keys) {
                if (homesByKey(shape, settings(key.table()))) {
                    routedBy = key;
                    homed = true;
                    break;
                }
            }
            op.routingKey(routedBy.table(), routedBy.partitionValue());
            if (homed) {
                op.strategy(HOME_BY_KEY);
            }
        }
        Operation operation = op.build();
        return singleValue != null ? new Classification(operation, shape, touched, singleValue)
                : new Classification(operation, shape, touched, Objects.requireNonNull(keys, "keys"));
    }

    private static OperationKind kind(RequestShape shape, RoutingContext ctx) {
        if (shape.read()) {
            return OperationKind.READ;
        }
        // A context's idempotency key does not count: nothing on the DynamoDB path consults it, so a repeat elsewhere
        // would run the write again (use the idempotency store, or a guarded condition, to make a write repeatable).
        return shape.repeatSafe() ? OperationKind.IDEMPOTENT_WRITE : OperationKind.WRITE;
    }

    /**
     * Whether this call's items of a table with {@code settings} are homed by key: writes of a
     * {@link WriteMode#WRITE_HOME_BY_KEY} table, and its strongly consistent reads when
     * {@link TableConfig#consistentReadsAtHome()}.
     */
    static boolean homesByKey(RequestShape shape, Optional<TableConfig> settings) {
        if (settings.isEmpty() || settings.get().writeMode() != WriteMode.WRITE_HOME_BY_KEY) {
            return false;
        }
        return !shape.read() || shape.consistentRead() && settings.get().consistentReadsAtHome();
    }

    private Optional<TableConfig> settings(String table) {
        return settingsValues.getOrDefault(table, Optional.empty());
    }

    /** A configured table as a one-item call sees it: its one-table set, its settings and its configured key. */
    private record Single(Set<String> tables, Optional<TableConfig> settings, Optional<String> partitionKey) {
    }

    /** One (table, partition key value) pair a call touches. */
    record TableKey(String table, String partitionValue) {
        /** The routing key {@code <table>#<partition key value>}, as {@code Operation.Builder.routingKey} joins it. */
        String routingKey() {
            return table + '#' + partitionValue;
        }
    }

    /**
     * The operation plus what the client needs beyond routing: the shape, tables and keys touched. A call with one key
     * holds only its partition value (its table is the shape's one item's): no key object and no list, two objects
     * less on most calls; {@link #keys()} makes them when asked (read-your-writes, batches).
     */
    static final class Classification {
        private final Operation operation;
        private final RequestShape shape;
        private final Set<String> tables;
        /** The partition value of a single-key call's one item, else null. */
        private final @Nullable String singleValue;
        private final @Nullable List<TableKey> keys;

        Classification(Operation operation, RequestShape shape, Set<String> tables, List<TableKey> keys) {
            this.operation = operation;
            this.shape = shape;
            this.tables = tables;
            this.singleValue = null;
            this.keys = keys;
        }

        /** A call whose shape has one item, of partition key value {@code singleValue}. */
        Classification(Operation operation, RequestShape shape, Set<String> tables, String singleValue) {
            this.operation = operation;
            this.shape = shape;
            this.tables = tables;
            this.singleValue = singleValue;
            this.keys = null;
        }

        Operation operation() {
            return operation;
        }

        RequestShape shape() {
            return shape;
        }

        Set<String> tables() {
            return tables;
        }

        List<TableKey> keys() {
            return singleValue != null ? List.of(new TableKey(shape.table(0), singleValue))
                    : Objects.requireNonNull(keys, "keys");
        }

        /** How many keys: {@link #keys()}'s size without a list. */
        int keyCount() {
            return singleValue != null ? 1 : Objects.requireNonNull(keys, "keys").size();
        }
    }
}
