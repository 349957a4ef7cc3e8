package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * README, Writer moves: "If the writer moved and the statement was the first of its transaction (or autocommit), it
 * is re-created on the new writer ... otherwise WriterChangedException (SQLState 40001, retry the transaction)",
 * also when the old writer's shutdown ended the transaction's connection (a switchover). Before the fix the caller got
 * the connection's own failure (ConditionsIT saw PostgreSQL's 57P01). The pure decision, on the fake connections; a
 * connection failure that could have committed something is never turned into "retry".
 */
class TransactionLostToASwitchoverTest {
    private final FakePhysicalConnections connections = new FakePhysicalConnections();
    private final LogicalConnection c = new LogicalConnection(connections, false, true);

    @Test
    void aTransactionsLaterStatementWhoseConnectionDiedAsTheWriterMovedAsksForARetryOfTheTransaction()
            throws SQLException {
        c.setAutoCommit(false);
        Statement s = c.createStatement();
        s.executeUpdate("INSERT INTO t VALUES (1)");
        connections.bound.get(0).broken = true;
        connections.moveWriterTo(Region.US_EAST_1);

        Throwable failure = catchThrowable(() -> s.executeUpdate("INSERT INTO t VALUES (2)"));

        assertThat(failure).isInstanceOf(WriterChangedException.class)
                .hasMessageContaining("retry the whole transaction")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("40001");
        assertThat(failure.getCause()).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
        c.rollback();
        c.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
        assertThat(connections.last().endpoint.region()).isEqualTo(Region.US_EAST_1);
    }

    @Test
    void aTransactionsConnectionDyingWithoutAWriterMoveThrowsItsOwnFailure() throws SQLException {
        c.setAutoCommit(false);
        Statement s = c.createStatement();
        s.executeUpdate("INSERT INTO t VALUES (1)");
        connections.bound.get(0).broken = true;

        assertThat(catchThrowable(() -> s.executeUpdate("INSERT INTO t VALUES (2)")))
                .isNotInstanceOf(WriterChangedException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
    }

    @Test
    void anAutocommitWriteWhoseConnectionDiedAsTheWriterMovedIsNeitherRepeatedNorCalledRetryable() throws SQLException {
        Statement s = c.createStatement();
        s.executeUpdate("INSERT INTO t VALUES (1)");
        connections.bound.get(0).broken = true;
        connections.moveWriterTo(Region.US_EAST_1);

        // 08006 does not prove the write was not applied: "Other autocommit writes are never repeated".
        assertThat(catchThrowable(() -> s.executeUpdate("INSERT INTO t VALUES (2)")))
                .isNotInstanceOf(WriterChangedException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
        assertThat(connections.bound).hasSize(1);
    }

    @Test
    void aReadOnlyTransactionsReaderDyingThrowsItsOwnFailure() throws SQLException {
        c.setReadOnly(true);
        c.setAutoCommit(false);
        Statement s = c.createStatement();
        s.executeQuery("SELECT 1");
        connections.bound.get(0).broken = true;
        connections.moveWriterTo(Region.US_EAST_1);

        assertThat(catchThrowable(() -> s.executeQuery("SELECT 2")))
                .isNotInstanceOf(WriterChangedException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
    }

    @Test
    void aCommitSentAsSqlWhoseConnectionDiedAsTheWriterMovedKeepsItsOwnFailureForItMayHaveCommitted()
            throws SQLException {
        for (String commit : List.of("COMMIT", "  commit work", "/* done */ END", "-- done\nCOMMIT;",
                "UPDATE t SET v = 2; COMMIT", "PREPARE TRANSACTION 'x'")) {
            LogicalConnection fresh = new LogicalConnection(connections, false, true);
            fresh.setAutoCommit(false);
            Statement s = fresh.createStatement();
            s.executeUpdate("INSERT INTO t VALUES (1)");
            connections.last().broken = true;
            connections.moveWriterTo(connections.last().endpoint.region() == Region.US_EAST_1 ? Region.EU_WEST_1
                    : Region.US_EAST_1);

            assertThat(catchThrowable(() -> s.execute(commit))).as(commit)
                    .isNotInstanceOf(WriterChangedException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
        }
    }

    @Test
    void aPreparedCommitWhoseConnectionDiedAsTheWriterMovedKeepsItsOwnFailure() throws SQLException {
        c.setAutoCommit(false);
        c.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
        PreparedStatement commit = c.prepareStatement("commit");
        connections.bound.get(0).broken = true;
        connections.moveWriterTo(Region.US_EAST_1);

        assertThat(catchThrowable(commit::execute)).isNotInstanceOf(WriterChangedException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
    }

    @Test
    void aPlainStatementsBatchWhoseConnectionDiedAsTheWriterMovedKeepsItsOwnFailure() throws SQLException {
        c.setAutoCommit(false);
        Statement s = c.createStatement();
        s.executeUpdate("INSERT INTO t VALUES (1)");
        s.addBatch("COMMIT"); // a batch's SQL strings are not looked into: it may commit
        connections.bound.get(0).broken = true;
        connections.moveWriterTo(Region.US_EAST_1);

        assertThat(catchThrowable(s::executeBatch)).isNotInstanceOf(WriterChangedException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
    }
}
