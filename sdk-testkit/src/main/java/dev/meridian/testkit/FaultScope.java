package dev.meridian.testkit;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which requests a fault applies to: the whole region, or only some DynamoDB operations; every such request, or
 * ({@code once}) only the next one.
 */
record FaultScope(Set<String> operations, boolean once) {

    static final FaultScope REGION = new FaultScope(Set.of(), false);

    FaultScope {
        operations = Set.copyOf(new TreeSet<>(operations));
    }

    /** Every request of the region, for as long as the fault lasts. */
    boolean isRegionWide() {
        return allOperations() && !once;
    }

    boolean allOperations() {
        return operations.isEmpty();
    }

    /** This scope for the next matching request only. */
    FaultScope nextOnly() {
        return new FaultScope(operations, true);
    }

    String key() {
        return (allOperations() ? "*" : String.join(",", new TreeSet<>(operations))) + (once ? " once" : "");
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
        return (allOperations() ? "all operations" : "operations " + String.join(",", new TreeSet<>(operations)))
                + (once ? ", the next request only" : "");
    }
}
