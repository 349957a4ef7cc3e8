package dev.meridian.benchmarks.coldstart;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.client.WriteMode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * One cold start, in a fresh JVM started by {@link ColdStartBenchmark}: build a client — a raw
 * {@link DynamoDbClient}, or a three-region {@link MultiRegionDynamoDb} over such clients — and make the first
 * {@code GetItem}, all on {@link CannedDynamoDbHttpClient} (no network). Prints one line,
 * {@code COLDSTART variant=.. main_ms=.. cpu_ms=.. hwm_kb=.. classes=..}: time from {@code main} to the first
 * response, the process's CPU time (all threads, JIT and GC included) and peak RSS ({@code VmHWM}) at that moment,
 * and the number of loaded classes (read after the other figures).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.meridian.benchmarks.coldstart.ColdStartRun
 * raw|meridian|meridian-unhedged} ({@code meridian-unhedged}: the same client with hedging off, to tell hedging's share
 * of the cold start).
 */
public final class ColdStartRun {

    private ColdStartRun() {
    }

    public static void main(String[] args) throws IOException {
        long start = System.nanoTime();
        if (args.length != 1 || !List.of("raw", "meridian", "meridian-unhedged").contains(args[0])) {
            throw new IllegalArgumentException("usage: ColdStartRun raw|meridian|meridian-unhedged");
        }
        GetItemResponse response;
        try (DynamoDbClient client = args[0].equals("raw") ? regional(Region.EU_WEST_1)
                : meridian(args[0].equals("meridian") ? HedgingConfig.defaults() : HedgingConfig.disabled())) {
            response = client.getItem(GetItemRequest.builder().tableName("orders")
                    .key(Map.of("pk", AttributeValue.builder().s("order-1").build())).build());
        }
        long mainNanos = System.nanoTime() - start;
        long cpuMillis = ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
        long hwmKb = statusKb("VmHWM:");
        if (!response.hasItem()) {
            throw new IllegalStateException("the canned GetItem response was not parsed");
        }
        System.out.printf("COLDSTART variant=%s main_ms=%.1f cpu_ms=%d hwm_kb=%d classes=%d%n", args[0],
                mainNanos / 1e6, cpuMillis, hwmKb,
                ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount());
    }

    /** The recommended Lambda shape: topology and table settings known up front, so no DescribeTable. */
    private static DynamoDbClient meridian(HedgingConfig hedging) {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1))
                .region(RegionSpec.of(Region.EU_CENTRAL_1))
                .region(RegionSpec.of(Region.US_EAST_1))
                .localRegion(Region.EU_WEST_1)
                .hedging(hedging)
                .build();
        return MultiRegionDynamoDb.builder()
                .config(config)
                .clientFactory(ColdStartRun::regional)
                .table(TableConfig.builder("orders").partitionKey("pk").writeMode(WriteMode.READ_LOCAL_WRITE_LOCAL)
                        .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1).build())
                .build();
    }

    private static DynamoDbClient regional(Region region) {
        return DynamoDbClient.builder()
                .region(region)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("cold", "start")))
                .httpClient(new CannedDynamoDbHttpClient(CannedDynamoDbHttpClient.GET_ITEM_BODY))
                .build();
    }

    private static long statusKb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }
}
