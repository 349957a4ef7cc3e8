package dev.meridian.aurora;

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
    private final FakeRouter router = new FakeRouter();

    private LogicalConnection connection() {
        return new LogicalConnection(router, false, true);
    }

    private static boolean executed(FakeRouter.Physical p, String method) {
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

        assertThat(router.bound).extracting(FakeRouter.Physical::role).containsExactly(Role.WRITER, Role.READER);
        assertThat(router.bound.get(0).released).isTrue();
        assertThat(router.last().calls).containsSubsequence("prepareStatement[SELECT * FROM t WHERE id = ?]",
                "stmt.setInt[1, 7]", "stmt.executeQuery");
    }

    @Test
    void statementLeftBehindByAnotherStatementsRetryRunsOnTheNewWriterNotOnTheOldOne() throws SQLException {
        LogicalConnection c = connection();
        Statement first = c.createStatement();
        PreparedStatement second = c.prepareStatement("UPDATE t SET x = ?");
        second.setInt(1, 3);
        router.moveWriterTo(Region.EU_CENTRAL_1);

        first.executeUpdate("INSERT INTO t VALUES (1)"); // refused by the old writer, retried on the new one
        assertThat(second.executeUpdate()).isEqualTo(1);

        assertThat(router.bound).hasSize(2);
        FakeRouter.Physical old = router.bound.get(0);
        FakeRouter.Physical fresh = router.bound.get(1);
        assertThat(old.calls).contains("prepareStatement[UPDATE t SET x = ?]").doesNotContain("stmt.executeUpdate");
        assertThat(fresh.calls).containsSubsequence("prepareStatement[UPDATE t SET x = ?]", "stmt.setInt[1, 3]",
                "stmt.executeUpdate");
        assertThat(router.writerRefreshes).isEqualTo(1);
    }

    @Test
    void pendingBatchLeftBehindByARetryFailsClearlyInsteadOfRunningOnTheGivenUpConnection() throws SQLException {
        LogicalConnection c = connection();
        PreparedStatement batch = c.prepareStatement("INSERT INTO t VALUES (?)");
        batch.setInt(1, 1);
        batch.addBatch();
        Statement other = c.createStatement();
        router.moveWriterTo(Region.US_EAST_1);
        other.executeUpdate("INSERT INTO t VALUES (0)"); // moves the logical connection to the new writer

        assertThatThrownBy(batch::executeBatch)
                .isInstanceOf(SQLFeatureNotSupportedException.class)
                .hasMessageContaining("pending batch (addBatch)")
                .hasMessageContaining("Create the statement again")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("0A000");
        assertThat(router.bound).noneMatch(p -> executed(p, "executeBatch"));

        batch.clearBatch(); // nothing pending any more: the statement may move
        batch.setInt(1, 2);
        batch.addBatch();
        assertThat(Arrays.stream(batch.executeBatch()).sum()).isEqualTo(1);
        assertThat(router.bound).hasSize(2);
        assertThat(router.last().calls).containsSubsequence("prepareStatement[INSERT INTO t VALUES (?)]",
                "stmt.setInt[1, 2]", "stmt.addBatch", "stmt.executeBatch");
    }

    @Test
    void batchRefusedByAMovedWriterIsNotResentAndAsksForARetry() throws SQLException {
        LogicalConnection c = connection();
        PreparedStatement batch = c.prepareStatement("INSERT INTO t VALUES (?)");
        batch.setInt(1, 1);
        batch.addBatch();
        router.moveWriterTo(Region.EU_CENTRAL_1);

        assertThatThrownBy(batch::executeBatch)
                .isInstanceOf(WriterChangedException.class)
                .hasMessageContaining("pending batch")
                .hasMessageContaining("create the statement again");
        assertThat(router.bound).hasSize(1);

        PreparedStatement again = c.prepareStatement("INSERT INTO t VALUES (?)");
        again.setInt(1, 1);
        again.addBatch();
        again.executeBatch();
        assertThat(router.last().endpoint.region()).isEqualTo(Region.EU_CENTRAL_1);
        assertThat(executed(router.last(), "executeBatch")).isTrue();
    }

    @Test
    void readWhoseConnectionFailsRunsOnceMoreOnANewRoute() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        PreparedStatement ps = c.prepareStatement("SELECT ?");
        ps.setString(1, "x");
        router.last().broken = true;

        ps.executeQuery();

        assertThat(router.bound).hasSize(2);
        assertThat(router.bound.get(0).evicted).isTrue();
        assertThat(router.last().calls).containsSubsequence("stmt.setString[1, x]", "stmt.executeQuery");
    }

    @Test
    void readWithAStreamParameterWhoseConnectionFailsIsNotRunAgainAndSaysWhy() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        PreparedStatement ps = c.prepareStatement("SELECT ?");
        ps.setBinaryStream(1, new ByteArrayInputStream(new byte[]{1, 2, 3}));
        router.last().broken = true;

        assertThatThrownBy(ps::executeQuery)
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
        assertThatThrownBy(ps::executeQuery) // still holds the stream, and the connection it was on is gone
                .isInstanceOf(SQLFeatureNotSupportedException.class)
                .hasMessageContaining("stream or reader parameters [1]");
        assertThat(router.bound.get(0).calls).filteredOn(call -> call.startsWith("stmt.executeQuery")).hasSize(1);

        ps.setBytes(1, new byte[]{1, 2, 3}); // a plain value replaces the stream: movable again
        ps.executeQuery();
        assertThat(router.last().calls).last().isEqualTo("stmt.executeQuery");
        assertThat(router.last().calls).anyMatch(call -> call.startsWith("stmt.setBytes[1,"))
                .noneMatch(call -> call.startsWith("stmt.setBinaryStream"));
    }

    @Test
    void streamStatementWhoseFirstExecutionFailsCarriesANoteSayingWhyItWasNotRetried() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        PreparedStatement ps = c.prepareStatement("SELECT ?");
        ps.setCharacterStream(1, new java.io.StringReader("abc"));
        router.last().broken = true;

        assertThatThrownBy(ps::executeQuery)
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                        .anyMatch(m -> m.contains("did not run this statement again") && m.contains("stream")));
        assertThat(router.bound).hasSize(1);
    }
}
