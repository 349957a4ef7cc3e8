package dev.meridian.samples.drill;

import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * The JDBC writes' invariant, checked on the current writer after the run: every acknowledged key is in the ledger
 * (no write lost, the writer promotion included) and the running total equals the ledger's rows (no write applied
 * twice by a caller's retry or a data-source retry). Immutable.
 *
 * @param acknowledged keyed writes acknowledged to the application
 * @param rows         rows in the ledger (acknowledged, plus writes whose acknowledgement was lost)
 * @param lost         acknowledged keys missing from the ledger
 * @param appliedTwice the total minus the ledger's rows (a write counted more than once)
 */
record LedgerCheck(long acknowledged, long rows, long lost, long appliedTwice) {

    boolean holds() {
        return lost == 0 && appliedTwice == 0;
    }

    static LedgerCheck run(LocalAuroraGlobal aurora, Set<String> acknowledged) throws SQLException {
        Set<String> present = new HashSet<>();
        long total;
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT request_id FROM ledger")) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT total FROM totals WHERE id = 1")) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        long lost = acknowledged.stream().filter(k -> !present.contains(k)).count();
        return new LedgerCheck(acknowledged.size(), present.size(), lost, total - present.size());
    }
}
