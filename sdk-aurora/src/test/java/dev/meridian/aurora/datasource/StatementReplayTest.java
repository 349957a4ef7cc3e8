package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** Statements follow their logical connection to new physical connections, or say clearly why they cannot. */
class StatementReplayTest {
    private final FakePhysicalConnections connections = new FakePhysicalConnections();

    private LogicalConnection connection() {
        return new LogicalConnection(connections, false, true);
    }

    private static boolean executed(FakePhysicalConnections.Physical p, String method) {
        return p.calls.stream().anyMatch(call -> call.startsWith("stmt." + method));
    }

    @Test
    void statementPreparedBeforeTheReadOnlyFlagChangedRunsOnTheReaderWithItsParameters() throws SQLException {
        LogicalConnection c = connection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM t WHERE id = ?");
        ps.setInt(1, 7);
        ps.executeQuery();

        c.setReadOnly(true);
        ps.executeQuery();

        assertThat(connections.bound).extracting(FakePhysicalConnections.Physical::role).containsExactly(Role.WRITER, Role.READER);
        assertThat(connections.bound.get(0).released).isTrue();
        assertThat(connections.last().calls).containsSubsequence("prepareStatement[SELECT * FROM t WHERE id = ?]",
                "stmt.setInt[1, 7]", "stmt.executeQuery");
    }

    @Test
    void aStatementsOtherCallsAfterTheConnectionMovedGoToTheReCreatedStatement() throws SQLException {
        LogicalConnection c = connection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM t WHERE id = ?");
        ps.setInt(1, 7);
        ps.executeQuery();
        c.setReadOnly(true);
        c.createStatement().executeQuery("SELECT 1"); // moves the logical connection to the reader

        ps.getUpdateCount();
        ps.isWrapperFor(String.class);

        FakePhysicalConnections.Physical writer = connections.bound.get(0);
        assertThat(writer.calls).doesNotContain("stmt.getUpdateCount", "stmt.isWrapperFor[class java.lang.String]");
        assertThat(connections.last().calls).containsSubsequence("prepareStatement[SELECT * FROM t WHERE id = ?]",
                "stmt.setInt[1, 7]", "stmt.getUpdateCount", "stmt.isWrapperFor[class java.lang.String]");
    }

    @Test
    void aStatementTheApplicationClosedIsNeverReCreated() throws SQLException {
        LogicalConnection c = connection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM t WHERE id = ?");
        ps.close();
        c.setReadOnly(true);
        c.createStatement().executeQuery("SELECT 1");

        ps.setInt(1, 7);
        ps.executeQuery();

        assertThat(ps.isClosed()).isTrue();
        assertThat(connections.last().calls).doesNotContain("prepareStatement[SELECT * FROM t WHERE id = ?]");
        assertThat(connections.bound.get(0).calls).as("the driver's closed statement answers")
                .contains("stmt.setInt[1, 7]", "stmt.executeQuery");
    }

    @Test
    void statementLeftBehindByAnotherStatementsRetryRunsOnTheNewWriterNotOnTheOldOne() throws SQLException {
        LogicalConnection c = connection();
        Statement first = c.createStatement();
        PreparedStatement second = c.prepareStatement("UPDATE t SET x = ?");
        second.setInt(1, 3);
        connections.moveWriterTo(Region.EU_CENTRAL_1);

        first.executeUpdate("INSERT INTO t VALUES (1)"); // refused by the old writer, retried on the new one
        assertThat(second.executeUpdate()).isEqualTo(1);

        assertThat(connections.bound).hasSize(2);
        FakePhysicalConnections.Physical old = connections.bound.get(0);
        FakePhysicalConnections.Physical fresh = connections.bound.get(1);
        assertThat(old.calls).contains("prepareStatement[UPDATE t SET x = ?]").doesNotContain("stmt.executeUpdate");
        assertThat(fresh.calls).containsSubsequence("prepareStatement[UPDATE t SET x = ?]", "stmt.setInt[1, 3]",
                "stmt.executeUpdate");
        assertThat(connections.writerRefreshes).isEqualTo(1);
    }

    @Test
    void pendingBatchLeftBehindByARetryFailsClearlyInsteadOfRunningOnTheGivenUpConnection() throws SQLException {
        LogicalConnection c = connection();
        PreparedStatement batch = c.prepareStatement("INSERT INTO t VALUES (?)");
        batch.setInt(1, 1);
        batch.addBatch();
        Statement other = c.createStatement();
        connections.moveWriterTo(Region.US_EAST_1);
        other.executeUpdate("INSERT INTO t VALUES (0)"); // moves the logical connection to the new writer

        assertThatThrownBy(batch::executeBatch)
                .isInstanceOf(SQLFeatureNotSupportedException.class)
                .hasMessageContaining("pending batch (addBatch)")
                .hasMessageContaining("Create the statement again")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("0A000");
        assertThat(connections.bound).noneMatch(p -> executed(p, "executeBatch"));

        batch.clearBatch(); // nothing pending any more: the statement may move
        batch.setInt(1, 2);
        batch.addBatch();
        assertThat(Arrays.stream(batch.executeBatch()).sum()).isEqualTo(1);
        assertThat(connections.bound).hasSize(2);
        assertThat(connections.last().calls).containsSubsequence("prepareStatement[INSERT INTO t VALUES (?)]",
                "stmt.setInt[1, 2]", "stmt.addBatch", "stmt.executeBatch");
    }

    @Test
    void batchRefusedByAMovedWriterIsNotResentAndAsksForARetry() throws SQLException {
        LogicalConnection c = connection();
        PreparedStatement batch = c.prepareStatement("INSERT INTO t VALUES (?)");
        batch.setInt(1, 1);
        batch.addBatch();
        connections.moveWriterTo(Region.EU_CENTRAL_1);

        assertThatThrownBy(batch::executeBatch)
                .isInstanceOf(WriterChangedException.class)
                .hasMessageContaining("pending batch")
                .hasMessageContaining("create the statement again");
        assertThat(connections.bound).hasSize(1);

        PreparedStatement again = c.prepareStatement("INSERT INTO t VALUES (?)");
        again.setInt(1, 1);
        again.addBatch();
        again.executeBatch();
        assertThat(connections.last().endpoint.region()).isEqualTo(Region.EU_CENTRAL_1);
        assertThat(executed(connections.last(), "executeBatch")).isTrue();
    }

    @Test
    void readWhoseConnectionFailsRunsOnceMoreOnANewRoute() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        PreparedStatement ps = c.prepareStatement("SELECT ?");
        ps.setString(1, "x");
        connections.last().broken = true;

        ps.executeQuery();

        assertThat(connections.bound).hasSize(2);
        assertThat(connections.bound.get(0).evicted).isTrue();
        assertThat(connections.last().calls).containsSubsequence("stmt.setString[1, x]", "stmt.executeQuery");
    }

    @Test
    void readWithAStreamParameterWhoseConnectionFailsIsNotRunAgainAndSaysWhy() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        PreparedStatement ps = c.prepareStatement("SELECT ?");
        ps.setBinaryStream(1, new ByteArrayInputStream(new byte[]{1, 2, 3}));
        connections.last().broken = true;

        assertThatThrownBy(ps::executeQuery)
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
        assertThatThrownBy(ps::executeQuery) // still holds the stream, and the connection it was on is gone
                .isInstanceOf(SQLFeatureNotSupportedException.class)
                .hasMessageContaining("stream or reader parameters [1]");
        assertThat(connections.bound.get(0).calls).filteredOn(call -> call.startsWith("stmt.executeQuery")).hasSize(1);

        ps.setBytes(1, new byte[]{1, 2, 3}); // a plain value replaces the stream: movable again
        ps.executeQuery();
        assertThat(connections.last().calls).last().isEqualTo("stmt.executeQuery");
        assertThat(connections.last().calls).anyMatch(call -> call.startsWith("stmt.setBytes[1,"))
                .noneMatch(call -> call.startsWith("stmt.setBinaryStream"));
    }

    @Test
    void streamStatementWhoseFirstExecutionFailsCarriesANoteSayingWhyItWasNotRetried() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        PreparedStatement ps = c.prepareStatement("SELECT ?");
        ps.setCharacterStream(1, new java.io.StringReader("abc"));
        connections.last().broken = true;

        assertThatThrownBy(ps::executeQuery)
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                        .anyMatch(m -> m.contains("did not run this statement again") && m.contains("stream")));
        assertThat(connections.bound).hasSize(1);
    }
}
