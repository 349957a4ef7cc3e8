package dev.meridian.dynamodb.client;

import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.Classification;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.Single;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.TableKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;

/**
 * {@link DynamoDbOperationClassifier}'s classification of a call from its {@link RequestShape}: every call but a
 * {@code GetItem} of a configured table. A class of its own, loaded only by such a call: a cold start's first read
 * of a configured table is classified without it.
 */
final class ShapedClassification {
    private ShapedClassification() {
    }

    /**
     * {@link DynamoDbOperationClassifier#classify} under {@code ctx}: a {@code DescribeTable} it needs is routed under
     * it.
     */
    @SuppressWarnings("try")
    static Classification classifyUnder(DynamoDbOperationClassifier classifier, String operation,
            DynamoDbRequest request, RoutingContext ctx) {
        if (RoutingContext.current() == ctx) {
            return classifier.classify(operation, request, ctx);
        }
        try (RoutingContext.Scope s = ctx.open()) {
            return classifier.classify(operation, request, ctx);
        }
    }

    /**
     * Any call but a {@code GetItem} of a configured table. A one-item call on a configured table is classified with
     * the table's cached {@link Single}; everything else in {@link #classifyItems}.
     */
    static Classification classify(DynamoDbOperationClassifier classifier, RequestShape shape, RoutingContext ctx) {
        Single known = shape.itemCount() == 1 ? classifier.single(shape.table(0)) : null;
        if (known == null) {
            return classifyItems(classifier, shape, ctx);
        }
        // A configured key is what partitionKey answers first: asked here, no second lookup.
        String value = shape.partitionValue(0, known.partitionKey().isPresent() ? known.partitionKey()
                : classifier.partitionKey(shape.table(0)));
        Operation operation = DynamoDbOperationClassifier.singleItemOperation(shape.operation(), kind(shape, ctx),
                shape.table(0), value, value != null && homesByKey(shape, known.settings()), unhedged(shape));
        // No key object and no key list: the cached one-table set and the partition value (see Classification); and
        // not the shape (the classification of a single-key call never needs it).
        return new Classification(operation, known.tables(), shape.table(0), value);
    }

    /** Any other call: several items or none, or one item of a table this classifier was not configured with. */
    private static Classification classifyItems(DynamoDbOperationClassifier classifier, RequestShape shape,
            RoutingContext ctx) {
        int count = shape.itemCount();
        Set<String> touched;
        String singleTable = null;
        String singleValue = null;
        List<TableKey> keys = null;
        if (count == 1) {
            singleTable = shape.table(0);
            touched = Set.of(singleTable);
            singleValue = shape.partitionValue(0, classifier.partitionKey(singleTable));
            if (singleValue == null) {
                keys = List.of();
            }
        } else {
            touched = new LinkedHashSet<>();
            keys = new ArrayList<>();
            for (ItemRef item : shape.items()) {
                touched.add(item.table());
                String pk = item.partitionValue(classifier.partitionKey(item.table()));
                if (pk != null) {
                    keys.add(new TableKey(item.table(), pk));
                }
            }
        }
        Operation.Builder op = Operation.builder(shape.operation(), kind(shape, ctx));
        if (unhedged(shape)) {
            op.unhedged();
        }
        if (count > 0) {
            op.resource(shape.table(0));
        }
        if (singleTable != null && singleValue != null) {
            op.routingKey(singleTable, singleValue);
            // An unconfigured table has no settings, so it is never homed by key.
        } else if (keys != null && !keys.isEmpty()) {
            // Every item counts, not only the first: a call that touches a homed key is routed to that key's home
            // (DynamoDbRouting refuses it when its homed keys disagree on one).
            TableKey routedBy = keys.get(0);
            boolean homed = false;
            for (TableKey key : keys) {
                if (homesByKey(shape, classifier.settings(key.table()))) {
                    routedBy = key;
                    homed = true;
                    break;
                }
            }
            op.routingKey(routedBy.table(), routedBy.partitionValue());
            if (homed) {
                op.strategy(DynamoDbOperationClassifier.HOME_BY_KEY);
            }
        }
        Operation operation = op.build();
        return singleTable != null && singleValue != null
                ? new Classification(operation, touched, singleTable, singleValue)
                : new Classification(operation, shape, touched, Objects.requireNonNull(keys, "keys"));
    }

    /**
     * A read the caller asked to be strongly consistent ({@code ConsistentRead}) is never hedged: another region's
     * copy of a global table is eventually consistent, so its answer could miss a write the first region acknowledged
     * (an item just put read as absent). Nor is a transactional read ({@code TransactGetItems}, a PartiQL
     * {@code ExecuteTransaction} of {@code SELECT}s), which {@link RequestShape} marks consistent: a global table
     * replicates item by item, so another region's answer is no transactional read of the caller's region (a
     * transaction just committed there may be half-visible or invisible elsewhere).
     */
    private static boolean unhedged(RequestShape shape) {
        return shape.read() && shape.consistentRead();
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
        return DynamoDbOperationClassifier.homesByKey(shape.read(), shape.consistentRead(), settings);
    }
}
