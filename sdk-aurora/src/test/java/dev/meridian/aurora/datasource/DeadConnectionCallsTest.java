package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * README, Dead connections, for the calls that are not statements (savepoints, commit, rollback, autocommit, session
 * settings, metadata and the other connection calls): the pure decision, on fake connections whose server is gone.
 * A call that loses the transaction asks for its retry only when the writer moved; a commit never does; outside a
 * transaction nothing fails for a dead connection that can be replaced; the next use always takes a new route.
 * {@code DeadConnectionCallsIT} holds the same promises across a real switchover.
 */
class DeadConnectionCallsTest {
    private final FakePhysicalConnections connections = new FakePhysicalConnections();
    private final LogicalConnection c = new LogicalConnection(connections, false, true);

    private FakePhysicalConnections.Physical transactionThenDeath() throws SQLException {
        c.setAutoCommit(false);
        c.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
        FakePhysicalConnections.Physical first = connections.last();
        first.dead = true;
        return first;
    }

    private static String sqlState(Throwable t) {
        return ((SQLException) t).getSQLState();
    }

    @Test
    void aSavepointInATransactionWhoseWriterMovedAsksForARetryOfTheTransaction() throws SQLException {
        transactionThenDeath();
        connections.moveWriterTo(Region.US_EAST_1);

        Throwable failure = catchThrowable(c::setSavepoint);

        assertThat(failure).isInstanceOf(WriterChangedException.class).hasMessageContaining("after 1 statement(s)");
        assertThat(sqlState(failure)).isEqualTo("40001");
        c.rollback();
        c.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
        assertThat(connections.last().endpoint.region()).isEqualTo(Region.US_EAST_1);
    }

    @Test
    void aSavepointInATransactionWhoseConnectionDiedWithTheWriterInPlaceThrowsItsOwnFailure() throws SQLException {
        FakePhysicalConnections.Physical first = transactionThenDeath();

        Throwable failure = catchThrowable(() -> c.setSavepoint("s"));

        assertThat(failure).isNotInstanceOf(WriterChangedException.class);
        assertThat(sqlState(failure)).isEqualTo("08006");
        c.rollback();
        assertThat(first.evicted).isTrue();
        c.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
        assertThat(connections.bound).hasSize(2);
    }

    @Test
    void aReadOnlyTransactionsSavepointOnADeadReaderThrowsItsOwnFailure() throws SQLException {
        c.setReadOnly(true);
        c.setAutoCommit(false);
        c.createStatement().executeQuery("SELECT 1");
        connections.last().dead = true;
        connections.moveWriterTo(Region.US_EAST_1);

        assertThat(catchThrowable(c::setSavepoint)).isNotInstanceOf(WriterChangedException.class)
                .extracting(DeadConnectionCallsTest::sqlState).isEqualTo("08006");
    }

    @Test
    void aCommitWhoseConnectionDiedAsTheWriterMovedKeepsItsOwnFailureAndEndsTheTransaction() throws SQLException {
        FakePhysicalConnections.Physical first = transactionThenDeath();
        connections.moveWriterTo(Region.US_EAST_1);

        Throwable failure = catchThrowable(c::commit);

        assertThat(failure).isNotInstanceOf(WriterChangedException.class);
        assertThat(sqlState(failure)).isEqualTo("08006");
        assertThat(failure.getSuppressed()).singleElement().extracting(Throwable::getMessage).asString()
                .contains("may have been committed");
        assertThat(connections.writes).as("not recorded as a committed write").isEmpty();
        assertThat(c.inTransaction()).isFalse();
        c.createStatement().executeUpdate("INSERT INTO t VALUES (2)");
        assertThat(first.evicted).isTrue();
        assertThat(connections.last().endpoint.region()).isEqualTo(Region.US_EAST_1);
    }

    @Test
    void autocommitSwitchedOnWhoseCommitDiedKeepsItsOwnFailure() throws SQLException {
        transactionThenDeath();
        connections.moveWriterTo(Region.US_EAST_1);

        Throwable failure = catchThrowable(() -> c.setAutoCommit(true));

        assertThat(failure).isNotInstanceOf(WriterChangedException.class);
        assertThat(sqlState(failure)).isEqualTo("08006");
        assertThat(c.getAutoCommit()).as("unchanged, as the driver leaves it when its commit fails").isFalse();
        assertThat(c.inTransaction()).isFalse();
        c.createStatement().executeUpdate("INSERT INTO t VALUES (2)");
        assertThat(connections.last().endpoint.region()).isEqualTo(Region.US_EAST_1);
    }

    @Test
    void aRollbackOfATransactionItsConnectionTookWithItSucceeds() throws SQLException {
        FakePhysicalConnections.Physical first = transactionThenDeath();

        c.rollback();

        assertThat(first.evicted).isTrue();
        assertThat(c.binding()).isNull();
        c.createStatement().executeUpdate("INSERT INTO t VALUES (2)");
        assertThat(connections.bound).hasSize(2);
    }

    @Test
    void aSettingOnADeadConnectionOutsideATransactionGoesToTheNextConnection() throws SQLException {
        c.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
        FakePhysicalConnections.Physical first = connections.last();
        first.dead = true;

        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        c.setSchema("app");

        assertThat(first.evicted).isTrue();
        c.createStatement().executeUpdate("INSERT INTO t VALUES (2)");
        assertThat(connections.last().calls).contains("setTransactionIsolation[8]", "setSchema[app]");
    }

    @Test
    void aSettingAfterAStatementFoundTheConnectionDeadDoesNotTouchIt() throws SQLException {
        Statement s = c.createStatement();
        s.executeUpdate("INSERT INTO t VALUES (1)");
        FakePhysicalConnections.Physical first = connections.last();
        first.dead = true;
        // An autocommit write whose connection failed is never repeated: it fails, and marks the connection stale.
        assertThat(sqlState(catchThrowable(() -> s.executeUpdate("INSERT INTO t VALUES (2)")))).isEqualTo("08006");
        int callsBefore = first.calls.size();

        c.setAutoCommit(false);
        c.setReadOnly(false);
        assertThat((Object) c.getWarnings()).isNull();
        c.clearWarnings();

        assertThat(first.calls).hasSize(callsBefore);
        assertThat(first.evicted).isTrue();
    }

    @Test
    void aConnectionCallOutsideATransactionRunsOnceMoreOnANewRoute() throws SQLException {
        c.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
        connections.last().dead = true;

        c.nativeSQL("SELECT 1");
        c.setAutoCommit(false);
        c.setSavepoint(); // the first call of its transaction

        assertThat(connections.bound).hasSize(2);
        assertThat(connections.last().calls).contains("nativeSQL[SELECT 1]", "setSavepoint");
    }

    @Test
    void aCommitWithNoTransactionOpenOnAFailedConnectionHasNothingToCommit() throws SQLException {
        c.setAutoCommit(false);
        Statement s = c.createStatement();
        s.executeUpdate("INSERT INTO t VALUES (1)");
        c.commit();
        connections.last().dead = true;
        c.rollback(); // nothing open: finds the connection dead, and succeeds

        c.commit();

        assertThat(connections.bound).hasSize(1);
    }

    @Test
    void aCommitAfterItsTransactionWasFoundLostKeepsItsOwnFailureWithoutCallingItsOutcomeUnknown()
            throws SQLException {
        c.setAutoCommit(false);
        Statement s = c.createStatement();
        s.executeUpdate("INSERT INTO t VALUES (1)");
        connections.last().dead = true;
        connections.moveWriterTo(Region.US_EAST_1);
        assertThat(catchThrowable(() -> s.executeUpdate("INSERT INTO t VALUES (2)")))
                .isInstanceOf(WriterChangedException.class);

        Throwable failure = catchThrowable(c::commit);

        assertThat(failure).isNotInstanceOf(WriterChangedException.class);
        assertThat(failure.getSuppressed()).as("the transaction was known lost: nothing can have committed").isEmpty();
        s.executeUpdate("INSERT INTO t VALUES (1)");
        assertThat(connections.last().endpoint.region()).isEqualTo(Region.US_EAST_1);
    }

    @Test
    void creatingAStatementInATransactionWhoseWriterMovedAsksForARetryOfTheTransaction() throws SQLException {
        transactionThenDeath();
        connections.moveWriterTo(Region.US_EAST_1);

        assertThat(catchThrowable(c::createStatement)).isInstanceOf(WriterChangedException.class);
        c.rollback();
        c.prepareStatement("INSERT INTO t VALUES (?)").executeUpdate();
        assertThat(connections.last().endpoint.region()).isEqualTo(Region.US_EAST_1);
    }

    @Test
    void clientInfoOnADeadConnectionOutsideATransactionGoesToTheNextConnection() throws SQLException {
        c.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
        FakePhysicalConnections.Physical first = connections.last();
        first.dead = true;

        c.setClientInfo("ApplicationName", "orders");

        assertThat(first.evicted).isTrue();
        c.createStatement().executeUpdate("INSERT INTO t VALUES (2)");
        assertThat(connections.last().calls).contains("setClientInfo[{ApplicationName=orders}]");
    }

    @Test
    void clientInfoInATransactionWhoseWriterMovedLeavesTheLossToTheTransactionsNextCall() throws SQLException {
        transactionThenDeath();
        connections.moveWriterTo(Region.US_EAST_1);

        c.setClientInfo("ApplicationName", "orders");

        assertThat(catchThrowable(() -> c.createStatement().executeUpdate("INSERT INTO t VALUES (2)")))
                .isInstanceOf(WriterChangedException.class);
        c.rollback();
        c.createStatement().executeUpdate("INSERT INTO t VALUES (2)");
        assertThat(connections.last().endpoint.region()).isEqualTo(Region.US_EAST_1);
        assertThat(connections.last().calls).contains("setClientInfo[{ApplicationName=orders}]");
    }
}
