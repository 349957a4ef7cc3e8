package dev.meridian.testkit;

import static dev.meridian.testkit.TestTables.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class LocalRegionsLifecycleIT {

    @Test
    void closeStopsEveryServerAndThreadAndIsIdempotent() {
        Set<Thread> before = liveNonDaemonThreads();
        LocalRegions regions = LocalRegions.start("eu-west-1");
        URI proxy = regions.endpoint("eu-west-1");
        URI direct = regions.directEndpoint("eu-west-1");
        regions.createGlobalTable(LocalRegions.pkTable("lifecycle"));
        get(regions.client("eu-west-1"), "lifecycle", "k");
        regions.faults("eu-west-1").blackhole();
        assertThatThrownBy(() -> get(regions.clientBuilder("eu-west-1")
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofMillis(200))
                        .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
                .build(), "lifecycle", "k")).isInstanceOf(SdkClientException.class);

        regions.close();
        regions.close();

        assertThat(accepts(proxy)).as("proxy port accepts connections").isFalse();
        assertThat(accepts(direct)).as("DynamoDB Local port accepts connections").isFalse();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(liveNonDaemonThreads())
                .as("threads that would keep the JVM alive").isSubsetOf(before));
        assertThatThrownBy(() -> regions.createGlobalTable(LocalRegions.pkTable("late")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aWriteNoProxySawReplicatesByTheIdlePollWithoutAnyoneAwaitingIt() {
        try (LocalRegions regions = LocalRegions.start("eu-west-1", "us-east-1");
                DynamoDbClient westDirect = direct(regions, "eu-west-1");
                DynamoDbClient usDirect = direct(regions, "us-east-1")) {
            regions.createGlobalTable(LocalRegions.pkTable("unseen"));

            TestTables.put(westDirect, "unseen", "k", "status", "PLACED");

            await().atMost(Duration.ofSeconds(20)).until(() -> !get(usDirect, "unseen", "k").isEmpty());
            assertThat(regions.journal("eu-west-1").isEmpty()).as("no request passed a proxy").isTrue();
        }
    }

    @Test
    void builderRejectsBadSettingsNamingThem() {
        assertThatThrownBy(() -> LocalRegions.builder().start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("regions");
        assertThatThrownBy(() -> LocalRegions.builder().regions("eu-west-1", "eu-west-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eu-west-1");
        assertThatThrownBy(() -> LocalRegions.builder().replicationDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replicationDelay");
    }

    private static DynamoDbClient direct(LocalRegions regions, String region) {
        return regions.clientBuilder(region).endpointOverride(regions.directEndpoint(region)).build();
    }

    private static Set<Thread> liveNonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon() && !t.getName().startsWith("awaitility"))
                .collect(Collectors.toSet());
    }

    private static boolean accepts(URI endpoint) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
