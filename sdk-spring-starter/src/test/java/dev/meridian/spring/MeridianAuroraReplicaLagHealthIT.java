package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Aurora reader lag in the health details and the endpoint, as the starter's RoutingDataSource measured it while
 * routing reads over a real PostgreSQL primary (eu-west-1) and replica (eu-central-1, the local region). Delaying
 * replay on the replica makes its lag exceed {@code meridian.aurora.max-replica-lag}: the region is flagged and
 * listed as lagging while the roll-up stays as availability says.
 */
class MeridianAuroraReplicaLagHealthIT {
    private static LocalAuroraGlobal aurora;

    @BeforeAll
    static void start() throws SQLException {
        aurora = LocalAuroraGlobal.start("eu-west-1", "eu-central-1");
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id serial PRIMARY KEY, note text)");
        }
        aurora.awaitReplicasCaughtUp();
    }

    @AfterAll
    static void stop() {
        aurora.close();
    }

    @AfterEach
    void noDelay() {
        aurora.replicaDelay("eu-central-1", Duration.ZERO);
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianAuroraAutoConfiguration.class, DataSourceAutoConfiguration.class,
                        MeridianActuatorAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1,eu-central-1", "meridian.local-region=eu-central-1",
                        "management.endpoints.web.exposure.include=meridian",
                        "spring.datasource.username=" + aurora.user(),
                        "spring.datasource.password=" + aurora.password(),
                        "spring.datasource.hikari.maximum-pool-size=2",
                        "meridian.aurora.writer-region=eu-west-1",
                        "meridian.aurora.region.eu-west-1.writer-url=" + aurora.writerJdbcUrl(),
                        "meridian.aurora.region.eu-west-1.reader-url=" + aurora.readerJdbcUrl("eu-west-1"),
                        "meridian.aurora.region.eu-central-1.writer-url=" + aurora.writerJdbcUrl(),
                        "meridian.aurora.region.eu-central-1.reader-url=" + aurora.readerJdbcUrl("eu-central-1"));
    }

    /** Whether a read-only transaction was served by a replica (false: by the primary). */
    private static boolean readOnReplica(ApplicationContext ctx) {
        DataSource ds = ctx.getBean(DataSource.class);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        tx.setReadOnly(true);
        return tx.execute(s -> new JdbcTemplate(ds).queryForObject("select pg_is_in_recovery()", Boolean.class));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theReplicasLagIsShownAndExceedingTheDataSourcesBoundIsSaidWithoutChangingTheRollUp() {
        // The health bound is DynamoDB's: Aurora readers are held to meridian.aurora.max-replica-lag.
        runner().withPropertyValues("meridian.aurora.max-replica-lag=1s", "meridian.aurora.lag-check-interval=100ms",
                "meridian.health.max-replication-lag=1h").run(ctx -> {
                    MeridianHealthIndicator indicator = ctx.getBean(MeridianHealthIndicator.class);
                    Map<String, Object> before = region(indicator.health(), "eu-central-1");
                    assertThat(before).as("nothing measured before the first read")
                            .doesNotContainKey("replicaLagMillis");

                    assertThat(readOnReplica(ctx)).isTrue();
                    Health caughtUp = indicator.health();
                    assertThat(caughtUp.getDetails()).containsEntry("lagging", List.of())
                            .doesNotContainKey("maxReplicationLagMillis");
                    assertThat(region(caughtUp, "eu-central-1")).containsEntry("replicaLagExceeded", false)
                            .containsEntry("maxReplicaLagMillis", 1000L)
                            .hasEntrySatisfying("replicaLagMillis", ms -> assertThat((Long) ms).isLessThan(1000L));

                    aurora.replicaDelay("eu-central-1", Duration.ofSeconds(30));
                    new JdbcTemplate(ctx.getBean(DataSource.class)).update("insert into items (note) values ('x')");

                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                            assertThat(readOnReplica(ctx)).as("reads leave the lagging replica").isFalse());
                    Health lagging = indicator.health();
                    assertThat(lagging.getStatus()).isEqualTo(Status.UP);
                    assertThat(lagging.getDetails()).containsEntry("degraded", false)
                            .containsEntry("lagging", List.of("eu-central-1"));
                    Map<String, Object> central = region(lagging, "eu-central-1");
                    assertThat(central).containsEntry("replicaLagExceeded", true).containsEntry("available", true);
                    assertThat((Long) central.get("replicaLagMillis")).isGreaterThan(1000L);
                    assertThat(region(lagging, "eu-west-1")).as("the writer's cluster served the read")
                            .containsEntry("replicaLagMillis", 0L).containsEntry("replicaLagExceeded", false);

                    Map<String, Object> endpoint = ctx.getBean(MeridianEndpoint.class).region("eu-central-1");
                    assertThat(endpoint).containsEntry("replicaLagExceeded", true)
                            .containsEntry("maxReplicaLagMillis", 1000L);
                    assertThat((Long) endpoint.get("replicaLagMillis")).isGreaterThan(1000L);
                    Map<String, Map<String, Object>> topology = (Map<String, Map<String, Object>>) ctx
                            .getBean(MeridianEndpoint.class).topology().get("regions");
                    assertThat(topology.get("eu-central-1")).containsEntry("replicaLagExceeded", true);
                });
    }

    @Test
    void withoutMaxReplicaLagOrSdkAuroraNoLagIsMeasuredOrShown() {
        runner().run(ctx -> {
            assertThat(readOnReplica(ctx)).isTrue();
            Health health = ctx.getBean(MeridianHealthIndicator.class).health();
            assertThat(health.getDetails()).doesNotContainKey("lagging");
            assertThat(region(health, "eu-central-1")).doesNotContainKeys("replicaLagMillis", "replicaLagExceeded");
            assertThat(ctx.getBean(MeridianEndpoint.class).region("eu-central-1"))
                    .doesNotContainKey("replicaLagMillis");
        });
        runner().withPropertyValues("meridian.aurora.max-replica-lag=1s", "spring.datasource.url="
                + aurora.writerJdbcUrl()).withClassLoader(new FilteredClassLoader("dev.meridian.aurora")).run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(region(ctx.getBean(MeridianHealthIndicator.class).health(), "eu-central-1"))
                            .doesNotContainKey("replicaLagMillis");
                });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> region(Health health, String region) {
        return ((Map<String, Map<String, Object>>) health.getDetails().get("regions")).get(region);
    }
}
