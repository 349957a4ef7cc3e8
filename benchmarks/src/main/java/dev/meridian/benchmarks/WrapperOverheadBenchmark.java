package dev.meridian.benchmarks;

import dev.meridian.benchmarks.coldstart.CannedDynamoDbHttpClient;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbServiceClientConfiguration;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

/**
 * Cost of routing one {@code GetItem} through the multi-region client ({@link MultiRegionDynamoDb}, the same client
 * {@code MultiRegion.wrap(DynamoDbClient.class, …)} returns) compared with calling the raw
 * {@link DynamoDbClient}. Both clients sit on an in-memory {@link SdkHttpClient} that answers every request with a
 * canned GetItem response, so the figures are the SDK's and Meridian's CPU work only (marshalling, signing,
 * interceptors, and for the wrapper: classification, residency, health, strategy, breaker, latency tracking).
 * {@code rawNoop}/{@code wrappedNoop} repeat the pair over a client that does no work, isolating Meridian's own
 * per-call cost (proxy, classification, plan, breaker, latency tracking). With the default configuration reads are
 * hedged, so {@code wrappedNoop} includes the hand-off of every synchronous read to a hedge worker;
 * {@code wrappedNoopUnhedged} is the same client with hedging off (the routing work alone), and
 * {@code wrappedNoopMetered} the default client recording into a Micrometer registry.
 *
 * <p>The same with per-region clients built with {@link RegionalClientDefaults} (the README's configuration), where a
 * hedged synchronous read runs its first attempt on the caller's own thread (no hand-off; a won hedge releases the
 * caller through the SDK's call timeout): {@code rawDefaults}/{@code wrappedDefaults} are a real {@link DynamoDbClient}
 * on the canned HTTP client, raw and routed with the default (hedged) configuration; {@code wrappedNoopReleasable}
 * isolates Meridian's own work on that path: the default configuration over a client that does no work but describes
 * itself as built with {@code RegionalClientDefaults} ({@link ReleasableNoopClient}), so the caller runs the attempt
 * and the hedge timer is armed and cancelled per read as for a real client. What it leaves out is the part of
 * Meridian's work that only a real SDK call triggers: the SDK schedules two timeout tasks per call on Meridian's
 * scheduler, which looks up one thread-local per task (the raw client with the defaults schedules the same tasks on
 * the same scheduler, so the {@code rawDefaults}/{@code wrappedDefaults} difference includes it; its error is the SDK's).
 *
 * <p>Run (see benchmarks/RESULTS.md):
 * {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * WrapperOverhead -prof gc -f 3 -wi 5 -w 2s -i 8 -r 2s}
 *
 * <p>Read the full-client pair with care: on a small VM one fork's mean differs from the next by up to ±10 %
 * (about 2 µs), more than Meridian adds, and JMH runs every fork of {@code raw} before any fork of {@code wrapped}.
 * Compare per-fork means over several forks, ideally with raw and wrapped run in alternating single-fork JVMs; the
 * no-op pair is the direct measure of Meridian's own cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WrapperOverheadBenchmark {

    private DynamoDbClient raw;
    private DynamoDbClient wrapped;
    private DynamoDbClient rawNoop;
    private DynamoDbClient wrappedNoop;
    private DynamoDbClient wrappedNoopUnhedged;
    private DynamoDbClient wrappedNoopMetered;
    private DynamoDbClient rawDefaults;
    private DynamoDbClient wrappedDefaults;
    private DynamoDbClient wrappedNoopReleasable;
    private GetItemRequest request;
    private PutItemRequest put;

    @Setup(Level.Trial)
    public void setUp() {
        raw = client(Region.EU_WEST_1);
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.EU_WEST_1)
                .build();
        // The recommended door: the generated multi-region client, with the orders table described so that no
        // DescribeTable runs (the canned HTTP client only answers GetItem).
        TableConfig orders = TableConfig.builder("orders").partitionKey("pk").build();
        wrapped = MultiRegionDynamoDb.builder().config(config).clientFactory(WrapperOverheadBenchmark::client)
                .table(orders).build();
        request = GetItemRequest.builder().tableName("orders")
                .key(Map.of("pk", AttributeValue.builder().s("order-1").build())).build();
        put = PutItemRequest.builder().tableName("orders")
                .item(Map.of("pk", AttributeValue.builder().s("order-1").build())).build();
        rawNoop = new NoopClient();
        wrappedNoop = MultiRegionDynamoDb.builder().config(config).clientFactory(region -> new NoopClient())
                .table(orders).build();
        MultiRegionConfig unhedged = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.EU_WEST_1)
                .hedging(HedgingConfig.disabled())
                .build();
        wrappedNoopUnhedged = MultiRegionDynamoDb.builder().config(unhedged)
                .clientFactory(region -> new NoopClient()).table(orders).build();
        wrappedNoopMetered = MultiRegionDynamoDb.builder().config(config).clientFactory(region -> new NoopClient())
                .meterRegistry(new SimpleMeterRegistry()).table(orders).build();
        rawDefaults = clientWithDefaults(Region.EU_WEST_1);
        wrappedDefaults = MultiRegionDynamoDb.builder().config(config)
                .clientFactory(WrapperOverheadBenchmark::clientWithDefaults).table(orders).build();
        wrappedNoopReleasable = MultiRegionDynamoDb.builder().config(config)
                .clientFactory(ReleasableNoopClient::new).table(orders).build();
        // Build the wrapped region clients outside the measurement.
        wrappedDefaults.getItem(request);
        wrappedNoopReleasable.getItem(request);
        wrapped.getItem(request);
        wrappedNoop.getItem(request);
        wrappedNoopUnhedged.getItem(request);
        wrappedNoopMetered.getItem(request);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        raw.close();
        wrapped.close();
        wrappedNoop.close();
        wrappedNoopUnhedged.close();
        wrappedNoopMetered.close();
        rawDefaults.close();
        wrappedDefaults.close();
        wrappedNoopReleasable.close();
    }

    @Benchmark
    public GetItemResponse raw() {
        return raw.getItem(request);
    }

    @Benchmark
    public GetItemResponse wrapped() {
        return wrapped.getItem(request);
    }

    /** Meridian's own cost: the same wrapper over a client that does no work. */
    @Benchmark
    public GetItemResponse rawNoop() {
        return rawNoop.getItem(request);
    }

    @Benchmark
    public GetItemResponse wrappedNoop() {
        return wrappedNoop.getItem(request);
    }

    /** Meridian's own cost with hedging off: classification, plan, breaker, latency tracking on the caller's thread. */
    @Benchmark
    public GetItemResponse wrappedNoopUnhedged() {
        return wrappedNoopUnhedged.getItem(request);
    }

    /** Meridian's own cost with the default configuration and a Micrometer registry recording every attempt. */
    @Benchmark
    public GetItemResponse wrappedNoopMetered() {
        return wrappedNoopMetered.getItem(request);
    }

    /** The raw SDK client with the README's per-region settings ({@link RegionalClientDefaults}). */
    @Benchmark
    public GetItemResponse rawDefaults() {
        return rawDefaults.getItem(request);
    }

    /** The default (hedged) configuration over clients with the README's settings: the caller runs the attempt. */
    @Benchmark
    public GetItemResponse wrappedDefaults() {
        return wrappedDefaults.getItem(request);
    }

    /** Meridian's own cost on the caller-runs path: the default configuration over a releasable no-op client. */
    /**
     * An unguarded write's routing cost over the no-op client (the caller-thread failover loop; a write is never
     * hedged): what an unthrottled synchronous write pays, e.g. for the throttle fence its call gets.
     */
    @Benchmark
    public PutItemResponse wrappedNoopPut() {
        return wrappedNoop.putItem(put);
    }

    @Benchmark
    public GetItemResponse wrappedNoopReleasable() {
        return wrappedNoopReleasable.getItem(request);
    }

    static DynamoDbClient clientWithDefaults(Region region) {
        return DynamoDbClient.builder()
                .region(region)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClient(new CannedDynamoDbHttpClient(CannedDynamoDbHttpClient.GET_ITEM_BODY))
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration())
                .build();
    }

    static DynamoDbClient client(Region region) {
        return DynamoDbClient.builder()
                .region(region)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClient(new CannedDynamoDbHttpClient(CannedDynamoDbHttpClient.GET_ITEM_BODY))
                .build();
    }

    /**
     * A {@link NoopClient} describing itself as built with {@link RegionalClientDefaults}
     * ({@link RegionalClientDefaults#releasesCallers}), so that hedged reads run it on the caller's thread.
     */
    static final class ReleasableNoopClient extends NoopClient {
        private final DynamoDbServiceClientConfiguration configuration;

        ReleasableNoopClient(Region region) {
            this.configuration = DynamoDbServiceClientConfiguration.builder().region(region)
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build();
        }

        @Override
        public DynamoDbServiceClientConfiguration serviceClientConfiguration() {
            return configuration;
        }
    }

    /** A DynamoDbClient answering GetItem with a prebuilt response and no SDK work. */
    static class NoopClient implements DynamoDbClient {
        private static final GetItemResponse RESPONSE = GetItemResponse.builder()
                .item(Map.of("pk", AttributeValue.builder().s("order-1").build())).build();
        private static final PutItemResponse PUT_RESPONSE = PutItemResponse.builder().build();

        @Override
        public GetItemResponse getItem(GetItemRequest getItemRequest) {
            return RESPONSE;
        }

        @Override
        public PutItemResponse putItem(PutItemRequest putItemRequest) {
            return PUT_RESPONSE;
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
