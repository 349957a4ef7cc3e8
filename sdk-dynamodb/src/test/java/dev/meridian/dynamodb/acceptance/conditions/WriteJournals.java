package dev.meridian.dynamodb.acceptance.conditions;

import dev.meridian.testkit.LocalRegions;
import java.util.Set;

/** What the request journals of {@link Regions3}'s regions say about a write: where it reached DynamoDB Local. */
final class WriteJournals {
    /** How the journal names the faults that forward a request and cut its answer. */
    private static final Set<String> CUT_FAULTS = Set.of("cutAnswer", "cutChunkedAnswer");

    private WriteJournals() {
    }

    /**
     * Requests of the write's operation that reached the region's DynamoDB Local: not answered by a fault, or forwarded
     * by one that only cut the answer ({@link Fault#cutsAnAppliedAnswer()}).
     */
    static long applied(LocalRegions regions, String region, Shape write) {
        return regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals(write.operation())
                        && e.fault().map(CUT_FAULTS::contains).orElse(true)).count();
    }

    /** Every region's journal, for an assertion's description. */
    static String describe(LocalRegions regions) {
        StringBuilder s = new StringBuilder();
        for (String r : Regions3.ALL) {
            s.append(r).append('=').append(regions.journal(r).entries()).append(' ');
        }
        return s.toString();
    }
}
