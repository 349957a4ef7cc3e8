package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void freePortsLieBelowTheEphemeralRangeSoNoClientSourcePortCanBeOne() {
        OptionalInt ephemeralLow = Ports.ephemeralRangeLow();
        assumeTrue(ephemeralLow.isPresent() && ephemeralLow.getAsInt() - Ports.LOWEST >= 1_000,
                "a Linux ephemeral range with room below it");

        assertThat(IntStream.range(0, 200).map(i -> Ports.free()))
                .allSatisfy(port -> assertThat(port).isBetween(Ports.LOWEST, ephemeralLow.getAsInt() - 1));
    }

    @Test
    void aFreePortCanBeListenedOn() throws IOException {
        int port = Ports.free();

        try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(server.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aReservedPortRefusesEveryConnection() throws IOException {
        int port = Ports.free();

        try (Socket reservation = Ports.reserve(port)) {
            assertThat(reservation.isBound()).isTrue();
            for (int i = 0; i < 100; i++) {
                assertRefused(port);
            }
        }
    }

    @Test
    void aPortAnotherServerListensOnCannotBeReservedAndTheErrorNamesIt() throws IOException {
        try (ServerSocket server = new ServerSocket(Ports.free(), 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();

            assertThatThrownBy(() -> Ports.reserve(port, Duration.ZERO))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("Port " + port)
                    .hasCauseInstanceOf(BindException.class);
        }
    }

    /** A refusal, not a time-out: the connect timeout only keeps a hang (a self-connect, a listener) from blocking. */
    static void assertRefused(int port) {
        try (Socket client = new Socket()) {
            assertThatThrownBy(() -> client.connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000))
                    .isInstanceOf(ConnectException.class)
                    .hasMessageContaining("refused");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
