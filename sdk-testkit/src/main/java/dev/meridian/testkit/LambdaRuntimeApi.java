package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.INTERNAL;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local AWS Lambda Runtime API (version 2018-06-01) for tests: a real runtime — e.g. the AWS Lambda Java runtime
 * interface client in a child JVM with {@code AWS_LAMBDA_RUNTIME_API} set to {@link #address()} — polls it for
 * events, and the test sees what the function answered. Serves
 *
 * <ul>
 *   <li>{@code GET /2018-06-01/runtime/invocation/next}: blocks until an event is {@linkplain #invoke queued}, then
 *       answers it with the {@code Lambda-Runtime-Aws-Request-Id}, {@code -Deadline-Ms},
 *       {@code -Invoked-Function-Arn} and {@code -Trace-Id} headers;</li>
 *   <li>{@code POST /2018-06-01/runtime/invocation/{id}/response} and {@code .../{id}/error}: complete the
 *       invocation ({@link Invocation});</li>
 *   <li>{@code POST /2018-06-01/runtime/init/error}: records the function's initialization failure
 *       ({@link #initError()}).</li>
 * </ul>
 *
 * <p>On the JDK's {@code com.sun.net.httpserver}, bound to 127.0.0.1 on a free port; its threads are daemons and
 * {@link #close()} stops them. Thread-safe. Serve one runtime process per instance: a runtime that is killed while
 * its {@code /next} poll waits leaves that poll pending, and it would take the next queued event.
 */
@API(status = INTERNAL, since = "0.1")
public final class LambdaRuntimeApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LambdaRuntimeApi.class);
    private static final String PREFIX = "/2018-06-01/runtime/";
    /** What {@code /next} answers after {@link #close()} or when interrupted: the runtime then retries or exits. */
    private static final int UNAVAILABLE = 500;

    private final HttpServer server;
    private final ExecutorService threads;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Map<String, CompletableFuture<Invocation>> invocations = new ConcurrentHashMap<>();
    private final List<String> initErrors = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> firstPoll = new CompletableFuture<>();
    private final String functionArn;
    private final Duration timeout;
    private volatile boolean closed;

    private LambdaRuntimeApi(String functionArn, Duration timeout) {
        this.functionArn = functionArn;
        this.timeout = timeout;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lambda-runtime-api-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            threads.shutdownNow();
            throw new UncheckedIOException("Cannot start the local Lambda Runtime API", e);
        }
        server.createContext(PREFIX, this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** A Runtime API for function {@code orders} with a 30 s invocation timeout (the deadline each event carries). */
    public static LambdaRuntimeApi start() {
        return start("arn:aws:lambda:eu-west-1:000000000000:function:orders", Duration.ofSeconds(30));
    }

    /** A Runtime API whose events carry this function ARN and a deadline {@code timeout} after they are taken. */
    public static LambdaRuntimeApi start(String functionArn, Duration timeout) {
        Objects.requireNonNull(functionArn, "functionArn");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("LambdaRuntimeApi timeout must be positive but was " + timeout);
        }
        return new LambdaRuntimeApi(functionArn, timeout);
    }

    /** {@code host:port}, the value of {@code AWS_LAMBDA_RUNTIME_API} for the runtime. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues an event (JSON) for the runtime's next poll; returns the invocation's request id. */
    public String invoke(String eventJson) {
        Objects.requireNonNull(eventJson, "eventJson");
        if (closed) {
            throw new IllegalStateException("LambdaRuntimeApi is closed");
        }
        String id = UUID.randomUUID().toString();
        invocations.put(id, new CompletableFuture<>());
        queue.add(new Pending(id, eventJson));
        return id;
    }

    /**
     * The outcome of invocation {@code requestId} once the runtime has posted it.
     *
     * @throws IllegalStateException when it did not come within {@code wait} (naming any init error seen)
     */
    public Invocation await(String requestId, Duration wait) {
        CompletableFuture<Invocation> f = invocations.get(Objects.requireNonNull(requestId, "requestId"));
        if (f == null) {
            throw new IllegalArgumentException("no invocation " + requestId + " was queued");
        }
        try {
            return f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("invocation " + requestId + " got no response or error within " + wait
                    + (initErrors.isEmpty() ? "" : "; init errors: " + initErrors), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for invocation " + requestId, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Completes when the runtime first asks for an event, i.e. when the function has initialized. */
    public CompletableFuture<Void> firstPoll() {
        return firstPoll;
    }

    /** The body of the first {@code /init/error} the runtime posted, if any. */
    public Optional<String> initError() {
        return initErrors.isEmpty() ? Optional.empty() : Optional.of(initErrors.get(0));
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals("invocation/next")) {
                next(exchange);
            } else if (method.equals("POST") && path.equals("init/error")) {
                String body = body(exchange);
                LOG.info("Lambda runtime init error: {}", body);
                initErrors.add(body);
                respond(exchange, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("POST") && path.startsWith("invocation/")
                    && (path.endsWith("/response") || path.endsWith("/error"))) {
                complete(exchange, path);
            } else {
                respond(exchange, 404, "{\"errorMessage\":\"no route " + method + ' ' + path + "\"}");
            }
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        firstPoll.complete(null);
        Pending p;
        try {
            p = closed ? null : queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p = null;
        }
        if (p == null) {
            respond(exchange, UNAVAILABLE, "{\"errorMessage\":\"runtime API closed\"}");
            return;
        }
        exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", p.id);
        exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms",
                Long.toString(System.currentTimeMillis() + timeout.toMillis()));
        exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id",
                "Root=1-00000000-" + p.id.replace("-", "").substring(0, 24) + ";Sampled=0");
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        respond(exchange, 200, p.event);
    }

    private void complete(HttpExchange exchange, String path) throws IOException {
        boolean error = path.endsWith("/error");
        String id = path.substring("invocation/".length(), path.lastIndexOf('/'));
        String body = body(exchange);
        CompletableFuture<Invocation> f = invocations.get(id);
        if (f == null) {
            respond(exchange, 400, "{\"errorMessage\":\"unknown request id " + id + "\"}");
            return;
        }
        String errorType = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
        if (!f.complete(new Invocation(id, !error, body, errorType))) {
            respond(exchange, 400, "{\"errorMessage\":\"invocation " + id + " already completed\"}");
            return;
        }
        respond(exchange, 202, "{\"status\":\"OK\"}");
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private record Pending(String id, String event) {
    }

    /**
     * What the runtime posted for one invocation: the response body, or the error body (the runtime's JSON with
     * {@code errorMessage} and {@code errorType}) with the {@code Lambda-Runtime-Function-Error-Type} header.
     *
     * @param requestId the invocation's request id
     * @param succeeded whether it was posted to {@code /response}
     * @param body the posted body
     * @param errorType the error-type header of an {@code /error} post, else {@code null}
     */
    public record Invocation(String requestId, boolean succeeded, String body, String errorType) {
    }
}
