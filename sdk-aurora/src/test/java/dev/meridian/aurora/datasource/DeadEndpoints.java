package dev.meridian.aurora.datasource;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.topology.WriterDiscovery;
import dev.meridian.core.MultiRegion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Endpoints where nothing listens, and a pool template that gives up on them quickly (250 ms). */
final class DeadEndpoints {
    private DeadEndpoints() {
    }

    /** A PostgreSQL URL on a local port that was free a moment ago: connections are refused at once. */
    static String url() {
        try (ServerSocket s = new ServerSocket(0)) {
            return "jdbc:postgresql://127.0.0.1:" + s.getLocalPort() + "/db";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A data source over {@code discovery} with {@link #poolTemplate()}. */
    static RoutingDataSource dataSource(MultiRegion multiRegion, WriterDiscovery discovery) {
        return RoutingDataSource.builder().multiRegion(multiRegion).discovery(discovery).poolTemplate(poolTemplate())
                .build();
    }

    static HikariConfig poolTemplate() {
        HikariConfig c = new HikariConfig();
        c.setUsername("u");
        c.setPassword("p");
        c.setMaximumPoolSize(1);
        c.setConnectionTimeout(250);
        return c;
    }
}
