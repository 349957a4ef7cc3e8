package dev.meridian.spring;

import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.RegionalClientFactory;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbServiceClientConfiguration;
import software.amazon.awssdk.utils.ScheduledExecutorUtils;

/**
 * Per-region client factories that copy an application's existing client: its credentials and its override
 * configuration (interceptors, headers, metric publishers...), with sdk-core's capped retries and attempt timeout on
 * top so that SDK retries do not multiply with cross-region failover; the endpoint is the region's
 * {@code meridian.region.<region>.endpoint}, if set. The HTTP client is the SDK's default for the class path (the
 * SDK does not expose the existing one).
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
        return (Region region, RegionSpec spec) -> {
            DynamoDbClientBuilder b = DynamoDbClient.builder().region(region)
                    .credentialsProvider(cfg.credentialsProvider())
                    .overrideConfiguration(cappedCopy(cfg.overrideConfiguration()));
            spec.endpoint().ifPresent(b::endpointOverride);
            return b.build();
        };
    }

    static RegionalClientFactory<DynamoDbAsyncClient> like(DynamoDbAsyncClient template) {
        DynamoDbServiceClientConfiguration cfg = template.serviceClientConfiguration();
        return (Region region, RegionSpec spec) -> {
            DynamoDbAsyncClientBuilder b = DynamoDbAsyncClient.builder().region(region)
                    .credentialsProvider(cfg.credentialsProvider())
                    .overrideConfiguration(cappedCopy(cfg.overrideConfiguration()));
            spec.endpoint().ifPresent(b::endpointOverride);
            return b.build();
        };
    }

    /**
     * A built client's override configuration, {@linkplain #capped capped}, timed on Meridian's scheduler unless the
     * application gave that client a scheduler of its own. A built client's configuration names the scheduler the
     * SDK made for it (one the application gave it is wrapped as unmanaged): copied, it would be that client's own
     * (shut down when it is closed) and would keep a won hedge from releasing a synchronous read's caller
     * ({@link RegionalClientDefaults#releasesCallers}), whose first attempt would then never run on the caller's
     * thread.
     */
    static ClientOverrideConfiguration cappedCopy(ClientOverrideConfiguration builtClients) {
        ClientOverrideConfiguration.Builder b = settingsOf(builtClients);
        builtClients.scheduledExecutorService()
                .filter(s -> ScheduledExecutorUtils.unwrapUnmanagedScheduledExecutor(s) == s)
                .ifPresent(sdkOwn -> b.scheduledExecutorService(null));
        return capped(b.build());
    }

    /**
     * What the application set on a built client, copied onto a new builder: not {@code toBuilder()}, which also
     * carries the client's resolved retry strategy (DynamoDB's default: 9 attempts, sharing the application client's
     * token bucket), and that strategy, not one set on the copy, is what a client built from it uses; the cap would
     * then be lost and a region answering 5xx would spend the call timeout on SDK retries.
     */
    private static ClientOverrideConfiguration.Builder settingsOf(ClientOverrideConfiguration built) {
        ClientOverrideConfiguration.Builder b = ClientOverrideConfiguration.builder()
                .headers(built.headers())
                .executionInterceptors(built.executionInterceptors())
                .executionAttributes(built.executionAttributes())
                .metricPublishers(built.metricPublishers());
        built.apiCallTimeout().ifPresent(b::apiCallTimeout);
        built.apiCallAttemptTimeout().ifPresent(b::apiCallAttemptTimeout);
        built.scheduledExecutorService().ifPresent(b::scheduledExecutorService);
        built.defaultProfileFileSupplier().ifPresent(b::defaultProfileFileSupplier);
        built.defaultProfileName().ifPresent(b::defaultProfileName);
        built.compressionConfiguration().ifPresent(b::compressionConfiguration);
        built.appId().ifPresent(b::appId);
        copy(built, b, SdkAdvancedClientOption.USER_AGENT_PREFIX);
        copy(built, b, SdkAdvancedClientOption.USER_AGENT_SUFFIX);
        copy(built, b, SdkAdvancedClientOption.SIGNER);
        copy(built, b, SdkAdvancedClientOption.TOKEN_SIGNER);
        copy(built, b, SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION);
        return b;
    }

    private static <T> void copy(ClientOverrideConfiguration from, ClientOverrideConfiguration.Builder to,
            SdkAdvancedClientOption<T> option) {
        from.advancedOption(option).ifPresent(value -> to.putAdvancedOption(option, value));
    }

    /** {@code existing} with sdk-core's capped retries and attempt timeout on top. */
    static ClientOverrideConfiguration capped(ClientOverrideConfiguration existing) {
        return RegionalClientDefaults.apply(existing.toBuilder(), RegionalClientDefaults.MAX_ATTEMPTS,
                RegionalClientDefaults.ATTEMPT_TIMEOUT).build();
    }
}
