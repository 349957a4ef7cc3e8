package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class LogicalConnectionTest {
    private final FakePhysicalConnections connections = new FakePhysicalConnections();

    private LogicalConnection connection() {
        return new LogicalConnection(connections, false, true);
    }

    @Test
    void everyStatementOnAKeptBindingIsRecheckedAgainstTheContextCurrentWhenItRuns() throws SQLException {
        LogicalConnection c = connection();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT 1");
            try (RoutingContext.Scope restricted = RoutingContext.builder().dataClass(DataClass.RESTRICTED)
                    .subjectCountry("DE").open()) {
                s.executeUpdate("INSERT 2");
                assertThat(connections.residencyChecks).last().isSameAs(RoutingContext.current());
            }
        }
        assertThat(connections.bound).hasSize(1);
        assertThat(connections.residencyChecks).hasSize(2); // createStatement bound it; both executions were re-checked
    }

    @Test
    void outsideATransactionAReadBoundUnderAnotherContextIsRoutedAgainInsideOneItStays() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        c.createStatement().executeQuery("SELECT 1");
        try (RoutingContext.Scope other = RoutingContext.builder().dataClass(DataClass.RESTRICTED).open()) {
            c.createStatement().executeQuery("SELECT 2");
        }
        assertThat(connections.bound).hasSize(2);
        assertThat(connections.bound.get(0).released).isTrue();

        c.setAutoCommit(false);
        c.createStatement().executeQuery("SELECT 3");
        try (RoutingContext.Scope other = RoutingContext.builder().dataClass(DataClass.RESTRICTED).open()) {
            c.createStatement().executeQuery("SELECT 4");
        }
        assertThat(connections.bound).hasSize(3); // re-bound once for SELECT 3 (back to no context), kept for SELECT 4
    }

    @Test
    void noPhysicalConnectionIsTakenBeforeFirstUse() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.commit();
        c.setAutoCommit(true);
        c.setReadOnly(false);
        c.close();

        assertThat(connections.bound).isEmpty();
    }

    @Test
    void springReadOnlyTransactionTakesOneReaderAndReplaysBufferedSettings() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setSchema("app");

        try (PreparedStatement ps = c.prepareStatement("SELECT 1")) {
            ps.executeQuery();
        }
        c.commit();
        c.setAutoCommit(true);
        c.setReadOnly(false);
        c.close();

        assertThat(connections.bound).hasSize(1);
        FakePhysicalConnections.Physical reader = connections.last();
        assertThat(reader.role()).isEqualTo(Role.READER);
        assertThat(reader.calls).containsSubsequence("setReadOnly[true]", "setAutoCommit[false]",
                "setTransactionIsolation[4]", "setSchema[app]", "prepareStatement[SELECT 1]", "stmt.executeQuery",
                "commit", "setAutoCommit[true]");
        assertThat(reader.released).isTrue();
        assertThat(reader.evicted).isFalse();
    }

    @Test
    void readWriteConnectionGoesToTheWriterAndStatementsReturnTheLogicalConnection() throws SQLException {
        LogicalConnection c = connection();
        Statement s = c.createStatement();

        assertThat(connections.last().role()).isEqualTo(Role.WRITER);
        assertThat(s.getConnection()).isSameAs(c);
    }

    @Test
    void switchingReadOnlyInsideATransactionFailsNamingTheTransactionState() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        c.setAutoCommit(false);
        c.prepareStatement("SELECT 1").executeQuery();

        assertThatThrownBy(() -> c.setReadOnly(false))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("inside a transaction")
                .hasMessageContaining("1 statement(s) ran")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("25001");
        assertThat(c.isReadOnly()).isTrue();
    }

    @Test
    void switchingReadOnlyBeforeAnyStatementOfTheTransactionIsAllowed() throws SQLException {
        LogicalConnection c = connection();
        c.setAutoCommit(false);
        c.getMetaData(); // binds the writer, runs no statement

        c.setReadOnly(true);
        c.prepareStatement("SELECT 1").executeQuery();

        assertThat(connections.bound).extracting(FakePhysicalConnections.Physical::role).containsExactly(Role.WRITER, Role.READER);
        assertThat(connections.bound.get(0).released).isTrue();
    }

    @Test
    void afterCommitWithAutoCommitRestoredTheConnectionReroutesAtNextUse() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        c.setAutoCommit(false);
        c.prepareStatement("SELECT 1").executeQuery();
        c.commit();
        c.setAutoCommit(true);

        c.setReadOnly(false);
        assertThat(connections.bound).hasSize(1); // nothing re-chosen until used
        c.prepareStatement("UPDATE t SET x = 1").executeUpdate();

        assertThat(connections.bound).extracting(FakePhysicalConnections.Physical::role).containsExactly(Role.READER, Role.WRITER);
        assertThat(connections.writes).hasSize(1);
    }

    @Test
    void routeIsStickyWhileTheReadOnlyFlagIsUnchanged() throws SQLException {
        LogicalConnection c = connection();
        c.setReadOnly(true);
        for (int i = 0; i < 3; i++) {
            c.setAutoCommit(false);
            c.prepareStatement("SELECT 1").executeQuery();
            c.commit();
            c.setAutoCommit(true);
        }
        assertThat(connections.bound).hasSize(1);
    }

    @Test
    void writerTakenForAReadKeepsServingWhenTheConnectionTurnsReadWrite() throws SQLException {
        LogicalConnection c = new LogicalConnection(new FakePhysicalConnections() {
            @Override
            public Binding bindRead(dev.meridian.core.routing.RoutingContext context) throws SQLException {
                Binding writer = bindWrite(context);
                return new Binding(writer.endpoint(), writer.connection(), true);
            }
        }, false, true);
        c.setReadOnly(true);
        c.createStatement().executeQuery("SELECT 1");
        c.setReadOnly(false);
        c.createStatement().executeUpdate("UPDATE t SET x = 1");

        assertThat(c.binding().role()).isEqualTo(Role.WRITER);
        assertThat(c.binding().forRead()).isTrue();
    }

    @Test
    void autocommitWriteRefusedAsReadOnlyIsRetriedOnceOnTheNewWriter() throws SQLException {
        LogicalConnection c = connection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?)");
        ps.setInt(1, 42);
        ps.setQueryTimeout(5);
        connections.moveWriterTo(Region.EU_CENTRAL_1);

        assertThat(ps.executeUpdate()).isEqualTo(1);

        assertThat(connections.bound).hasSize(2);
        FakePhysicalConnections.Physical old = connections.bound.get(0);
        FakePhysicalConnections.Physical fresh = connections.bound.get(1);
        assertThat(old.evicted).isTrue();
        assertThat(fresh.endpoint.region()).isEqualTo(Region.EU_CENTRAL_1);
        assertThat(fresh.calls).containsSubsequence("prepareStatement[INSERT INTO t VALUES (?)]",
                "stmt.setQueryTimeout[5]", "stmt.setInt[1, 42]", "stmt.executeUpdate");
        assertThat(connections.writerRefreshes).isEqualTo(1);
    }

    @Test
    void firstStatementOfATransactionIsRetriedOnTheNewWriterWithTheTransactionSettings() throws SQLException {
        LogicalConnection c = connection();
        c.setAutoCommit(false);
        Statement s = c.createStatement();
        connections.moveWriterTo(Region.US_EAST_1);

        s.executeUpdate("INSERT INTO t VALUES (1)");
        c.commit();

        FakePhysicalConnections.Physical old = connections.bound.get(0);
        FakePhysicalConnections.Physical fresh = connections.bound.get(1);
        assertThat(old.calls).contains("rollback");
        assertThat(fresh.calls).containsSubsequence("setAutoCommit[false]", "createStatement",
                "stmt.executeUpdate[INSERT INTO t VALUES (1)]", "commit");
    }

    @Test
    void writerMovingAfterEarlierStatementsOfTheTransactionAsksForARetryOfTheTransaction() throws SQLException {
        LogicalConnection c = connection();
        c.setAutoCommit(false);
        Statement s = c.createStatement();
        s.executeQuery("SELECT 1");
        connections.moveWriterTo(Region.US_EAST_1);

        assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t VALUES (1)"))
                .isInstanceOf(WriterChangedException.class)
                .hasMessageContaining("retry the whole transaction")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("40001");

        c.rollback();
        c.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
        assertThat(connections.last().endpoint.region()).isEqualTo(Region.US_EAST_1);
        assertThat(connections.bound.get(0).evicted).isTrue();
    }

    @Test
    void readOnlyRefusalWithoutAWriterMoveIsRethrownAsIs() throws SQLException {
        connections.writerNodeReadOnly = true; // e.g. the application's role is read-only: nothing moved
        LogicalConnection c = connection();

        assertThatThrownBy(() -> c.createStatement().executeUpdate("INSERT INTO t VALUES (1)"))
                .isInstanceOf(SQLException.class)
                .isNotInstanceOf(WriterChangedException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("25006");
        assertThat(connections.bound).hasSize(1);
    }

    @Test
    void closedConnectionRefusesUseAndReturnsThePhysicalConnectionOnce() throws SQLException {
        LogicalConnection c = connection();
        c.createStatement();
        c.close();
        c.close();

        assertThat(connections.last().released).isTrue();
        assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class).hasMessageContaining("closed");
    }

    @Test
    void commitWithAutoCommitOnIsRefusedEvenBeforeFirstUse() {
        LogicalConnection c = connection();
        assertThatThrownBy(c::commit).isInstanceOf(SQLException.class).hasMessageContaining("autoCommit");
    }

    @Test
    void isValidOnAnUnboundConnectionChecksTheWriteRouteAndStaysUnbound() throws SQLException {
        LogicalConnection c = connection();

        assertThat(c.isValid(1)).isTrue();

        assertThat(connections.bound).hasSize(1);
        FakePhysicalConnections.Physical probed = connections.last();
        assertThat(probed.role()).isEqualTo(Role.WRITER);
        assertThat(probed.calls).contains("isValid[1]");
        assertThat(probed.released).isTrue();
        assertThat(probed.evicted).isFalse();
        assertThat(c.binding()).isNull();

        c.setReadOnly(true); // still lazy: the first statement chooses its route
        c.createStatement().executeQuery("SELECT 1");
        assertThat(connections.last().role()).isEqualTo(Role.READER);
    }

    @Test
    void isValidIsFalseWhenTheWriterCannotBeReachedAndTrueForReadsThatStillCan() throws SQLException {
        connections.writerUnavailable = true;
        LogicalConnection c = connection();

        assertThat(c.isValid(1)).isFalse();
        c.setReadOnly(true);
        assertThat(c.isValid(1)).isTrue();
        assertThat(connections.bound).extracting(FakePhysicalConnections.Physical::role).containsExactly(Role.READER);
    }

    @Test
    void isValidOnABoundConnectionAsksItsDatabaseWithoutReRouting() throws SQLException {
        LogicalConnection c = connection();
        c.createStatement();

        assertThat(c.isValid(2)).isTrue();

        assertThat(connections.bound).hasSize(1);
        assertThat(connections.last().calls).contains("isValid[2]");
        assertThat(c.binding()).isNotNull();
    }

    @Test
    void isValidRejectsANegativeTimeoutAndIsFalseOnceClosed() throws SQLException {
        LogicalConnection c = connection();
        assertThatThrownBy(() -> c.isValid(-1)).isInstanceOf(SQLException.class).hasMessageContaining("-1");
        c.close();
        assertThat(c.isValid(1)).isFalse();
        assertThat(connections.bound).isEmpty();
    }

    @Test
    void holdabilityTypeMapAndClientInfoAreRestoredBeforeThePhysicalConnectionGoesBackToItsPool() throws SQLException {
        LogicalConnection c = connection();
        c.setHoldability(ResultSet.CLOSE_CURSORS_AT_COMMIT); // buffered, replayed at bind
        c.setClientInfo("ApplicationName", "orders");
        c.createStatement().executeQuery("SELECT 1");
        c.setTypeMap(Map.of("point", Object.class)); // straight through once bound
        c.close();

        FakePhysicalConnections.Physical p = connections.last();
        assertThat(p.calls).containsSubsequence(
                "setHoldability[" + ResultSet.CLOSE_CURSORS_AT_COMMIT + "]", "setClientInfo[{ApplicationName=orders}]",
                "stmt.executeQuery[SELECT 1]", "setTypeMap[{point=class java.lang.Object}]",
                "setHoldability[" + ResultSet.HOLD_CURSORS_OVER_COMMIT + "]", "setTypeMap[{}]",
                "setClientInfo[{ApplicationName=driver default}]");
        assertThat(p.released).isTrue();
        assertThat(p.evicted).isFalse();
    }

    @Test
    void settingsHikariCpResetsItselfAreNotTouchedOnRelease() throws SQLException {
        LogicalConnection c = connection();
        c.setSchema("app");
        c.createStatement().executeQuery("SELECT 1");
        c.close();

        assertThat(connections.last().calls).noneMatch(call -> call.startsWith("getHoldability") || call.startsWith("getTypeMap")
                || call.startsWith("getClientInfo") || call.startsWith("setHoldability") || call.startsWith("setTypeMap")
                || call.startsWith("setClientInfo"));
        assertThat(connections.last().evicted).isFalse();
    }

    @Test
    void physicalConnectionWhoseSettingsCannotBeRestoredIsEvictedInsteadOfReturned() throws SQLException {
        LogicalConnection c = connection();
        c.createStatement().executeQuery("SELECT 1");
        c.setHoldability(ResultSet.CLOSE_CURSORS_AT_COMMIT);
        connections.last().failing = "setHoldability";
        c.close();

        assertThat(connections.last().released).isTrue();
        assertThat(connections.last().evicted).isTrue();
    }

    @Test
    void clientInfoOnAClosedConnectionIsRefused() {
        LogicalConnection c = connection();
        c.close();
        assertThatThrownBy(() -> c.setClientInfo("ApplicationName", "orders"))
                .isInstanceOf(SQLClientInfoException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08003");
    }
}
