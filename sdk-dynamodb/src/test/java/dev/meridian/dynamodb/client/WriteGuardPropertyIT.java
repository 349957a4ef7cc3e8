package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.testkit.LocalRegions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link WriteGuard} against DynamoDB itself (DynamoDB Local), property-based: a random item, a random put, update or
 * delete and a random condition over the operators and functions WriteGuard models (comparisons, existence, AND, OR,
 * NOT; top-level and nested paths; attributes missing, of other types, removed by the write). Whenever the classifier
 * calls the write repeat-safe, the write is applied once (as the region that lost its answer did) and then repeated
 * with its condition: the repeat must fail its condition or leave the item exactly as it was.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class WriteGuardPropertyIT {
    private static final String TABLE = "write_guard";
    private static final List<String> ATTRIBUTES = List.of("a", "b", "m");
    private static final Map<String, AttributeValue> VALUES = values();
    private static final LocalRegions regions = LocalRegions.start("eu-west-1");
    private static DynamoDbClient dynamo;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        dynamo = regions.client("eu-west-1");
    }

    private static Map<String, AttributeValue> values() {
        Map<String, AttributeValue> v = new LinkedHashMap<>();
        v.put(":n1", AttributeValue.fromN("1"));
        v.put(":n2", AttributeValue.fromN("2"));
        v.put(":s1", AttributeValue.fromS("x"));
        v.put(":s2", AttributeValue.fromS("y"));
        v.put(":yes", AttributeValue.fromBool(true));
        return v;
    }

    record Scenario(Map<String, AttributeValue> initial, String kind, Map<String, AttributeValue> putItem,
            String update, String condition) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<String> condition = conditions(2);
        Arbitrary<String> kind = Arbitraries.of("put", "update", "update", "delete");
        Arbitrary<String> update = actions().list().ofMinSize(1).ofMaxSize(3).uniqueElements(a -> a.split(" ")[1]
                .split("\\.")[0].replace("#x", "a")).map(WriteGuardPropertyIT::updateExpression);
        return Combinators.combine(items(), kind, items(), update, condition).as(Scenario::new);
    }

    private static Arbitrary<Map<String, AttributeValue>> items() {
        Arbitrary<AttributeValue> value = Arbitraries.of(AttributeValue.fromN("1"), AttributeValue.fromN("2"),
                AttributeValue.fromS("x"), AttributeValue.fromBool(true),
                AttributeValue.fromM(Map.of("c", AttributeValue.fromN("1"))));
        return Arbitraries.maps(Arbitraries.of(ATTRIBUTES), value).ofMaxSize(3);
    }

    /** One update action; {@code #x} is a placeholder for {@code a}. */
    private static Arbitrary<String> actions() {
        return Arbitraries.oneOf(
                Arbitraries.of("SET a = :n1", "SET a = :n2", "SET #x = :s1", "SET b = :n2", "SET b = :yes",
                        "REMOVE a", "REMOVE #x", "REMOVE b", "ADD a :n1", "ADD b :n1", "SET m.c = :n2",
                        "REMOVE m.c", "REMOVE m", "SET m = :n1"));
    }

    private static String updateExpression(List<String> actions) {
        Map<String, List<String>> byClause = new LinkedHashMap<>();
        for (String action : actions) {
            int space = action.indexOf(' ');
            byClause.computeIfAbsent(action.substring(0, space), k -> new ArrayList<>()).add(action.substring(space + 1));
        }
        StringBuilder out = new StringBuilder();
        byClause.forEach((clause, body) -> out.append(out.length() == 0 ? "" : " ").append(clause).append(' ')
                .append(String.join(", ", body)));
        return out.toString();
    }

    private static Arbitrary<String> conditions(int depth) {
        Arbitrary<String> operand = Arbitraries.of("a", "#x", "b", "m", "pk");
        Arbitrary<String> comparison = Combinators.combine(operand, Arbitraries.of("=", "<>", "<", "<=", ">", ">="),
                Arbitraries.of(VALUES.keySet()).injectDuplicates(0.1)).as((o, op, v) -> o + " " + op + " " + v);
        Arbitrary<String> existence = Combinators.combine(Arbitraries.of("attribute_exists", "attribute_not_exists"),
                operand).as((f, o) -> f + "(" + o + ")");
        Arbitrary<String> leaf = Arbitraries.oneOf(comparison, existence, Arbitraries.of("a <> b", "m.c = :n1"));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<String> sub = conditions(depth - 1);
        return Arbitraries.oneOf(leaf, leaf,
                Combinators.combine(sub, Arbitraries.of("AND", "OR"), sub).as((l, op, r) -> "(" + l + ") " + op
                        + " (" + r + ")"),
                sub.map(c -> "NOT (" + c + ")"));
    }

    @Property(tries = 300)
    void aWriteTheClassifierCallsRepeatSafeIsHarmlessToRepeatOnDynamoDb(@ForAll("scenarios") Scenario s) {
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("k-" + UUID.randomUUID()));
        DynamoDbRequest write = request(s, key, true);
        boolean repeatSafe = RequestShape.of(method(s), write).repeatSafe();
        Statistics.collect(repeatSafe ? "repeat-safe" : "not repeat-safe");
        if (!repeatSafe) {
            return;
        }
        if (!s.initial().isEmpty()) {
            Map<String, AttributeValue> initial = new LinkedHashMap<>(s.initial());
            initial.putAll(key);
            dynamo.putItem(PutItemRequest.builder().tableName(TABLE).item(initial).build());
        }
        try {
            send(request(s, key, false));
        } catch (DynamoDbException e) {
            // An update DynamoDB refuses on this item (ADD to a string, SET m.c without m): nothing was applied.
            Statistics.label("first application").collect("refused " + e.awsErrorDetails().errorCode());
            return;
        }
        Map<String, AttributeValue> applied = item(key);
        try {
            send(write);
        } catch (ConditionalCheckFailedException e) {
            Statistics.label("repeat").collect("failed its condition");
            return;
        } catch (DynamoDbException e) {
            // A condition DynamoDB refuses to evaluate (e.g. an ordering of a BOOL) never applies the write at all.
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
            Statistics.label("repeat").collect("refused " + e.awsErrorDetails().errorCode());
            return;
        }
        Statistics.label("repeat").collect("applied");
        assertThat(item(key)).as("item after repeating %s on %s (condition %s)", s, applied, s.condition())
                .isEqualTo(applied);
    }

    private static String method(Scenario s) {
        return s.kind().equals("put") ? "putItem" : s.kind().equals("update") ? "updateItem" : "deleteItem";
    }

    private static DynamoDbRequest request(Scenario s, Map<String, AttributeValue> key, boolean conditional) {
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        String condition = conditional ? s.condition() : null;
        String text = (condition == null ? "" : condition) + " " + (s.kind().equals("update") ? s.update() : "");
        if (text.contains("#x")) {
            names.put("#x", "a");
        }
        VALUES.forEach((placeholder, value) -> {
            if (text.matches(".*" + placeholder + "\\b.*")) {
                values.put(placeholder, value);
            }
        });
        switch (s.kind()) {
            case "put": {
                Map<String, AttributeValue> item = new LinkedHashMap<>(s.putItem());
                item.putAll(key);
                return PutItemRequest.builder().tableName(TABLE).item(item).conditionExpression(condition)
                        .expressionAttributeNames(names.isEmpty() ? null : names)
                        .expressionAttributeValues(values.isEmpty() ? null : values).build();
            }
            case "update":
                return UpdateItemRequest.builder().tableName(TABLE).key(key).updateExpression(s.update())
                        .conditionExpression(condition).expressionAttributeNames(names.isEmpty() ? null : names)
                        .expressionAttributeValues(values.isEmpty() ? null : values).build();
            default:
                return DeleteItemRequest.builder().tableName(TABLE).key(key).conditionExpression(condition)
                        .expressionAttributeNames(names.isEmpty() ? null : names)
                        .expressionAttributeValues(values.isEmpty() ? null : values).build();
        }
    }

    private static void send(DynamoDbRequest request) {
        if (request instanceof PutItemRequest put) {
            dynamo.putItem(put);
        } else if (request instanceof UpdateItemRequest update) {
            dynamo.updateItem(update);
        } else {
            dynamo.deleteItem((DeleteItemRequest) request);
        }
    }

    private static Map<String, AttributeValue> item(Map<String, AttributeValue> key) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(TABLE).key(key).consistentRead(true))
                .item();
        return item == null ? Map.of() : item;
    }
}
