package dev.meridian.testkit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Metadata;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.jetty.JettyHttpServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.ServerSocketChannel;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import wiremock.org.eclipse.jetty.io.EndPoint;
import wiremock.org.eclipse.jetty.server.HttpConnectionFactory;
import wiremock.org.eclipse.jetty.server.ServerConnector;

/**
 * A WireMock (standalone) proxy in front of one region's DynamoDB Local: proxies everything by default,
 * answers with injected faults on demand, feeds the region's {@link RequestJournal}, and tells the global-table
 * replicator when a write has passed, before its answer goes to the client (so that the replicator can stamp the
 * write with a time between its apply and its acknowledgement, and need not poll the streams of an idle region).
 *
 * <p>Faults are stubs with a higher priority than the proxy-all stub; one fault per scope (the whole region,
 * or a set of operations) is active at a time. "Down" stops the server and reserves its port with a bound,
 * non-listening socket so clients get a real "connection refused" and the proxy can come back on the same port.
 * A connect black hole stops the server too and keeps its port listening with a full accept queue
 * ({@link ConnectBlackhole}); the proxy comes back serving on that very listening socket.
 */
final class FaultProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    static final String FAULT_METADATA = "meridianFault";
    private static final int PROXY_PRIORITY = 10;
    private static final int REGION_FAULT_PRIORITY = 5;
    private static final int OPERATION_FAULT_PRIORITY = 2;
    private static final int ONCE_FAULT_PRIORITY = 1;
    private static final String SPENT = "spent";
    private static final int START_ATTEMPTS = 3;
    private static final Pattern TABLE_NAME = Pattern.compile("\"TableName\"\\s*:\\s*\"([^\"]+)\"");
    /**
     * DynamoDB operations that never write an item (by their {@code X-Amz-Target} suffix). Every other request, an
     * unknown or a future operation too, counts as a possible write: a needless wake-up only costs one poll.
     */
    private static final Pattern READ_ONLY = Pattern.compile(
            "(Get|BatchGet|TransactGet|Describe|List)[A-Za-z]*|Query|Scan");
    /** Operations that write one item of the one table their body's {@code TableName} names. */
    private static final Pattern SINGLE_TABLE_WRITE = Pattern.compile("PutItem|UpdateItem|DeleteItem");

    private final String region;
    private final URI target;
    private final RequestJournal journal;
    private final WriteSeen writeSeen;
    private final Map<String, UUID> faultStubByScope = new HashMap<>();
    private WireMockServer server;
    private int port;
    private Socket reservation;
    private ConnectBlackhole connectBlackhole;
    private boolean closed;

    /**
     * @param writeSeen runs on a proxy thread once a request that may have written is answered (before the answer, and
     *                  any injected delay, goes to the client); must not throw
     */
    FaultProxy(String region, URI target, RequestJournal journal, WriteSeen writeSeen) {
        this.region = Objects.requireNonNull(region, "region");
        this.target = Objects.requireNonNull(target, "target");
        this.journal = Objects.requireNonNull(journal, "journal");
        this.writeSeen = Objects.requireNonNull(writeSeen, "writeSeen");
    }

    /**
     * Starts the proxy on a port from {@link Ports#free()}, not the kernel's choice (an ephemeral port, which once down
     * and unreserved a client's source port or another server's port 0 could become), and on another one if a server
     * elsewhere took that port first.
     */
    synchronized FaultProxy start() {
        for (int attempt = 1; ; attempt++) {
            int candidate = Ports.free();
            try {
                startServer(candidate);
                port = candidate;
                return this;
            } catch (IllegalStateException e) {
                if (attempt >= START_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    synchronized int port() {
        return port;
    }

    synchronized boolean isDown() {
        return server == null && connectBlackhole == null;
    }

    synchronized boolean isConnectBlackholed() {
        return connectBlackhole != null;
    }

    /** Installs (or replaces) the fault for a scope; brings the proxy back up first if it is down. */
    synchronized void fault(FaultScope scope, String description, ResponseDefinitionBuilder response) {
        ensureOpen();
        if (server == null) {
            startServer(port);
        }
        removeFault(scope);
        MappingBuilder mapping = any(anyUrl()).atPriority(scope.once() ? ONCE_FAULT_PRIORITY
                : scope.allOperations() ? REGION_FAULT_PRIORITY : OPERATION_FAULT_PRIORITY);
        if (!scope.allOperations()) {
            mapping = mapping.withHeader("X-Amz-Target", matching(scope.targetHeaderPattern()));
        }
        if (scope.once()) {
            // A scenario of its own, so the stub matches from its start until it has answered one request.
            mapping = mapping.inScenario("meridian-once-" + UUID.randomUUID())
                    .whenScenarioStateIs(Scenario.STARTED).willSetStateTo(SPENT);
        }
        StubMapping stub = server.stubFor(mapping
                .withMetadata(Metadata.metadata().attr(FAULT_METADATA, description))
                .willReturn(response));
        faultStubByScope.put(scope.key(), stub.getId());
        LOG.info("Region {}: fault {} on {}", region, description, scope);
    }

    /** A response that proxies to DynamoDB Local (used by faults that only add latency). */
    ResponseDefinitionBuilder proxied() {
        return aResponse().proxiedFrom(target.toString());
    }

    /** A response that proxies to DynamoDB Local and is cut mid-body on its way back ({@link AnswerCut}). */
    ResponseDefinitionBuilder proxiedThenCut(AnswerCut.Framing framing) {
        return proxied().withHeader(AnswerCut.MARK, framing.mark());
    }

    synchronized void down() {
        ensureOpen();
        if (isDown()) {
            return;
        }
        stopListening();
        try {
            reservation = Ports.reserve(port);
        } catch (UncheckedIOException e) {
            // A test that downs a region relies on its refusals: an unreserved port could be taken by another server.
            throw new IllegalStateException("Region " + region + ": down, but its port " + port
                    + " could not be reserved, so connections to it might not be refused", e.getCause());
        }
        LOG.info("Region {}: down (port {} refuses connections)", region, port);
    }

    /** Stops the server (closing its connections) and keeps the port listening without ever accepting. */
    synchronized void connectBlackhole() {
        ensureOpen();
        if (connectBlackhole != null) {
            return;
        }
        if (server != null) {
            closeConnections();
        }
        stopListening();
        Ports.closeQuietly(reservation);
        reservation = null;
        try {
            connectBlackhole = ConnectBlackhole.open(port);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("Region " + region + ": its port " + port + " could not be made to "
                    + "drop new connections", e.getCause());
        }
        LOG.info("Region {}: connect black hole (port {} drops new connections)", region, port);
    }

    /** Clients on this machine whose connect to the proxy's port is waiting for its SYN to be answered. */
    synchronized int waitingConnects() {
        return ConnectBlackhole.waitingConnects(port);
    }

    synchronized void heal(FaultScope scope) {
        ensureOpen();
        if (scope.isRegionWide()) {
            if (server == null) {
                startServer(port);
            } else {
                faultStubByScope.values().forEach(server::removeStubMapping);
                faultStubByScope.clear();
            }
        } else if (server != null) {
            removeFault(scope);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            stopServer();
        }
        Ports.closeQuietly(reservation);
        reservation = null;
        if (connectBlackhole != null) {
            connectBlackhole.close();
            connectBlackhole = null;
        }
    }

    private void stopListening() {
        if (server != null) {
            stopServer();
        }
        if (connectBlackhole != null) {
            connectBlackhole.close();
            connectBlackhole = null;
        }
        faultStubByScope.clear();
    }

    private void removeFault(FaultScope scope) {
        UUID previous = faultStubByScope.remove(scope.key());
        if (previous != null && server != null) {
            server.removeStubMapping(previous);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("LocalRegions is closed (region " + region + ")");
        }
    }

    private void startServer(int requestedPort) {
        Ports.closeQuietly(reservation);
        reservation = null;
        WireMockServer candidate = new WireMockServer(WireMockConfiguration.options()
                .port(requestedPort)
                .bindAddress("127.0.0.1")
                .disableRequestJournal()
                // WireMock formats every request, its matched stub (as JSON) and its response into one string before
                // its notifier drops it (not verbose): a few percent of a proxied call's CPU, for no line logged.
                .stubRequestLoggingDisabled(true)
                .gzipDisabled(true)
                .asynchronousResponseEnabled(true)
                .asynchronousResponseThreads(4)
                .containerThreads(16)
                .jettyStopTimeout(0L)
                .extensionScanningEnabled(false)
                .notifier(new Slf4jNotifier(false))
                .extensions(new JournalListener(), new WriteListener()));
        httpConnector(candidate).getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration()
                .addCustomizer(new AnswerCut());
        if (connectBlackhole != null) {
            // Serve on the black hole's listener: a client whose SYN it dropped connects on its retransmission.
            ServerSocketChannel listener = connectBlackhole.drain();
            connectBlackhole = null;
            adopt(candidate, listener);
        }
        try {
            candidate.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("Fault proxy for region " + region + " could not start on port "
                    + requestedPort, e);
        }
        candidate.stubFor(any(anyUrl()).atPriority(PROXY_PRIORITY).willReturn(proxied()));
        server = candidate;
        faultStubByScope.clear();
    }

    private void stopServer() {
        try {
            server.stop();
        } catch (RuntimeException e) {
            LOG.warn("Fault proxy for region {} did not stop cleanly: {}", region, e.toString());
        }
        shutDownResponseScheduler(server);
        server = null;
    }

    /**
     * Makes a server not yet started accept on {@code listener} instead of binding its port itself (through its Jetty
     * connector: WireMock has no API for it).
     */
    private void adopt(WireMockServer notStarted, ServerSocketChannel listener) {
        try {
            httpConnector(notStarted).open(listener);
        } catch (IOException | RuntimeException e) {
            Ports.closeQuietly(listener);
            throw new IllegalStateException("Fault proxy for region " + region + " could not take over its listening "
                    + "port " + port, e);
        }
    }

    /** Closes the server's open connections: Jetty's stop() leaves an idle one open, with nobody to answer on it. */
    private void closeConnections() {
        try {
            httpConnector(server).getConnectedEndPoints().forEach(EndPoint::close);
        } catch (RuntimeException e) {
            LOG.warn("Region {}: could not close the proxy's open connections: {}", region, e.toString());
        }
    }

    private static ServerConnector httpConnector(WireMockServer wireMock) {
        try {
            Field httpServerField = WireMockServer.class.getDeclaredField("httpServer");
            httpServerField.setAccessible(true);
            Field connectorField = JettyHttpServer.class.getDeclaredField("httpConnector");
            connectorField.setAccessible(true);
            return (ServerConnector) connectorField.get(httpServerField.get(wireMock));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("WireMock's Jetty connector is not where the testkit expects it", e);
        }
    }

    /**
     * WireMock's stop() leaves the (non-daemon) scheduler behind that delays asynchronous responses; with a
     * blackholed response still scheduled it would keep the JVM alive for minutes. WireMock has no API for it,
     * so reach into its HTTP server.
     */
    private static void shutDownResponseScheduler(WireMockServer stopped) {
        try {
            Field httpServerField = WireMockServer.class.getDeclaredField("httpServer");
            httpServerField.setAccessible(true);
            Object httpServer = httpServerField.get(stopped);
            for (Class<?> c = httpServer.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (!Modifier.isStatic(field.getModifiers())
                            && ExecutorService.class.isAssignableFrom(field.getType())) {
                        field.setAccessible(true);
                        ExecutorService executor = (ExecutorService) field.get(httpServer);
                        if (executor != null) {
                            executor.shutdownNow();
                        }
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Could not stop WireMock's response scheduler: {}", e.toString());
        }
    }

    /** The DynamoDB operation named by a request's {@code X-Amz-Target} header, {@code "unknown"} without one. */
    private static String operation(Request request) {
        String target = request.getHeader("X-Amz-Target");
        if (target == null || target.isEmpty()) {
            return "unknown";
        }
        return target.substring(target.lastIndexOf('.') + 1);
    }

    /** The table named by a request's body ({@code TableName}), null without one. */
    private static @Nullable String table(Request request) {
        String body = request.getBodyAsString();
        if (body == null || body.isEmpty()) {
            return null;
        }
        Matcher matcher = TABLE_NAME.matcher(body);
        return matcher.find() ? matcher.group(1) : null;
    }

    /** What the proxy tells the replicator about a request that may have written. */
    @FunctionalInterface
    interface WriteSeen {
        /**
         * @param table   the one table the request may have written, null when it may have written several
         * @param applied whether DynamoDB Local may have applied it: it was forwarded and not refused with a 4xx
         *                (a failed condition, a validation error), so its stream records are readable by now
         */
        void written(@Nullable String table, boolean applied);
    }

    /**
     * Tells {@code writeSeen} about each request that may have written, once its answer is rendered: by then DynamoDB
     * Local has applied the write and its stream record is readable, and the client has not seen the answer yet. A
     * faulted request that never reached DynamoDB Local is told too, as not applied (harmless).
     */
    private final class WriteListener implements ServeEventListener {
        @Override
        public String getName() {
            return "meridian-write-signal-" + region;
        }

        @Override
        public void beforeResponseSent(ServeEvent serveEvent, Parameters parameters) {
            Request request = serveEvent.getRequest();
            String operation = operation(request);
            if (READ_ONLY.matcher(operation).matches()) {
                return;
            }
            int status = serveEvent.getResponse() == null ? 0 : serveEvent.getResponse().getStatus();
            boolean applied = serveEvent.getResponseDefinition().isProxyResponse() && (status < 400 || status >= 500);
            writeSeen.written(SINGLE_TABLE_WRITE.matcher(operation).matches() ? table(request) : null, applied);
        }
    }

    /** Records each request once it is matched, before any delay or fault is applied. */
    private final class JournalListener implements ServeEventListener {
        /** The AWS SDK's id of one SDK call, the same on each of its retries. */
        private static final String INVOCATION_ID = "amz-sdk-invocation-id";

        @Override
        public String getName() {
            return "meridian-request-journal-" + region;
        }

        @Override
        public void afterMatch(ServeEvent serveEvent, Parameters parameters) {
            Request request = serveEvent.getRequest();
            journal.record(new RequestJournal.Entry(operation(request), table(request), Instant.now(),
                    fault(serveEvent.getStubMapping()), request.getHeader(INVOCATION_ID),
                    journal.keepsBodies() ? request.getBodyAsString() : null));
        }

        private String fault(StubMapping stub) {
            if (stub == null || stub.getMetadata() == null || !stub.getMetadata().containsKey(FAULT_METADATA)) {
                return null;
            }
            return stub.getMetadata().getString(FAULT_METADATA);
        }
    }
}
