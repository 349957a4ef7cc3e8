package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalAuroraGlobalLifecycleIT {

    @Test
    void customCredentialsAndStatementLogWorkAndCloseStopsEveryServerAndDeletesItsFilesIdempotently()
            throws SQLException, IOException {
        LocalAuroraGlobal aurora = LocalAuroraGlobal.builder()
                .primaryRegion("eu-west-1").replicaRegions("us-east-1")
                .user("app").password("s3cret").database("shop").logStatements(true)
                .start();
        Path dir = aurora.baseDirectory();
        List<Integer> ports = aurora.regions().stream().map(aurora::port).toList();
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), "app", "s3cret")) {
            assertThat(c.isValid(2)).isTrue();
            assertThat(c.getCatalog()).isEqualTo("shop");
            c.createStatement().execute("SELECT 1 /* lifecycle-marker */");
        }
        assertThat(Files.readString(aurora.logFile("eu-west-1"))).as("the statement in the log of the node it reached")
                .contains("lifecycle-marker");
        assertThat(Files.readString(aurora.logFile("us-east-1"))).doesNotContain("lifecycle-marker");
        assertThatThrownBy(() -> DriverManager.getConnection(aurora.readerJdbcUrl("us-east-1"), "app", "wrong"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
        assertThat(dir).isDirectory();

        aurora.close();
        aurora.close();

        assertThat(dir).doesNotExist();
        for (int port : ports) {
            assertThat(accepts(port)).as("port %d still accepts connections", port).isFalse();
        }
        assertThatThrownBy(() -> aurora.stop("us-east-1")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void rejectsInvalidConfigurationBeforeStartingAnything() {
        assertThatThrownBy(() -> LocalAuroraGlobal.start("eu-west-1", "eu-west-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
        assertThatThrownBy(() -> LocalAuroraGlobal.start("EU West", "us-east-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("primaryRegion");
        assertThatThrownBy(() -> LocalAuroraGlobal.builder().user("Robert'); DROP"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user");
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
