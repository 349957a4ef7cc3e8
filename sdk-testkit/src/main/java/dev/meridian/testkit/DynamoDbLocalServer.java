package dev.meridian.testkit;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One in-process, in-memory DynamoDB Local on its own port.
 *
 * <p>DynamoDB Local 2.6.1 ships the sqlite4java native libraries inside its jar and loads them itself,
 * so no {@code sqlite4java.library.path} setup is needed (checked from a plain classpath and from Maven).
 * Its {@link DynamoDBProxyServer#stop()} stops Jetty but leaves the background job pool that streams
 * start (a non-daemon thread that would keep {@code mvn exec:java} alive), so {@link #close()} also
 * shuts the request handlers and their job pools down.
 */
final class DynamoDbLocalServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbLocalServer.class);
    private static final String LOCAL_PACKAGE = "com.amazonaws.services.dynamodbv2.local";
    private static final int START_ATTEMPTS = 3;

    private final DynamoDBProxyServer server;
    private final int port;
    private boolean closed;

    private DynamoDbLocalServer(DynamoDBProxyServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts a server on a free loopback port, retrying when another process grabbed the port first. */
    static DynamoDbLocalServer start() {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = Ports.free();
            DynamoDBProxyServer server = null;
            try {
                // -sharedDb: one database per region whatever the caller's access key and region, as a real
                // endpoint behaves; without it a client with other credentials would see no tables.
                server = ServerRunner.createServerFromCommandLineArgs(
                        new String[] {"-inMemory", "-sharedDb", "-disableTelemetry", "-port", Integer.toString(port)});
                server.start();
                return new DynamoDbLocalServer(server, port);
            } catch (Exception e) {
                last = new IllegalStateException("DynamoDB Local failed to start on port " + port, e);
                if (server != null) {
                    stopQuietly(server);
                }
            }
        }
        throw last;
    }

    int port() {
        return port;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopQuietly(server);
    }

    private static void stopQuietly(DynamoDBProxyServer server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("DynamoDB Local did not stop cleanly: {}", e.toString());
        }
        shutDownBackgroundJobs(server);
    }

    /**
     * Calls {@code shutdown()} on the request handler and {@code shutdownNow()} on every job register reachable
     * from the server. Reflection is the only way in: DynamoDB Local exposes no public shutdown for them.
     */
    private static void shutDownBackgroundJobs(DynamoDBProxyServer server) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> todo = new ArrayDeque<>();
        todo.add(server);
        while (!todo.isEmpty() && seen.size() < 2_000) {
            Object current = todo.poll();
            if (!seen.add(current)) {
                continue;
            }
            String type = current.getClass().getName();
            if (type.endsWith(".JobsRegister")) {
                invokeQuietly(current, "shutdownNow");
            } else if (type.endsWith(".LocalDBClient")) {
                invokeQuietly(current, "shutdown");
            }
            for (Object child : children(current)) {
                if (child instanceof Map<?, ?> map) {
                    todo.addAll(localObjects(map.values()));
                } else if (child instanceof Collection<?> collection) {
                    todo.addAll(localObjects(collection));
                } else if (child.getClass().getName().startsWith(LOCAL_PACKAGE)) {
                    todo.add(child);
                }
            }
        }
    }

    /** The non-null values that are DynamoDB Local's own objects (the only ones worth walking into). */
    private static Collection<Object> localObjects(Collection<?> values) {
        Deque<Object> result = new ArrayDeque<>();
        for (Object value : values) {
            if (value != null && value.getClass().getName().startsWith(LOCAL_PACKAGE)) {
                result.add(value);
            }
        }
        return result;
    }

    private static Collection<Object> children(Object owner) {
        Deque<Object> result = new ArrayDeque<>();
        for (Class<?> c = owner.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            if (!c.getName().startsWith(LOCAL_PACKAGE)) {
                continue;
            }
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
                    continue;
                }
                try {
                    field.setAccessible(true);
                    Object value = field.get(owner);
                    if (value != null) {
                        result.add(value);
                    }
                } catch (RuntimeException | IllegalAccessException e) {
                    LOG.debug("Cannot read {}.{}: {}", c.getName(), field.getName(), e.toString());
                }
            }
        }
        return result;
    }

    private static void invokeQuietly(Object target, String methodName) {
        try {
            Method method = target.getClass().getMethod(methodName);
            method.invoke(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("{}.{}() failed: {}", target.getClass().getName(), methodName, e.toString());
        }
    }
}
