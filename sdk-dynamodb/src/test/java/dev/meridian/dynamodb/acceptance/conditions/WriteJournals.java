package dev.meridian.dynamodb.acceptance.conditions;

import dev.meridian.testkit.LocalRegions;

/** What the request journals of {@link Regions3}'s regions say about a write: where it reached DynamoDB Local. */
final class WriteJournals {

    private WriteJournals() {
    }

    /** Requests of the write's operation that reached the region's DynamoDB Local (not answered by a fault). */
    static long applied(LocalRegions regions, String region, Shape write) {
        return regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals(write.operation()) && !e.faulted()).count();
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
