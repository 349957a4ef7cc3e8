package dev.meridian.samples.orders;

import java.util.List;
import java.util.Objects;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The product catalogue in PostgreSQL (Aurora Global Database in production). The {@code DataSource} is the starter's
 * {@code RoutingDataSource}: a read-only transaction runs on the local region's reader, everything else on the writer.
 */
@Service
class Catalogue {
    private final JdbcTemplate jdbc;

    public Catalogue(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    }

    /** The products, and which server answered (a replica reports {@code pg_is_in_recovery() = true}). */
    @Transactional(readOnly = true)
    public View list() {
        List<Product> products = jdbc.query("SELECT sku, name, price_cents FROM catalogue ORDER BY sku",
                (rs, i) -> new Product(rs.getString(1), rs.getString(2), rs.getInt(3)));
        Server server = jdbc.queryForObject("SELECT pg_is_in_recovery(), inet_server_port()",
                (rs, i) -> new Server(rs.getBoolean(1), rs.getInt(2)));
        return new View(products, server);
    }

    /** A product. */
    public record Product(String sku, String name, int priceCents) {
    }

    /** The PostgreSQL server that served a read: a replica is in recovery. */
    public record Server(boolean replica, int port) {
    }

    /** The catalogue and who served it. */
    public record View(List<Product> products, Server servedBy) {
    }
}
