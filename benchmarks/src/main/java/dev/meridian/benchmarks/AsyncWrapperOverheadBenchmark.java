package dev.meridian.benchmarks;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Meridian's own work per routed asynchronous {@code GetItem} ({@link MultiRegionDynamoDb.Builder#buildAsyncClient()}),
 * the async counterpart of {@link WrapperOverheadBenchmark}'s no-op pair: every client sits on a
 * {@link DynamoDbAsyncClient} that answers with an already completed future and does no work, so the figures are the
 * routing work alone (classification, plan, breaker, latency tracking, the returned future's context hand-over).
 * {@code rawAsyncNoop} is that client called directly; {@code wrappedAsyncNoop} the routed client with the default
 * configuration (reads hedged: the hedge timer is armed and cancelled per read); {@code wrappedAsyncNoopUnhedged}
 * the same with hedging off. {@code executeAsyncNoop} is {@link MultiRegion#executeAsync} for a read whose call answers
 * with an already completed future, default configuration: the runtime's own work per call (plan, breaker, run, the
 * returned future) without a client's classification. Each call's future is joined, as a caller would.
 *
 * <p>Run (see benchmarks/RESULTS.md): {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -jar
 * benchmarks/target/benchmarks.jar AsyncWrapperOverhead -prof gc -f 2 -wi 3 -w 1s -i 3 -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(2)
public class AsyncWrapperOverheadBenchmark {
    private static final Operation GET = Operation.of("GetItem", OperationKind.READ);
    private static final CompletableFuture<String> ANSWER = CompletableFuture.completedFuture("order-1");
    private static final Function<Region, CompletableFuture<String>> ANSWERED = region -> ANSWER;

    private DynamoDbAsyncClient rawAsyncNoop;
    private DynamoDbAsyncClient wrappedAsyncNoop;
    private DynamoDbAsyncClient wrappedAsyncNoopUnhedged;
    private MultiRegion runtime;
    private GetItemRequest request;

    @Setup(Level.Trial)
    public void setUp() {
        TableConfig orders = TableConfig.builder("orders").partitionKey("pk").build();
        request = GetItemRequest.builder().tableName("orders")
                .key(Map.of("pk", AttributeValue.builder().s("order-1").build())).build();
        rawAsyncNoop = new NoopAsyncClient();
        wrappedAsyncNoop = MultiRegionDynamoDb.builder().config(config(HedgingConfig.defaults()))
                .asyncClientFactory(region -> new NoopAsyncClient()).table(orders).buildAsyncClient();
        wrappedAsyncNoopUnhedged = MultiRegionDynamoDb.builder().config(config(HedgingConfig.disabled()))
                .asyncClientFactory(region -> new NoopAsyncClient()).table(orders).buildAsyncClient();
        runtime = MultiRegion.builder(config(HedgingConfig.defaults())).build();
        // Build the wrapped region clients outside the measurement.
        wrappedAsyncNoop.getItem(request).join();
        wrappedAsyncNoopUnhedged.getItem(request).join();
    }

    private static MultiRegionConfig config(HedgingConfig hedging) {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.EU_WEST_1)
                .hedging(hedging)
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rawAsyncNoop.close();
        wrappedAsyncNoop.close();
        wrappedAsyncNoopUnhedged.close();
        runtime.close();
    }

    @Benchmark
    public GetItemResponse rawAsyncNoop() {
        return rawAsyncNoop.getItem(request).join();
    }

    /** Meridian's own work with the default configuration (hedged reads). */
    @Benchmark
    public GetItemResponse wrappedAsyncNoop() {
        return wrappedAsyncNoop.getItem(request).join();
    }

    /** Meridian's own work with hedging off. */
    @Benchmark
    public GetItemResponse wrappedAsyncNoopUnhedged() {
        return wrappedAsyncNoopUnhedged.getItem(request).join();
    }

    /** MultiRegion.executeAsync's own work per read (default configuration), the call answering at once. */
    @Benchmark
    public String executeAsyncNoop() {
        return runtime.executeAsync(GET, ANSWERED).join();
    }

    /** A DynamoDbAsyncClient answering GetItem with one prebuilt, completed future and no SDK work. */
    static final class NoopAsyncClient implements DynamoDbAsyncClient {
        private static final CompletableFuture<GetItemResponse> RESPONSE = CompletableFuture.completedFuture(
                GetItemResponse.builder().item(Map.of("pk", AttributeValue.builder().s("order-1").build())).build());

        @Override
        public CompletableFuture<GetItemResponse> getItem(GetItemRequest getItemRequest) {
            return RESPONSE;
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
        }
    }
}
