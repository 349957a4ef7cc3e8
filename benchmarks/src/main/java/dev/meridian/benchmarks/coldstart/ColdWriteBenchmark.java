package dev.meridian.benchmarks.coldstart;

import dev.meridian.testkit.LocalRegions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The first write of a fresh JVM, repeated: starts the testkit's three local regions once (DynamoDB Local behind the
 * fault proxy, no fault), then runs {@link ColdWriteRun} in {@code RUNS} fresh JVMs one after the other, each making
 * its first write, a conditional {@code PutItem} of its own new key, through a new runtime. Afterwards it reads every
 * key back from every region (consistent reads) and prints the runs, the writes reported OK, the writes reported
 * failed, the writes <b>reported failed but applied</b> (the defect: the caller was told a write failed that is in
 * the table; must be 0), and the percentiles of the first write's time as the child measured it (runtime built to
 * answer).
 *
 * <p>Not a timed test: the figures are reported, only the failed-but-applied count is a verdict. Run it beside the
 * CPU hog to see a loaded machine: {@code bash benchmarks/cpu-hog.sh -- java -cp benchmarks/target/benchmarks.jar
 * dev.meridian.benchmarks.coldstart.ColdWriteBenchmark 50}.
 *
 * <p>Usage: {@code ColdWriteBenchmark [RUNS]} (default 50).
 */
public final class ColdWriteBenchmark {
    private static final Pattern RESULT = Pattern.compile("COLDWRITE key=(\\S+) ms=([\\d.]+) ok=(true|false)(?: error=(\\S+))?");
    private static final String TABLE = "cold_orders";

    private ColdWriteBenchmark() {
    }

    /** What one child reported. */
    private record Run(String key, double millis, boolean ok, String error) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        String[] ids = Arrays.stream(ColdWriteRun.REGIONS).map(Region::id).toArray(String[]::new);
        try (LocalRegions regions = LocalRegions.start(ids)) {
            warm(regions, ids);
            regions.createGlobalTable(CreateTableRequest.builder().tableName(TABLE)
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                            .attributeType(ScalarAttributeType.S).build())
                    .build());
            List<String> endpoints = Arrays.stream(ids).map(id -> regions.endpoint(id).toString()).toList();
            List<Run> results = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Run r = run("cold-" + UUID.randomUUID(), endpoints);
                results.add(r);
                System.out.printf("run %2d  %-5s %8.1f ms%s%n", i + 1, r.ok ? "OK" : "FAIL", r.millis,
                        r.ok ? "" : "  " + r.error);
            }
            report(regions, ids, results);
        }
    }

    /**
     * Answers a first request in every local region, retried: DynamoDB Local's own first requests are slow on a
     * loaded machine, and the harness's table must exist before the first child runs.
     */
    private static void warm(LocalRegions regions, String[] ids) {
        for (String id : ids) {
            for (int attempt = 1; ; attempt++) {
                try {
                    regions.client(id).listTables();
                    break;
                } catch (RuntimeException e) {
                    if (attempt == 10) {
                        throw e;
                    }
                }
            }
        }
    }

    private static void report(LocalRegions regions, String[] ids, List<Run> results) {
        int ok = 0;
        int failed = 0;
        int failedButApplied = 0;
        int okButMissing = 0;
        for (Run r : results) {
            boolean applied = applied(regions, ids, r.key);
            if (r.ok) {
                ok++;
                okButMissing += applied ? 0 : 1;
            } else {
                failed++;
                failedButApplied += applied ? 1 : 0;
            }
        }
        double[] ms = results.stream().mapToDouble(Run::millis).sorted().toArray();
        System.out.printf("%nruns %d, reported OK %d, reported failed %d, reported failed but applied %d,"
                + " reported OK but missing %d%n", results.size(), ok, failed, failedButApplied, okButMissing);
        System.out.printf("first write ms: p50 %.0f, p90 %.0f, p99 %.0f, max %.0f%n", percentile(ms, 50),
                percentile(ms, 90), percentile(ms, 99), ms[ms.length - 1]);
    }

    /** Whether the key is in the table of any region (a write that failed over lands outside eu-west-1). */
    private static boolean applied(LocalRegions regions, String[] ids, String key) {
        for (String id : ids) {
            if (regions.client(id).getItem(GetItemRequest.builder().tableName(TABLE).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS(key))).build()).hasItem()) {
                return true;
            }
        }
        return false;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static Run run(String key, List<String> endpoints) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-cp", System.getProperty("java.class.path"),
                ColdWriteRun.class.getName(), TABLE, key));
        cmd.addAll(endpoints);
        MatchResult m = ChildJvm.run(cmd, RESULT).line();
        Run result = new Run(m.group(1), Double.parseDouble(m.group(2)), Boolean.parseBoolean(m.group(3)), m.group(4));
        if (!result.key.equals(key)) {
            throw new IllegalStateException("cold-write child " + cmd + " reported key " + result.key);
        }
        return result;
    }
}
