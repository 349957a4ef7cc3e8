package dev.meridian.spring;

import static dev.meridian.spring.StarterSettings.AURORA_DISCOVERY;
import static dev.meridian.spring.StarterSettings.AURORA_LAG_CHECK_INTERVAL;
import static dev.meridian.spring.StarterSettings.AURORA_MAX_REPLICA_LAG;
import static dev.meridian.spring.StarterSettings.AURORA_POOL_CONNECTION_TIMEOUT;
import static dev.meridian.spring.StarterSettings.AURORA_POOL_MAXIMUM_POOL_SIZE;
import static dev.meridian.spring.StarterSettings.AURORA_READ_YOUR_WRITES_WINDOW;
import static dev.meridian.spring.StarterSettings.AURORA_WRITER_REGION;
import static org.apiguardian.api.API.Status.STABLE;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.aurora.topology.WriterDiscovery;
import dev.meridian.core.MultiRegion;
import java.util.Map;
import javax.sql.DataSource;
import org.apiguardian.api.API;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import software.amazon.awssdk.regions.Region;

/**
 * The application's {@code DataSource} becomes sdk-aurora's {@link RoutingDataSource} when
 * {@code meridian.aurora.region.<region>.*} endpoints are configured: {@code @Transactional(readOnly = true)} reads
 * from the local reader, everything else goes to the writer. The pool template is the application's own
 * {@code spring.datasource.username/password/driver-class-name} and {@code spring.datasource.hikari.*}, with
 * {@code meridian.aurora.pool.*} on top; the JDBC URLs come from the endpoints. Runs before Spring Boot's
 * {@code DataSourceAutoConfiguration}, which then backs off; an application-defined {@code DataSource} bean wins.
 * Building starts nothing: pools are created at first use.
 */
@AutoConfiguration(after = MeridianAutoConfiguration.class,
        beforeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@API(status = STABLE, since = "0.1")
@ConditionalOnClass({RoutingDataSource.class, HikariConfig.class, DataSource.class})
@ConditionalOnBean(MultiRegion.class)
@Conditional(AuroraEndpointsCondition.class)
public class MeridianAuroraAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(DataSource.class)
    RoutingDataSource dataSource(MultiRegion runtime, MeridianProperties properties, Environment environment) {
        MeridianProperties.Aurora aurora = properties.getAurora();
        HikariConfig pool = poolTemplate(aurora.getPool(), Binder.get(environment));
        RoutingDataSource.Builder b = RoutingDataSource.builder().multiRegion(runtime)
                .discovery(discovery(aurora, pool)).poolTemplate(pool)
                .lagCheckInterval(StarterSettings.check(AURORA_LAG_CHECK_INTERVAL, aurora.getLagCheckInterval()));
        // Checked here so that the error names the property, not the builder method it is passed to.
        if (aurora.getMaxReplicaLag() != null) {
            b.maxReplicaLag(StarterSettings.check(AURORA_MAX_REPLICA_LAG, aurora.getMaxReplicaLag()));
        }
        if (aurora.getReadYourWritesWindow() != null) {
            b.readYourWritesWindow(StarterSettings.check(AURORA_READ_YOUR_WRITES_WINDOW,
                    aurora.getReadYourWritesWindow()));
        }
        return b.build();
    }

    static HikariConfig poolTemplate(MeridianProperties.Pool overrides, Binder binder) {
        HikariConfig pool = new HikariConfig();
        binder.bind("spring.datasource.hikari", Bindable.ofInstance(pool));
        binder.bind("spring.datasource.username", String.class).ifBound(pool::setUsername);
        binder.bind("spring.datasource.password", String.class).ifBound(pool::setPassword);
        binder.bind("spring.datasource.driver-class-name", String.class).ifBound(pool::setDriverClassName);
        pool.setJdbcUrl(null); // every endpoint's URL comes from the discovery
        if (overrides.getMaximumPoolSize() != null) {
            pool.setMaximumPoolSize(StarterSettings.check(AURORA_POOL_MAXIMUM_POOL_SIZE, overrides.getMaximumPoolSize()));
        }
        if (overrides.getConnectionTimeout() != null) {
            pool.setConnectionTimeout(StarterSettings.check(AURORA_POOL_CONNECTION_TIMEOUT,
                    overrides.getConnectionTimeout()).toMillis());
        }
        return pool;
    }

    static WriterDiscovery discovery(MeridianProperties.Aurora aurora, HikariConfig pool) {
        String kind = StarterSettings.check(AURORA_DISCOVERY, aurora.getDiscovery());
        try {
            if (kind.equals("postgres")) {
                PostgresTopologyDiscovery.Builder d = PostgresTopologyDiscovery.builder();
                if (pool.getUsername() != null) {
                    d.user(pool.getUsername());
                }
                if (pool.getPassword() != null) {
                    d.password(pool.getPassword());
                }
                for (Map.Entry<String, MeridianProperties.AuroraRegion> e : aurora.getRegion().entrySet()) {
                    MeridianProperties.AuroraRegion r = e.getValue();
                    d.node(Region.of(e.getKey()), r.getReaderUrl() != null ? r.getReaderUrl() : r.getWriterUrl());
                }
                return d.build();
            }
            String writerRegion = aurora.getWriterRegion();
            if (writerRegion == null) {
                throw MeridianConfigurationException.invalid(AURORA_WRITER_REGION.propertyName(),
                        "is required by static discovery", null, "set it to the region of the global database's"
                                + " writer, or use meridian.aurora.discovery=postgres", null);
            }
            StaticTopology.Builder t = StaticTopology.builder()
                    .writerRegion(Region.of(StarterSettings.check(AURORA_WRITER_REGION, writerRegion)));
            aurora.getRegion().forEach((id, r) -> t.region(Region.of(id), r.getWriterUrl(), r.getReaderUrl()));
            return t.build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MeridianConfigurationException("meridian.aurora.region", String.valueOf(e.getMessage()),
                    "set meridian.aurora.region.<region>.writer-url and reader-url to JDBC URLs (jdbc:...) of each"
                            + " configured region", e);
        }
    }
}
