package dev.meridian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Free-port lookup and port reservation for the local servers. */
final class Ports {

    private Ports() {
    }

    /** A port that was free a moment ago (bind to 0, read, release). */
    static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }

    /**
     * Binds a TCP socket to {@code port} without listening on it. Linux answers a SYN to a bound but not
     * listening port with a reset, so clients see "connection refused" while no other process can take the port.
     * Returns {@code null} when the port cannot be reserved (the caller then just leaves it closed).
     */
    static Socket reserve(int port) {
        Socket socket = new Socket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return socket;
        } catch (IOException e) {
            closeQuietly(socket);
            return null;
        }
    }

    static void closeQuietly(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do: the reservation is gone either way.
        }
    }
}
