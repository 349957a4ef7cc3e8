package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.testkit.LocalAuroraGlobal;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The DataSource becomes a RoutingDataSource on a real PostgreSQL primary (eu-west-1) and replica (eu-central-1). */
class MeridianAuroraAutoConfigurationIT {
    private static LocalAuroraGlobal aurora;

    @BeforeAll
    static void start() {
        aurora = LocalAuroraGlobal.start("eu-west-1", "eu-central-1");
    }

    @AfterAll
    static void stop() {
        aurora.close();
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianAuroraAutoConfiguration.class, DataSourceAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1,eu-central-1", "meridian.local-region=eu-central-1",
                        "spring.datasource.username=" + aurora.user(),
                        "spring.datasource.password=" + aurora.password(),
                        "spring.datasource.hikari.maximum-pool-size=2");
    }

    private ApplicationContextRunner withEndpoints(String discovery) {
        return runner().withPropertyValues("meridian.aurora.discovery=" + discovery,
                "meridian.aurora.writer-region=eu-west-1",
                "meridian.aurora.region.eu-west-1.writer-url=" + aurora.writerJdbcUrl(),
                "meridian.aurora.region.eu-west-1.reader-url=" + aurora.readerJdbcUrl("eu-west-1"),
                "meridian.aurora.region.eu-central-1.writer-url=" + aurora.writerJdbcUrl(),
                "meridian.aurora.region.eu-central-1.reader-url=" + aurora.readerJdbcUrl("eu-central-1"));
    }

    @Test
    void readOnlyTransactionsReadFromTheLocalReplicaAndWritesGoToThePrimary() {
        for (String discovery : new String[] {"static", "postgres"}) {
            withEndpoints(discovery).run(ctx -> {
                DataSource ds = ctx.getBean(DataSource.class);
                assertThat(ds).isInstanceOf(RoutingDataSource.class);
                JdbcTemplate jdbc = new JdbcTemplate(ds);
                TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
                tx.setReadOnly(true);
                Boolean readOnlyOnReplica = tx.execute(
                        s -> jdbc.queryForObject("select pg_is_in_recovery()", Boolean.class));
                assertThat(readOnlyOnReplica).as("read-only with %s discovery", discovery).isTrue();
                tx.setReadOnly(false);
                Boolean writeOnReplica = tx.execute(
                        s -> jdbc.queryForObject("select pg_is_in_recovery()", Boolean.class));
                assertThat(writeOnReplica).as("read-write with %s discovery", discovery).isFalse();
            });
        }
    }

    @Test
    void withoutEndpointsSpringBootsOwnDataSourceStays() {
        runner().withPropertyValues("spring.datasource.url=" + aurora.writerJdbcUrl()).run(ctx ->
                assertThat(ctx.getBean(DataSource.class)).isNotInstanceOf(RoutingDataSource.class));
    }

    @Test
    void theApplicationsOwnDataSourceWinsAndSdkAuroraIsOptional() {
        withEndpoints("static").withBean(DataSource.class, () -> new org.springframework.jdbc.datasource
                .DriverManagerDataSource(aurora.writerJdbcUrl())).run(ctx ->
                        assertThat(ctx.getBean(DataSource.class)).isNotInstanceOf(RoutingDataSource.class));
        withEndpoints("static").withPropertyValues("spring.datasource.url=" + aurora.writerJdbcUrl())
                .withClassLoader(new FilteredClassLoader("dev.meridian.aurora")).run(ctx ->
                        assertThat(ctx).doesNotHaveBean(RoutingDataSource.class));
    }

    @Test
    void badEndpointsFailStartUpNamingTheProperty() {
        runner().withPropertyValues("meridian.aurora.writer-region=eu-west-1",
                "meridian.aurora.region.eu-west-1.writer-url=orders.cluster.example.com",
                "meridian.aurora.region.eu-west-1.reader-url=orders.cluster-ro.example.com").run(ctx -> {
                    var analysis = MeridianAutoConfigurationTest.analysis(ctx.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("meridian.aurora.region").contains("jdbc:");
                });
        runner().withPropertyValues("meridian.aurora.region.eu-west-1.writer-url=" + aurora.writerJdbcUrl(),
                "meridian.aurora.region.eu-west-1.reader-url=" + aurora.writerJdbcUrl()).run(ctx ->
                        assertThat(MeridianAutoConfigurationTest.analysis(ctx.getStartupFailure()).getDescription())
                                .contains("meridian.aurora.writer-region"));
    }
}
