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
}
