package dev.meridian.benchmarks;

import dev.meridian.testkit.LocalRegions;
import java.util.Arrays;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * What sdk-testkit's write stamping costs a write through a region's fault proxy: the proxy reads the region's stream
 * of a global table before it passes the write's answer on. Times sequential {@code PutItem}s through the proxy of
 * eu-west-1 (two regions), alternating between a global table (stamped, replicated) and a table with the same stream
 * that is not global (no stamping read, nothing replicated), and prints the median and 90th percentile of each.
 *
 * <p>Run: {@code mvn -B -o -q -pl benchmarks -am package -DskipTests && java -cp benchmarks/target/benchmarks.jar
 * dev.meridian.benchmarks.ProxiedWriteStampCost [writes]}
 */
public final class ProxiedWriteStampCost {

    private static final String REGION = "eu-west-1";

    private ProxiedWriteStampCost() {
    }

    /** Prints both tables' put latencies (µs) and their ratio. */
    public static void main(String[] args) {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        try (LocalRegions regions = LocalRegions.start(REGION, "us-east-1")) {
            regions.createGlobalTable(LocalRegions.pkTable("global_t"));
            DynamoDbClient client = regions.client(REGION);
            client.createTable(LocalRegions.pkTable("local_t").toBuilder().billingMode(BillingMode.PAY_PER_REQUEST)
                    .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES))
                    .build());
            for (int i = 0; i < 100; i++) {   // warm-up
                put(client, "global_t", i);
                put(client, "local_t", i);
            }
            long[] global = new long[writes];
            long[] local = new long[writes];
            for (int i = 0; i < writes; i++) {
                global[i] = put(client, "global_t", i);
                local[i] = put(client, "local_t", i);
            }
            regions.awaitReplication();
            Arrays.sort(global);
            Arrays.sort(local);
            System.out.printf("PutItem through the proxy, %d each, alternating (µs): median / p90%n", writes);
            System.out.printf("  global table (stamped): %6d / %6d%n", global[writes / 2] / 1000,
                    global[writes * 9 / 10] / 1000);
            System.out.printf("  table with a stream, not global: %6d / %6d%n", local[writes / 2] / 1000,
                    local[writes * 9 / 10] / 1000);
            System.out.printf("  ratio of medians: %.2f%n", (double) global[writes / 2] / local[writes / 2]);
        }
    }

    private static long put(DynamoDbClient client, String table, int i) {
        long start = System.nanoTime();
        client.putItem(p -> p.tableName(table).item(Map.of("pk", AttributeValue.fromS("k" + i % 50),
                "n", AttributeValue.fromN(Integer.toString(i)))));
        return System.nanoTime() - start;
    }
}
