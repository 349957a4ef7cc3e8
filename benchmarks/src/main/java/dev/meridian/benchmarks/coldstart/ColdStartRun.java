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
import org.jspecify.annotations.Nullable;
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
 * raw|meridian|meridian-unhedged[-late]} ({@code meridian-unhedged}: the same client with hedging off, to tell
 * hedging's share of the cold start, and to keep the first attempt on the main thread; {@code -late}: a raw client's
 * first call first, then Meridian's, so that the phases show only what Meridian adds to what the raw client pays too).
 *
 * <p>With {@code -Dcoldstart.phases=true} it also prints {@code PHASES variant=.. config_us=.. build_us=..
 * first_us=.. config_kb=.. build_kb=.. first_kb=.. java_threads_cpu_ms=..}: the main thread's CPU time and all
 * threads' allocation of building the configuration, building the client and its first call, and the CPU time of
 * every Java thread alive after the first call (the rest of {@code cpu_ms} is the JVM's own threads': JIT compilers
 * and GC), read through the JDK's thread management bean, whose classes are then loaded before the first phase (off
 * by default, as it changes what the cold start loads).
 */
public final class ColdStartRun {

    private ColdStartRun() {
    }

    public static void main(String[] args) throws IOException {
        long start = System.nanoTime();
        String variant = args.length == 1 && args[0].endsWith("-late") ? args[0].substring(0, args[0].length() - 5) : "";
        if (args.length != 1 || !List.of("raw", "meridian", "meridian-unhedged").contains(variant.isEmpty() ? args[0]
                : variant)) {
            throw new IllegalArgumentException("usage: ColdStartRun raw|meridian|meridian-unhedged[-late]");
        }
        Phases phases = new Phases(Boolean.getBoolean("coldstart.phases"));
        if (!variant.isEmpty()) {
            try (DynamoDbClient raw = regional(Region.EU_WEST_1)) {
                getItem(raw);
            }
        }
        GetItemResponse response;
        phases.start();
        MultiRegionConfig config = args[0].startsWith("raw") ? null
                : config(args[0].startsWith("meridian-unhedged") ? HedgingConfig.disabled() : HedgingConfig.defaults());
        phases.mark();
        try (DynamoDbClient client = config == null ? regional(Region.EU_WEST_1) : meridian(config)) {
            phases.mark();
            response = getItem(client);
            phases.mark();
        }
        long mainNanos = System.nanoTime() - start;
        long cpuMillis = ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
        long hwmKb = statusKb("VmHWM:");
        if (!response.hasItem()) {
            throw new IllegalStateException("the canned GetItem response was not parsed");
        }
        phases.print(args[0]);
        System.out.printf("COLDSTART variant=%s main_ms=%.1f cpu_ms=%d hwm_kb=%d classes=%d%n", args[0],
                mainNanos / 1e6, cpuMillis, hwmKb,
                ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount());
    }

    private static GetItemResponse getItem(DynamoDbClient client) {
        return client.getItem(GetItemRequest.builder().tableName("orders")
                .key(Map.of("pk", AttributeValue.builder().s("order-1").build())).build());
    }

    private static MultiRegionConfig config(HedgingConfig hedging) {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1))
                .region(RegionSpec.of(Region.EU_CENTRAL_1))
                .region(RegionSpec.of(Region.US_EAST_1))
                .localRegion(Region.EU_WEST_1)
                .hedging(hedging)
                .build();
    }

    /** The recommended Lambda shape: topology and table settings known up front, so no DescribeTable. */
    private static DynamoDbClient meridian(MultiRegionConfig config) {
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

    /**
     * The main thread's CPU time and every live thread's allocated bytes at the marks between phases, when asked for
     * (the management beans are loaded before the first mark, so that their classes are in no phase).
     */
    private static final class Phases {
        private final com.sun.management.@Nullable ThreadMXBean threads;
        private final long[] cpu = new long[4];
        private final long[] allocated = new long[4];
        private long threadsCpu;
        private int next;

        Phases(boolean on) {
            this.threads = on ? (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean() : null;
        }

        void start() {
            mark();
        }

        void mark() {
            com.sun.management.ThreadMXBean t = threads;
            if (t != null) {
                cpu[next] = t.getCurrentThreadCpuTime();
                long bytes = 0;
                for (long b : t.getThreadAllocatedBytes(t.getAllThreadIds())) {
                    bytes += Math.max(b, 0);
                }
                allocated[next++] = bytes;
                long c = 0;
                for (long id : t.getAllThreadIds()) {
                    c += Math.max(t.getThreadCpuTime(id), 0);
                }
                threadsCpu = c;
            }
        }

        void print(String variant) {
            if (threads != null) {
                System.out.printf("PHASES variant=%s config_us=%d build_us=%d first_us=%d"
                                + " config_kb=%d build_kb=%d first_kb=%d java_threads_cpu_ms=%d%n", variant,
                        (cpu[1] - cpu[0]) / 1000, (cpu[2] - cpu[1]) / 1000, (cpu[3] - cpu[2]) / 1000,
                        (allocated[1] - allocated[0]) / 1024, (allocated[2] - allocated[1]) / 1024,
                        (allocated[3] - allocated[2]) / 1024, threadsCpu / 1_000_000);
            }
        }
    }
}
