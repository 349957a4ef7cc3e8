package dev.meridian.core;

import java.time.Duration;
import software.amazon.awssdk.core.internal.http.loader.DefaultSdkHttpClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The SDK's default synchronous HTTP client — the one it would build itself for a client given none, chosen the SDK's
 * way (its system setting, else the highest-priority implementation on the class path) — with a connect timeout of
 * Meridian's choosing ({@link RegionalClientDefaults#boundConnect}). The connect timeout is given as a service default,
 * as the SDK gives its own defaults to an HTTP client builder, so the client keeps every other default.
 *
 * <p>Why the SDK's internal {@code DefaultSdkHttpClientBuilder}: the choice among several implementations on the class
 * path (Apache, Apache 5, URL-connection, CRT) is the SDK's, by a priority it keeps; choosing here would pick a
 * different client than the application gets from the SDK.
 */
final class BoundConnect implements SdkHttpClient.Builder<BoundConnect> {
    private final Duration connectTimeout;

    BoundConnect(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    @Override
    public SdkHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
        AttributeMap bounded = AttributeMap.builder()
                .put(SdkHttpConfigurationOption.CONNECTION_TIMEOUT, connectTimeout).build().merge(serviceDefaults);
        return new DefaultSdkHttpClientBuilder().buildWithDefaults(bounded);
    }
}
