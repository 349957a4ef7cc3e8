package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.execution.FailureDecision;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SqlFailuresTest {

    @Test
    void postgresReadOnlyTransactionMeansNotTheWriter() {
        assertThat(SqlFailures.isNotWriter(new SQLException("cannot execute INSERT in a read-only transaction", "25006")))
                .isTrue();
    }

    @Test
    void mysqlReadOnlyErrorsMeanNotTheWriter() {
        assertThat(SqlFailures.isNotWriter(new SQLException(
                "The MySQL server is running with the --read-only option so it cannot execute this statement",
                "HY000", 1290))).isTrue();
        assertThat(SqlFailures.isNotWriter(new SQLException("Running in read-only mode", "HY000", 1836))).isTrue();
    }

    @Test
    void mysql1290ForAnotherOptionIsNotAWriterChange() {
        assertThat(SqlFailures.isNotWriter(new SQLException(
                "The MySQL server is running with the --secure-file-priv option so it cannot execute this statement",
                "HY000", 1290))).isFalse();
    }

    @Test
    void readOnlyRefusalIsFoundInsideTheChain() {
        SQLException batch = new SQLException("Batch entry 0 failed", "25006");
        SQLException outer = new java.sql.BatchUpdateException("batch failed", "XX000", new int[0]);
        outer.setNextException(batch);
        assertThat(SqlFailures.isNotWriter(outer)).isTrue();
        assertThat(SqlFailures.isNotWriter(new SQLException("wrapper", "XX000", new SQLException("x", "25006")))).isTrue();
    }

    @Test
    void otherErrorsAreNotWriterChanges() {
        assertThat(SqlFailures.isNotWriter(new SQLException("duplicate key", "23505"))).isFalse();
        assertThat(SqlFailures.isNotWriter(new SQLException("no state"))).isFalse();
    }

    @Test
    void connectionClassAndShutdownStatesAreConnectionFailures() {
        assertThat(SqlFailures.isConnectionFailure(new SQLException("refused", "08001"))).isTrue();
        assertThat(SqlFailures.isConnectionFailure(new SQLException("I/O error", "08006"))).isTrue();
        assertThat(SqlFailures.isConnectionFailure(new SQLException("terminating connection", "57P01"))).isTrue();
        assertThat(SqlFailures.isConnectionFailure(new SQLTransientConnectionException("pool timed out"))).isTrue();
        assertThat(SqlFailures.isConnectionFailure(new SQLException("syntax", "42601"))).isFalse();
        assertThat(SqlFailures.isConnectionFailure(new SQLException("read only", "25006"))).isFalse();
    }

    @Test
    void shutdownAndRefusedSessionsProveTheStatementDidNotRun() {
        assertThat(SqlFailures.provesNotApplied(new SQLException("terminating connection due to administrator command", "57P01")))
                .isTrue();
        assertThat(SqlFailures.provesNotApplied(new SQLException("connection refused", "08001"))).isTrue();
        assertThat(SqlFailures.provesNotApplied(new SQLException("An I/O error occurred while sending", "08006"))).isFalse();
    }

    @Test
    void cyclicChainsTerminate() {
        SQLException a = new SQLException("a", "XX000");
        SQLException b = new SQLException("b", "XX000");
        a.setNextException(b);
        b.setNextException(a);
        assertThat(SqlFailures.isNotWriter(a)).isFalse();
    }

    /** HikariCP's answer to a thread interrupted while it waits for a pooled connection. */
    private static SQLException interruptedAcquisition() {
        return new SQLException("orders - Interrupted during connection acquisition", new InterruptedException());
    }

    @Test
    void anInterruptedWaitForAConnectionAbortsInsteadOfBlamingTheEndpoint() {
        assertThat(SqlFailures.CONNECTING.classify(interruptedAcquisition())).isEqualTo(FailureDecision.ABORTED);
        assertThat(SqlFailures.STATEMENTS.classify(interruptedAcquisition())).isEqualTo(FailureDecision.ABORTED);
        assertThat(SqlFailures.STATEMENTS.classify(new SQLException("I/O error", "08006",
                new java.nio.channels.ClosedByInterruptException()))).isEqualTo(FailureDecision.ABORTED);
    }

    @Test
    void failingToTakeAConnectionIsTheEndpointsFailureBeforeAnythingWasSent() {
        assertThat(SqlFailures.CONNECTING.classify(new SQLTransientConnectionException(
                "orders - Connection is not available, request timed out after 250ms")))
                .isEqualTo(FailureDecision.REGIONAL_NOT_APPLIED);
        assertThat(SqlFailures.CONNECTING.classify(new SQLException("password authentication failed", "28P01")))
                .isEqualTo(FailureDecision.REGIONAL_NOT_APPLIED);
        assertThat(SqlFailures.CONNECTING.classify(new IllegalStateException("a bug of ours")))
                .isEqualTo(FailureDecision.CALLER_ERROR);
    }

    @Test
    void aStatementFailureSaysWhetherItCanHaveBeenApplied() {
        assertThat(SqlFailures.STATEMENTS.classify(new SQLException("An I/O error occurred while sending", "08006")))
                .isEqualTo(FailureDecision.REGIONAL_MAYBE_APPLIED);
        assertThat(SqlFailures.STATEMENTS.classify(new SQLException("terminating connection", "57P01")))
                .isEqualTo(FailureDecision.REGIONAL_NOT_APPLIED);
        assertThat(SqlFailures.STATEMENTS.classify(new SQLException("cannot execute INSERT in a read-only transaction",
                "25006"))).isEqualTo(FailureDecision.REGIONAL_NOT_APPLIED);
        assertThat(SqlFailures.STATEMENTS.classify(new SQLException("duplicate key", "23505")))
                .isEqualTo(FailureDecision.CALLER_ERROR);
    }
}
