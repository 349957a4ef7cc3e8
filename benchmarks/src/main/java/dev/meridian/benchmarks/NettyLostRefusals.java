package dev.meridian.benchmarks;

import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * How often the SDK's Netty client loses a refused connect, per Netty configuration (docs/configuration.md, "Async
 * per-region clients on Netty"): one async {@code PutItem} at a time, without SDK retries, to a loopback port nothing
 * listens on; a call that is not refused ends in the pool's acquire timeout (3 s here, connect timeout 1 s). No
 * Meridian code: the SDK alone. Args: calls per configuration (default 60). Prints one line per configuration.
 */
public final class NettyLostRefusals {
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(3);

    private NettyLostRefusals() {
    }

    /** One configuration: its name, event-loop threads (0: the SDK's shared group), what it sets, warmed first. */
    private record Config(String name, int threads, UnaryOperator<NettyNioAsyncHttpClient.Builder> settings,
            boolean warm) {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        List<Config> configs = List.of(
                new Config("sdk-default-event-loops", 0, b -> b, false),
                new Config("2-event-loops", 2, b -> b, false),
                new Config("2-event-loops-http1.1", 2, b -> b.protocol(Protocol.HTTP1_1), false),
                new Config("1-event-loop", 1, b -> b, false),
                new Config("2-event-loops-pool-connected-once", 2, b -> b, true));
        for (Config c : configs) {
            int[] outcomes = outcomes(c, calls);
            System.out.printf("%-34s calls=%d refused=%d lost(acquire timeout)=%d other=%d%n", c.name(), calls,
                    outcomes[0], outcomes[1], outcomes[2]);
        }
    }

    /** Refused, lost (acquire timeout) and other outcomes of {@code calls} calls. */
    private static int[] outcomes(Config c, int calls) throws Exception {
        NioEventLoopGroup group = c.threads() > 0 ? new NioEventLoopGroup(c.threads()) : null;
        NettyNioAsyncHttpClient.Builder http = c.settings().apply(NettyNioAsyncHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(1)).connectionAcquisitionTimeout(ACQUIRE_TIMEOUT));
        if (group != null) {
            http.eventLoopGroup(SdkEventLoopGroup.create(group));
        }
        ServerSocket server = new ServerSocket(0);
        int port = server.getLocalPort();
        int[] outcomes = new int[3];
        try (DynamoDbAsyncClient client = DynamoDbAsyncClient.builder().region(Region.EU_WEST_1)
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .httpClientBuilder(http)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            if (c.warm()) {
                answerOnce(server, client);
            }
            server.close();
            for (int i = 0; i < calls; i++) {
                try {
                    put(client).join();
                } catch (RuntimeException e) {
                    String failure = String.valueOf(e);
                    outcomes[failure.contains("Connection refused") ? 0
                            : failure.contains("Acquire operation took longer") ? 1 : 2]++;
                }
            }
        } finally {
            server.close();
            if (group != null) {
                group.shutdownGracefully();
            }
        }
        return outcomes;
    }

    /** One call answered (so the pool has connected once); the server then closes. */
    private static void answerOnce(ServerSocket server, DynamoDbAsyncClient client) throws Exception {
        CompletableFuture<?> call = put(client);
        try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.read(new byte[8192]);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            call.handle((r, e) -> null).join();
        } catch (IOException e) {
            throw new IllegalStateException("the warm-up call was not answered", e);
        }
    }

    private static CompletableFuture<?> put(DynamoDbAsyncClient client) {
        return client.putItem(b -> b.tableName("t").item(Map.of("pk", AttributeValue.fromS("k"))));
    }
}
