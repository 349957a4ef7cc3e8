package dev.meridian.core;

import java.time.Duration;
import software.amazon.awssdk.core.client.builder.SdkAsyncClientBuilder;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;

/**
 * The connection-acquire timeout of the SDK's Netty client on per-region async clients whose HTTP client Meridian
 * chooses ({@link RegionalClientDefaults#boundAcquire}). The only class of Meridian's that names a Netty type, loaded
 * only when the SDK would use Netty anyway: Netty is an optional dependency.
 *
 * <p>Why: the Netty client (seen on 2.54.13) sometimes loses a refused connect of a connection pool that has never
 * connected. {@code HttpOrHttp2ChannelPool.acquire0} starts the pool's first connect and only then adds the waiting
 * acquire to its protocol promise; when the connect fails on another event loop before that, and the failure's
 * listener runs inline on the pool's loop, the failed promise is replaced before the acquire listens, and the acquire
 * waits on the new promise until the pool's acquire timeout (the SDK's default 10 s). The attempt timeout ends it
 * first, and an attempt timeout may have applied a write, so the write is not moved to the next region. An acquire
 * timeout shorter than the attempt timeout ends it as what it is: nothing was sent.
 */
final class NettyAcquireTimeout {
    private NettyAcquireTimeout() {
    }

    /** The SDK's Netty client, its defaults kept, with {@code acquireTimeout}. */
    static void apply(SdkAsyncClientBuilder<?, ?> builder, Duration acquireTimeout) {
        builder.httpClientBuilder(NettyNioAsyncHttpClient.builder().connectionAcquisitionTimeout(acquireTimeout));
    }
}
