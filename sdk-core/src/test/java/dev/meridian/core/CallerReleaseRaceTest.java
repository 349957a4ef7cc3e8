package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.spi.MultiRegionSpi;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * The caller's own first attempt racing its hedge, through real {@link DynamoDbClient}s built with
 * {@link RegionalClientDefaults} over an in-memory HTTP client whose answers the test lets go with latches (a request
 * waits, ignoring interrupts as a socket read does, until the test answers it or the SDK aborts it). Whichever
 * finishes first, the caller gets exactly one answer, its thread is not interrupted afterwards, the SDK call of the
 * next read on that thread is not aborted, no attempt is recorded as a failure, and every read spends one hedge.
 */
class CallerReleaseRaceTest {
    private static final Region WEST = Region.EU_WEST_1;
    private static final Region CENTRAL = Region.EU_CENTRAL_1;
    private static final int ROUNDS = 60;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ExecutorService answerer = Executors.newSingleThreadExecutor();
    private final LatchedHttp west = new LatchedHttp(WEST);
    private final LatchedHttp central = new LatchedHttp(CENTRAL);
    private final List<DynamoDbClient> clients = new ArrayList<>();
    private MultiRegion runtime;
    private DynamoDbClient items;

    @AfterEach
    void close() {
        answerer.shutdownNow();
        if (runtime != null) {
            runtime.close();
        }
        clients.forEach(DynamoDbClient::close);
    }

    private void wrap() {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST))
                .region(RegionSpec.of(CENTRAL))
                .localRegion(WEST)
                // Every read hedged after 1 ms, the budget never refusing one; no region ejected by the losers left
                // unanswered on purpose here.
                .hedging(HedgingConfig.fixed(Duration.ofMillis(1)).withBudget(1.0, ROUNDS * 4))
                .health(HealthConfig.builder().ejectAfterStalls(0).build())
                .environment(name -> null)
                .build();
        runtime = MultiRegion.builder(config).meterRegistry(meters).build();
        items = runtime.wrapClient(DynamoDbClient.class, region -> client(region == WEST ? west : central),
                MultiRegionDynamoDbIT.CLASSIFIER);
        warm();
    }

    /**
     * One answered read per region (no round: answered at once), the other region drained: a client the runtime has
     * not seen answer is cold, and a cold client's read runs on the hedge threads with the cold hedge delay, not on
     * the caller's thread; here the caller's request loses every race, so eu-west-1's client would stay cold.
     */
    private void warm() {
        items.getItem(getItem());
        runtime.drain(WEST);
        items.getItem(getItem());
        runtime.undrain(WEST);
    }

    private DynamoDbClient client(LatchedHttp http) {
        DynamoDbClient c = DynamoDbClient.builder().region(http.region)
                .endpointOverride(URI.create("http://" + http.region.id() + ".invalid"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .httpClient(http)
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, Duration.ofSeconds(30)))
                .build();
        clients.add(c);
        return c;
    }

    private static GetItemRequest getItem() {
        return GetItemRequest.builder().tableName("t").key(Map.of("pk", AttributeValue.fromS("k"))).build();
    }

    /** One read whose two requests are answered by {@code answer} once both are in flight; the region that served. */
    private String read(Round round, Runnable answer) {
        west.round = round;
        central.round = round;
        answerer.execute(() -> {
            try {
                if (round.inFlight.await(30, TimeUnit.SECONDS)) {
                    answer.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        String served = items.getItem(getItem()).item().get("servedBy").s();
        assertThat(Thread.currentThread().isInterrupted()).as("interrupt left on the caller").isFalse();
        assertThat((Object) SdkTimeoutScheduler.armed()).as("attempt left armed on the caller").isNull();
        return served;
    }

    private double count(String meter, Region region) {
        Counter c = meters.find(meter).tag("region", region.id()).counter();
        return c == null ? 0 : c.count();
    }

    private void assertNoFailureRecordedAndEveryReadHedged(int reads) {
        for (CircuitBreaker cb : MultiRegionSpi.of(runtime).circuitBreakers().getAllCircuitBreakers()) {
            assertThat(cb.getMetrics().getNumberOfFailedCalls()).as(cb.getName()).isZero();
            assertThat(cb.getState()).as(cb.getName()).isEqualTo(CircuitBreaker.State.CLOSED);
        }
        assertThat(count("meridian.hedge.sent", CENTRAL)).isEqualTo(reads);
        assertThat(count("meridian.hedge.refused", CENTRAL)).isZero();
    }

    @Test
    void theHedgeWinsAndReleasesTheCallerFromItsRequest() throws Exception {
        wrap();
        for (int i = 0; i < ROUNDS; i++) {
            Round round = new Round();
            assertThat(read(round, () -> round.answer(CENTRAL))).isEqualTo(CENTRAL.id());
            assertThat(round.westAborted.get(30, TimeUnit.SECONDS)).as("the caller's request was aborted").isTrue();
            assertThat(round.westThread).isSameAs(Thread.currentThread());
        }
        assertThat(count("meridian.hedge.won", CENTRAL)).isEqualTo(ROUNDS);
        assertNoFailureRecordedAndEveryReadHedged(ROUNDS);
    }

    @Test
    void theCallerWinsAndItsNextRequestIsNotAborted() {
        wrap();
        for (int i = 0; i < ROUNDS; i++) {
            Round round = new Round();
            assertThat(read(round, () -> round.answer(WEST))).isEqualTo(WEST.id());
            assertThat(round.westAborted.getNow(false)).isFalse();
            round.answer(CENTRAL); // the cancelled hedge's request ends
        }
        assertThat(west.aborts.get()).isZero();
        assertNoFailureRecordedAndEveryReadHedged(ROUNDS);
    }

    @Test
    void bothAnswerAtOnceAndTheCallerGetsExactlyOneAnswer() {
        wrap();
        int westWon = 0;
        for (int i = 0; i < ROUNDS; i++) {
            Round round = new Round();
            String served = read(round, () -> {
                round.answer(WEST);
                round.answer(CENTRAL);
            });
            assertThat(served).isIn(WEST.id(), CENTRAL.id());
            if (served.equals(WEST.id())) {
                westWon++;
            }
        }
        System.out.printf("CallerReleaseRaceTest: the caller's attempt won %d of %d simultaneous answers%n", westWon,
                ROUNDS);
        // An abort only ever reached a request of its own read: no read after it failed or was cut short.
        assertThat(west.aborts.get()).isLessThanOrEqualTo(ROUNDS - westWon);
        assertNoFailureRecordedAndEveryReadHedged(ROUNDS);
    }

    /**
     * The SDK names the request its timeout aborts just after its last interrupt check: a release landing in between
     * (here: while the HTTP client prepares the request) interrupts a request that ignores interrupts and aborts
     * nothing. Meridian runs the SDK's timeout task again until the call returns, which aborts it; without that the
     * caller would wait for the client's 30 s attempt timeout (the bound below only guards against that wait).
     */
    @Test
    void aReleaseBeforeTheSdkNamedItsRequestStillReleasesTheCaller() {
        wrap();
        for (int i = 0; i < 5; i++) {
            int won = i + 1;
            Round round = new Round(1);
            round.westPrepare = new CompletableFuture<>();
            String served = assertTimeout(Duration.ofSeconds(20), () -> read(round, () -> {
                round.answer(CENTRAL);
                // The hedge won and released the caller, still inside the HTTP client's prepareRequest.
                while (count("meridian.hedge.won", CENTRAL) < won) {
                    Thread.onSpinWait();
                }
                round.westPrepare.complete(null);
            }));
            assertThat(served).isEqualTo(CENTRAL.id());
        }
        assertNoFailureRecordedAndEveryReadHedged(5);
    }

    /** One read's requests: they wait until both are in flight and the test answers them. */
    private static final class Round {
        final CountDownLatch inFlight;
        /** When set, the caller's request waits here while its HTTP client prepares it (ignoring interrupts). */
        volatile CompletableFuture<Void> westPrepare;
        final CompletableFuture<Void> westAnswer = new CompletableFuture<>();
        final CompletableFuture<Void> centralAnswer = new CompletableFuture<>();
        final CompletableFuture<Boolean> westAborted = new CompletableFuture<>();
        volatile Thread westThread;

        Round() {
            this(2);
        }

        /** A round whose answerer waits for {@code requests} requests in flight. */
        Round(int requests) {
            this.inFlight = new CountDownLatch(requests);
        }

        void answer(Region region) {
            (region == WEST ? westAnswer : centralAnswer).complete(null);
        }
    }

    /** An in-memory HTTP client whose requests wait for their round's answer (or an abort), deaf to interrupts. */
    private static final class LatchedHttp implements SdkHttpClient {
        final Region region;
        final AtomicInteger aborts = new AtomicInteger();
        volatile Round round;
        private final byte[] body;

        LatchedHttp(Region region) {
            this.region = region;
            this.body = ("{\"Item\":{\"pk\":{\"S\":\"k\"},\"servedBy\":{\"S\":\"" + region.id() + "\"}}}")
                    .getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            Round r = round;
            if (r != null && region == WEST && r.westPrepare != null) {
                r.westPrepare.join(); // ignores interrupts, as a connection being set up does
            }
            CompletableFuture<Void> aborted = new CompletableFuture<>();
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() throws IOException {
                    if (r != null) {
                        if (region == WEST) {
                            r.westThread = Thread.currentThread();
                        }
                        if (region == CENTRAL || r.westPrepare == null) {
                            r.inFlight.countDown();
                        }
                        // join() ignores interrupts, as a blocking socket read does.
                        CompletableFuture.anyOf(region == WEST ? r.westAnswer : r.centralAnswer, aborted).join();
                        if (aborted.isDone()) {
                            if (region == WEST) {
                                r.westAborted.complete(true);
                            }
                            throw new IOException("aborted");
                        }
                    }
                    if (r != null && region == WEST) {
                        r.westAborted.complete(false);
                    }
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200)
                                    .putHeader("Content-Type", "application/x-amz-json-1.0")
                                    .putHeader("Content-Length", Integer.toString(body.length)).build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body))).build();
                }

                @Override
                public void abort() {
                    if (aborted.complete(null)) {
                        aborts.incrementAndGet();
                    }
                }
            };
        }

        @Override
        public String clientName() {
            return "latched";
        }

        @Override
        public void close() {
        }
    }
}
