package dev.meridian.dynamodb.acceptance.realconditions;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The application side of {@link ColdAndStalledProcessIT}, run in a fresh JVM: a routed DynamoDB client built as the
 * README shows (three regions, eu-west-1 local, the documented defaults), over the parent's local regions. Arguments:
 * the mode, the table, a key prefix and the three regions' endpoints. It reports on stdout, one fact a line:
 * {@code OK <what>} or {@code FAILED <what> <exception>}, {@code CALLED <epoch millis>} (a cold call about to be
 * made), {@code READY}, {@code STATUS <region> <breaker> <suspect>}.
 * <ul>
 *   <li>{@code cold-put}: the process's first call is a PutItem;</li>
 *   <li>{@code cold-get}: the process's first call is a GetItem;</li>
 *   <li>{@code busy}: warm clients, then eight readers and a writer call until stdin says {@code END} (the parent
 *       stops and continues the whole process meanwhile), then the health view and {@code METER <name> <count>}.</li>
 * </ul>
 */
public final class ChildProcessClient {
    private static final String[] REGIONS = {"eu-west-1", "eu-central-1", "us-east-1"};

    private ChildProcessClient() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String table = args[1];
        String prefix = args[2];
        Map<String, URI> endpoints = Map.of(REGIONS[0], URI.create(args[3]), REGIONS[1], URI.create(args[4]),
                REGIONS[2], URI.create(args[5]));
        MultiRegionConfig config = ReadmeRegions.documented(Region.EU_WEST_1).build();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (MultiRegion runtime = MultiRegion.builder(config).meterRegistry(meters).build();
                DynamoDbClient client = MultiRegionDynamoDb.builder().multiRegion(runtime)
                        .clientFactory(r -> DynamoDbClient.builder().region(r).endpointOverride(endpoints.get(r.id()))
                                .credentialsProvider(StaticCredentialsProvider.create(
                                        AwsBasicCredentials.create("meridiantestkit", "meridiantestkit")))
                                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build())
                        // partition key and replica regions configured, as docs/configuration.md asks of a Lambda
                        // function: its first call is then the call itself, with no DescribeTable before it
                        .table(TableConfig.builder(table).partitionKey("pk")
                                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1).build())
                        .build()) {
            switch (mode) {
                case "cold-put" -> report("put", () -> put(client, table, prefix + "-1"));
                case "cold-get" -> {
                    System.out.println("CALLED " + System.currentTimeMillis());
                    report("get", () -> get(client, table, prefix + "-1"));
                }
                case "busy" -> busy(runtime, client, table, prefix, meters);
                default -> throw new IllegalArgumentException("mode " + mode);
            }
        }
    }

    private static void busy(MultiRegion runtime, DynamoDbClient client, String table, String prefix,
            SimpleMeterRegistry meters) throws Exception {
        for (String id : REGIONS) {
            try (RoutingContext.Scope s = RoutingContext.builder().preferredRegion(Region.of(id)).open()) {
                get(client, table, "warm");
            }
        }
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch calling = new CountDownLatch(50);
        AtomicInteger keys = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            boolean writer = i == 0;
            Thread t = new Thread(() -> {
                while (running.get()) {
                    String key = prefix + "-" + keys.incrementAndGet();
                    report(writer ? "put " + key : "get", () -> {
                        if (writer) {
                            put(client, table, key);
                        } else {
                            get(client, table, key);
                        }
                    });
                    calling.countDown();
                }
            }, "caller-" + i);
            threads.add(t);
            t.start();
        }
        calling.await();
        meters(meters, "METER-BEFORE-STOP");
        System.out.println("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("END")) {
            // the parent says END once it has stopped and continued this process
        }
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        for (RegionStatus s : runtime.regions()) {
            System.out.println("STATUS " + s.region().id() + " " + s.breaker() + " " + s.suspect());
        }
        meters(meters, "METER");
    }

    /** The stall, failover and hedge counters so far, one line each. */
    private static void meters(SimpleMeterRegistry meters, String label) {
        for (String meter : List.of("meridian.process.stall", "meridian.failover", "meridian.hedge.sent")) {
            System.out.println(label + " " + meter + " "
                    + meters.find(meter).counters().stream().mapToDouble(Counter::count).sum());
        }
    }

    private static void put(DynamoDbClient client, String table, String key) {
        client.putItem(p -> p.tableName(table).item(Map.of("pk", AttributeValue.fromS(key))));
    }

    private static void get(DynamoDbClient client, String table, String key) {
        client.getItem(g -> g.tableName(table).key(Map.of("pk", AttributeValue.fromS(key))));
    }

    private static void report(String what, Runnable call) {
        try {
            call.run();
            System.out.println("OK " + what);
        } catch (RuntimeException e) {
            System.out.println("FAILED " + what + " " + e);
        }
    }
}
