package dev.meridian.benchmarks.coldstart;

import com.sun.net.httpserver.HttpServer;
import dev.meridian.testkit.LambdaRuntimeApi;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cold start of a whole Lambda function: a fresh JVM running the AWS Lambda Java runtime interface client
 * ({@code AWSLambda}, as the managed runtime starts it) against sdk-testkit's local Runtime API, from process start to
 * the first response posted. Variants: {@code meridian} — samples/lambda-orders' {@code OrdersHandler} (Meridian over
 * three regions, tables configured by environment, SnapStart hooks registered) — and {@code raw} —
 * {@link RawOrdersHandler}, one plain {@code DynamoDbClient}. Both answer the same first event,
 * {@code GET /orders/order-1}, with one {@code GetItem} to a local HTTP server that returns a canned item (so the
 * network costs the same for both and nothing else runs on the machine). Pairs alternate their order; per run this
 * prints the wall time (spawn → {@code /response} received), and the child's CPU time ({@code /proc/<pid>/stat}
 * utime + stime) and peak RSS ({@code VmHWM}) read at that moment; then the medians and ratios.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.meridian.benchmarks.coldstart.HandlerColdStartBenchmark [PAIRS]} (Linux only: reads {@code /proc}).
 */
public final class HandlerColdStartBenchmark {
    private static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    private static final String ITEM = "{\"Item\":{\"pk\":{\"S\":\"order-1\"},\"order\":{\"S\":\"{\\\"item\\\":\\\"book\\\"}\"},"
            + "\"createdAt\":{\"S\":\"2026-11-30T00:00:00Z\"}}}";
    private static final String EVENT = "{\"version\":\"2.0\",\"routeKey\":\"GET /orders/{id}\",\"rawPath\":"
            + "\"/orders/order-1\",\"rawQueryString\":\"\",\"headers\":{\"content-type\":\"application/json\"},"
            + "\"requestContext\":{\"requestId\":\"cold\",\"http\":{\"method\":\"GET\",\"path\":\"/orders/order-1\","
            + "\"protocol\":\"HTTP/1.1\",\"sourceIp\":\"127.0.0.1\",\"userAgent\":\"bench\"},"
            + "\"authorizer\":{\"jwt\":{\"claims\":{\"sub\":\"u\",\"country\":\"DE\"},\"scopes\":null}}},"
            + "\"isBase64Encoded\":false}";

    private HandlerColdStartBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        HttpServer dynamo = cannedDynamoDb();
        String endpoint = "http://127.0.0.1:" + dynamo.getAddress().getPort();
        String[] variants = {"raw", "meridian"};
        try {
            run(endpoint, "raw");
            run(endpoint, "meridian");
            List<ColdStartBenchmark.Run> raw = new ArrayList<>();
            List<ColdStartBenchmark.Run> meridian = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                String first = variants[i % 2];
                String second = variants[(i + 1) % 2];
                for (String v : List.of(first, second)) {
                    ColdStartBenchmark.Run r = run(endpoint, v);
                    (v.equals("raw") ? raw : meridian).add(r);
                    System.out.printf("pair %2d %-9s wall %7.1f ms  cpu %6.0f ms  rss %7.0f KB%n", i + 1, v,
                            r.wallMs(), r.cpuMs(), r.rssKb());
                }
            }
            ColdStartBenchmark.report(raw, meridian, variants, List.of("wall", "cpu", "rss"));
        } finally {
            dynamo.stop(0);
        }
    }

    /**
     * One cold start, with a Runtime API of its own: a killed runtime's pending {@code /next} poll would otherwise
     * take the next run's event.
     */
    private static ColdStartBenchmark.Run run(String endpoint, String variant)
            throws IOException, InterruptedException {
        try (LambdaRuntimeApi api = LambdaRuntimeApi.start()) {
            return run(api, endpoint, variant);
        }
    }

    private static ColdStartBenchmark.Run run(LambdaRuntimeApi api, String endpoint, String variant)
            throws IOException, InterruptedException {
        String handler = variant.equals("raw") ? RawOrdersHandler.class.getName() + "::handleRequest"
                : "dev.meridian.samples.lambda.OrdersHandler::handleRequest";
        Path taskRoot = Files.createTempDirectory("lambda-task");
        Path log = Files.createTempFile("lambda-cold-start", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), RIC_MAIN, handler)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(environment(api, endpoint, handler, taskRoot));
        String id = api.invoke(EVENT);
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            LambdaRuntimeApi.Invocation result;
            try {
                result = api.await(id, Duration.ofSeconds(60));
            } catch (IllegalStateException e) {
                throw new IllegalStateException(variant + " did not answer; its output:\n" + Files.readString(log), e);
            }
            double wall = (System.nanoTime() - start) / 1e6;
            long pid = p.pid();
            double cpu = cpuMillis(pid);
            double rss = hwmKb(pid);
            if (!result.succeeded() || !result.body().contains("\"statusCode\":200")) {
                throw new IllegalStateException(variant + " answered " + result);
            }
            return new ColdStartBenchmark.Run(variant, wall, Double.NaN, cpu, rss, Double.NaN, Double.NaN, Double.NaN);
        } finally {
            p.destroyForcibly().waitFor();
            Files.deleteIfExists(taskRoot);
            Files.deleteIfExists(log);
        }
    }

    private static Map<String, String> environment(LambdaRuntimeApi api, String endpoint, String handler,
            Path taskRoot) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_LAMBDA_RUNTIME_API", api.address());
        env.put("_HANDLER", handler);
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "orders");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "cold");
        env.put("AWS_SECRET_ACCESS_KEY", "start");
        env.put("DYNAMODB_ENDPOINT", endpoint);
        env.put("MERIDIAN_REGIONS", "eu-west-1,eu-central-1,us-east-1");
        for (String r : List.of("EU_WEST_1", "EU_CENTRAL_1", "US_EAST_1")) {
            env.put("MERIDIAN_REGION_" + r + "_ENDPOINT", endpoint);
        }
        env.put("MERIDIAN_DYNAMODB_TABLES", "orders,orders-idempotency");
        env.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_PARTITION_KEY", "pk");
        env.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_REPLICA_REGIONS", "eu-west-1,eu-central-1");
        env.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_IDEMPOTENCY_PARTITION_KEY", "id");
        env.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_IDEMPOTENCY_REPLICA_REGIONS", "eu-west-1,eu-central-1");
        return env;
    }

    /** A local endpoint answering every request with the canned GetItem item. */
    private static HttpServer cannedDynamoDb() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = ITEM.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                exchange.getResponseHeaders().add("x-amzn-RequestId", "cold-start");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        return server;
    }

    private static double cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After "pid (comm) ", field 3 (state) is f[0]; utime and stime are fields 14 and 15.
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 1000.0 / CLOCK_TICKS_PER_SECOND;
    }

    private static double hwmKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Double.parseDouble(line.substring("VmHWM:".length()).trim().split("\\s+")[0]);
            }
        }
        return Double.NaN;
    }
}
