package dev.meridian.core.spi;

import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;

/**
 * The time budget of the first attempt through a region's newly built client
 * ({@link dev.meridian.core.MultiRegionConfig#firstAttemptTimeout()}). That attempt pays the client's own start-up inside the SDK's
 * timeouts (credentials, connection and TLS setup, the classes of signing, transmission and unmarshalling), so a
 * client tuned to fail a warm region over after 2 s would fail a write the service applied; the budget replaces the
 * client's attempt and call timeouts for that request only, and only when they are shorter. A request that sets a
 * timeout of its own keeps it. Stateless.
 */
final class FirstAttempt {
    private FirstAttempt() {
    }

    /** {@code request} with the first-attempt budget as its timeouts, or {@code request} itself when none is due. */
    @SuppressWarnings("unchecked")
    static <Q> Q budgeted(Q request, Object client, Duration budget) {
        if (!(request instanceof AwsRequest aws) || !shorterThan(client, budget)) {
            return request;
        }
        Optional<AwsRequestOverrideConfiguration> own = aws.overrideConfiguration();
        if (own.isPresent() && (own.get().apiCallTimeout().isPresent()
                || own.get().apiCallAttemptTimeout().isPresent())) {
            return request;
        }
        AwsRequestOverrideConfiguration.Builder o = own.map(AwsRequestOverrideConfiguration::toBuilder)
                .orElseGet(AwsRequestOverrideConfiguration::builder);
        return (Q) aws.toBuilder().overrideConfiguration(o.apiCallTimeout(budget).apiCallAttemptTimeout(budget)
                .build()).build();
    }

    /**
     * Whether the client's configured call or attempt timeout would end an attempt before {@code budget}; false when
     * the client does not say (a hand-written or mock client whose {@code serviceClientConfiguration()} throws).
     */
    private static boolean shorterThan(Object client, Duration budget) {
        if (!(client instanceof SdkClient sdk)) {
            return false;
        }
        ClientOverrideConfiguration c;
        try {
            c = sdk.serviceClientConfiguration().overrideConfiguration();
        } catch (UnsupportedOperationException e) {
            return false;
        }
        return shorter(c.apiCallTimeout(), budget) || shorter(c.apiCallAttemptTimeout(), budget);
    }

    /** Not {@code map(lambda)}: this runs on a cold start's first call, where each lambda is a class spun. */
    private static boolean shorter(Optional<Duration> timeout, Duration budget) {
        return timeout.isPresent() && timeout.get().compareTo(budget) < 0;
    }
}
