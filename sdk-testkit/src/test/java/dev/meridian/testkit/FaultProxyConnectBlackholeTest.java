package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A connect-black-holed region's proxy, on real sockets: nothing behind it is needed, as no request is sent. */
class FaultProxyConnectBlackholeTest {

    private FaultProxy proxy;

    @BeforeEach
    void startProxy() {
        proxy = new FaultProxy("eu-west-1", URI.create("http://127.0.0.1:9"), new RequestJournal("eu-west-1"),
                (table, applied) -> {
                }).start();
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    @Test
    void aNewConnectionRunsIntoItsConnectTimeoutAndAnOpenOneIsClosed() throws IOException {
        try (Socket open = connect(proxy.port(), 10_000)) {
            // One request answered, so that the proxy holds the connection as an SDK client's pool would.
            open.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(open.getInputStream().read()).isEqualTo('H');
            proxy.connectBlackhole();

            // The rest of the answer, then the end of the stream (not a read timeout): the proxy closed it.
            open.setSoTimeout(10_000);
            assertThat(new String(open.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).contains("\r\n");
        }
        assertThat(proxy.isConnectBlackholed()).isTrue();
        assertThat(proxy.isDown()).isFalse();
        for (int i = 0; i < 3; i++) {
            assertConnectTimesOut(proxy.port());
        }
    }

    @Test
    void aConnectWaitingWhenHealedCompletesOnItsSynRetransmissionNotRefused() throws IOException {
        int port = proxy.port();
        proxy.connectBlackhole();

        try (SocketChannel waiting = SocketChannel.open()) {
            waiting.configureBlocking(false);
            assertThat(waiting.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.waitingConnects() == 1);

            proxy.heal(FaultScope.REGION);

            // finishConnect throws ConnectException if the retransmitted SYN were refused.
            await().atMost(Duration.ofSeconds(20)).until(waiting::finishConnect);
        }
        assertThat(proxy.port()).isEqualTo(port);
        assertThat(proxy.isConnectBlackholed()).isFalse();
        assertThat(proxy.waitingConnects()).isZero();
    }

    @Test
    void everyOneOf20BlackholeHealCyclesDropsWhileBlackholedAndAcceptsOnTheSamePortOnceHealed() throws IOException {
        int port = proxy.port();

        for (int cycle = 0; cycle < 20; cycle++) {
            proxy.connectBlackhole();
            assertConnectTimesOut(port);

            proxy.heal(FaultScope.REGION);
            assertThat(proxy.port()).isEqualTo(port);
            try (Socket client = connect(port, 10_000)) {
                assertThat(client.isConnected()).isTrue();
            }
        }
    }

    @Test
    void downAndConnectBlackholeReplaceEachOther() {
        int port = proxy.port();

        proxy.connectBlackhole();
        proxy.down();
        assertThat(proxy.isConnectBlackholed()).isFalse();
        PortsTest.assertRefused(port);

        proxy.connectBlackhole();
        assertThat(proxy.isDown()).isFalse();
        assertConnectTimesOut(port);
    }

    @Test
    void closingABlackholedProxyFreesItsPort() {
        int port = proxy.port();
        proxy.connectBlackhole();

        proxy.close();

        PortsTest.assertRefused(port);
    }

    private static void assertConnectTimesOut(int port) {
        assertThatThrownBy(() -> connect(port, 200).close())
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("timed out");
    }

    private static Socket connect(int port, int timeoutMillis) throws IOException {
        Socket client = new Socket();
        try {
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
            return client;
        } catch (IOException e) {
            client.close();
            throw e;
        }
    }
}
