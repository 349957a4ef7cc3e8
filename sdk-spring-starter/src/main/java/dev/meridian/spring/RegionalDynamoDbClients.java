package dev.meridian.spring;

import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.RegionalClientFactory;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbServiceClientConfiguration;

/**
 * Per-region client factories that copy an application's existing client: its credentials and its override
 * configuration as sdk-core's {@link RegionalClientDefaults#overrideConfigurationLike} copies it (what the application
 * set, with the capped retries and Meridian's timeout scheduler, so that SDK retries do not multiply with cross-region
 * failover); the endpoint is the region's {@code meridian.region.<region>.endpoint}, if set. The HTTP client is the
 * SDK's default for the class path (the SDK does not expose the existing one), with its connect timeout (sync) or
 * connection acquire (async) bounded under the attempt timeout, as {@link RegionalClientDefaults} says why.
 */
final class RegionalDynamoDbClients {
    /** Package of Meridian's own routed clients, which are never wrapped again. */
    private static final String ROUTED_PACKAGE = "dev.meridian.";

    private RegionalDynamoDbClients() {
    }

    static boolean isRouted(Object client) {
        return client.getClass().getName().startsWith(ROUTED_PACKAGE);
    }

    static RegionalClientFactory<DynamoDbClient> like(DynamoDbClient template) {
        DynamoDbServiceClientConfiguration cfg = template.serviceClientConfiguration();
        ClientOverrideConfiguration overrides = RegionalClientDefaults.overrideConfigurationLike(template);
        return (Region region, RegionSpec spec) -> {
            DynamoDbClientBuilder b = DynamoDbClient.builder().region(region)
                    .credentialsProvider(cfg.credentialsProvider())
                    .overrideConfiguration(overrides);
            // The application's HTTP client is not exposed by its built client: the copy gets the SDK's default.
            overrides.apiCallAttemptTimeout().ifPresent(t -> RegionalClientDefaults.boundConnect(b, t));
            spec.endpoint().ifPresent(b::endpointOverride);
            return b.build();
        };
    }

    static RegionalClientFactory<DynamoDbAsyncClient> like(DynamoDbAsyncClient template) {
        DynamoDbServiceClientConfiguration cfg = template.serviceClientConfiguration();
        ClientOverrideConfiguration overrides = RegionalClientDefaults.overrideConfigurationLike(template);
        return (Region region, RegionSpec spec) -> {
            DynamoDbAsyncClientBuilder b = DynamoDbAsyncClient.builder().region(region)
                    .credentialsProvider(cfg.credentialsProvider())
                    .overrideConfiguration(overrides);
            // The application's HTTP client is not exposed by its built client: the copy gets the SDK's default.
            overrides.apiCallAttemptTimeout().ifPresent(t -> RegionalClientDefaults.boundAcquire(b, t));
            spec.endpoint().ifPresent(b::endpointOverride);
            return b.build();
        };
    }

    /**
     * {@code existing} (a builder's, not a built client's) with sdk-core's capped retries and its timeouts as ceilings
     * ({@link RegionalClientDefaults#capped}): a shorter timeout the application set is kept, a longer one cut.
     */
    static ClientOverrideConfiguration capped(ClientOverrideConfiguration existing) {
        return RegionalClientDefaults.capped(existing.toBuilder()).build();
    }
}
