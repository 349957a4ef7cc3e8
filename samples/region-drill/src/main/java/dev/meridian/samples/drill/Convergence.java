package dev.meridian.samples.drill;

import dev.meridian.testkit.LocalRegions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/** Compares a table's items in every region once replication has been awaited. */
final class Convergence {
    private Convergence() {
    }

    /** "N items identical", or how many items differ between which regions. */
    static String check(LocalRegions regions, String table, String partitionKey, List<String> regionIds) {
        String first = regionIds.get(0);
        Map<String, Map<String, AttributeValue>> reference = scan(regions.client(first), table, partitionKey);
        for (String region : regionIds.subList(1, regionIds.size())) {
            Map<String, Map<String, AttributeValue>> items = scan(regions.client(region), table, partitionKey);
            long differing = Stream.concat(reference.keySet().stream(), items.keySet().stream()).distinct()
                    .filter(k -> !Objects.equals(reference.get(k), items.get(k))).count();
            if (differing > 0) {
                return differing + " of " + reference.size() + " items differ between " + first + " and " + region;
            }
        }
        return reference.size() + " items identical";
    }

    private static Map<String, Map<String, AttributeValue>> scan(DynamoDbClient client, String table, String key) {
        Map<String, Map<String, AttributeValue>> items = new HashMap<>();
        client.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).build())
                .items().forEach(item -> items.put(item.get(key).s(), item));
        return items;
    }
}
