package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
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
}
