package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A downed region's proxy, on real sockets: nothing behind it is needed, as no request is sent. */
class FaultProxyDownTest {

    private FaultProxy proxy;

    @BeforeEach
    void startProxy() {
        proxy = new FaultProxy("eu-west-1", URI.create("http://127.0.0.1:9"), new RequestJournal("eu-west-1"),
                (table, applied) -> { }).start();
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    @Test
    void aDownedRegionRefusesEveryConnection() {
        proxy.down();

        for (int i = 0; i < 200; i++) {
            PortsTest.assertRefused(proxy.port());
        }
    }

    @Test
    void everyOneOf200DownHealCyclesRefusesWhileDownAndAcceptsOnTheSamePortOnceHealed() throws IOException {
        int port = proxy.port();

        for (int cycle = 0; cycle < 200; cycle++) {
            // Down with a connection open, as an SDK client keeps one in its pool: the proxy closes it on stop.
            try (Socket pooled = connect(port)) {
                assertThat(pooled.isConnected()).isTrue();
                proxy.down();
            }
            PortsTest.assertRefused(port);

            proxy.heal(FaultScope.REGION);
            assertThat(proxy.port()).isEqualTo(port);
            assertAccepted(port);
        }
    }

    @Test
    void theProxyPortIsNotAnEphemeralOneSoNoClientCanConnectFromIt() {
        OptionalInt ephemeralLow = Ports.ephemeralRangeLow();
        assumeTrue(ephemeralLow.isPresent() && ephemeralLow.getAsInt() - Ports.LOWEST >= 1_000,
                "a Linux ephemeral range with room below it");

        assertThat(proxy.port()).isLessThan(ephemeralLow.getAsInt());
    }

    private static void assertAccepted(int port) throws IOException {
        try (Socket client = connect(port)) {
            assertThat(client.isConnected()).isTrue();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket client = new Socket();
        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        return client;
    }
}
