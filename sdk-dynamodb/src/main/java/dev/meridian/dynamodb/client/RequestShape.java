package dev.meridian.dynamodb.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchExecuteStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.model.ExecuteStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.ExecuteTransactionRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ParameterizedStatement;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * What a DynamoDB request does, read off the request model alone: whether it reads, whether a guard makes a repeat
 * safe (a condition false once the write is applied), whether it asks for a strongly consistent read,
 * and the items (table + key) it touches. Immutable.
 */
final class RequestShape {

    /** Method name → operation name; bounded by the client interface's methods. Saves a string per call. */
    private static final ConcurrentHashMap<String, String> OPERATION_NAMES = new ConcurrentHashMap<>();
    /** The client method and operation name of a {@code GetItem}, which the classifier reads without a shape. */
    static final String GET_ITEM_METHOD = "getItem";
    static final String GET_ITEM = "GetItem";

    private final String operation;
    private final boolean read;
    private final boolean repeatSafe;
    private final boolean consistentRead;
    /**
     * The table of a single-item request's one item, else null. The item is held as its parts (this table,
     * {@link #singleAttributes}, {@link #singleQuery}) rather than as an {@link ItemRef}: most calls touch one item,
     * and this saves them an object; {@link #item(int)} makes the {@code ItemRef} when asked.
     */
    private final @Nullable String singleTable;
    private final Map<String, AttributeValue> singleAttributes;
    private final ItemRef.@Nullable QueryKey singleQuery;
    /** The items of any other request (none, or several); null when {@link #singleTable} is set. */
    private final @Nullable List<ItemRef> items;
    /** A PartiQL statement of the request names a table this class could not read. */
    private final boolean unreadTable;

    private RequestShape(String operation, boolean read, boolean repeatSafe, boolean consistentRead, List<ItemRef> items) {
        this(operation, read, repeatSafe, consistentRead, items, false);
    }

    private RequestShape(String operation, boolean read, boolean repeatSafe, boolean consistentRead, List<ItemRef> items,
            boolean unreadTable) {
        this.unreadTable = unreadTable;
        this.operation = operation;
        this.read = read;
        this.repeatSafe = repeatSafe;
        this.consistentRead = consistentRead;
        this.singleTable = null;
        this.singleAttributes = Map.of();
        this.singleQuery = null;
        this.items = List.copyOf(items);
    }

    private RequestShape(String operation, boolean read, boolean repeatSafe, boolean consistentRead, ItemRef single) {
        this(operation, read, repeatSafe, consistentRead, single.table(), single.attributes(), single.query());
    }

    /**
     * The shape of a read of one item by its key: no query in the signature, whose class a client that never queries
     * has not loaded, and C2 does not inline a method whose signature names a class not loaded (the shape would then
     * be allocated).
     */
    private RequestShape(String operation, boolean consistentRead, String table,
            @Nullable Map<String, AttributeValue> key) {
        this.operation = operation;
        this.unreadTable = false;
        this.read = true;
        this.repeatSafe = false;
        this.consistentRead = consistentRead;
        this.singleTable = Objects.requireNonNull(table, "table");
        this.singleAttributes = key == null ? Map.of() : key;
        this.singleQuery = null;
        this.items = null;
    }

    /**
     * A single-item shape from the item's parts, as {@link ItemRef}'s constructor takes them: a key or item request
     * (most calls) passes its table and map straight here, so that its call path has no {@code ItemRef} to allocate
     * or for the JIT to eliminate.
     */
    private RequestShape(String operation, boolean read, boolean repeatSafe, boolean consistentRead, String table,
            @Nullable Map<String, AttributeValue> attributes, ItemRef.@Nullable QueryKey query) {
        this.operation = operation;
        this.unreadTable = false;
        this.read = read;
        this.repeatSafe = repeatSafe;
        this.consistentRead = consistentRead;
        this.singleTable = Objects.requireNonNull(table, "table");
        this.singleAttributes = attributes == null ? Map.of() : attributes;
        this.singleQuery = query;
        this.items = null;
    }

    /** The DynamoDB operation name (e.g. {@code PutItem}) of a client method name (e.g. {@code putItem}). */
    private static String operationName(String methodName) {
        String name = OPERATION_NAMES.get(methodName);
        if (name == null) {
            name = Character.toUpperCase(methodName.charAt(0)) + methodName.substring(1);
            OPERATION_NAMES.putIfAbsent(methodName, name);
        }
        return name;
    }

    /**
     * The shape of {@code request}. A {@code GetItem} (the most frequent call) is shaped here and every other request
     * in {@link #ofOther}: this method stays small enough, in bytecode and once compiled (C2 does not inline a method
     * compiled into more than InlineSmallCode bytes), for the routed call to inline it, and with it the shape's one
     * allocation, which the JIT then scalar-replaces (see {@code DynamoDbOperationClassifier.classify}).
     */
    static RequestShape of(String methodName, DynamoDbRequest request) {
        if (request instanceof GetItemRequest r) {
            // Its name without the lookup, whose inlined code would make this method too big to inline once compiled.
            String op = GET_ITEM_METHOD.equals(methodName) ? GET_ITEM : operationName(methodName);
            return new RequestShape(op, Boolean.TRUE.equals(r.consistentRead()), r.tableName(), r.key());
        }
        return ofOther(operationName(methodName), request);
    }

    /** The shape of any request but a {@code GetItem}, whose operation name is {@code op}. */
    private static RequestShape ofOther(String op, DynamoDbRequest request) {
        if (request instanceof PutItemRequest r) {
            return new RequestShape(op, false, guarded(r.conditionExpression(), r.expressionAttributeNames(),
                    r.expressionAttributeValues(), WriteGuard.PostWrite.put(r.item())), false, r.tableName(), r.item(),
                    null);
        }
        if (request instanceof UpdateItemRequest r) {
            return new RequestShape(op, false, guarded(r.conditionExpression(), r.expressionAttributeNames(),
                    r.expressionAttributeValues(), WriteGuard.PostWrite.update(r.key(), r.updateExpression(),
                            r.expressionAttributeNames(), r.expressionAttributeValues())), false, r.tableName(),
                    r.key(), null);
        }
        if (request instanceof DeleteItemRequest r) {
            return new RequestShape(op, false, guarded(r.conditionExpression(), r.expressionAttributeNames(),
                    r.expressionAttributeValues(), WriteGuard.PostWrite.delete()), false, r.tableName(), r.key(),
                    null);
        }
        if (request instanceof QueryRequest r) {
            return new RequestShape(op, true, false, Boolean.TRUE.equals(r.consistentRead()),
                    ItemRef.ofQuery(r.tableName(), r.keyConditionExpression(), r.expressionAttributeNames(),
                            r.expressionAttributeValues(), r.keyConditions()));
        }
        if (request instanceof ScanRequest r) {
            return new RequestShape(op, true, false, Boolean.TRUE.equals(r.consistentRead()),
                    ItemRef.ofTable(r.tableName()));
        }
        if (request instanceof BatchGetItemRequest r) {
            return batchGet(op, r);
        }
        if (request instanceof BatchWriteItemRequest r) {
            return batchWrite(op, r);
        }
        if (request instanceof TransactGetItemsRequest r) {
            List<ItemRef> items = new ArrayList<>();
            for (TransactGetItem t : r.transactItems()) {
                if (t.get() != null) {
                    items.add(ItemRef.ofAttributes(t.get().tableName(), t.get().key()));
                }
            }
            // A transactional read is always serializable, so it is as demanding as a consistent read.
            return new RequestShape(op, true, false, true, items);
        }
        if (request instanceof TransactWriteItemsRequest r) {
            return transactWrite(op, r);
        }
        if (request instanceof ExecuteStatementRequest r) {
            // A missing statement is the service's to refuse (a ValidationException naming it), not a NullPointerException here.
            return partiql(op, Collections.singletonList(r.statement()), false, Boolean.TRUE.equals(r.consistentRead()));
        }
        if (request instanceof BatchExecuteStatementRequest r) {
            List<String> statements = new ArrayList<>();
            for (BatchStatementRequest s : r.statements()) {
                statements.add(s.statement());
            }
            return partiql(op, statements, false, false);
        }
        if (request instanceof ExecuteTransactionRequest r) {
            List<String> statements = new ArrayList<>();
            for (ParameterizedStatement s : r.transactStatements()) {
                statements.add(s.statement());
            }
            // A client request token deduplicates within one region only: it does not make a repeat elsewhere safe.
            return partiql(op, statements, false, true);
        }
        return administrative(op, request);
    }

    /** Whether the write's condition is false once the write is applied (see {@link WriteGuard}). */
    private static boolean guarded(String condition, Map<String, String> names, Map<String, AttributeValue> values,
            WriteGuard.PostWrite after) {
        return WriteGuard.falseOnceApplied(condition, names, values, after);
    }

    private static RequestShape batchGet(String op, BatchGetItemRequest r) {
        List<ItemRef> items = new ArrayList<>();
        boolean consistent = false;
        for (Map.Entry<String, KeysAndAttributes> e : r.requestItems().entrySet()) {
            consistent |= Boolean.TRUE.equals(e.getValue().consistentRead());
            for (Map<String, AttributeValue> key : e.getValue().keys()) {
                items.add(ItemRef.ofAttributes(e.getKey(), key));
            }
        }
        return new RequestShape(op, true, false, consistent, items);
    }

    private static RequestShape batchWrite(String op, BatchWriteItemRequest r) {
        List<ItemRef> items = new ArrayList<>();
        for (Map.Entry<String, List<WriteRequest>> e : r.requestItems().entrySet()) {
            for (WriteRequest w : e.getValue()) {
                if (w.putRequest() != null) {
                    items.add(ItemRef.ofAttributes(e.getKey(), w.putRequest().item()));
                } else if (w.deleteRequest() != null) {
                    items.add(ItemRef.ofAttributes(e.getKey(), w.deleteRequest().key()));
                }
            }
        }
        return new RequestShape(op, false, false, false, items);
    }

    private static RequestShape transactWrite(String op, TransactWriteItemsRequest r) {
        List<ItemRef> items = new ArrayList<>();
        // The transaction fails as a whole when one condition fails: one item guarded against its own repeat guards
        // the whole transaction. A client request token deduplicates within one region only, so it guards nothing
        // when the repeat goes to another region.
        boolean guarded = false;
        for (TransactWriteItem t : r.transactItems()) {
            if (t.put() != null) {
                Put p = t.put();
                items.add(ItemRef.ofAttributes(p.tableName(), p.item()));
                guarded |= guarded(p.conditionExpression(), p.expressionAttributeNames(),
                        p.expressionAttributeValues(), WriteGuard.PostWrite.put(p.item()));
            } else if (t.update() != null) {
                Update u = t.update();
                items.add(ItemRef.ofAttributes(u.tableName(), u.key()));
                guarded |= guarded(u.conditionExpression(), u.expressionAttributeNames(),
                        u.expressionAttributeValues(), WriteGuard.PostWrite.update(u.key(), u.updateExpression(),
                                u.expressionAttributeNames(), u.expressionAttributeValues()));
            } else if (t.delete() != null) {
                Delete d = t.delete();
                items.add(ItemRef.ofAttributes(d.tableName(), d.key()));
                guarded |= guarded(d.conditionExpression(), d.expressionAttributeNames(),
                        d.expressionAttributeValues(), WriteGuard.PostWrite.delete());
            } else if (t.conditionCheck() != null) {
                items.add(ItemRef.ofAttributes(t.conditionCheck().tableName(), t.conditionCheck().key()));
            }
        }
        return new RequestShape(op, false, guarded, false, items);
    }

    private static RequestShape partiql(String op, List<String> statements, boolean repeatSafe, boolean consistent) {
        boolean allSelects = true;
        boolean unreadTable = false;
        List<ItemRef> items = new ArrayList<>();
        for (String statement : statements) {
            // Comments may stand anywhere a space may (and hide a keyword): they are not part of the statement.
            String text = statement == null ? "" : PartiQl.COMMENT.matcher(statement).replaceAll(" ");
            allSelects &= text.stripLeading().toUpperCase(Locale.ROOT).startsWith("SELECT");
            Matcher m = PartiQl.TABLE.matcher(text);
            if (m.find()) {
                items.add(ItemRef.ofTable(m.group(1)));
            } else {
                unreadTable = true;
            }
        }
        return new RequestShape(op, allSelects, repeatSafe, consistent && allSelects, items, unreadTable);
    }

    private static RequestShape administrative(String op, DynamoDbRequest request) {
        boolean read = op.startsWith("Describe") || op.startsWith("List") || op.startsWith("Get");
        Optional<String> table = request.getValueForField("TableName", String.class);
        List<ItemRef> items = table.map(t -> List.of(ItemRef.ofTable(t))).orElse(List.of());
        return new RequestShape(op, read, false, false, items);
    }

    String operation() {
        return operation;
    }

    /**
     * Whether a PartiQL statement of the request names its table in a way not read here: its table is then missing
     * from {@link #items()}, so whatever checks tables (the residency footprint) must not take the list as complete.
     */
    boolean unreadTable() {
        return unreadTable;
    }

    boolean read() {
        return read;
    }

    /**
     * Carries a condition that is false once the write is applied ({@link WriteGuard}), so repeating it in another
     * region after an ambiguous failure cannot apply it twice.
     */
    boolean repeatSafe() {
        return repeatSafe;
    }

    boolean consistentRead() {
        return consistentRead;
    }

    List<ItemRef> items() {
        return singleTable != null ? List.of(item(0)) : Objects.requireNonNull(items, "items");
    }

    /** How many items the request touches: {@link #items()}'s size without a list. */
    int itemCount() {
        return singleTable != null ? 1 : Objects.requireNonNull(items, "items").size();
    }

    /** The {@code index}th of {@link #items()}. */
    ItemRef item(int index) {
        if (singleTable != null) {
            Objects.checkIndex(index, 1);
            return new ItemRef(singleTable, singleAttributes, singleQuery);
        }
        return Objects.requireNonNull(items, "items").get(index);
    }

    /** The table of the {@code index}th item: {@code item(index).table()} without an object for a single item. */
    String table(int index) {
        if (singleTable != null) {
            Objects.checkIndex(index, 1);
            return singleTable;
        }
        return Objects.requireNonNull(items, "items").get(index).table();
    }

    /** {@code item(index).partitionValue(partitionKeyName)} without an object for a single item. */
    @Nullable String partitionValue(int index, Optional<String> partitionKeyName) {
        if (singleTable != null) {
            Objects.checkIndex(index, 1);
            return ItemRef.partitionValue(singleAttributes, singleQuery, partitionKeyName);
        }
        return Objects.requireNonNull(items, "items").get(index).partitionValue(partitionKeyName);
    }

    /** Compiled on the first PartiQL statement rather than on a cold start's first call. */
    private static final class PartiQl {
        /** The table after its keyword: a space, or none before a quoted name ({@code INTO"orders"}). */
        static final Pattern TABLE =
                Pattern.compile("(?i)\\b(?:from|into|update)(?:\\s+\"?|\")([A-Za-z0-9_.\\-]{3,255})\"?");
        /** Block and line comments. */
        static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|--[^\\r\\n]*", Pattern.DOTALL);

        private PartiQl() {
        }
    }
}
