package dev.meridian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A listening socket on a region's port whose accept queue is kept full, so that the kernel drops every new SYN: a
 * client's connect hangs (retransmitting its SYN 1 s after it began, then every second on Linux 6.6+ or after 3 s, 7 s
 * on older kernels) until its connect timeout, as behind a black-holed SYN or a server whose accept queue overflows.
 *
 * <p>Nothing ever accepts from the listener while the black hole lasts: it listens with a backlog of {@value #BACKLOG}
 * and holds filler connections of its own in its queue. A filler is added until the kernel drops one's SYN
 * ({@code TcpExt ListenOverflows} in {@code /proc/net/netstat} grows), so the queue is full whatever the kernel's
 * queue length rule. {@link #drain()} empties the queue and hands the listening socket over to the proxy, so a client
 * whose SYN was dropped connects on its next SYN retransmission, never refused (no moment without a listener).
 */
final class ConnectBlackhole implements AutoCloseable {

    static final int BACKLOG = 1;
    /** Far more than any kernel queues for a backlog of 1 (Linux: 2): beyond it SYNs are evidently not dropped. */
    private static final int MOST_FILLERS = 64;
    private static final Duration FILL_WITHIN = Duration.ofSeconds(5);
    /** Where the drop counter cannot be read: a loopback handshake not done by then is taken as a dropped SYN. */
    private static final Duration UNANSWERED_SYN = Duration.ofMillis(200);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Path NETSTAT = Path.of("/proc/net/netstat");
    private static final List<Path> TCP_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String SYN_SENT = "02";
    /** 127.0.0.1 as {@code /proc/net/tcp} writes it, also the tail of its IPv4-mapped IPv6 form in {@code tcp6}. */
    private static final String LOOPBACK_HEX = "0100007F";

    private final ServerSocketChannel listener;
    private final List<SocketChannel> fillers = new ArrayList<>();

    private ConnectBlackhole(ServerSocketChannel listener) {
        this.listener = listener;
    }

    /**
     * Listens on {@code port} of the loopback address (trying for {@link Ports#RESERVE_WITHIN} while the port is
     * still held) and fills the accept queue.
     *
     * @throws UncheckedIOException  if the port cannot be bound or connected to
     * @throws IllegalStateException if the kernel does not drop SYNs on a full accept queue
     */
    static ConnectBlackhole open(int port) {
        ServerSocketChannel listener = Ports.listen(port, BACKLOG);
        ConnectBlackhole blackhole = new ConnectBlackhole(listener);
        try {
            blackhole.fill();
            return blackhole;
        } catch (IOException e) {
            blackhole.close();
            throw new UncheckedIOException("Could not fill the accept queue of port " + port, e);
        } catch (RuntimeException e) {
            blackhole.close();
            throw e;
        }
    }

    /**
     * Closes the fillers, accepts and closes what they left in the queue and returns the listening socket (blocking),
     * ready to accept new connections; the caller owns it from then on.
     */
    ServerSocketChannel drain() {
        closeFillers();
        try {
            listener.configureBlocking(false);
            for (SocketChannel queued = listener.accept(); queued != null; queued = listener.accept()) {
                Ports.closeQuietly(queued);
            }
            listener.configureBlocking(true);
            return listener;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("Could not drain the accept queue of " + listener, e);
        }
    }

    @Override
    public void close() {
        closeFillers();
        Ports.closeQuietly(listener);
    }

    /**
     * How many sockets on this machine are trying to connect to {@code 127.0.0.1:port} (TCP state SYN-SENT) as read
     * from {@code /proc/net/tcp} and {@code tcp6}; 0 where they cannot be read (not Linux).
     */
    static int waitingConnects(int port) {
        String remote = String.format(Locale.ROOT, "%s:%04X", LOOPBACK_HEX, port);
        int waiting = 0;
        for (Path table : TCP_TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                continue;
            }
            for (String line : lines) {
                // sl local_address rem_address st ...
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && fields[2].endsWith(remote) && fields[3].equals(SYN_SENT)) {
                    waiting++;
                }
            }
        }
        return waiting;
    }

    /** Adds fillers until the kernel drops one's SYN; more than {@link #BACKLOG} fit in any kernel's queue. */
    private void fill() throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                listener.socket().getLocalPort());
        long deadline = System.nanoTime() + FILL_WITHIN.toNanos();
        while (fillers.size() <= MOST_FILLERS) {
            OptionalLong overflowsBefore = listenOverflows();
            SocketChannel probe = SocketChannel.open();
            probe.setOption(StandardSocketOptions.SO_LINGER, 0);
            probe.configureBlocking(false);
            long sent = System.nanoTime();
            boolean connected = probe.connect(address);
            while (!connected) {
                connected = probe.finishConnect();
                if (!connected) {
                    if (fillers.size() > BACKLOG && dropped(overflowsBefore, sent)) {
                        Ports.closeQuietly(probe);
                        return;
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        Ports.closeQuietly(probe);
                        throw new IllegalStateException("No SYN to port " + address.getPort() + " was seen dropped "
                                + "within " + FILL_WITHIN + " with " + fillers.size() + " connections queued");
                    }
                    LockSupport.parkNanos(POLL_NANOS);
                }
            }
            fillers.add(probe);
        }
        throw new IllegalStateException("The kernel queued " + fillers.size() + " connections for a listen backlog of "
                + BACKLOG + " and dropped no SYN: it cannot black-hole connects to port " + address.getPort());
    }

    private static boolean dropped(OptionalLong overflowsBefore, long sent) {
        if (overflowsBefore.isPresent()) {
            OptionalLong now = listenOverflows();
            return now.isPresent() && now.getAsLong() > overflowsBefore.getAsLong();
        }
        return System.nanoTime() - sent > UNANSWERED_SYN.toNanos();
    }

    /** The kernel's count of SYNs dropped on a full accept queue ({@code TcpExt ListenOverflows}), if readable. */
    static OptionalLong listenOverflows() {
        try {
            List<String> lines = Files.readAllLines(NETSTAT, StandardCharsets.US_ASCII);
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
                    String[] names = lines.get(i).trim().split("\\s+");
                    String[] values = lines.get(i + 1).trim().split("\\s+");
                    for (int k = 1; k < names.length && k < values.length; k++) {
                        if (names[k].equals("ListenOverflows")) {
                            return OptionalLong.of(Long.parseLong(values[k]));
                        }
                    }
                }
            }
            return OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private void closeFillers() {
        fillers.forEach(Ports::closeQuietly);
        fillers.clear();
    }
}
