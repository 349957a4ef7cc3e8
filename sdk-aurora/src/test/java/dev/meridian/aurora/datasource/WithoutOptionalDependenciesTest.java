package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.aurora.topology.TopologyDiscoveryException;
import dev.meridian.aurora.topology.WriterDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.testkit.ClassPathWithout;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Micrometer and the AWS SDK {@code rds} module are optional dependencies: {@link RoutingDataSource} with
 * {@link StaticTopology} or {@link PostgresTopologyDiscovery} must load and route without them. Against a real
 * database in {@link RoutingDataSourceIT}; here against endpoints where nothing listens.
 */
class WithoutOptionalDependenciesTest {
    static final List<String> HIDDEN_PACKAGES = List.of("io.micrometer.", "software.amazon.awssdk.services.rds.");

    static URLClassLoader withoutOptionalDependencies() {
        return ClassPathWithout.packages(HIDDEN_PACKAGES.toArray(new String[0]));
    }

    /** Runs {@code probe} (a public class with a no-argument constructor) inside {@link #withoutOptionalDependencies()}. */
    @SuppressWarnings("unchecked")
    static String runWithoutOptionalDependencies(Class<? extends Function<List<String>, String>> probe, List<String> args)
            throws Exception {
        try (URLClassLoader isolated = withoutOptionalDependencies()) {
            for (String hidden : List.of("io.micrometer.core.instrument.MeterRegistry",
                    "software.amazon.awssdk.services.rds.RdsClient")) {
                assertThatThrownBy(() -> Class.forName(hidden, false, isolated)).isInstanceOf(ClassNotFoundException.class);
            }
            // DriverManager hands a caller only drivers of its own class loader: register the isolated copy of the
            // PostgreSQL driver (its static initializer does) and deregister it afterwards (only its own class may).
            Class<?> driver = Class.forName("org.postgresql.Driver", true, isolated);
            try {
                Function<List<String>, String> instance =
                        (Function<List<String>, String>) ClassPathWithout.newInstance(isolated, probe);
                return instance.apply(args);
            } finally {
                driver.getMethod("deregister").invoke(null);
            }
        }
    }

    /** Builds and uses data sources where nothing listens; runs inside the isolated class loader. */
    public static final class DeadEndpointsProbe implements Function<List<String>, String> {
        @Override
        public String apply(List<String> ignored) {
            StringBuilder seen = new StringBuilder();
            try (MultiRegion mr = MultiRegion.builder(TestRegions.config(TestRegions.EU_CENTRAL)).build()) {
                StaticTopology topology = StaticTopology.builder().writerRegion(TestRegions.EU_WEST)
                        .region(RegionEndpoints.node(TestRegions.EU_WEST, DeadEndpoints.url()))
                        .build();
                try (RoutingDataSource ds = DeadEndpoints.dataSource(mr, topology);
                     Connection c = ds.getConnection()) {
                    c.setReadOnly(true);
                    seen.append("valid=").append(c.isValid(1));
                    c.createStatement();
                } catch (SQLException e) {
                    seen.append(", refused");
                }
                try (PostgresTopologyDiscovery discovery = PostgresTopologyDiscovery.builder()
                        .node(TestRegions.EU_WEST, DeadEndpoints.url()).build()) {
                    discovery.topology();
                } catch (TopologyDiscoveryException e) {
                    seen.append(", discovery: no primary");
                }
            }
            return seen.toString();
        }
    }

    /**
     * Reads then writes through a static and a discovered topology, reporting the {@link Node} of each; runs inside
     * the isolated class loader. Arguments: user, password, JDBC URLs of the primary (eu-west-1) and of the replica
     * (eu-central-1, the local region). Used by {@link RoutingDataSourceIT}.
     */
    public static final class RealDatabaseProbe implements Function<List<String>, String> {
        @Override
        public String apply(List<String> args) {
            HikariConfig pool = new HikariConfig();
            pool.setUsername(args.get(0));
            pool.setPassword(args.get(1));
            pool.setMaximumPoolSize(1);
            // A fresh JVM's first connection (driver classes, SCRAM) on a busy machine can take over a second; a reader
            // not connected in time is skipped for the writer, which is right but not what this probe checks.
            pool.setConnectionTimeout(10_000);
            List<WriterDiscovery> discoveries = List.of(
                    StaticTopology.builder().writerRegion(TestRegions.EU_WEST)
                            .region(RegionEndpoints.node(TestRegions.EU_WEST, args.get(2)))
                            .region(RegionEndpoints.node(TestRegions.EU_CENTRAL, args.get(3)))
                            .build(),
                    PostgresTopologyDiscovery.builder()
                            .node(TestRegions.EU_WEST, args.get(2)).node(TestRegions.EU_CENTRAL, args.get(3))
                            .user(args.get(0)).password(args.get(1))
                            .build());
            List<String> seen = new ArrayList<>();
            try (MultiRegion mr = MultiRegion.builder(TestRegions.config(TestRegions.EU_CENTRAL)).build()) {
                for (WriterDiscovery discovery : discoveries) {
                    try (RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(discovery)
                            .poolTemplate(pool).maxReplicaLag(Duration.ofMinutes(1)).build()) {
                        Node read;
                        try (Connection c = ds.getConnection()) {
                            c.setReadOnly(true);
                            read = Node.of(c);
                        }
                        Node write;
                        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                            s.executeUpdate("INSERT INTO items VALUES ('" + UUID.randomUUID() + "', 'no-optional-deps')");
                            write = Node.of(c);
                        }
                        seen.add(read + " " + write);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return String.join("; ", seen);
        }
    }

    @Test
    void routingDataSourceLoadsAndRoutesWithoutMicrometerOrTheRdsModule() throws Exception {
        assertThat(runWithoutOptionalDependencies(DeadEndpointsProbe.class, List.of()))
                .isEqualTo("valid=false, refused, discovery: no primary");
    }
}
