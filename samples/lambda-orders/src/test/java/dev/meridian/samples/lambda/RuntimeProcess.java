package dev.meridian.samples.lambda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The function in a fresh JVM under the AWS Lambda Java runtime interface client (its {@code AWSLambda} main, as the
 * managed runtime starts it), polling a local Runtime API. Output goes to a log file under {@code target/}.
 */
final class RuntimeProcess implements AutoCloseable {
    static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

    private final Process process;
    private final Path log;

    private RuntimeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code handler} with the function's {@code env} plus what Lambda itself sets. */
    static RuntimeProcess start(String handler, String runtimeApi, Map<String, String> env, String logName) {
        try {
            Path taskRoot = Files.createTempDirectory("lambda-task");
            Path log = Paths.get("target", logName + ".log").toAbsolutePath();
            Files.createDirectories(log.getParent());
            List<String> cmd = new ArrayList<>();
            cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-XX:+TieredCompilation");
            cmd.add("-XX:TieredStopAtLevel=1");
            cmd.add("-cp");
            cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
            cmd.add(RIC_MAIN);
            cmd.add(handler);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            Map<String, String> e = pb.environment();
            e.putAll(env);
            e.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
            e.put("_HANDLER", handler);
            e.put("LAMBDA_TASK_ROOT", taskRoot.toString());
            e.put("AWS_LAMBDA_FUNCTION_NAME", "orders");
            e.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            e.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
            e.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/orders");
            e.put("AWS_LAMBDA_LOG_STREAM_NAME", "local");
            e.putIfAbsent("AWS_REGION", env.getOrDefault("MERIDIAN_LOCAL_REGION", "eu-west-1"));
            return new RuntimeProcess(pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the runtime interface client", e);
        }
    }

    /** The child's output so far (for failure messages). */
    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
