package dev.meridian.aurora.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsClient;

class RdsGlobalClusterDiscoveryTest {
    private final CannedRdsHttpClient http = new CannedRdsHttpClient();

    private RdsGlobalClusterDiscovery.Builder discovery() {
        return RdsGlobalClusterDiscovery.builder()
                .globalClusterIdentifier("orders")
                .apiRegion(Region.EU_WEST_1)
                .urlTemplate("jdbc:postgresql://{host}:{port}/orders")
                .clientFactory(region -> RdsClient.builder()
                        .region(region)
                        .endpointOverride(URI.create("https://rds." + region.id() + ".test"))
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("id", "secret")))
                        .httpClient(http)
                        .build());
    }

    @Test
    void findsTheWriterMemberAndEveryRegionsEndpointsInItsOwnRegion() {
        try (RdsGlobalClusterDiscovery d = discovery().build()) {
            AuroraTopology t = d.topology();

            assertThat(t.writerRegion()).isEqualTo(Region.EU_WEST_1);
            assertThat(t.writerUrl()).isEqualTo("jdbc:postgresql://orders-euw1.cluster-abc.eu-west-1.rds.amazonaws.com:5432/orders");
            assertThat(t.readerUrl(Region.US_EAST_1)).contains(
                    "jdbc:postgresql://orders-use1.cluster-ro-abc.us-east-1.rds.amazonaws.com:5432/orders");
            assertThat(t.regions()).containsExactly(Region.EU_WEST_1, Region.US_EAST_1);
            assertThat(http.calls).containsExactly("DescribeGlobalClusters@rds.eu-west-1.test",
                    "DescribeDBClusters@rds.eu-west-1.test", "DescribeDBClusters@rds.us-east-1.test");
        }
    }

    @Test
    void topologyIsCachedUntilRefreshedAndARefreshFindsAPromotedSecondary() {
        try (RdsGlobalClusterDiscovery d = discovery().build()) {
            d.topology();
            d.topology();
            assertThat(http.calls).hasSize(3);

            http.writerArn = CannedRdsHttpClient.US_ARN;
            assertThat(d.topology().writerRegion()).isEqualTo(Region.EU_WEST_1);
            assertThat(d.refresh().writerRegion()).isEqualTo(Region.US_EAST_1);
            assertThat(d.topology().writerUrl()).contains("orders-use1.cluster-abc.us-east-1");
        }
    }

    @Test
    void scheduledRefreshFollowsASwitchoverWithoutBeingAsked() {
        try (RdsGlobalClusterDiscovery d = discovery().refreshInterval(Duration.ofMillis(50)).build()) {
            assertThat(d.topology().writerRegion()).isEqualTo(Region.EU_WEST_1);
            http.writerArn = CannedRdsHttpClient.US_ARN;
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(d.topology().writerRegion()).isEqualTo(Region.US_EAST_1));
        }
    }

    @Test
    void regionComesFromTheClusterArn() {
        assertThat(RdsGlobalClusterDiscovery.regionOf(CannedRdsHttpClient.US_ARN)).isEqualTo(Region.US_EAST_1);
    }
}
