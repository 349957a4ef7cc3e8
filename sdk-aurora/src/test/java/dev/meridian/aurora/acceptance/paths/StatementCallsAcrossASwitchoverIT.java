package dev.meridian.aurora.acceptance.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.datasource.WriterChangedException;
import dev.meridian.core.MultiRegion;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.jdbc.PgDatabaseMetaData;
import org.postgresql.jdbc.PgStatement;

/**
 * sdk-aurora/README.md, "Dead connections", "Statements follow the connection" and "What the application holds", for
 * what {@link StatementCallsOnADeadConnectionPropertyIT} cannot show with the writer in place: connections and the
 * statements and metadata they handed out are held across a writer switchover (eu-west-1 → eu-central-1: the old
 * writer is stopped, ending their physical connections), and each test makes one call. Promises: a statement re-created
 * on the connection of a lost transaction, and a prepared statement's own call that needs the server, ask for a retry
 * of the transaction ({@link WriterChangedException}, 40001) and run on the new writer outside one; {@code unwrap} of
 * metadata and statements answers the driver's object of the current route; {@code setClientInfo} on a dead
 * connection does not fail (its signature cannot carry 40001): the value goes to the next connection, and a lost
 * transaction is reported by its next statement. Every write is counted: the lost transactions' never applied, the
 * retried ones once, on the new writer.
 */
class StatementCallsAcrossASwitchoverIT {
    private static final String INSERT = "INSERT INTO paths VALUES (?, 0, inet_server_port())";
    private static final String NEW_WRITER = "eu-central-1";

    private static LocalAuroraGlobal aurora;
    private static MultiRegion runtime;
    private static RoutingDataSource dataSource;
    private static final List<Connection> held = new ArrayList<>();

    private static Connection recreatedInLostTransaction;
    private static PreparedStatement fromAnEarlierRoute;
    private static Connection metadataInLostTransaction;
    private static PreparedStatement describedInLostTransaction;
    private static Connection metadataIdle;
    private static PreparedStatement describedIdle;
    private static Connection unwrapIdle;
    private static DatabaseMetaData heldMetaData;
    private static Statement heldStatement;
    private static Connection clientInfoIdle;
    private static Connection clientInfoInLostTransaction;

    @BeforeAll
    static void holdConnectionsAcrossASwitchover() throws SQLException {
        aurora = PathsCluster.start();
        runtime = PathsCluster.runtime();
        dataSource = PathsCluster.dataSource(aurora, runtime, 12).build();

        recreatedInLostTransaction = held();
        recreatedInLostTransaction.setReadOnly(true);
        fromAnEarlierRoute = recreatedInLostTransaction.prepareStatement(INSERT); // on the reader's connection
        recreatedInLostTransaction.setReadOnly(false);
        recreatedInLostTransaction.setAutoCommit(false);
        insert(recreatedInLostTransaction, "recreated-tx");

        metadataInLostTransaction = held();
        metadataInLostTransaction.setAutoCommit(false);
        describedInLostTransaction = metadataInLostTransaction.prepareStatement(INSERT);
        insert(metadataInLostTransaction, "metadata-tx");

        metadataIdle = held();
        describedIdle = metadataIdle.prepareStatement(INSERT);
        insert(metadataIdle, "metadata-idle-before");

        unwrapIdle = held();
        heldMetaData = unwrapIdle.getMetaData();
        heldStatement = unwrapIdle.createStatement();
        insert(unwrapIdle, "unwrap-before");

        clientInfoIdle = held();
        insert(clientInfoIdle, "client-info-idle-before");
        clientInfoInLostTransaction = held();
        clientInfoInLostTransaction.setAutoCommit(false);
        insert(clientInfoInLostTransaction, "client-info-tx");

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

    private static void insert(Connection c, String id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(INSERT)) {
            p.setString(1, id);
            assertThat(p.executeUpdate()).isEqualTo(1);
        }
    }

    private static int newWriter() {
        return aurora.port(NEW_WRITER);
    }

    /** How a JDBC URL of the new writer names it. */
    private static String newWriterInUrl() {
        return ":" + newWriter() + "/";
    }

    private static void assertRetryTheTransaction(Throwable failure) {
        assertThat(failure).isInstanceOf(WriterChangedException.class)
                .extracting(t -> ((SQLException) t).getSQLState()).isEqualTo("40001");
    }

    @Test
    void aStatementReCreatedOnTheConnectionOfALostTransactionAsksForARetryOfTheTransaction() throws SQLException {
        Connection c = recreatedInLostTransaction;
        assertRetryTheTransaction(catchThrowable(c::setSavepoint)); // the connection is found dead

        assertRetryTheTransaction(catchThrowable(() -> fromAnEarlierRoute.setString(1, "recreated-tx-lost")));

        c.rollback();
        fromAnEarlierRoute.setString(1, "recreated-tx-retried");
        assertThat(fromAnEarlierRoute.executeUpdate()).isEqualTo(1);
        c.commit();
        assertThat(PathsCluster.rowPorts(aurora, "recreated-tx")).isEmpty();
        assertThat(PathsCluster.rowPorts(aurora, "recreated-tx-lost")).isEmpty();
        assertThat(PathsCluster.rowPorts(aurora, "recreated-tx-retried")).containsExactly(newWriter());
    }

    @Test
    void aPreparedStatementsMetadataInALostTransactionAsksForARetryOfTheTransaction() throws SQLException {
        assertRetryTheTransaction(catchThrowable(describedInLostTransaction::getMetaData));

        metadataInLostTransaction.rollback();
        describedInLostTransaction.setString(1, "metadata-tx-retried");
        assertThat(describedInLostTransaction.executeUpdate()).isEqualTo(1);
        metadataInLostTransaction.commit();
        assertThat(PathsCluster.rowPorts(aurora, "metadata-tx")).isEmpty();
        assertThat(PathsCluster.rowPorts(aurora, "metadata-tx-retried")).containsExactly(newWriter());
    }

    @Test
    void aPreparedStatementsMetadataOutsideATransactionRunsOnTheNewWriter() throws SQLException {
        describedIdle.getMetaData();
        assertThat(describedIdle.getParameterMetaData().getParameterCount()).isEqualTo(1);

        describedIdle.setString(1, "metadata-idle-after");
        assertThat(describedIdle.executeUpdate()).isEqualTo(1);
        assertThat(PathsCluster.rowPorts(aurora, "metadata-idle-before")).containsExactly(aurora.port("eu-west-1"));
        assertThat(PathsCluster.rowPorts(aurora, "metadata-idle-after")).containsExactly(newWriter());
    }

    @Test
    void unwrapAnswersTheDriversObjectsOfTheCurrentRoute() throws SQLException {
        insert(unwrapIdle, "unwrap-after"); // runs on the new writer: the connection moved

        assertThat(heldMetaData.unwrap(PgDatabaseMetaData.class).getURL()).contains(newWriterInUrl());
        PgStatement driverStatement = heldStatement.unwrap(PgStatement.class);
        assertThat(driverStatement.isClosed()).isFalse();
        assertThat(driverStatement.getConnection().getMetaData().getURL()).contains(newWriterInUrl());
        assertThat(PathsCluster.rowPorts(aurora, "unwrap-after")).containsExactly(newWriter());
    }

    @Test
    void clientInfoOnADeadConnectionOutsideATransactionGoesToTheNextConnection() throws SQLException {
        clientInfoIdle.setClientInfo("ApplicationName", "after-switchover");

        insert(clientInfoIdle, "client-info-idle-after");
        try (Statement s = clientInfoIdle.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('application_name'), inet_server_port()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("after-switchover");
            assertThat(rs.getInt(2)).isEqualTo(newWriter());
        }
        assertThat(PathsCluster.rowPorts(aurora, "client-info-idle-after")).containsExactly(newWriter());
    }

    @Test
    void clientInfoInALostTransactionLeavesTheLossToTheTransactionsNextStatement() throws SQLException {
        Connection c = clientInfoInLostTransaction;
        c.setClientInfo("ApplicationName", "retried-transaction");

        assertRetryTheTransaction(catchThrowable(() -> insert(c, "client-info-tx-lost")));
        c.rollback();
        insert(c, "client-info-tx-retried");
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('application_name')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("retried-transaction");
        }
        c.commit();
        assertThat(PathsCluster.rowPorts(aurora, "client-info-tx")).isEmpty();
        assertThat(PathsCluster.rowPorts(aurora, "client-info-tx-lost")).isEmpty();
        assertThat(PathsCluster.rowPorts(aurora, "client-info-tx-retried")).containsExactly(newWriter());
    }
}
