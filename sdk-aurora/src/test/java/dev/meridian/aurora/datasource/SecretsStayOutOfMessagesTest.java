package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.aurora.topology.TopologyDiscoveryException;
import dev.meridian.core.MultiRegion;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** Drivers quote whole JDBC URLs in their messages; what reaches the caller (and so the logs) hides the passwords. */
class SecretsStayOutOfMessagesTest {
    /** No driver accepts this URL, so the driver layer quotes it back. */
    private static final String URL_NO_DRIVER_ACCEPTS = "jdbc:nosuchdriver://db.example.com/app?user=app&password=hunter2";

    @Test
    void poolThatCannotBeCreatedIsReportedWithoutThePassword() throws Exception {
        try (MultiRegion mr = TestRegions.multiRegion(Region.EU_WEST_1);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr)
                     .discovery(StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                             .region(Region.EU_WEST_1, URL_NO_DRIVER_ACCEPTS, null).build())
                     .poolTemplate(DeadEndpoints.poolTemplate())
                     .build();
             Connection c = ds.getConnection()) {
            assertThatThrownBy(c::createStatement) // HikariCP's own message, which masks the password
                    .isInstanceOf(RuntimeException.class)
                    .hasMessageContaining("jdbc:nosuchdriver://db.example.com/app")
                    .satisfies(e -> assertThat(fullText(e)).doesNotContain("hunter2"));
        }
    }

    @Test
    void discoveryProblemsQuoteNodeUrlsWithoutThePassword() {
        try (PostgresTopologyDiscovery discovery = PostgresTopologyDiscovery.builder()
                .node(Region.EU_WEST_1, URL_NO_DRIVER_ACCEPTS).build()) {
            assertThatThrownBy(discovery::topology)
                    .isInstanceOf(TopologyDiscoveryException.class)
                    .hasMessageContaining("no PostgreSQL node answered as primary")
                    .hasMessageContaining("password=****")
                    .satisfies(e -> assertThat(fullText(e)).doesNotContain("hunter2"));
        }
    }

    /** The messages of the exception and of its whole cause chain, as a log line with a stack trace would show them. */
    private static String fullText(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }
}
