package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.regions.Region;

/**
 * Replication lag in the health details and the endpoint, as the application's own {@link ReplicationLagProbe}
 * measured it over DynamoDB Local global tables; pausing replication into one region makes it exceed the bound there
 * while the roll-up stays as availability says.
 */
@LocalRegionsConfig
class MeridianReplicationLagHealthIT {
    private static final String PROBE_THREAD = "meridian-replication-lag-probe";
    private static LocalRegions regions;
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                    MeridianDynamoDbAutoConfiguration.class, MeridianActuatorAutoConfiguration.class))
            .withPropertyValues("meridian.regions=eu-west-1,eu-central-1,us-east-1",
                    "management.endpoints.web.exposure.include=meridian", "meridian.dynamodb.wrap-beans=false");

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable("heartbeats"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void lagIntoEachRegionIsShownAndABoundExceededIsSaidWithoutChangingTheRollUp() {
        runner.withUserConfiguration(AppProbe.class).withPropertyValues("meridian.health.max-replication-lag=2s")
                .run(ctx -> {
                    MeridianHealthIndicator indicator = ctx.getBean(MeridianHealthIndicator.class);
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                        Health health = indicator.health();
                        assertThat(health.getDetails()).containsEntry("lagging", List.of())
                                .containsEntry("maxReplicationLagMillis", 2000L);
                        Map<String, Object> central = region(health, "eu-central-1");
                        assertThat(central).containsEntry("replicationLagExceeded", false)
                                .containsKey("replicationLagMillis");
                        assertThat((Map<String, Long>) central.get("replicationLagMillisFrom"))
                                .containsOnlyKeys("eu-west-1", "us-east-1");
                    });

                    regions.pauseReplication("eu-west-1", "eu-central-1");

                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                        Health health = indicator.health();
                        assertThat(health.getStatus()).isEqualTo(Status.UP);
                        assertThat(health.getDetails()).containsEntry("degraded", false)
                                .containsEntry("lagging", List.of("eu-central-1"));
                        Map<String, Object> central = region(health, "eu-central-1");
                        assertThat(central).containsEntry("replicationLagExceeded", true)
                                .containsEntry("available", true);
                        assertThat((Long) central.get("replicationLagMillis")).isGreaterThan(2000L);
                        assertThat((Map<String, Long>) central.get("replicationLagMillisFrom"))
                                .hasEntrySatisfying("eu-west-1", ms -> assertThat(ms).isGreaterThan(2000L));
                        assertThat(region(health, "eu-west-1")).containsEntry("replicationLagExceeded", false);
                    });
                    Map<String, Object> endpoint = ctx.getBean(MeridianEndpoint.class).region("eu-central-1");
                    assertThat(endpoint).containsEntry("replicationLagExceeded", true);
                    assertThat((Long) endpoint.get("replicationLagMillis")).isGreaterThan(2000L);
                });
    }

    @Test
    void withoutAProbeBeanNothingIsMeasuredAndNoProbeThreadRuns() {
        runner.withPropertyValues("meridian.health.max-replication-lag=2s").run(ctx -> {
            Health health = ctx.getBean(MeridianHealthIndicator.class).health();
            assertThat(health.getDetails()).doesNotContainKeys("lagging", "maxReplicationLagMillis");
            assertThat(region(health, "eu-west-1")).doesNotContainKey("replicationLagMillis");
            assertThat(ctx.getBean(MeridianEndpoint.class).region("eu-west-1"))
                    .doesNotContainKey("replicationLagMillis");
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals(PROBE_THREAD));
        });
        runner.withClassLoader(new FilteredClassLoader("dev.meridian.dynamodb")).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(region(ctx.getBean(MeridianHealthIndicator.class).health(), "eu-west-1"))
                    .doesNotContainKey("replicationLagMillis");
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> region(Health health, String region) {
        return ((Map<String, Map<String, Object>>) health.getDetails().get("regions")).get(region);
    }

    /** The application's own probe over the three local regions. */
    @Configuration(proxyBeanMethods = false)
    static class AppProbe {
        @Bean(destroyMethod = "close")
        ReplicationLagProbe replicationLagProbe() {
            ReplicationLagProbe.Builder b = ReplicationLagProbe.builder()
                    .config(ReplicationLagProbe.config("heartbeats").withInterval(Duration.ofMillis(100)));
            for (String r : regions.regions()) {
                b.client(Region.of(r), regions.client(r));
            }
            return b.start();
        }
    }
}
