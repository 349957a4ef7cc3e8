package dev.meridian.benchmarks;

import dev.meridian.benchmarks.coldstart.CannedDynamoDbHttpClient;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.execution.AnsweredAttempts;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * What {@link AnsweredAttempts} costs a successful call: one {@code GetItem} through a real {@link DynamoDbClient} on
 * the in-memory canned HTTP client, with {@link RegionalClientDefaults#overrideConfiguration()} as is
 * ({@code defaults}) and the same without that interceptor ({@code defaultsWithoutAnsweredAttempts}), side by side in
 * one JVM. The difference in {@code gc.alloc.rate.norm} is its per-call bytes (an execution attribute set on the 200).
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * AnsweredAttemptsBenchmark -prof gc -f 2 -wi 3 -w 1s -i 5 -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class AnsweredAttemptsBenchmark {
    private DynamoDbClient defaults;
    private DynamoDbClient defaultsWithoutAnsweredAttempts;
    private GetItemRequest request;

    @Setup(Level.Trial)
    public void setUp() {
        // Both through the same builder steps, so that they differ by the interceptor alone.
        ClientOverrideConfiguration withIt = RegionalClientDefaults.overrideConfiguration();
        defaults = client(withIt.toBuilder().executionInterceptors(
                withIt.executionInterceptors().stream().toList()).build());
        defaultsWithoutAnsweredAttempts = client(withIt.toBuilder().executionInterceptors(
                withIt.executionInterceptors().stream().filter(i -> i != AnsweredAttempts.INSTANCE).toList()).build());
        request = GetItemRequest.builder().tableName("orders")
                .key(Map.of("pk", AttributeValue.builder().s("order-1").build())).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        defaults.close();
        defaultsWithoutAnsweredAttempts.close();
    }

    @Benchmark
    public GetItemResponse defaults() {
        return defaults.getItem(request);
    }

    @Benchmark
    public GetItemResponse defaultsWithoutAnsweredAttempts() {
        return defaultsWithoutAnsweredAttempts.getItem(request);
    }

    private static DynamoDbClient client(ClientOverrideConfiguration override) {
        return DynamoDbClient.builder().region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClient(new CannedDynamoDbHttpClient(CannedDynamoDbHttpClient.GET_ITEM_BODY))
                .overrideConfiguration(override).build();
    }
}
