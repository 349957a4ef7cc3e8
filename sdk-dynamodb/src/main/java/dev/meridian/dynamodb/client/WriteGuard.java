package dev.meridian.dynamodb.client;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Decides whether a conditional write is safe to repeat in another region after a failure that may have applied
 * it: only when its condition is <em>false once the write has been applied</em> — evaluated on the item as the write
 * leaves it. {@code attribute_not_exists(pk)} on a put, a version or LWW stamp check that the write itself advances,
 * {@code attribute_exists(pk)} on a delete: a repeat fails its check instead of applying twice. A condition that the
 * written item may still satisfy ({@code attribute_exists(pk)} on an {@code ADD}) is no guard, and neither is
 * anything this evaluator does not understand (functions such as {@code begins_with}, a value it cannot know).
 *
 * <p>Three-valued: each sub-expression is TRUE, FALSE or UNKNOWN on the post-write item; only FALSE makes the write
 * repeat-safe. Comparisons follow DynamoDB: against a missing attribute {@code <>} is TRUE, the others FALSE
 * ({@code WriteGuardPropertyIT} checks the verdicts against DynamoDB Local). Why hand-written: no library evaluates DynamoDB condition expressions outside DynamoDB, and the
 * subset needed here (existence, comparisons, AND/OR/NOT, parentheses) is small. Thread-safe (stateless).
 */
final class WriteGuard {
    private WriteGuard() {
    }

    /** What the write leaves behind, per attribute name (top-level only). */
    static final class PostWrite {
        /** Attributes known to hold exactly this value after the write. */
        final Map<String, AttributeValue> values = new HashMap<>();
        /** Attributes known to exist (value unknown) or known to be absent after the write. */
        final Map<String, Boolean> exists = new HashMap<>();
        /** Whether attributes the write does not mention are known to be absent (a put replaces the whole item). */
        boolean othersAbsent;
        /** Whether the item is gone (a delete). */
        boolean deleted;

        static PostWrite put(Map<String, AttributeValue> item) {
            PostWrite p = new PostWrite();
            p.values.putAll(item);
            p.othersAbsent = true;
            return p;
        }

        static PostWrite delete() {
            PostWrite p = new PostWrite();
            p.deleted = true;
            return p;
        }

        /** An update of the item with this key: what its update expression sets, adds and removes. */
        static PostWrite update(Map<String, AttributeValue> key, String updateExpression, Map<String, String> names,
                Map<String, AttributeValue> values) {
            PostWrite p = new PostWrite();
            p.values.putAll(key);
            if (updateExpression == null) {
                return p;
            }
            for (Clause clause : clauses(updateExpression)) {
                for (String action : splitTopLevel(clause.body, ',')) {
                    applyAction(p, clause.keyword, action.trim(), names, values);
                }
            }
            return p;
        }

        Truth exists(String attribute) {
            if (deleted) {
                return Truth.FALSE;
            }
            if (values.containsKey(attribute)) {
                return Truth.TRUE;
            }
            Boolean e = exists.get(attribute);
            if (e != null) {
                return Truth.of(e);
            }
            return othersAbsent ? Truth.FALSE : Truth.UNKNOWN;
        }

        /** The known value, empty when unknown; {@code null} inside when known to be absent. */
        Optional<AttributeValue> value(String attribute) {
            if (exists(attribute) == Truth.FALSE) {
                return Optional.of(ABSENT);
            }
            return Optional.ofNullable(values.get(attribute));
        }
    }

    private static final AttributeValue ABSENT = AttributeValue.builder().nul(true).build();

    enum Truth {
        TRUE, FALSE, UNKNOWN;

        static Truth of(boolean b) {
            return b ? TRUE : FALSE;
        }

        Truth and(Truth o) {
            if (this == FALSE || o == FALSE) {
                return FALSE;
            }
            return this == TRUE && o == TRUE ? TRUE : UNKNOWN;
        }

        Truth or(Truth o) {
            if (this == TRUE || o == TRUE) {
                return TRUE;
            }
            return this == FALSE && o == FALSE ? FALSE : UNKNOWN;
        }

        Truth not() {
            return this == TRUE ? FALSE : this == FALSE ? TRUE : UNKNOWN;
        }
    }

    /** Whether {@code condition} is certainly false on the item {@code after} the write. */
    static boolean falseOnceApplied(String condition, Map<String, String> names, Map<String, AttributeValue> values,
            PostWrite after) {
        if (condition == null || condition.isBlank()) {
            return false;
        }
        try {
            Parser p = new Parser(tokens(condition), names == null ? Map.of() : names,
                    values == null ? Map.of() : values, after);
            Truth t = p.condition();
            return p.atEnd() && t == Truth.FALSE;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private record Clause(String keyword, String body) {
    }

    private static List<Clause> clauses(String expression) {
        List<Clause> out = new ArrayList<>();
        String upper = expression.toUpperCase(Locale.ROOT);
        List<int[]> starts = new ArrayList<>();
        for (String kw : List.of("SET", "REMOVE", "ADD", "DELETE")) {
            int i = 0;
            while ((i = indexOfWord(upper, kw, i)) >= 0) {
                starts.add(new int[] {i, kw.length()});
                i += kw.length();
            }
        }
        starts.sort((a, b) -> Integer.compare(a[0], b[0]));
        for (int k = 0; k < starts.size(); k++) {
            int start = starts.get(k)[0];
            int bodyStart = start + starts.get(k)[1];
            int end = k + 1 < starts.size() ? starts.get(k + 1)[0] : expression.length();
            out.add(new Clause(upper.substring(start, bodyStart), expression.substring(bodyStart, end)));
        }
        return out;
    }

    private static int indexOfWord(String s, String word, int from) {
        int i = s.indexOf(word, from);
        while (i >= 0) {
            // Not a placeholder that merely spells a keyword (#set, :add).
            boolean before = i == 0 || !isNameChar(s.charAt(i - 1)) && s.charAt(i - 1) != '#' && s.charAt(i - 1) != ':';
            boolean after = i + word.length() >= s.length() || !isNameChar(s.charAt(i + word.length()));
            if (before && after) {
                return i;
            }
            i = s.indexOf(word, i + 1);
        }
        return -1;
    }

    private static void applyAction(PostWrite p, String keyword, String action, Map<String, String> names,
            Map<String, AttributeValue> values) {
        if (action.isEmpty()) {
            return;
        }
        switch (keyword) {
            case "SET": {
                int eq = action.indexOf('=');
                if (eq < 0) {
                    return;
                }
                String target = action.substring(0, eq).trim();
                String path = topLevel(target, names);
                String rhs = action.substring(eq + 1).trim();
                if (path == null) {
                    return;
                }
                if (!isTopLevel(target)) {
                    // SET a.b = :v changes a part of a: a exists, but its value is not :v.
                    p.values.remove(path);
                    p.exists.put(path, true);
                    return;
                }
                if (rhs.startsWith(":") && values != null && values.containsKey(rhs) && isWholeToken(rhs)) {
                    p.values.put(path, values.get(rhs));
                } else {
                    p.values.remove(path);
                    p.exists.put(path, true);
                }
                return;
            }
            case "REMOVE": {
                String path = topLevel(action, names);
                if (path != null) {
                    p.values.remove(path);
                    if (isTopLevel(action)) {
                        p.exists.put(path, false);
                    } else {
                        // REMOVE a.b removes a part of a, not a itself.
                        p.exists.remove(path);
                    }
                }
                return;
            }
            case "ADD": {
                String path = topLevel(action.split("\\s+")[0], names);
                if (path != null) {
                    p.values.remove(path);
                    p.exists.put(path, true);
                }
                return;
            }
            default: {
                String path = topLevel(action.split("\\s+")[0], names);
                if (path != null) {
                    p.values.remove(path);
                    p.exists.remove(path);
                }
            }
        }
    }

    /** Whether a path names a top-level attribute, not a part of one ({@code a.b}, {@code a[1]}). */
    private static boolean isTopLevel(String path) {
        String p = path.trim();
        return p.indexOf('.') < 0 && p.indexOf('[') < 0;
    }

    private static boolean isWholeToken(String s) {
        for (int i = 1; i < s.length(); i++) {
            if (!isNameChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The top-level attribute name of a path ({@code #a.b[1]} → the name of {@code #a}), or null. */
    private static @Nullable String topLevel(String path, @Nullable Map<String, String> names) {
        String p = path.trim();
        int end = 0;
        while (end < p.length() && (isNameChar(p.charAt(end)) || p.charAt(end) == '#')) {
            end++;
        }
        if (end == 0) {
            return null;
        }
        String head = p.substring(0, end);
        if (head.startsWith("#")) {
            return names == null ? null : names.get(head);
        }
        return head;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }

    private static List<String> splitTopLevel(String s, char sep) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == sep && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == ',') {
                out.add(String.valueOf(c));
                i++;
            } else if (c == '<' || c == '>' || c == '=') {
                if (i + 1 < s.length() && (s.charAt(i + 1) == '=' || c == '<' && s.charAt(i + 1) == '>')) {
                    out.add(s.substring(i, i + 2));
                    i += 2;
                } else {
                    out.add(String.valueOf(c));
                    i++;
                }
            } else {
                int j = i;
                while (j < s.length() && (isNameChar(s.charAt(j)) || "#:.[]".indexOf(s.charAt(j)) >= 0)) {
                    j++;
                }
                if (j == i) {
                    throw new IllegalArgumentException("unexpected '" + c + "'");
                }
                out.add(s.substring(i, j));
                i = j;
            }
        }
        return out;
    }

    /** Recursive descent over the supported subset; anything else throws, which means "no guard". */
    private static final class Parser {
        private final List<String> tokens;
        private final Map<String, String> names;
        private final Map<String, AttributeValue> values;
        private final PostWrite after;
        private int pos;

        Parser(List<String> tokens, Map<String, String> names, Map<String, AttributeValue> values, PostWrite after) {
            this.tokens = tokens;
            this.names = names;
            this.values = values;
            this.after = after;
        }

        boolean atEnd() {
            return pos == tokens.size();
        }

        Truth condition() {
            Truth t = conjunction();
            while (peekWord("OR")) {
                pos++;
                t = t.or(conjunction());
            }
            return t;
        }

        private Truth conjunction() {
            Truth t = negation();
            while (peekWord("AND")) {
                pos++;
                t = t.and(negation());
            }
            return t;
        }

        private Truth negation() {
            if (peekWord("NOT")) {
                pos++;
                return negation().not();
            }
            return primary();
        }

        private Truth primary() {
            String t = next();
            if (t.equals("(")) {
                Truth inner = condition();
                expect(")");
                return inner;
            }
            String fn = t.toLowerCase(Locale.ROOT);
            if ((fn.equals("attribute_exists") || fn.equals("attribute_not_exists")) && peek("(")) {
                expect("(");
                String attribute = attribute(next());
                expect(")");
                Truth exists = attribute == null ? Truth.UNKNOWN : after.exists(attribute);
                return fn.equals("attribute_exists") ? exists : exists.not();
            }
            if (peek("(")) {
                throw new IllegalArgumentException("function " + t + " is not evaluated");
            }
            String op = next();
            switch (op) {
                case "=": case "<>": case "<": case "<=": case ">": case ">=":
                    return compare(operand(t), op, operand(next()));
                default:
                    throw new IllegalArgumentException("operator " + op + " is not evaluated");
            }
        }

        /** A known value, {@link #ABSENT} for a missing attribute, or null when unknown. */
        private @Nullable AttributeValue operand(String token) {
            if (token.startsWith(":")) {
                AttributeValue v = values.get(token);
                if (v == null) {
                    throw new IllegalArgumentException("no value for " + token);
                }
                return v;
            }
            String attribute = attribute(token);
            if (attribute == null) {
                return null;
            }
            return after.value(attribute).orElse(null);
        }

        /** The top-level attribute of a plain (non-nested) path token, or null for a nested path. */
        private @Nullable String attribute(String token) {
            if (token.contains(".") || token.contains("[")) {
                return null;
            }
            if (token.startsWith("#")) {
                String name = names.get(token);
                if (name == null) {
                    throw new IllegalArgumentException("no name for " + token);
                }
                return name;
            }
            return token;
        }

        /**
         * DynamoDB's semantics: with a missing attribute on one side, {@code =} and the orderings are false and
         * {@code <>} is true; values of different types are never equal. Anything else this cannot decide exactly
         * (both sides missing, sets, lists, maps, NULL, orderings of other types) is UNKNOWN.
         */
        private Truth compare(@Nullable AttributeValue a, String op, @Nullable AttributeValue b) {
            if (a == null || b == null || a == ABSENT && b == ABSENT) {
                return Truth.UNKNOWN;
            }
            if (a == ABSENT || b == ABSENT) {
                return Truth.of(op.equals("<>"));
            }
            Character typeA = scalarType(a);
            Character typeB = scalarType(b);
            if (typeA == null || typeB == null) {
                return Truth.UNKNOWN;
            }
            Integer c = compareValues(a, b);
            if (c == null) {
                boolean equal = typeA.equals(typeB) && a.equals(b);
                return op.equals("=") ? Truth.of(equal) : op.equals("<>") ? Truth.of(!equal) : Truth.UNKNOWN;
            }
            switch (op) {
                case "=": return Truth.of(c == 0);
                case "<>": return Truth.of(c != 0);
                case "<": return Truth.of(c < 0);
                case "<=": return Truth.of(c <= 0);
                case ">": return Truth.of(c > 0);
                default: return Truth.of(c >= 0);
            }
        }

        /** S, N, B or BOOL: the types whose equality this decides exactly; null for any other. */
        private static @Nullable Character scalarType(AttributeValue v) {
            if (v.s() != null) {
                return 'S';
            }
            if (v.n() != null) {
                return 'N';
            }
            if (v.b() != null) {
                return 'B';
            }
            return v.bool() != null ? Character.valueOf('O') : null;
        }

        private static @Nullable Integer compareValues(AttributeValue a, AttributeValue b) {
            if (a.n() != null && b.n() != null) {
                return new BigDecimal(a.n()).compareTo(new BigDecimal(b.n()));
            }
            if (a.s() != null && b.s() != null) {
                return a.s().compareTo(b.s());
            }
            return null;
        }

        private boolean peekWord(String word) {
            return pos < tokens.size() && tokens.get(pos).equalsIgnoreCase(word);
        }

        private boolean peek(String token) {
            return pos < tokens.size() && tokens.get(pos).equals(token);
        }

        private String next() {
            if (pos >= tokens.size()) {
                throw new IllegalArgumentException("unexpected end");
            }
            return tokens.get(pos++);
        }

        private void expect(String token) {
            if (!next().equals(token)) {
                throw new IllegalArgumentException("expected " + token);
            }
        }
    }
}
