package dev.meridian.testkit;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Free-port choice and port reservation for the local servers.
 *
 * <p>On Linux the ports come from below the ephemeral range ({@code ip_local_port_range}): the kernel never picks such a
 * port as a client's source port nor for a server that binds port 0, so a port that a downed region leaves refusing
 * cannot become a loopback self-connect (a client connected to itself, waiting for an answer that never comes) or
 * another server's. Only servers that ask for a port by its number compete for them; the local servers retry on another
 * port when they lose.
 */
final class Ports {

    /** Below it lie the well-known and registered ports of services a test machine may run. */
    static final int LOWEST = 10_000;
    /** Fewer ports than this between {@link #LOWEST} and the ephemeral range: fall back to the kernel's choice. */
    private static final int FEWEST = 1_000;
    private static final int PROBES = 200;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /**
     * How long {@link #reserve(int)} keeps trying while the port is held. Right after WireMock's stop() the first bind
     * succeeds (Jetty's acceptor channel is blocking, and the JDK closes such a channel only once its accept() has
     * returned, so the listener is gone when stop() returns); the retries cover a listener whose close lags elsewhere.
     */
    static final Duration RESERVE_WITHIN = Duration.ofSeconds(2);
    private static final long RESERVE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Ports() {
    }

    /** A port that was free a moment ago: below the ephemeral range where there is one, else the kernel's choice. */
    static int free() {
        OptionalInt ephemeralLow = ephemeralRangeLow();
        if (ephemeralLow.isEmpty() || ephemeralLow.getAsInt() - LOWEST < FEWEST) {
            return anyFreePort();
        }
        int span = ephemeralLow.getAsInt() - LOWEST;
        // A random start keeps test JVMs that run side by side from probing the same ports in the same order.
        int start = ThreadLocalRandom.current().nextInt(span);
        for (int probe = 0; probe < PROBES; probe++) {
            int port = LOWEST + (start + probe) % span;
            if (isFree(port)) {
                return port;
            }
        }
        throw new IllegalStateException("No free port on 127.0.0.1 among " + PROBES + " probed in [" + LOWEST + ", "
                + ephemeralLow.getAsInt() + ")");
    }

    /**
     * The low end of the kernel's ephemeral port range, empty where there is no {@code ip_local_port_range} (not Linux)
     * or it cannot be read.
     */
    static OptionalInt ephemeralRangeLow() {
        // One buffered read from offset 0: a sysctl file answers a read at a later offset with end-of-file, and
        // Files.readString, told the file is empty, reads its first byte alone.
        try (BufferedReader reader = Files.newBufferedReader(EPHEMERAL_RANGE, StandardCharsets.US_ASCII)) {
            String line = reader.readLine();
            return line == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(line.trim().split("\\s+")[0]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Binds a TCP socket to {@code port} without listening on it. Linux answers a SYN to a bound but not
     * listening port with a reset, so clients see "connection refused", and neither a client's source port nor a
     * server binding port 0 can take the port. Keeps trying for {@link #RESERVE_WITHIN} while the port is held.
     *
     * @throws UncheckedIOException (its cause the last bind error) when the port is still held after that
     */
    static Socket reserve(int port) {
        return reserve(port, RESERVE_WITHIN);
    }

    static Socket reserve(int port, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Socket socket = new Socket();
            try {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return socket;
            } catch (BindException e) {
                closeQuietly(socket);
                if (System.nanoTime() - deadline >= 0) {
                    throw new UncheckedIOException("Port " + port + " could not be reserved within " + within, e);
                }
                LockSupport.parkNanos(RESERVE_PAUSE_NANOS);
            } catch (IOException e) {
                closeQuietly(socket);
                throw new UncheckedIOException("Port " + port + " could not be reserved", e);
            }
        }
    }

    /**
     * Listens on {@code port} of the loopback address with the given backlog (blocking), trying for
     * {@link #RESERVE_WITHIN} while the port is held, as {@link #reserve(int)} does.
     *
     * @throws UncheckedIOException (its cause the last bind error) when the port is still held after that
     */
    static ServerSocketChannel listen(int port, int backlog) {
        long deadline = System.nanoTime() + RESERVE_WITHIN.toNanos();
        while (true) {
            ServerSocketChannel channel = null;
            try {
                channel = ServerSocketChannel.open();
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backlog);
                return channel;
            } catch (BindException e) {
                closeQuietly(channel);
                if (System.nanoTime() - deadline >= 0) {
                    throw new UncheckedIOException("Port " + port + " could not be bound within " + RESERVE_WITHIN, e);
                }
                LockSupport.parkNanos(RESERVE_PAUSE_NANOS);
            } catch (IOException e) {
                closeQuietly(channel);
                throw new UncheckedIOException("Port " + port + " could not be bound", e);
            }
        }
    }

    static void closeQuietly(Closeable socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do: the reservation is gone either way.
        }
    }

    /**
     * Whether nothing holds {@code port} on the loopback address. Without SO_REUSEADDR, so that a port another region
     * reserved (bound with SO_REUSEADDR, not listening) counts as taken: a listener with SO_REUSEADDR, as Jetty and
     * PostgreSQL open theirs, could otherwise take it over.
     */
    private static boolean isFree(int port) {
        try (Socket probe = new Socket()) {
            probe.setReuseAddress(false);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (BindException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not probe port " + port, e);
        }
    }

    private static int anyFreePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }
}
