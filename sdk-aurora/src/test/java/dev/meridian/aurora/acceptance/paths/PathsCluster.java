package dev.meridian.aurora.acceptance.paths;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.regions.Region;

/**
 * What the path tests share, from public API only: the README's three-region setup (eu-west-1 and eu-central-1 in the
 * EU, us-east-1 in the US; the application in eu-central-1, local first) on the testkit's PostgreSQL primary
 * (eu-west-1) and streaming replicas, and the witness table {@code paths}: every write stores the port of the server
 * that applied it ({@code inet_server_port()}), and the table has no key, so a write applied twice shows as two rows.
 */
final class PathsCluster {
    static final String LOCAL = "eu-central-1";

    private PathsCluster() {
    }

    static LocalAuroraGlobal start() throws SQLException {
        LocalAuroraGlobal aurora = LocalAuroraGlobal.builder().primaryRegion("eu-west-1")
                .replicaRegions(LOCAL, "us-east-1").start();
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE paths (id text NOT NULL, n int NOT NULL, port int NOT NULL)");
            s.execute("CREATE PROCEDURE path_insert(p_id text, p_n int) LANGUAGE sql AS "
                    + "$$ INSERT INTO paths VALUES (p_id, p_n, inet_server_port()) $$");
        }
        aurora.awaitReplicasCaughtUp();
        return aurora;
    }

    static MultiRegion runtime() {
        return MultiRegion.builder(MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").priority(2))
                .localRegion(Region.of(LOCAL))
                .routing(RoutingStrategy.localFirst())
                .build()).build();
    }

    static RoutingDataSource.Builder dataSource(LocalAuroraGlobal aurora, MultiRegion runtime) {
        return dataSource(aurora, runtime, 4);
    }

    /** As {@link #dataSource(LocalAuroraGlobal, MultiRegion)}, with {@code poolSize} connections per endpoint. */
    static RoutingDataSource.Builder dataSource(LocalAuroraGlobal aurora, MultiRegion runtime, int poolSize) {
        HikariConfig pool = new HikariConfig();
        pool.setUsername(aurora.user());
        pool.setPassword(aurora.password());
        pool.setMaximumPoolSize(poolSize);
        pool.setMinimumIdle(0);
        pool.setConnectionTimeout(2000);
        PostgresTopologyDiscovery.Builder discovery = PostgresTopologyDiscovery.builder()
                .user(aurora.user()).password(aurora.password());
        aurora.regions().forEach(r -> discovery.node(Region.of(r), aurora.jdbcUrl(r)));
        return RoutingDataSource.builder().multiRegion(runtime).discovery(discovery.build()).poolTemplate(pool);
    }

    /** Closes what {@link #start}, {@link #runtime} and {@link #dataSource} made (those made), the data source first. */
    static void stop(RoutingDataSource dataSource, MultiRegion runtime, LocalAuroraGlobal aurora) {
        if (dataSource != null) {
            dataSource.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (aurora != null) {
            aurora.close();
        }
    }

    /** Stops a suite's callers' threads (those made) and waits for them, up to 10 s each. */
    static void shutDown(ExecutorService... executors) throws InterruptedException {
        for (ExecutorService e : executors) {
            if (e != null) {
                e.shutdownNow();
            }
        }
        for (ExecutorService e : executors) {
            if (e != null) {
                e.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The ports of the servers that applied {@code id}'s rows, one entry per row, read on the current primary. */
    static List<Integer> rowPorts(LocalAuroraGlobal aurora, String id) throws SQLException {
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
             PreparedStatement s = c.prepareStatement("SELECT port FROM paths WHERE id = ? ORDER BY n")) {
            s.setString(1, id);
            List<Integer> ports = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ports.add(rs.getInt(1));
                }
            }
            return ports;
        }
    }

    /**
     * A CPU-starved caller: as many spinning threads as the machine has cores, beside the test, until closed (always,
     * by try-with-resources).
     */
    static final class Starvation implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Starvation(boolean on) {
            if (!on) {
                return;
            }
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                Thread t = new Thread(() -> {
                    long x = 0;
                    while (running.get()) {
                        x += System.nanoTime() % 7;
                    }
                    if (x == 42) {
                        System.err.print(""); // keeps the loop from being optimised away
                    }
                }, "busy-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
        }
    }
}
