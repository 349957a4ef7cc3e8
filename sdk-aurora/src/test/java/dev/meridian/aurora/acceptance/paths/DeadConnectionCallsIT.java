package dev.meridian.aurora.acceptance.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.datasource.WriterChangedException;
import dev.meridian.core.MultiRegion;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * sdk-aurora/README.md, "Dead connections" and "Writer moves", for the calls that are not statements: savepoints,
 * {@code commit}, {@code rollback}, {@code setAutoCommit}, metadata. Connections are held across a writer switchover
 * (eu-west-1 → eu-central-1: the old writer is stopped, ending their physical connections), each at one point of its
 * work; each test then makes one call on its connection. Promises: a call that loses the transaction's work asks for
 * a retry of the transaction ({@link WriterChangedException}, SQLState 40001); a call that may itself have committed
 * ({@code commit()}, {@code setAutoCommit(true)} ending a transaction) keeps its own failure, never 40001; a rollback
 * of a transaction its connection took with it succeeds; a call outside a transaction runs on the new writer; and
 * whatever the call's outcome, the connection's next use goes to the new writer. Before the fix these calls threw
 * pgjdbc's failure and left the connection bound to the dead one: the next call failed again (HikariCP's 08003).
 */
class DeadConnectionCallsIT {
    private static final String INSERT = "INSERT INTO paths VALUES (?, 0, inet_server_port())";
    private static final String NEW_WRITER = "eu-central-1";

    private static LocalAuroraGlobal aurora;
    private static MultiRegion runtime;
    private static RoutingDataSource dataSource;
    private static final List<Connection> held = new ArrayList<>();

    private static Connection savepointInTransaction;
    private static Savepoint heldSavepoint;
    private static Connection rollbackToSavepoint;
    private static Connection savepointFirstOfTransaction;
    private static Connection commitLost;
    private static Connection autoCommitOnLost;
    private static Connection rollbackDead;
    private static Connection metaDataInTransaction;
    private static Connection metaDataIdle;

    @BeforeAll
    static void holdConnectionsAcrossASwitchover() throws SQLException {
        aurora = PathsCluster.start();
        runtime = PathsCluster.runtime();
        dataSource = PathsCluster.dataSource(aurora, runtime, 12).build();

        savepointInTransaction = inTransaction("savepoint-tx");
        rollbackToSavepoint = inTransaction("rollback-to-savepoint");
        heldSavepoint = rollbackToSavepoint.setSavepoint();
        insert(rollbackToSavepoint, "rollback-to-savepoint-after");
        savepointFirstOfTransaction = inTransaction("savepoint-first-before");
        savepointFirstOfTransaction.commit();
        commitLost = inTransaction("commit-lost");
        autoCommitOnLost = inTransaction("autocommit-on-lost");
        rollbackDead = inTransaction("rollback-dead");
        metaDataInTransaction = inTransaction("metadata-tx");
        metaDataIdle = held();
        insert(metaDataIdle, "metadata-idle-before");

        aurora.promote(NEW_WRITER);
    }

    @AfterAll
    static void stop() {
        for (Connection c : held) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing a connection whose test failed: nothing to add
            }
        }
        PathsCluster.stop(dataSource, runtime, aurora);
    }

    private static Connection held() throws SQLException {
        Connection c = dataSource.getConnection();
        held.add(c);
        return c;
    }

    /** A held connection with a transaction open on the writer, one row of {@code id} inserted. */
    private static Connection inTransaction(String id) throws SQLException {
        Connection c = held();
        c.setAutoCommit(false);
        insert(c, id);
        return c;
    }

    private static void insert(Connection c, String id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(INSERT)) {
            p.setString(1, id);
            assertThat(p.executeUpdate()).isEqualTo(1);
        }
    }

    private static int newWriter() {
        return aurora.port(NEW_WRITER);
    }

    /** The connection's next transaction reaches the new writer. */
    private static void nextTransactionReachesTheNewWriter(Connection c, String id) throws SQLException {
        insert(c, id);
        if (!c.getAutoCommit()) {
            c.commit();
        }
        assertThat(PathsCluster.rowPorts(aurora, id)).containsExactly(newWriter());
    }

    private static void assertRetryTheTransaction(Throwable failure) {
        assertThat(failure).isInstanceOf(WriterChangedException.class)
                .extracting(t -> ((SQLException) t).getSQLState()).isEqualTo("40001");
    }

    @Test
    void aSavepointAfterTheTransactionsStatementsAsksForARetryOfTheTransaction() throws SQLException {
        assertRetryTheTransaction(catchThrowable(savepointInTransaction::setSavepoint));
        savepointInTransaction.rollback();
        nextTransactionReachesTheNewWriter(savepointInTransaction, "savepoint-tx-retried");
        assertThat(PathsCluster.rowPorts(aurora, "savepoint-tx")).isEmpty();
    }

    @Test
    void rollingBackToASavepointOfALostTransactionAsksForARetryOfTheTransaction() throws SQLException {
        assertRetryTheTransaction(catchThrowable(() -> rollbackToSavepoint.rollback(heldSavepoint)));
        rollbackToSavepoint.rollback();
        nextTransactionReachesTheNewWriter(rollbackToSavepoint, "rollback-to-savepoint-retried");
    }

    @Test
    void aSavepointFirstInItsTransactionRunsOnTheNewWriter() throws SQLException {
        Savepoint start = savepointFirstOfTransaction.setSavepoint();
        insert(savepointFirstOfTransaction, "savepoint-first-after");
        savepointFirstOfTransaction.releaseSavepoint(start);
        savepointFirstOfTransaction.commit();
        assertThat(PathsCluster.rowPorts(aurora, "savepoint-first-after")).containsExactly(newWriter());
    }

    @Test
    void aCommitWhoseConnectionDiedKeepsItsOwnFailureForItMayHaveCommitted() throws SQLException {
        Throwable failure = catchThrowable(commitLost::commit);
        assertThat(failure).isInstanceOf(SQLException.class).isNotInstanceOf(WriterChangedException.class);
        assertThat(((SQLException) failure).getSQLState()).isNotEqualTo("40001");
        assertThat(PathsCluster.rowPorts(aurora, "commit-lost")).hasSizeLessThanOrEqualTo(1);

        commitLost.setAutoCommit(true); // as Spring's transaction manager does after a failed commit
        nextTransactionReachesTheNewWriter(commitLost, "commit-next");
    }

    @Test
    void autocommitSwitchedOnWhoseCommitDiedKeepsItsOwnFailure() throws SQLException {
        Throwable failure = catchThrowable(() -> autoCommitOnLost.setAutoCommit(true));
        assertThat(failure).isInstanceOf(SQLException.class).isNotInstanceOf(WriterChangedException.class);
        assertThat(((SQLException) failure).getSQLState()).isNotEqualTo("40001");

        nextTransactionReachesTheNewWriter(autoCommitOnLost, "autocommit-on-next");
    }

    @Test
    void aRollbackOfATransactionItsConnectionTookWithItSucceeds() throws SQLException {
        rollbackDead.rollback();
        nextTransactionReachesTheNewWriter(rollbackDead, "rollback-next");
        assertThat(PathsCluster.rowPorts(aurora, "rollback-dead")).isEmpty();
    }

    @Test
    void metadataReadInALostTransactionAsksForARetryOfTheTransaction() throws SQLException {
        assertRetryTheTransaction(catchThrowable(
                () -> metaDataInTransaction.getMetaData().getTables(null, null, "paths", null).close()));
        metaDataInTransaction.rollback();
        nextTransactionReachesTheNewWriter(metaDataInTransaction, "metadata-tx-retried");
    }

    @Test
    void metadataReadOutsideATransactionRunsOnTheNewWriter() throws SQLException {
        try (ResultSet tables = metaDataIdle.getMetaData().getTables(null, null, "paths", null)) {
            assertThat(tables.next()).isTrue();
        }
        assertThat(metaDataIdle.getMetaData().getURL()).contains(":" + newWriter() + "/");
        nextTransactionReachesTheNewWriter(metaDataIdle, "metadata-idle-after");
    }
}
