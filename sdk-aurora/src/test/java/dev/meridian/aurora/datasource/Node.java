package dev.meridian.aurora.datasource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.springframework.jdbc.core.JdbcTemplate;

/** Which server answered: its port and whether it is a hot standby. */
record Node(int port, boolean replica) {
    static final String QUERY = "SELECT inet_server_port(), pg_is_in_recovery()";

    static Node of(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            rs.next();
            return new Node(rs.getInt(1), rs.getBoolean(2));
        }
    }

    static Node of(JdbcTemplate jdbc) {
        return jdbc.queryForObject(QUERY, (rs, n) -> new Node(rs.getInt(1), rs.getBoolean(2)));
    }
}
