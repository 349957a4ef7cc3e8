package dev.meridian.dynamodb.client;

import static dev.meridian.dynamodb.client.WriteGuard.Truth.FALSE;
import static dev.meridian.dynamodb.client.WriteGuard.Truth.TRUE;
import static dev.meridian.dynamodb.client.WriteGuard.Truth.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.dynamodb.client.WriteGuard.PostWrite;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The write guard's verdict at the edges of its evaluator: three-valued logic, every comparison operator on both
 * sides of its boundary, the scalar types, update clauses in any order, and malformed conditions (no guard, never
 * an exception). A verdict of "guard" where DynamoDB would still apply the write is a double write.
 */
class WriteGuardEdgesTest {
    private static final Map<String, AttributeValue> KEY = Map.of("pk", AttributeValue.fromS("a"));
    private static final Map<String, AttributeValue> ITEM = Map.of("pk", AttributeValue.fromS("a"),
            "n", AttributeValue.fromN("5"), "s", AttributeValue.fromS("b"), "flag", AttributeValue.fromBool(true),
            "bin", AttributeValue.fromB(SdkBytes.fromUtf8String("x")), "list", AttributeValue.fromL(List.of()));
    private static final Map<String, AttributeValue> VALUES = Map.of(
            ":four", AttributeValue.fromN("4"), ":five", AttributeValue.fromN("5.0"), ":six", AttributeValue.fromN("6"),
            ":a", AttributeValue.fromS("a"), ":b", AttributeValue.fromS("b"), ":c", AttributeValue.fromS("c"),
            ":true", AttributeValue.fromBool(true), ":false", AttributeValue.fromBool(false),
            ":x", AttributeValue.fromB(SdkBytes.fromUtf8String("x")), ":y", AttributeValue.fromB(SdkBytes.fromUtf8String("y")));

    private static boolean guardOnPut(String condition) {
        return WriteGuard.falseOnceApplied(condition, null, VALUES, PostWrite.put(ITEM));
    }

    @Test
    void threeValuedLogicFollowsSqlNulls() {
        WriteGuard.Truth[] all = {TRUE, FALSE, UNKNOWN};
        WriteGuard.Truth[][] and = {{TRUE, FALSE, UNKNOWN}, {FALSE, FALSE, FALSE}, {UNKNOWN, FALSE, UNKNOWN}};
        WriteGuard.Truth[][] or = {{TRUE, TRUE, TRUE}, {TRUE, FALSE, UNKNOWN}, {TRUE, UNKNOWN, UNKNOWN}};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(all[i].and(all[j])).as("%s AND %s", all[i], all[j]).isEqualTo(and[i][j]);
                assertThat(all[i].or(all[j])).as("%s OR %s", all[i], all[j]).isEqualTo(or[i][j]);
            }
        }
        assertThat(TRUE.not()).isEqualTo(FALSE);
        assertThat(FALSE.not()).isEqualTo(TRUE);
        assertThat(UNKNOWN.not()).isEqualTo(UNKNOWN);
    }

    @ParameterizedTest(name = "{0} -> guard {1}")
    @CsvSource(delimiter = '|', value = {
        // Numbers compare by value (5 = 5.0), on both sides of each boundary.
        "n = :five | false", "n = :four | true", "n <> :five | true", "n <> :four | false",
        "n < :five | true", "n < :six | false", "n <= :four | true", "n <= :five | false",
        "n > :five | true", "n > :four | false", "n >= :six | true", "n >= :five | false",
        // Strings compare lexicographically.
        "s = :a | true", "s = :b | false", "s < :b | true", "s < :c | false", "s >= :c | true", "s > :a | false",
        // BOOL and binary decide equality only.
        "flag = :false | true", "flag <> :true | true", "flag = :true | false", "flag < :true | false",
        "bin = :y | true", "bin <> :x | true", "bin = :x | false",
        // Values of different types are never equal.
        "n = :a | true", "s = :x | true",
        // A missing attribute: = and orderings false, <> true; both missing or a list: undecided.
        "missing = :a | true", "missing < :a | true", "missing <> :a | false", "missing = other | false",
        "list = :a | false",
        // An undecided comparison stays undecided inside AND, OR and NOT; a false conjunct still decides.
        "missing = other AND n = :four | true", "list = :a AND n = :four | true", "NOT list = :a | false",
        "list = :a OR n = :five | false",
        // Nested paths are not evaluated.
        "n.sub = :five | false", "attribute_exists(n.sub) | false",
    })
    void comparisonsFollowDynamoDb(String condition, boolean guard) {
        assertThat(guardOnPut(condition)).isEqualTo(guard);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"attribute_not_exists(pk) pk", "n <", "n =", "attribute_not_exists",
        "n <> :missing", "(n = :four", "n ~ :four", "begins_with(s, :a)"})
    void aConditionItCannotReadIsNoGuardAndNoError(String condition) {
        assertThat(guardOnPut(condition)).isFalse();
    }

    @Test
    void operatorsWithoutSpacesAreReadLikeSpacedOnes() {
        assertThat(guardOnPut("n<>:five")).isTrue();
        assertThat(guardOnPut("n>=:six")).isTrue();
        assertThat(guardOnPut("n<=:four")).isTrue();
    }

    @Test
    void updateClausesApplyInTheOrderWrittenWhateverTheKeyword() {
        PostWrite after = PostWrite.update(KEY, "REMOVE old SET v = :b", null, VALUES);
        assertThat(after.values).containsEntry("v", AttributeValue.fromS("b"));
        assertThat(after.exists(("old"))).isEqualTo(FALSE);
        assertThat(WriteGuard.falseOnceApplied("v <> :b", null, VALUES, after)).isTrue();
        assertThat(WriteGuard.falseOnceApplied("attribute_exists(old)", null, VALUES, after)).isTrue();
    }

    @Test
    void placeholdersAndNamesThatSpellAKeywordAreNotClauses() {
        PostWrite after = PostWrite.update(KEY, "SET #set = :add, reset = :b", Map.of("#set", "set"),
                Map.of(":add", AttributeValue.fromN("1"), ":b", AttributeValue.fromS("b")));
        assertThat(after.values).containsEntry("set", AttributeValue.fromN("1"))
                .containsEntry("reset", AttributeValue.fromS("b"));
    }

    @Test
    void anAddLeavesTheAttributeExistingWithAnUnknownValue() {
        PostWrite after = PostWrite.update(KEY, "SET counter = :five ADD counter :four", null, VALUES);
        assertThat(WriteGuard.falseOnceApplied("attribute_not_exists(counter)", null, VALUES, after)).isTrue();
        assertThat(WriteGuard.falseOnceApplied("counter <> :five", null, VALUES, after)).isFalse();
    }

    @Test
    void aDeleteFromASetLeavesItsValueAndExistenceUnknown() {
        PostWrite set = PostWrite.update(KEY, "SET tags = :x", null, VALUES);
        assertThat(WriteGuard.falseOnceApplied("tags <> :x", null, VALUES, set)).isTrue();
        PostWrite setThenDelete = PostWrite.update(KEY, "SET tags = :x DELETE tags :y", null, VALUES);
        assertThat(WriteGuard.falseOnceApplied("tags <> :x", null, VALUES, setThenDelete)).isFalse();
        assertThat(WriteGuard.falseOnceApplied("attribute_not_exists(tags)", null, VALUES, setThenDelete)).isFalse();
    }

    @Test
    void aSetFromSomethingOtherThanOneValuePlaceholderLeavesTheValueUnknown() {
        Map<String, AttributeValue> values = Map.of(":v x", AttributeValue.fromS("x"), ":y",
                AttributeValue.fromS("y"));
        PostWrite after = PostWrite.update(KEY, "SET a = :v x", null, values);
        assertThat(after.values).doesNotContainKey("a");
        assertThat(after.exists("a")).isEqualTo(TRUE);
        assertThat(WriteGuard.falseOnceApplied("a = :y", null, values, after)).isFalse();
    }

    @Test
    void aCommaInsideAFunctionCallDoesNotEndTheAction() {
        PostWrite after = PostWrite.update(KEY, "SET a = if_not_exists(a, :b), c = :b", null, VALUES);
        assertThat(after.values).containsEntry("c", AttributeValue.fromS("b")).doesNotContainKey("a");
        assertThat(after.exists("a")).isEqualTo(TRUE);
        assertThat(WriteGuard.falseOnceApplied("c <> :b", null, VALUES, after)).isTrue();
    }
}
