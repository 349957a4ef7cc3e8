package dev.meridian.testkit;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Which requests a fault applies to: the whole region, or only some DynamoDB operations. */
record FaultScope(Set<String> operations) {

    static final FaultScope REGION = new FaultScope(Set.of());

    FaultScope {
        operations = Set.copyOf(new TreeSet<>(operations));
    }

    boolean isRegionWide() {
        return operations.isEmpty();
    }

    String key() {
        return isRegionWide() ? "*" : String.join(",", new TreeSet<>(operations));
    }

    /** Matches {@code X-Amz-Target} values such as {@code DynamoDB_20120810.PutItem}. */
    String targetHeaderPattern() {
        StringBuilder alternatives = new StringBuilder();
        for (String operation : new TreeSet<>(operations)) {
            if (alternatives.length() > 0) {
                alternatives.append('|');
            }
            alternatives.append(Pattern.quote(operation));
        }
        return ".*\\.(" + alternatives + ")";
    }

    @Override
    public String toString() {
        return isRegionWide() ? "all operations" : "operations " + key();
    }
}
