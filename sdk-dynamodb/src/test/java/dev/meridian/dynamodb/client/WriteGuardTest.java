package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.dynamodb.client.WriteGuard.PostWrite;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class WriteGuardTest {
    private static final Map<String, AttributeValue> KEY = Map.of("pk", AttributeValue.fromS("a"));
    private static final Map<String, AttributeValue> ITEM = Map.of("pk", AttributeValue.fromS("a"),
            "total", AttributeValue.fromN("3"));

    private static boolean guard(String condition, Map<String, String> names, Map<String, AttributeValue> values,
            PostWrite after) {
        return WriteGuard.falseOnceApplied(condition, names, values, after);
    }

    @Test
    void createOnceIsAGuard() {
        assertThat(guard("attribute_not_exists(pk)", null, null, PostWrite.put(ITEM))).isTrue();
        assertThat(guard("attribute_not_exists(#k)", Map.of("#k", "pk"), null, PostWrite.put(ITEM))).isTrue();
        assertThat(guard("attribute_not_exists(pk)", null, null, PostWrite.update(KEY, "SET total = :t", null,
                Map.of(":t", AttributeValue.fromN("1"))))).isTrue();
    }

    @Test
    void deleteOfAnExistingItemIsAGuard() {
        assertThat(guard("attribute_exists(pk)", null, null, PostWrite.delete())).isTrue();
        assertThat(guard("attribute_not_exists(pk)", null, null, PostWrite.delete())).isFalse();
    }

    @Test
    void aVersionCheckTheWriteAdvancesIsAGuard() {
        Map<String, AttributeValue> values = Map.of(":next", AttributeValue.fromN("8"), ":expected",
                AttributeValue.fromN("7"));
        assertThat(guard("#v = :expected", Map.of("#v", "version"), values,
                PostWrite.update(KEY, "SET #v = :next, total = :next", Map.of("#v", "version"), values))).isTrue();
        // The same check with a write that does not advance the version is no guard.
        assertThat(guard("#v = :expected", Map.of("#v", "version"), values,
                PostWrite.update(KEY, "SET total = :next", Map.of("#v", "version"), values))).isFalse();
    }

    @Test
    void theLwwStampGuardIsFalseOnceTheStampIsWritten() {
        String lww = "(attribute_not_exists(#s) OR #s < :s OR (#s = :s AND #r < :r))";
        Map<String, String> names = Map.of("#s", "mr_stamp", "#r", "mr_region");
        Map<String, AttributeValue> values = Map.of(":s", AttributeValue.fromN("1000"), ":r",
                AttributeValue.fromS("eu-west-1"));
        assertThat(guard(lww, names, values, PostWrite.update(KEY, "SET #s = :s, #r = :r", names, values))).isTrue();
        Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("a"), "mr_stamp",
                AttributeValue.fromN("1000"), "mr_region", AttributeValue.fromS("eu-west-1"));
        assertThat(guard(lww, names, values, PostWrite.put(item))).isTrue();
    }

    @Test
    void conditionsTheWrittenItemMaySatisfyAreNoGuard() {
        assertThat(guard("attribute_exists(pk)", null, Map.of(":d", AttributeValue.fromN("1")),
                PostWrite.update(KEY, "ADD balance :d", null, Map.of(":d", AttributeValue.fromN("1"))))).isFalse();
        assertThat(guard("total < :max", null, Map.of(":max", AttributeValue.fromN("10")),
                PostWrite.update(KEY, "ADD total :d", null, Map.of(":d", AttributeValue.fromN("1"))))).isFalse();
        assertThat(guard("begins_with(pk, :p)", null, Map.of(":p", AttributeValue.fromS("a")),
                PostWrite.put(ITEM))).isFalse();
        assertThat(guard(null, null, null, PostWrite.put(ITEM))).isFalse();
        assertThat(guard("attribute_not_exists(pk) OR total > :x", null, Map.of(":x", AttributeValue.fromN("1")),
                PostWrite.put(ITEM))).isFalse();
    }

    @Test
    void notAndParenthesesFollowThreeValuedLogic() {
        assertThat(guard("NOT (attribute_exists(pk))", null, null, PostWrite.put(ITEM))).isTrue();
        assertThat(guard("attribute_exists(pk) AND NOT attribute_exists(pk)", null, null, PostWrite.put(ITEM)))
                .isTrue();
        assertThat(guard("attribute_exists(other) AND attribute_not_exists(pk)", null, null,
                PostWrite.update(KEY, null, null, null))).isTrue();
    }
    /** Issue 15: DynamoDB evaluates {@code <>} against a missing attribute as TRUE, so this write is no guard. */
    @Test
    void notEqualToAnAttributeTheWriteRemovesIsTrueSoNoGuard() {
        Map<String, AttributeValue> yes = Map.of(":yes", AttributeValue.fromBool(true));
        PostWrite removed = PostWrite.update(KEY, "REMOVE cancelRequested", null, yes);
        assertThat(guard("cancelRequested <> :yes", null, yes, removed)).isFalse();
        assertThat(guard("NOT (cancelRequested <> :yes)", null, yes, removed)).isTrue();
        assertThat(guard("cancelRequested = :yes", null, yes, removed)).isTrue();
        assertThat(guard("cancelRequested <> :yes", null, yes, PostWrite.delete())).isFalse();
        for (String op : new String[] {"<", "<=", ">", ">="}) {
            assertThat(guard("total " + op + " :t", null, Map.of(":t", AttributeValue.fromN("1")),
                    PostWrite.update(KEY, "REMOVE total", null, null))).as(op).isTrue();
        }
    }

    @Test
    void valuesOfDifferentTypesAreUnequalButSetsAndMissingPairsAreNotDecided() {
        Map<String, AttributeValue> values = Map.of(":s", AttributeValue.fromS("3"),
                ":set", AttributeValue.fromSs(java.util.List.of("b", "a")));
        assertThat(guard("total = :s", null, values, PostWrite.put(ITEM))).isTrue();
        assertThat(guard("total <> :s", null, values, PostWrite.put(ITEM))).isFalse();
        PostWrite tagged = PostWrite.put(Map.of("pk", AttributeValue.fromS("a"),
                "tags", AttributeValue.fromSs(java.util.List.of("a", "b"))));
        assertThat(guard("tags <> :set", null, values, tagged)).as("the same set in another order").isFalse();
        assertThat(guard("gone1 <> gone2", null, null, PostWrite.delete())).isFalse();
    }

    @Test
    void aNestedSetOrRemoveChangesAPartNotTheWholeAttribute() {
        Map<String, AttributeValue> v = Map.of(":v", AttributeValue.fromN("1"));
        assertThat(guard("attribute_exists(m)", null, v, PostWrite.update(KEY, "REMOVE m.c", null, v))).isFalse();
        assertThat(guard("m <> :v", null, v, PostWrite.update(KEY, "SET m.c = :v", null, v))).isFalse();
    }

    @Test
    void aPlaceholderSpellingAKeywordIsNotAClause() {
        Map<String, String> names = Map.of("#add", "added");
        assertThat(guard("attribute_exists(#add)", names, null, PostWrite.update(KEY, "REMOVE #add", names, null)))
                .isTrue();
    }
}
