package dev.meridian.testkit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.apiguardian.api.API;

/**
 * Injects failures into one simulated region's endpoint, as a DynamoDB client sees them.
 *
 * <table>
 *   <caption>Faults and what an AWS SDK v2 client sees</caption>
 *   <tr><th>method</th><th>on the wire</th><th>client sees</th></tr>
 *   <tr><td>{@link #down()}</td><td>port refuses connections</td>
 *       <td>{@code SdkClientException} caused by {@code ConnectException}</td></tr>
 *   <tr><td>{@link #blackhole()}</td><td>accepts, never answers</td>
 *       <td>{@code ApiCallAttemptTimeoutException} (or a socket read timeout)</td></tr>
 *   <tr><td>{@link #connectBlackhole()}</td><td>port listens, its accept queue full: every SYN dropped; open
 *       connections closed</td>
 *       <td>the HTTP client's connect timeout: {@code SdkClientException} caused by Apache's
 *       {@code ConnectTimeoutException}, URL-connection's {@code SocketTimeoutException} ("Connect timed out"),
 *       Netty's {@code ConnectTimeoutException}; or the attempt timeout if it is shorter</td></tr>
 *   <tr><td>{@link #status(int)}</td><td>that HTTP status with a DynamoDB error body</td>
 *       <td>{@code DynamoDbException} with that status code</td></tr>
 *   <tr><td>{@link #throttle()}</td><td>HTTP 400 {@code ThrottlingException}</td>
 *       <td>{@code isThrottlingException()} and {@code retryable()} are true</td></tr>
 *   <tr><td>{@link #latency(Duration)}</td><td>delay, then the real answer</td><td>slow success</td></tr>
 *   <tr><td>{@link #resetMidResponse()}</td><td>200 headers, then a broken body and close</td>
 *       <td>{@code SdkClientException} (the AWS SDK's Netty client: an empty success)</td></tr>
 *   <tr><td>{@link #cutAnswer()}, {@link #cutChunkedAnswer()}</td><td>forwarded (a write is applied); the real status
 *       and headers, half the body ({@code Content-Length} or one chunk), then a clean close (FIN)</td>
 *       <td>a failure to every HTTP client: {@code SdkClientException} (a premature end of the body; the SDK retries it) or,
 *       where the client takes the short body as whole (URL-connection under {@code Content-Length}, Netty chunked),
 *       the DynamoDB client's {@code Crc32MismatchException}</td></tr>
 * </table>
 *
 * <p>Each call replaces the fault previously set on the same scope; {@link #heal()} removes them. A view from
 * {@link #only(String...)} limits faults to some operations (e.g. {@code faults.only("PutItem").status(503)});
 * operation faults take precedence over region-wide ones; a view from {@link #once()} limits a fault to the next request
 * and takes precedence over both. Faults affect client traffic only: global-table
 * replication reaches DynamoDB Local directly (use {@link LocalRegions#pauseReplication(String, String)} to
 * partition a region). Thread-safe.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class RegionFaults {

    /** Far beyond any client timeout, short enough that a forgotten in-flight response cannot pile up forever. */
    static final Duration BLACKHOLE_DELAY = Duration.ofMinutes(10);
    private static final String JSON_1_0 = "application/x-amz-json-1.0";
    private static final String ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#";

    private final String region;
    private final FaultProxy proxy;
    private final FaultScope scope;

    RegionFaults(String region, FaultProxy proxy, FaultScope scope) {
        this.region = Objects.requireNonNull(region, "region");
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.scope = Objects.requireNonNull(scope, "scope");
    }

    /** The region these faults apply to. */
    public String region() {
        return region;
    }

    /**
     * A view whose faults apply only to the given operations (names as in {@code X-Amz-Target}, e.g.
     * {@code "PutItem"}, {@code "GetItem"}); other operations keep their current behaviour.
     */
    public RegionFaults only(String... operations) {
        Objects.requireNonNull(operations, "operations");
        if (operations.length == 0) {
            throw new IllegalArgumentException("only(...) needs at least one operation name");
        }
        Set<String> names = new LinkedHashSet<>(Arrays.asList(operations));
        for (String name : names) {
            if (name == null || !name.matches("[A-Za-z]+")) {
                throw new IllegalArgumentException("operation must be a DynamoDB operation name such as "
                        + "\"PutItem\" but was " + name);
            }
        }
        return new RegionFaults(region, proxy, new FaultScope(names, scope.once()));
    }

    /**
     * A view whose fault answers only the next request it matches (of its operations, if limited with
     * {@link #only(String...)}); later requests meet the other faults set, or none. It takes precedence over them, so
     * that a sequence is two calls, e.g. an answer cut and then the SDK's retry throttled:
     * {@code faults.throttle(); faults.once().cutAnswer();}. Not for {@link #down()} or {@link #connectBlackhole()}.
     */
    public RegionFaults once() {
        return new RegionFaults(region, proxy, scope.nextOnly());
    }

    /**
     * The region's endpoint refuses connections (the proxy stops; its port stays reserved). Region-wide only:
     * {@link #heal()} brings it back on the same port.
     *
     * @throws IllegalStateException if the stopped proxy's port cannot be reserved (another server holds it), as its
     *                               connections would then not be sure to be refused
     */
    public RegionFaults down() {
        requireRegionWide("down()");
        proxy.down();
        return this;
    }

    /**
     * New connections to the region never complete, so clients run into their <em>connect</em> timeout: the port
     * keeps listening, but its accept queue is kept full, so the kernel (Linux) drops every SYN and the client
     * retransmits it 1 s after its connect began (then every second on Linux 6.6+, else after 3 s, 7 s). Open
     * connections are closed (the proxy stops; a pooled connection fails on its next use, as after a server restart)
     * and nothing reaches the region's journal. Region-wide only:
     * {@link #heal()} (or another fault) brings the proxy back serving on the same listening socket, so a connect
     * still waiting then completes on its next SYN retransmission instead of being refused: with
     * {@link #waitingConnects()} that makes a deterministic slow connect of about 1 s:
     *
     * <pre>{@code
     * faults.connectBlackhole();
     * CompletableFuture<GetItemResponse> call = asyncClient.getItem(request);  // cold client: must connect
     * await().until(() -> faults.waitingConnects() > 0);                     // its first SYN was dropped
     * faults.heal();                                                        // connects ~1 s after its first SYN
     * }</pre>
     *
     * <p>Healed after that first retransmission, the connect completes on the next one: ~2 s after it began on Linux
     * 6.6+ ({@code net.ipv4.tcp_syn_linear_timeouts}), ~3 s on older kernels.
     *
     * @throws IllegalStateException if the port cannot be kept listening (another server took it) or the kernel does
     *                               not drop SYNs on a full accept queue
     */
    public RegionFaults connectBlackhole() {
        requireRegionWide("connectBlackhole()");
        proxy.connectBlackhole();
        return this;
    }

    /**
     * How many connects from this machine to the region's endpoint are waiting for their SYN to be answered (TCP
     * state SYN-SENT, read from {@code /proc/net/tcp}; 0 where it cannot be read). Under {@link #connectBlackhole()}
     * each of them has had its SYN dropped and waits for the kernel's retransmission; otherwise, as a loopback
     * connect is answered at once, it is normally 0.
     */
    public int waitingConnects() {
        return proxy.waitingConnects();
    }

    /** Connections are accepted but never answered, so clients run into their own timeouts. */
    public RegionFaults blackhole() {
        proxy.fault(scope, "blackhole", errorResponse(503, "ServiceUnavailable", "blackholed")
                .withFixedDelay((int) BLACKHOLE_DELAY.toMillis()));
        return this;
    }

    /** Every request is answered with this HTTP status (400..599) and a DynamoDB-style JSON error body. */
    public RegionFaults status(int httpStatus) {
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("httpStatus must be 400..599 but was " + httpStatus);
        }
        proxy.fault(scope, "status(" + httpStatus + ")", errorResponse(httpStatus, errorCode(httpStatus),
                "Injected HTTP " + httpStatus + " by the Meridian testkit"));
        return this;
    }

    /** Every request is throttled with DynamoDB's {@code ThrottlingException} (HTTP 400). */
    public RegionFaults throttle() {
        return throttle("ThrottlingException");
    }

    /**
     * Every request is throttled with the given DynamoDB error code, e.g. {@code "ThrottlingException"},
     * {@code "ProvisionedThroughputExceededException"} or {@code "RequestLimitExceeded"} (HTTP 400).
     */
    public RegionFaults throttle(String errorCode) {
        Objects.requireNonNull(errorCode, "errorCode");
        if (!errorCode.matches("[A-Za-z]+")) {
            throw new IllegalArgumentException("errorCode must be a DynamoDB error code but was " + errorCode);
        }
        proxy.fault(scope, "throttle(" + errorCode + ")", errorResponse(400, errorCode, "Rate exceeded"));
        return this;
    }

    /** Requests still reach DynamoDB Local, but each answer is delayed by {@code delay}. */
    public RegionFaults latency(Duration delay) {
        int millis = millis("delay", delay);
        proxy.fault(scope, "latency(" + delay + ")", proxy.proxied().withFixedDelay(millis));
        return this;
    }

    /** Requests still reach DynamoDB Local; each answer is delayed uniformly at random in {@code [min, max]}. */
    public RegionFaults latency(Duration min, Duration max) {
        int minMillis = millis("min", min);
        int maxMillis = millis("max", max);
        if (maxMillis < minMillis) {
            throw new IllegalArgumentException("max must be >= min but was max=" + max + ", min=" + min);
        }
        proxy.fault(scope, "latency(" + min + ".." + max + ")",
                proxy.proxied().withUniformRandomDelay(minMillis, maxMillis));
        return this;
    }

    /** Every answer starts as HTTP 200 and then breaks off with a malformed chunk and a closed connection. */
    public RegionFaults resetMidResponse() {
        proxy.fault(scope, "resetMidResponse", aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK));
        return this;
    }

    /**
     * Every request still reaches DynamoDB Local (a write <em>is applied</em>), and its real answer starts back (status,
     * headers, {@code Content-Length} of the whole body) but the connection closes cleanly (FIN) after half the body:
     * a connection lost after the service answered, as a client over TLS would see it (no corrupt byte, no reset).
     */
    public RegionFaults cutAnswer() {
        proxy.fault(scope, "cutAnswer", proxy.proxiedThenCut(AnswerCut.Framing.CONTENT_LENGTH));
        return this;
    }

    /**
     * As {@link #cutAnswer()}, with the answer's body chunked ({@code Transfer-Encoding: chunked}): one chunk with half
     * the body arrives, then a clean close instead of the terminating chunk.
     */
    public RegionFaults cutChunkedAnswer() {
        proxy.fault(scope, "cutChunkedAnswer", proxy.proxiedThenCut(AnswerCut.Framing.CHUNKED));
        return this;
    }

    /**
     * Removes the faults of this scope: on the region view every fault (including operation faults),
     * {@link #down()} and {@link #connectBlackhole()}; on an {@link #only(String...)} or {@link #once()} view just that
     * view's fault.
     */
    public RegionFaults heal() {
        proxy.heal(scope);
        return this;
    }

    /** Whether the region's endpoint is currently refusing connections. */
    public boolean isDown() {
        return proxy.isDown();
    }

    /** Whether the region's endpoint is currently dropping new connections ({@link #connectBlackhole()}). */
    public boolean isConnectBlackholed() {
        return proxy.isConnectBlackholed();
    }

    @Override
    public String toString() {
        return "RegionFaults[" + region + ", " + scope + "]";
    }

    private void requireRegionWide(String fault) {
        if (!scope.isRegionWide()) {
            throw new UnsupportedOperationException(fault + " affects every connection to region " + region
                    + " and cannot be limited to " + scope + "; use faults(region)." + fault);
        }
    }

    private static int millis(String name, Duration duration) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be between 0 and " + Integer.MAX_VALUE
                    + " ms but was " + duration);
        }
        return (int) duration.toMillis();
    }

    private static String errorCode(int httpStatus) {
        return switch (httpStatus) {
            case 500 -> "InternalServerError";
            case 503 -> "ServiceUnavailable";
            case 400 -> "ValidationException";
            default -> "InjectedFault";
        };
    }

    private static ResponseDefinitionBuilder errorResponse(int status, String code, String message) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", JSON_1_0)
                .withHeader("x-amzn-RequestId", UUID.randomUUID().toString())
                .withBody("{\"__type\":\"" + ERROR_PREFIX + code + "\",\"message\":\"" + message + "\"}");
    }
}
