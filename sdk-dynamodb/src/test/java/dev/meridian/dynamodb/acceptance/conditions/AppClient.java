package dev.meridian.dynamodb.acceptance.conditions;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * An application's routed DynamoDB client on its own runtime, synchronous or asynchronous, made the way one of the
 * READMEs shows ({@link Maker}) over per-region clients of one {@link HttpClientKind}; a call shape runs on it with the
 * caller's thread waiting (an async call is joined, its {@code CompletionException} unwrapped).
 */
final class AppClient implements AutoCloseable {
    /** How the application makes its routed client. */
    enum Maker { BUILT, WRAPPED }

    private final String name;
    private final MultiRegion runtime;
    private final DynamoDbClient sync;
    private final DynamoDbAsyncClient async;

    private AppClient(String name, MultiRegion runtime, DynamoDbClient sync, DynamoDbAsyncClient async) {
        this.name = name;
        this.runtime = runtime;
        this.sync = sync;
        this.async = async;
    }

    /** Every HTTP client with every maker: the arguments of a parameterized test over all clients. */
    static Stream<Arguments> everyClient() {
        return Stream.of(HttpClientKind.values())
                .flatMap(http -> Stream.of(Maker.values()).map(maker -> Arguments.of(http, maker)));
    }

    /** The routed client's configuration of a table keyed by {@code pk}, no sort key. */
    static List<TableConfig> pkTable(String table) {
        return List.of(TableConfig.builder(table).partitionKey("pk").build());
    }

    static AppClient make(LocalRegions regions, MultiRegionConfig config, HttpClientKind kind, Maker maker,
            Duration attemptTimeout, List<TableConfig> tables) {
        return make(regions, config, kind, maker, attemptTimeout, HttpClientKind.SDK_CONNECT_TIMEOUT, tables);
    }

    /** {@code connectTimeout}: the synchronous HTTP clients' connect timeout (Netty's is the SDK's default). */
    static AppClient make(LocalRegions regions, MultiRegionConfig config, HttpClientKind kind, Maker maker,
            Duration attemptTimeout, Duration connectTimeout, List<TableConfig> tables) {
        MultiRegion runtime = MultiRegion.builder(config).build();
        String name = kind + "/" + maker;
        if (kind.async()) {
            DynamoDbAsyncClient client = maker == Maker.BUILT
                    ? MultiRegionDynamoDb.builder().multiRegion(runtime).tables(tables)
                            .asyncClientFactory(r -> kind.asyncClient(regions, r, attemptTimeout)).buildAsyncClient()
                    : runtime.wrapClient(DynamoDbAsyncClient.class, r -> kind.asyncClient(regions, r, attemptTimeout),
                            (m, a) -> null);
            return new AppClient(name, runtime, null, client);
        }
        DynamoDbClient client = maker == Maker.BUILT
                ? MultiRegionDynamoDb.builder().multiRegion(runtime).tables(tables)
                        .clientFactory(r -> kind.syncClient(regions, r, attemptTimeout, connectTimeout)).build()
                : runtime.wrapClient(DynamoDbClient.class,
                        r -> kind.syncClient(regions, r, attemptTimeout, connectTimeout),
                        (m, a) -> null);
        return new AppClient(name, runtime, client, null);
    }

    /**
     * As {@link #make(LocalRegions, MultiRegionConfig, HttpClientKind, Maker, Duration, List)}, its per-region clients
     * with {@code overrides} (retries, timeouts, interceptors) instead of the documented override configuration;
     * {@code attemptTimeout} then only bounds Netty's connection acquire.
     */
    static AppClient make(LocalRegions regions, MultiRegionConfig config, HttpClientKind kind, Maker maker,
            Duration attemptTimeout, ClientOverrideConfiguration overrides, List<TableConfig> tables) {
        MultiRegion runtime = MultiRegion.builder(config).build();
        String name = kind + "/" + maker;
        if (kind.async()) {
            Function<Region, DynamoDbAsyncClient> factory = r -> kind.asyncClient(regions, r, attemptTimeout, overrides);
            DynamoDbAsyncClient client = maker == Maker.BUILT
                    ? MultiRegionDynamoDb.builder().multiRegion(runtime).tables(tables).asyncClientFactory(factory)
                            .buildAsyncClient()
                    : runtime.wrapClient(DynamoDbAsyncClient.class, factory, (m, a) -> null);
            return new AppClient(name, runtime, null, client);
        }
        Function<Region, DynamoDbClient> factory =
                r -> kind.syncClient(regions, r, overrides, HttpClientKind.SDK_CONNECT_TIMEOUT);
        DynamoDbClient client = maker == Maker.BUILT
                ? MultiRegionDynamoDb.builder().multiRegion(runtime).tables(tables).clientFactory(factory).build()
                : runtime.wrapClient(DynamoDbClient.class, factory, (m, a) -> null);
        return new AppClient(name, runtime, client, null);
    }

    MultiRegion runtime() {
        return runtime;
    }

    /** The synchronous routed client, for features built on one (e.g. {@code LwwWrites}). */
    DynamoDbClient syncClient() {
        if (sync == null) {
            throw new IllegalStateException(name + " is asynchronous");
        }
        return sync;
    }

    /** The asynchronous routed client. */
    DynamoDbAsyncClient asyncClient() {
        if (async == null) {
            throw new IllegalStateException(name + " is synchronous");
        }
        return async;
    }

    /** Runs {@code shape} on the key; the shape's own failure is thrown, unwrapped from the async join. */
    Object run(Shape shape, String key) {
        try {
            return sync != null ? shape.sync().apply(sync, key) : shape.async().apply(async, key).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    @Override
    public void close() {
        if (sync != null) {
            sync.close();
        } else {
            async.close();
        }
        runtime.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
