package dev.meridian.dynamodb.acceptance.conditions;

import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The HTTP clients the AWS SDK offers an application, each building a region's client the way the READMEs' client
 * factory does ({@code RegionalClientDefaults.overrideConfiguration(..)}), pointed at the testkit's region. Netty is
 * async only and gets the connection-acquire timeout docs/configuration.md asks of an application's own async factory.
 */
enum HttpClientKind {
    APACHE,
    /**
     * The SDK's client on Apache HttpClient 5 ({@code apache5-client}): its failures are httpclient5's own. Not last:
     * jqwik's edge cases of an enum are its first and last constants, which stay Apache 4 and Netty.
     */
    APACHE5,
    URL_CONNECTION, NETTY_ASYNC;

    /** The testkit's access key: DynamoDB Local keeps one database per access key. */
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("meridiantestkit", "meridiantestkit"));

    /** The SDK's default connect timeout of its synchronous HTTP clients. */
    static final Duration SDK_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    boolean async() {
        return this == NETTY_ASYNC;
    }

    DynamoDbClient syncClient(LocalRegions regions, Region region, Duration attemptTimeout) {
        return syncClient(regions, region, attemptTimeout, SDK_CONNECT_TIMEOUT);
    }

    /** {@code connectTimeout}: the synchronous HTTP client's connect timeout. */
    DynamoDbClient syncClient(LocalRegions regions, Region region, Duration attemptTimeout, Duration connectTimeout) {
        return syncClient(regions, region, RegionalClientDefaults.overrideConfiguration(
                RegionalClientDefaults.MAX_ATTEMPTS, attemptTimeout), connectTimeout);
    }

    /** As the READMEs' factory builds it, with {@code overrides} instead of the documented override configuration. */
    DynamoDbClient syncClient(LocalRegions regions, Region region, ClientOverrideConfiguration overrides,
            Duration connectTimeout) {
        var builder = DynamoDbClient.builder().region(region).endpointOverride(regions.endpoint(region.id()))
                .credentialsProvider(CREDENTIALS).overrideConfiguration(overrides);
        return switch (this) {
            case APACHE -> builder.httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(connectTimeout))
                    .build();
            case URL_CONNECTION -> builder.httpClientBuilder(UrlConnectionHttpClient.builder()
                    .connectionTimeout(connectTimeout)).build();
            case NETTY_ASYNC -> throw new IllegalStateException("Netty is asynchronous only");
            case APACHE5 -> builder.httpClientBuilder(Apache5HttpClient.builder().connectionTimeout(connectTimeout))
                    .build();
        };
    }

    DynamoDbAsyncClient asyncClient(LocalRegions regions, Region region, Duration attemptTimeout) {
        return asyncClient(regions, region, attemptTimeout, RegionalClientDefaults.overrideConfiguration(
                RegionalClientDefaults.MAX_ATTEMPTS, attemptTimeout));
    }

    /** As the READMEs' factory builds it, with {@code overrides} instead of the documented override configuration. */
    DynamoDbAsyncClient asyncClient(LocalRegions regions, Region region, Duration attemptTimeout,
            ClientOverrideConfiguration overrides) {
        if (this != NETTY_ASYNC) {
            throw new IllegalStateException(this + " is synchronous only");
        }
        // The tests' shared event loops spare each closed client Netty's quiet period; the rest as the docs build it.
        return TestRegions.asyncClientBuilder(regions, region, attemptTimeout).overrideConfiguration(overrides).build();
    }
}
