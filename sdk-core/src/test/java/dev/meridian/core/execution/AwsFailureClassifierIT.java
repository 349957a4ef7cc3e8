package dev.meridian.core.execution;

import static dev.meridian.core.execution.FailureDecision.REGIONAL_MAYBE_APPLIED;
import static dev.meridian.core.execution.FailureDecision.REGIONAL_NOT_APPLIED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.OperationClassifier;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.Crc32MismatchException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * What each of the AWS SDK's HTTP clients (URL connection, Apache and Apache 5, synchronous; Netty, asynchronous)
 * really throws under each fault the testkit's fault proxy injects — plus a body cut off behind consistent framing (a
 * real TCP proxy, {@link TruncatingProxy}) and a region that flaps — and what {@link FailureClassifier#aws()} decides
 * for it. Each cell records the exception chain (logged at INFO), asserts the decision, then checks that a read
 * through {@link MultiRegion} with the same HTTP client fails over to the healthy region.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"})
class AwsFailureClassifierIT {
    private static final Logger LOG = LoggerFactory.getLogger(AwsFailureClassifierIT.class);
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String TABLE = "faults";
    /** Connecting to the local proxy: generous, a busy machine can be slow to accept. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(4);
    /**
     * The BLACKHOLE cell ends in this call timeout: nothing else would end it, so its length only costs time. The
     * healthy region of the cell's failover read keeps the {@link #BACKSTOP_TIMEOUT}.
     */
    private static final Duration BLACKHOLE_TIMEOUT = Duration.ofMillis(1500);
    /**
     * Every other cell ends on its own (refused, an error status, a read timeout); its call timeout is only a backstop,
     * generous because a refused connection on a new Netty client took over 4 s on a busy 2-core CI machine and then
     * surfaced as a call timeout instead of the refusal under test.
     */
    private static final Duration BACKSTOP_TIMEOUT = Duration.ofSeconds(30);
    /** The SLOW cell: answers come after SLOW_ANSWER, beyond the HTTP client's read timeout. */
    private static final Duration SHORT_READ_TIMEOUT = Duration.ofMillis(300);
    private static final Duration SLOW_ANSWER = Duration.ofMillis(700);
    /** Every other cell: beyond the attempt timeout, so a black hole ends in the SDK's attempt/call timeout. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(8);
    private static final GetItemRequest GET = GetItemRequest.builder().tableName(TABLE)
            .key(Map.of("pk", AttributeValue.fromS("k"))).build();

    /**
     * The event loops of every Netty client here. A client that owns its event loops waits out Netty's two-second
     * quiet period when it closes; the clients stay fresh (their own connection pools), only the threads are shared.
     */
    private static final SdkEventLoopGroup EVENT_LOOPS = SdkEventLoopGroup.builder().numberOfThreads(2).build();

    private static LocalRegions regions;
    private static TruncatingProxy truncating;

    @BeforeAll
    static void start() throws Exception {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.client(WEST).putItem(PutItemRequest.builder().tableName(TABLE)
                .item(Map.of("pk", AttributeValue.fromS("k"), "v", AttributeValue.fromS("x".repeat(2_000)))).build());
        regions.awaitReplication();
        truncating = new TruncatingProxy(regions.directEndpoint(WEST));
        // Class loading and event-loop start-up of each client kind happen here, not inside the first cell.
        for (Http http : Http.values()) {
            assertThat(http.get(regions.endpoint(WEST), READ_TIMEOUT, BACKSTOP_TIMEOUT).failure()).isNull();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (truncating != null) {
            truncating.close();
        }
        EVENT_LOOPS.eventLoopGroup().shutdownGracefully();
    }

    /** A fault in eu-west-1 and the decision its failure must get. */
    enum Fault {
        DOWN(REGIONAL_NOT_APPLIED),
        BLACKHOLE(REGIONAL_MAYBE_APPLIED),
        STATUS_500(REGIONAL_MAYBE_APPLIED),
        STATUS_503(REGIONAL_NOT_APPLIED),
        THROTTLING(REGIONAL_NOT_APPLIED),
        SLOW(REGIONAL_MAYBE_APPLIED),
        RESET_MID_BODY(REGIONAL_MAYBE_APPLIED),
        BODY_CUT_OFF(REGIONAL_MAYBE_APPLIED);

        final FailureDecision expected;

        Fault(FailureDecision expected) {
            this.expected = expected;
        }

        void inject() {
            switch (this) {
                case DOWN -> regions.faults(WEST).down();
                case BLACKHOLE -> regions.faults(WEST).blackhole();
                case STATUS_500 -> regions.faults(WEST).status(500);
                case STATUS_503 -> regions.faults(WEST).status(503);
                case THROTTLING -> regions.faults(WEST).throttle();
                case SLOW -> regions.faults(WEST).latency(SLOW_ANSWER);
                case RESET_MID_BODY -> regions.faults(WEST).resetMidResponse();
                case BODY_CUT_OFF -> { } // served by the truncating proxy, see endpoint()
            }
        }

        URI endpoint() {
            return this == BODY_CUT_OFF ? truncating.endpoint() : regions.endpoint(WEST);
        }

        Duration readTimeout() {
            return this == SLOW ? SHORT_READ_TIMEOUT : READ_TIMEOUT;
        }

        Duration callTimeout() {
            return this == BLACKHOLE ? BLACKHOLE_TIMEOUT : BACKSTOP_TIMEOUT;
        }
    }

    /** The SDK's HTTP clients; URL connection and both Apache clients are synchronous only, Netty asynchronous only. */
    enum Http {
        URL_CONNECTION_SYNC, APACHE_SYNC, APACHE5_SYNC, NETTY_ASYNC;

        /** One GetItem through a fresh client of this kind; returns the failure, or null with the response. */
        Outcome get(URI endpoint, Duration readTimeout, Duration callTimeout) {
            if (this == NETTY_ASYNC) {
                try (DynamoDbAsyncClient c = async(endpoint, readTimeout, callTimeout)) {
                    return Outcome.of(() -> c.getItem(GET).get(60, TimeUnit.SECONDS));
                }
            }
            try (DynamoDbClient c = sync(endpoint, readTimeout, callTimeout)) {
                return Outcome.of(() -> c.getItem(GET));
            }
        }

        DynamoDbClient sync(URI endpoint, Duration readTimeout, Duration callTimeout) {
            var builder = DynamoDbClient.builder().region(Region.EU_WEST_1).endpointOverride(endpoint)
                    .credentialsProvider(regions.client(WEST).serviceClientConfiguration().credentialsProvider())
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, callTimeout));
            return switch (this) {
                case URL_CONNECTION_SYNC -> builder.httpClientBuilder(UrlConnectionHttpClient.builder()
                        .socketTimeout(readTimeout).connectionTimeout(ATTEMPT_TIMEOUT)).build();
                case APACHE_SYNC -> builder.httpClientBuilder(ApacheHttpClient.builder()
                        .socketTimeout(readTimeout).connectionTimeout(ATTEMPT_TIMEOUT)).build();
                case APACHE5_SYNC -> builder.httpClientBuilder(Apache5HttpClient.builder()
                        .socketTimeout(readTimeout).connectionTimeout(ATTEMPT_TIMEOUT)).build();
                case NETTY_ASYNC -> throw new IllegalStateException("Netty is asynchronous only");
            };
        }

        DynamoDbAsyncClient async(URI endpoint, Duration readTimeout, Duration callTimeout) {
            return DynamoDbAsyncClient.builder().region(Region.EU_WEST_1).endpointOverride(endpoint)
                    .credentialsProvider(regions.client(WEST).serviceClientConfiguration().credentialsProvider())
                    .httpClientBuilder(NettyNioAsyncHttpClient.builder().eventLoopGroup(EVENT_LOOPS)
                            .readTimeout(readTimeout)
                            .connectionTimeout(ATTEMPT_TIMEOUT))
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, callTimeout))
                    .build();
        }
    }

    /** The result of one call: its failure, or the response. */
    record Outcome(Throwable failure, GetItemResponse response) {
        interface Call {
            GetItemResponse run() throws Exception;
        }

        static Outcome of(Call call) {
            try {
                return new Outcome(null, call.run());
            } catch (Throwable t) {
                return new Outcome(t, null);
            }
        }
    }

    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        for (Fault fault : Fault.values()) {
            for (Http http : Http.values()) {
                cells.add(Arguments.of(fault, http));
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("cells")
    void theFailureEachClientThrowsIsClassifiedByWhetherItCouldHaveBeenAppliedAndReadsFailOver(Fault fault,
            Http http) throws Exception {
        fault.inject();

        Outcome outcome = http.get(fault.endpoint(), fault.readTimeout(), fault.callTimeout());

        if (fault == Fault.RESET_MID_BODY && http == Http.NETTY_ASYNC) {
            // Measured: Netty ends the response at the malformed chunk and the SDK unmarshals the empty body as
            // "no item" — a wrong answer, not a failure, so there is nothing to classify (see the CHANGELOG).
            assertThat(outcome.failure()).isNull();
            assertThat(outcome.response().hasItem()).isFalse();
            LOG.info("CELL {} x {}: no exception, GetItem answered without the item", fault, http);
            return;
        }
        assertThat(outcome.failure()).as("%s x %s must fail", fault, http).isNotNull();
        FailureDecision decision = FailureClassifier.aws().classify(outcome.failure());
        LOG.info("CELL {} x {}: {} -> {}", fault, http, chain(outcome.failure()), decision);
        assertThat(decision).as("%s x %s: %s", fault, http, chain(outcome.failure())).isEqualTo(fault.expected);
        if (fault == Fault.BODY_CUT_OFF) {
            assertThat(AwsFailureRules.unwrap(outcome.failure())).isInstanceOf(Crc32MismatchException.class);
        }
        assertThat(readThroughMultiRegion(http, fault).hasItem()).as("the read failed over").isTrue();
    }

    /**
     * A Netty client whose only connection is held by a slow answer gives up acquiring one for the next call: nothing
     * was sent, so the failure is regional and not applied (it once surfaced as a caller error and a read through
     * {@link MultiRegion} did not fail over).
     */
    @Test
    void aNettyPoolThatCannotHandOutAConnectionFailedBeforeSendingAnything() throws Exception {
        try (DynamoDbAsyncClient client = DynamoDbAsyncClient.builder().region(Region.EU_WEST_1)
                .endpointOverride(regions.endpoint(WEST))
                .credentialsProvider(regions.client(WEST).serviceClientConfiguration().credentialsProvider())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().eventLoopGroup(EVENT_LOOPS).maxConcurrency(1)
                        .connectionAcquisitionTimeout(Duration.ofMillis(500)).readTimeout(READ_TIMEOUT)
                        .connectionTimeout(ATTEMPT_TIMEOUT))
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, BACKSTOP_TIMEOUT))
                .build()) {
            // Warm: the pool holds an open connection, so the slow call below takes it without connecting.
            assertThat(client.getItem(GET).get(60, TimeUnit.SECONDS).hasItem()).isTrue();
            regions.faults(WEST).latency(Duration.ofSeconds(2));
            CompletableFuture<GetItemResponse> first = client.getItem(GET);
            CompletableFuture<GetItemResponse> second = client.getItem(GET);
            List<Outcome> outcomes = List.of(Outcome.of(() -> first.get(60, TimeUnit.SECONDS)),
                    Outcome.of(() -> second.get(60, TimeUnit.SECONDS)));
            List<Throwable> failures = outcomes.stream().map(Outcome::failure).filter(f -> f != null).toList();
            assertThat(failures).as("one of two calls sharing one connection waits longer than the acquire timeout")
                    .isNotEmpty();
            for (Throwable failure : failures) {
                LOG.info("CELL POOL_EXHAUSTED x NETTY_ASYNC: {}", chain(failure));
                assertThat(chain(failure)).contains("Acquire operation took longer");
                assertThat(FailureClassifier.aws().classify(failure)).as(chain(failure))
                        .isEqualTo(REGIONAL_NOT_APPLIED);
            }
        }
    }

    /**
     * A synchronous Apache client (4 or 5) whose only connection is held by a slow answer gives up leasing one for a
     * concurrent call: nothing was sent, so the failure is regional and not applied. Apache 5 reports it as httpcore5's
     * {@code ConnectionRequestTimeoutException}, which was once taken for a timeout after sending (MAYBE_APPLIED).
     */
    @ParameterizedTest
    @EnumSource(value = Http.class, names = {"APACHE_SYNC", "APACHE5_SYNC"})
    void anApachePoolThatCannotLeaseAConnectionFailedBeforeSendingAnything(Http http) throws Exception {
        var builder = DynamoDbClient.builder().region(Region.EU_WEST_1).endpointOverride(regions.endpoint(WEST))
                .credentialsProvider(regions.client(WEST).serviceClientConfiguration().credentialsProvider())
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(1, BACKSTOP_TIMEOUT));
        Duration lease = Duration.ofMillis(500);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try (DynamoDbClient client = http == Http.APACHE_SYNC
                ? builder.httpClientBuilder(ApacheHttpClient.builder().maxConnections(1)
                        .connectionAcquisitionTimeout(lease).socketTimeout(READ_TIMEOUT)
                        .connectionTimeout(ATTEMPT_TIMEOUT)).build()
                : builder.httpClientBuilder(Apache5HttpClient.builder().maxConnections(1)
                        .connectionAcquisitionTimeout(lease).socketTimeout(READ_TIMEOUT)
                        .connectionTimeout(ATTEMPT_TIMEOUT)).build()) {
            // Warm: the pool holds an open connection, so the slow call below leases it without connecting.
            assertThat(client.getItem(GET).hasItem()).isTrue();
            regions.faults(WEST).latency(Duration.ofSeconds(2));
            List<Future<Outcome>> calls = callers.invokeAll(List.<Callable<Outcome>>of(
                    () -> Outcome.of(() -> client.getItem(GET)), () -> Outcome.of(() -> client.getItem(GET))));
            List<Throwable> failures = new ArrayList<>();
            for (Future<Outcome> call : calls) {
                Throwable failure = call.get().failure();
                if (failure != null) {
                    failures.add(failure);
                }
            }
            assertThat(failures).as("one of two calls sharing one connection waits longer than the lease timeout")
                    .isNotEmpty();
            for (Throwable failure : failures) {
                LOG.info("CELL POOL_EXHAUSTED x {}: {}", http, chain(failure));
                assertThat(FailureClassifier.aws().classify(failure)).as(chain(failure))
                        .isEqualTo(REGIONAL_NOT_APPLIED);
            }
        } finally {
            callers.shutdownNow();
            regions.faults(WEST).heal();
        }
    }

    /** A region that goes down and comes back every few milliseconds: whatever the clients throw is regional. */
    @ParameterizedTest
    @EnumSource(Http.class)
    void everyFailureOfAFlappingRegionIsRegionalNeverACallerError(Http http) throws Exception {
        Set<String> shapes = new ConcurrentSkipListSet<>();
        // 80 flips, one every 15 ms: down, up, down, ... and healed at the end.
        AtomicInteger flips = new AtomicInteger();
        CountDownLatch flapped = new CountDownLatch(1);
        ScheduledExecutorService flapper = Executors.newSingleThreadScheduledExecutor();
        int failures = 0;
        URI west = regions.endpoint(WEST);
        boolean netty = http == Http.NETTY_ASYNC;
        try (DynamoDbClient sync = netty ? null : http.sync(west, READ_TIMEOUT, ATTEMPT_TIMEOUT);
                DynamoDbAsyncClient async = netty ? http.async(west, READ_TIMEOUT, ATTEMPT_TIMEOUT) : null) {
            flapper.scheduleAtFixedRate(() -> {
                int n = flips.incrementAndGet();
                if (n > 80) {
                    regions.faults(WEST).heal();
                    flapped.countDown();
                    throw new CancellationException("done flapping");
                }
                if (n % 2 == 1) {
                    regions.faults(WEST).down();
                } else {
                    regions.faults(WEST).heal();
                }
            }, 0, 15, TimeUnit.MILLISECONDS);
            while (flapped.getCount() > 0) {
                Outcome o = Outcome.of(() -> sync != null ? sync.getItem(GET) : async.getItem(GET).get(10,
                        TimeUnit.SECONDS));
                if (o.failure() != null) {
                    failures++;
                    FailureDecision decision = FailureClassifier.aws().classify(o.failure());
                    shapes.add(shape(o.failure()) + " -> " + decision);
                    assertThat(decision.isRegional()).as(chain(o.failure())).isTrue();
                }
            }
        } finally {
            flapper.shutdownNow();
            regions.faults(WEST).heal();
        }
        LOG.info("FLAP {}: {} failures, shapes {}", http, failures, shapes);
        assertThat(failures).as("the flapping region failed some calls").isPositive();
    }

    private static GetItemResponse readThroughMultiRegion(Http http, Fault fault) throws Exception {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).endpoint(fault.endpoint()))
                .region(RegionSpec.of(CENTRAL).endpoint(regions.endpoint(CENTRAL)))
                .localRegion(WEST)
                .build();
        OperationClassifier reads = (method, args) -> Operation.of(method.getName(), OperationKind.READ);
        try (MultiRegion runtime = MultiRegion.builder(config).build()) {
            if (http == Http.NETTY_ASYNC) {
                DynamoDbAsyncClient client = runtime.wrapClient(DynamoDbAsyncClient.class,
                        (region, spec) -> http.async(spec.endpoint().orElseThrow(), fault.readTimeout(),
                                callTimeout(region, fault)), reads);
                return client.getItem(GET).get(20, TimeUnit.SECONDS);
            }
            DynamoDbClient client = runtime.wrapClient(DynamoDbClient.class,
                    (region, spec) -> http.sync(spec.endpoint().orElseThrow(), fault.readTimeout(),
                            callTimeout(region, fault)), reads);
            return client.getItem(GET);
        }
    }

    /** The fault's call timeout in the faulty region; the backstop in the healthy one. */
    private static Duration callTimeout(Region region, Fault fault) {
        return region.id().equals(WEST) ? fault.callTimeout() : BACKSTOP_TIMEOUT;
    }

    private static String shape(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            s.append(s.length() == 0 ? "" : " <- ").append(c.getClass().getSimpleName());
        }
        return s.toString();
    }

    private static String chain(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = String.valueOf(c.getMessage()).replace('\n', ' ');
            s.append(s.length() == 0 ? "" : " <- ").append(c.getClass().getName()).append(": ")
                    .append(m, 0, Math.min(m.length(), 100));
        }
        return s.toString();
    }

}
