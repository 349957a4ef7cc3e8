package dev.meridian.dynamodb;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The three local regions of the integration tests and per-region clients built the way users should. */
public final class TestRegions {
    public static final Region EU_WEST_1 = Region.EU_WEST_1;
    public static final Region EU_CENTRAL_1 = Region.EU_CENTRAL_1;
    public static final Region US_EAST_1 = Region.US_EAST_1;
    public static final String[] IDS = {"eu-west-1", "eu-central-1", "us-east-1"};
    /**
     * The testkit's access key: DynamoDB Local keeps one database per access key and region, so clients must use the
     * key the testkit created the tables with.
     */
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("meridiantestkit", "meridiantestkit"));
    /**
     * The event loops of every asynchronous client the tests build, for the test JVM's lifetime (daemon threads). A
     * Netty client that owns its event loops waits out Netty's two-second quiet period when it closes, once per
     * client closed; the clients stay separate (each its own connection pool), only the threads are shared.
     */
    private static final SdkEventLoopGroup EVENT_LOOPS = SdkEventLoopGroup.builder().build();

    private TestRegions() {
    }

    /**
     * Three regions, local-first, without hedging: the feature tests built on it count each region's requests, which a
     * hedge (on by default) would add to. The invariant properties (e.g. {@code ResidencyInvariantPropertyIT}) build
     * their own configuration and keep the defaults, hedging included.
     */
    public static MultiRegionConfig config() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(US_EAST_1).jurisdiction("US"))
                .localRegion(EU_WEST_1)
                .routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.disabled())
                .build();
    }

    /** A multi-region client on {@code runtime} over per-region clients from {@code factory} (closed with it). */
    public static DynamoDbClient routed(MultiRegion runtime, Function<Region, DynamoDbClient> factory) {
        return MultiRegionDynamoDb.builder().multiRegion(runtime).clientFactory(factory).build();
    }

    public static DynamoDbClient client(LocalRegions regions, Region region) {
        return client(regions, region, RegionalClientDefaults.ATTEMPT_TIMEOUT);
    }

    /** A client whose attempt (and call) timeout is {@code attemptTimeout}: black-holed calls end sooner. */
    public static DynamoDbClient client(LocalRegions regions, Region region, Duration attemptTimeout) {
        return regions.clientBuilder(region.id())
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(
                        RegionalClientDefaults.MAX_ATTEMPTS, attemptTimeout))
                .build();
    }

    public static DynamoDbAsyncClient asyncClient(LocalRegions regions, Region region) {
        return asyncClient(regions, region, RegionalClientDefaults.ATTEMPT_TIMEOUT);
    }

    /** An asynchronous client whose attempt (and call) timeout is {@code attemptTimeout}. */
    public static DynamoDbAsyncClient asyncClient(LocalRegions regions, Region region, Duration attemptTimeout) {
        return asyncClientBuilder(regions, region, attemptTimeout)
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(
                        RegionalClientDefaults.MAX_ATTEMPTS, attemptTimeout))
                .build();
    }

    /**
     * A builder for an asynchronous client of {@code region}: its endpoint, region and credentials, and a Netty HTTP
     * client on the tests' shared event loops.
     */
    public static DynamoDbAsyncClientBuilder asyncClientBuilder(LocalRegions regions, Region region) {
        return asyncClientBuilder(regions, region, RegionalClientDefaults.ATTEMPT_TIMEOUT);
    }

    /**
     * As {@link #asyncClientBuilder(LocalRegions, Region)}, its Netty client's connection-acquire timeout half
     * {@code attemptTimeout}, as docs/configuration.md asks of async clients from an application's factory ("Async
     * per-region clients on Netty"): Netty sometimes loses a refused connect of a pool that has never connected.
     */
    public static DynamoDbAsyncClientBuilder asyncClientBuilder(LocalRegions regions, Region region,
            Duration attemptTimeout) {
        return DynamoDbAsyncClient.builder()
                .region(region)
                .endpointOverride(regions.endpoint(region.id()))
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().eventLoopGroup(EVENT_LOOPS)
                        .connectionAcquisitionTimeout(attemptTimeout.dividedBy(2)));
    }
}
