package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import io.awspring.cloud.autoconfigure.dynamodb.DynamoDbClientCustomizer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.utils.ScheduledExecutorUtils;

/**
 * The per-region clients the starter builds from an application's own client are the kind a won hedge can release
 * (sdk-core's {@link RegionalClientDefaults#releasesCallers}), so that a synchronous hedged read runs its first
 * attempt on the caller's thread, as through clients built with {@link RegionalClientDefaults} directly; unless the
 * application gave its client a scheduler of its own, which they keep.
 */
class RegionalDynamoDbClientsTest {
    private static final StaticCredentialsProvider LOCAL =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    private static final RegionSpec WEST = RegionSpec.of(Region.EU_WEST_1);

    @Test
    void perRegionClientsCopiedFromAnApplicationsClientReleaseCallers() {
        try (DynamoDbClient app = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL).build();
                DynamoDbClient regional = RegionalDynamoDbClients.like(app).create(Region.EU_WEST_1, WEST)) {
            assertThat(RegionalClientDefaults.releasesCallers(regional)).as("the per-region client's scheduler: %s",
                    regional.serviceClientConfiguration().overrideConfiguration().scheduledExecutorService()).isTrue();
        }
    }

    @Test
    void aSchedulerTheApplicationGaveItsClientIsKept() {
        ScheduledExecutorService own = Executors.newSingleThreadScheduledExecutor();
        try (DynamoDbClient app = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                .overrideConfiguration(o -> o.scheduledExecutorService(own)).build();
                DynamoDbClient regional = RegionalDynamoDbClients.like(app).create(Region.EU_WEST_1, WEST)) {
            assertThat(regional.serviceClientConfiguration().overrideConfiguration().scheduledExecutorService()
                    .map(ScheduledExecutorUtils::unwrapUnmanagedScheduledExecutor)).contains(own);
        } finally {
            own.shutdownNow();
        }
    }

    /**
     * What the application set on its client reaches the per-region clients (sdk-core's
     * {@link RegionalClientDefaults#overrideConfigurationLike}): its header survives, its 7 s call timeout is cut to
     * Meridian's 2 s ceiling (one region never holds a call longer before it fails over), the attempt timeout it left
     * unset is Meridian's, and every interceptor runs once. Before, the SDK's own interceptors, which a built client
     * lists, ran twice.
     */
    @Test
    void whatTheApplicationSetOnItsClientReachesThePerRegionClients() {
        try (DynamoDbClient app = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                .overrideConfiguration(o -> o.putHeader("x-team", "orders").apiCallTimeout(Duration.ofSeconds(7)))
                .build();
                DynamoDbClient regional = RegionalDynamoDbClients.like(app).create(Region.EU_WEST_1, WEST)) {
            ClientOverrideConfiguration o = regional.serviceClientConfiguration().overrideConfiguration();
            assertThat(o.headers()).containsEntry("x-team", List.of("orders"));
            assertThat(o.apiCallTimeout()).contains(RegionalClientDefaults.ATTEMPT_TIMEOUT);
            assertThat(o.apiCallAttemptTimeout()).contains(RegionalClientDefaults.ATTEMPT_TIMEOUT);
            assertThat(o.executionInterceptors().stream().map(i -> i.getClass().getName()).toList())
                    .as("each interceptor runs once, not the application client's copies of the SDK's own again")
                    .doesNotHaveDuplicates();
        }
    }

    /**
     * On the Spring Cloud AWS path ({@link SpringCloudAwsDynamoDbClients}: a builder its customizers configured)
     * Meridian's timeouts are ceilings as well: a customizer's 800 ms attempt timeout is kept (and bounds the call),
     * a customizer's 30 s call timeout is cut to 2 s. Before, both were overwritten with 2 s.
     */
    @Test
    void aCustomizersShorterTimeoutIsKeptAndALongerOneCut() {
        ClientOverrideConfiguration shorter = cappedAfter(b -> b.overrideConfiguration(
                b.overrideConfiguration().toBuilder().apiCallAttemptTimeout(Duration.ofMillis(800)).build()));
        assertThat(shorter.apiCallAttemptTimeout()).contains(Duration.ofMillis(800));
        assertThat(shorter.apiCallTimeout()).contains(Duration.ofMillis(800));

        ClientOverrideConfiguration longer = cappedAfter(b -> b.overrideConfiguration(
                b.overrideConfiguration().toBuilder().apiCallTimeout(Duration.ofSeconds(30)).build()));
        assertThat(longer.apiCallTimeout()).contains(RegionalClientDefaults.ATTEMPT_TIMEOUT);
        assertThat(longer.apiCallAttemptTimeout()).contains(RegionalClientDefaults.ATTEMPT_TIMEOUT);
    }

    /** The override configuration of a per-region client built as Spring Cloud AWS's path builds it. */
    private static ClientOverrideConfiguration cappedAfter(DynamoDbClientCustomizer customizer) {
        DynamoDbClientBuilder b = DynamoDbClient.builder().region(Region.EU_WEST_1).credentialsProvider(LOCAL);
        customizer.customize(b);
        b.overrideConfiguration(RegionalDynamoDbClients.capped(b.overrideConfiguration()));
        try (DynamoDbClient regional = b.build()) {
            return regional.serviceClientConfiguration().overrideConfiguration();
        }
    }

    /**
     * The copies make at most sdk-core's capped SDK attempts, not the application's client's DynamoDB default (9):
     * a built client's override configuration carries its resolved retry strategy, which a retry strategy set on
     * its {@code toBuilder()} does not replace. Sent to a closed local port, each attempt is refused at once.
     */
    @Test
    void perRegionClientsCopiedFromAnApplicationsClientMakeTheCappedAttempts() throws IOException {
        RegionSpec closed = RegionSpec.of(Region.EU_WEST_1).endpoint(closedPort());
        try (DynamoDbClient app = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL).build();
                DynamoDbClient regional = RegionalDynamoDbClients.like(app).create(Region.EU_WEST_1, closed)) {
            SdkException e = assertThrows(SdkException.class,
                    () -> regional.getItem(getItem()));
            assertThat(e.numAttempts()).as("%s", e).isEqualTo(RegionalClientDefaults.MAX_ATTEMPTS);
        }
        try (DynamoDbAsyncClient app = DynamoDbAsyncClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                .build();
                DynamoDbAsyncClient regional = RegionalDynamoDbClients.like(app).create(Region.EU_WEST_1, closed)) {
            CompletionException c = assertThrows(CompletionException.class,
                    () -> regional.getItem(getItem()).join());
            assertThat(c.getCause()).isInstanceOf(SdkException.class);
            assertThat(((SdkException) c.getCause()).numAttempts()).as("%s", c.getCause())
                    .isEqualTo(RegionalClientDefaults.MAX_ATTEMPTS);
        }
    }

    private static GetItemRequest getItem() {
        return GetItemRequest.builder().tableName("t").key(Map.of("pk", AttributeValue.fromS("1"))).build();
    }

    /** A local port nothing listens on. */
    private static URI closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }
}
