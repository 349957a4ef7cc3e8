package dev.meridian.benchmarks;

import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RequestJournal;
import java.util.Arrays;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Counts DynamoDB calls per idempotent operation (from the testkit's request journal, i.e. what actually went over
 * the wire) for Meridian's {@code Idempotency} + {@code DynamoDbIdempotencyStore}: first call, replay without the
 * local cache, replay with it; and times cached replays. Powertools for AWS Lambda (Java) 2.x is not resolvable from
 * this build's Maven mirror, so its column is taken from its source (documented, not measured).
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am install -DskipTests && mvn -q -pl benchmarks exec:java
 * -Dexec.mainClass=dev.meridian.benchmarks.IdempotencyCallCountBenchmark}
 */
public final class IdempotencyCallCountBenchmark {

    private static final String REGION = "eu-west-1";
    private static final String TABLE = "idempotency";
    private static final int KEYS = 50;
    private static final int CACHED_REPLAYS = 200_000;
    private static final int STORE_REPLAYS = 300;

    private IdempotencyCallCountBenchmark() {
    }

    /** Prints the call-count table and the replay latencies. */
    public static void main(String[] args) {
        try (LocalRegions regions = LocalRegions.start(REGION)) {
            regions.createGlobalTable(CreateTableRequest.builder().tableName(TABLE)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                            .attributeType(ScalarAttributeType.S).build())
                    .build());
            DynamoDbClient client = regions.client(REGION);
            DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table(TABLE).client(client).build();
            Idempotency uncached = Idempotency.builder().store(store).build();
            Idempotency cached = Idempotency.builder().store(store).localCache(10_000).build();
            RequestJournal journal = regions.journal(REGION);

            long first = 0;
            long replay = 0;
            long cachedReplay = 0;
            for (int i = 0; i < KEYS; i++) {
                String key = "bench-" + UUID.randomUUID();
                journal.clear();
                uncached.execute(key, "{\"amount\":10}", () -> "receipt");
                first += itemCalls(journal);
                journal.clear();
                uncached.execute(key, "{\"amount\":10}", () -> "receipt");
                replay += itemCalls(journal);
                cached.execute(key, "{\"amount\":10}", () -> "receipt");
                journal.clear();
                cached.execute(key, "{\"amount\":10}", () -> "receipt");
                cachedReplay += itemCalls(journal);
            }

            String key = "bench-latency-" + UUID.randomUUID();
            cached.execute(key, "{\"amount\":10}", () -> "receipt");
            long[] cachedNanos = time(CACHED_REPLAYS, () -> cached.execute(key, "{\"amount\":10}", () -> "x"));
            long[] storeNanos = time(STORE_REPLAYS, () -> uncached.execute(key, "{\"amount\":10}", () -> "x"));

            System.out.println();
            System.out.println("DynamoDB calls per idempotent operation (average over " + KEYS + " keys)");
            System.out.println("| flow                 | Meridian (measured)        | Powertools 2.x (documented)      |");
            System.out.println("|----------------------|----------------------------|----------------------------------|");
            System.out.printf("| first call           | %-26s | %-32s |%n", format(first) + " (PutItem+UpdateItem)",
                    "2 (PutItem+UpdateItem)");
            System.out.printf("| replay, no cache     | %-26s | %-32s |%n", format(replay) + " (PutItem, ALL_OLD)",
                    "2 (PutItem fails, GetItem)");
            System.out.printf("| replay, local cache  | %-26s | %-32s |%n", format(cachedReplay),
                    "0 (useLocalCache)");
            System.out.println();
            System.out.printf("cached replay latency (%d calls): p50 %.2f us, p99 %.2f us%n", CACHED_REPLAYS,
                    micros(cachedNanos, 0.50), micros(cachedNanos, 0.99));
            System.out.printf("store replay latency over DynamoDB Local + fault proxy (%d calls): p50 %.0f us, "
                    + "p99 %.0f us%n", STORE_REPLAYS, micros(storeNanos, 0.50), micros(storeNanos, 0.99));
        }
    }

    /** Item reads and writes only: the replicator's stream reads are not part of the operation. */
    private static long itemCalls(RequestJournal journal) {
        return journal.count("PutItem") + journal.count("UpdateItem") + journal.count("GetItem")
                + journal.count("DeleteItem");
    }

    private static String format(long total) {
        return String.format("%.2f", (double) total / KEYS);
    }

    private static long[] time(int calls, Runnable call) {
        for (int i = 0; i < Math.min(calls, 10_000); i++) {
            call.run();
        }
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            call.run();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static double micros(long[] sortedNanos, double quantile) {
        return sortedNanos[(int) Math.min(sortedNanos.length - 1, Math.floor(quantile * sortedNanos.length))] / 1_000.0;
    }
}
