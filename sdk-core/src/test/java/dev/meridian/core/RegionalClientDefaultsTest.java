package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.exception.InvalidSettingException;
import dev.meridian.core.execution.AnsweredAttempts;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.core.client.builder.SdkAsyncClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.internal.http.loader.DefaultSdkHttpClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.utils.AttributeMap;
import software.amazon.awssdk.utils.ScheduledExecutorUtils;

/**
 * Which requests keep the call timeout a won hedge releases the caller through; and per-region clients made like an
 * application's built client keep what it set, with the attempt cap and Meridian's timeout scheduler.
 */
class RegionalClientDefaultsTest {
    private static final StaticCredentialsProvider LOCAL =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));

    private static GetItemRequest withCallTimeout(Duration timeout) {
        return GetItemRequest.builder().tableName("t").overrideConfiguration(o -> o.apiCallTimeout(timeout)).build();
    }

    @Test
    void aRequestKeepsTheCallTimeoutUnlessItsOwnIsUnderOneMillisecond() {
        assertThat(RegionalClientDefaults.keepsCallTimeout(GetItemRequest.builder().tableName("t").build())).isTrue();
        assertThat(RegionalClientDefaults.keepsCallTimeout(GetItemRequest.builder().tableName("t")
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofSeconds(1))).build())).isTrue();
        assertThat(RegionalClientDefaults.keepsCallTimeout(withCallTimeout(Duration.ofMillis(1)))).isTrue();
        // The SDK counts whole milliseconds and schedules no timer for 0.
        assertThat(RegionalClientDefaults.keepsCallTimeout(withCallTimeout(Duration.ofNanos(999_999)))).isFalse();
        assertThat(RegionalClientDefaults.keepsCallTimeout("not an SDK request")).isTrue();
    }

    @Test
    void aClientMadeLikeAnApplicationsClientKeepsWhatItSetWithTheCapAndMeridiansScheduler() {
        ExecutionInterceptor tracing = new ExecutionInterceptor() {
        };
        MetricPublisher publisher = new MetricPublisher() {
            @Override
            public void publish(MetricCollection metrics) {
            }

            @Override
            public void close() {
            }
        };
        try (DynamoDbClient app = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                .overrideConfiguration(o -> o.addExecutionInterceptor(tracing).putHeader("x-team", "orders")
                        .apiCallTimeout(Duration.ofSeconds(7)).addMetricPublisher(publisher).appId("orders-app")
                        .putAdvancedOption(SdkAdvancedClientOption.USER_AGENT_SUFFIX, "orders")
                        .retryStrategy(RegionalClientDefaults.retryStrategy(9)))
                .build();
                DynamoDbClient regional = DynamoDbClient.builder().region(Region.EU_WEST_1).credentialsProvider(LOCAL)
                        .overrideConfiguration(RegionalClientDefaults.overrideConfigurationLike(app))
                        .build()) {
            ClientOverrideConfiguration o = regional.serviceClientConfiguration().overrideConfiguration();
            assertThat(o.executionInterceptors()).contains(tracing, HeardAtTheWire.INSTANCE)
                    .containsOnlyOnce(HeardAtTheWire.INSTANCE);
            assertThat(o.executionInterceptors().stream().map(i -> i.getClass().getName()).toList())
                    .as("the SDK's own interceptors, which the built client lists, added once").doesNotHaveDuplicates();
            assertThat(o.headers()).containsEntry("x-team", List.of("orders"));
            assertThat(o.apiCallTimeout()).as("the application's 7 s call timeout, cut to Meridian's ceiling")
                    .contains(RegionalClientDefaults.ATTEMPT_TIMEOUT);
            assertThat(o.apiCallAttemptTimeout()).as("unset: Meridian's")
                    .contains(RegionalClientDefaults.ATTEMPT_TIMEOUT);
            assertThat(o.metricPublishers()).contains(publisher);
            assertThat(o.appId()).contains("orders-app");
            assertThat(o.advancedOption(SdkAdvancedClientOption.USER_AGENT_SUFFIX)).contains("orders");
            assertThat(o.retryStrategy().map(RetryStrategy::maxAttempts)).as("the cap, not the application's 9")
                    .contains(RegionalClientDefaults.MAX_ATTEMPTS);
            assertThat(RegionalClientDefaults.releasesCallers(regional)).as("timed on Meridian's scheduler: %s",
                    o.scheduledExecutorService()).isTrue();
        }
    }

    @Test
    void anApplicationThatTurnedRetriesOffKeepsThemOffOnTheCopiesAndOnACappedBuilder() {
        try (DynamoDbClient noRetries = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                .overrideConfiguration(o -> o.retryStrategy(RegionalClientDefaults.retryStrategy(1))).build()) {
            assertThat(RegionalClientDefaults.overrideConfigurationLike(noRetries).retryStrategy()
                    .map(RetryStrategy::maxAttempts)).as("one attempt, as the application set").contains(1);
        }
        assertThat(RegionalClientDefaults.capped(ClientOverrideConfiguration.builder()
                .retryStrategy(RegionalClientDefaults.retryStrategy(1))).build().retryStrategy()
                .map(RetryStrategy::maxAttempts)).contains(1);
        assertThat(RegionalClientDefaults.capped(ClientOverrideConfiguration.builder()
                .retryPolicy(software.amazon.awssdk.core.retry.RetryPolicy.none())).build().retryStrategy()
                .map(RetryStrategy::maxAttempts)).as("a legacy policy without retries").contains(1);
        assertThat(RegionalClientDefaults.capped(ClientOverrideConfiguration.builder()).build().retryStrategy()
                .map(RetryStrategy::maxAttempts)).as("nothing set: the cap").contains(RegionalClientDefaults.MAX_ATTEMPTS);
    }

    @Test
    void aClientMadeLikeAnApplicationsClientKeepsItsShorterTimeoutsAndTheSchedulerItGaveIt() {
        ScheduledExecutorService own = Executors.newSingleThreadScheduledExecutor();
        try (DynamoDbClient app = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                .overrideConfiguration(o -> o.scheduledExecutorService(own)
                        .apiCallAttemptTimeout(Duration.ofMillis(800)).apiCallTimeout(Duration.ofMillis(500)))
                .build()) {
            ClientOverrideConfiguration o = RegionalClientDefaults.overrideConfigurationLike(app);
            assertThat(o.scheduledExecutorService().map(ScheduledExecutorUtils::unwrapUnmanagedScheduledExecutor))
                    .contains(own);
            assertThat(o.apiCallAttemptTimeout()).contains(Duration.ofMillis(800));
            assertThat(o.apiCallTimeout()).contains(Duration.ofMillis(500));
        } finally {
            own.shutdownNow();
        }
    }

    @Test
    void aClientMadeLikeADefaultClientGetsMeridiansDefaults() {
        try (DynamoDbClient app = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                .build()) {
            ClientOverrideConfiguration o = RegionalClientDefaults.overrideConfigurationLike(app);
            assertThat(o.apiCallAttemptTimeout()).contains(RegionalClientDefaults.ATTEMPT_TIMEOUT);
            assertThat(o.apiCallTimeout()).contains(RegionalClientDefaults.ATTEMPT_TIMEOUT);
            assertThat(o.scheduledExecutorService()).contains(SdkTimeoutScheduler.INSTANCE);
            assertThat(o.headers()).isEqualTo(Map.of());
            assertThat(o.executionInterceptors()).as("nothing of the SDK's own copied")
                    .containsExactly(HeardAtTheWire.INSTANCE, AnsweredAttempts.INSTANCE);
        }
    }

    /** The HTTP client builders {@code builder} was given. */
    private static List<Object> httpClientBuildersGiven(Consumer<SdkAsyncClientBuilder<?, ?>> use) {
        List<Object> given = new ArrayList<>();
        SdkAsyncClientBuilder<?, ?> builder = (SdkAsyncClientBuilder<?, ?>) Proxy.newProxyInstance(
                RegionalClientDefaultsTest.class.getClassLoader(), new Class<?>[] {SdkAsyncClientBuilder.class}, (proxy, method, args) -> {
                    if (method.getName().equals("httpClientBuilder")) {
                        given.add(args[0]);
                    }
                    return proxy;
                });
        use.accept(builder);
        return given;
    }

    @Test
    void anAsyncClientGetsNettyWithABoundedAcquireOnlyWhereTheSdkWouldPickNetty() {
        assertThat(httpClientBuildersGiven(b -> RegionalClientDefaults.boundAcquire(b, Duration.ofSeconds(2))))
                .as("Netty on the class path, no system setting").singleElement()
                .isInstanceOf(NettyNioAsyncHttpClient.Builder.class);
        String property = SdkSystemSetting.ASYNC_HTTP_SERVICE_IMPL.property();
        System.setProperty(property, "software.amazon.awssdk.http.crt.AwsCrtSdkHttpService");
        try {
            assertThat(httpClientBuildersGiven(b -> RegionalClientDefaults.boundAcquire(b, Duration.ofSeconds(2))))
                    .as("the system setting names another client").isEmpty();
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void aSyncClientGetsTheHttpClientTheSdkWouldBuild() {
        List<Object> builders = new ArrayList<>();
        SdkSyncClientBuilder<?, ?> builder = (SdkSyncClientBuilder<?, ?>) Proxy.newProxyInstance(
                RegionalClientDefaultsTest.class.getClassLoader(), new Class<?>[] {SdkSyncClientBuilder.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("httpClientBuilder")) {
                        builders.add(args[0]);
                    }
                    return proxy;
                });
        RegionalClientDefaults.boundConnect(builder, Duration.ofSeconds(2));
        SdkHttpClient.Builder<?> given = (SdkHttpClient.Builder<?>) builders.get(0);
        // The SDK's own choice among the implementations on this class path, built the SDK's way.
        try (SdkHttpClient bounded = given.buildWithDefaults(AttributeMap.empty());
             SdkHttpClient sdks = new DefaultSdkHttpClientBuilder().buildWithDefaults(AttributeMap.empty())) {
            assertThat(bounded.clientName()).isEqualTo(sdks.clientName());
        }
    }

    @Test
    void aConnectBoundNeedsAPositiveAttemptTimeout() {
        assertThatThrownBy(() -> RegionalClientDefaults.boundConnect(DynamoDbClient.builder(), Duration.ZERO))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("attemptTimeout");
    }
}
