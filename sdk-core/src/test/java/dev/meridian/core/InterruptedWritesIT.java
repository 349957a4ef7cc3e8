package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.InMemoryIdempotencyStore;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * A caller gives up ({@code Future.cancel(true)}, as a time limiter does) while its write is in flight and has already
 * reached DynamoDB: the write is applied, the caller sees the SDK's {@code AbortedException}. That outcome is unknown to
 * the caller, so the write must not move to another region and the idempotency claim must stay: a retry with the same
 * key is refused, never a second execution. The journals are the witness of what ran where.
 */
@LocalRegionsConfig
class InterruptedWritesIT {
    private static final String WEST = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String US = "us-east-1";
    private static final String TABLE = "payments";
    /** Long enough for the interrupt to land while the answer is held, well under the attempt timeout. */
    private static final Duration ANSWER_DELAY = Duration.ofSeconds(3);

    private static LocalRegions regions;

    /** Test-only classifier: PutItem is a plain write (no guard makes a repeat harmless). */
    private static final OperationClassifier CLASSIFIER = (method, args) -> Operation.builder(method.getName(),
            method.getName().startsWith("get") ? OperationKind.READ : OperationKind.WRITE).resource(TABLE).build();

    /** The synchronous HTTP clients of the SDK: neither reacts to an interrupt while it blocks on a socket read. */
    enum Http {
        URL_CONNECTION, APACHE
    }

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    @ParameterizedTest
    @EnumSource(Http.class)
    void anInterruptedWriteThatReachedItsRegionRunsOnceIsNeverMovedAndKeepsItsIdempotencyClaim(Http http)
            throws Exception {
        String key = "payment-" + http;
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).endpoint(regions.endpoint(WEST)))
                .region(RegionSpec.of(CENTRAL).endpoint(regions.endpoint(CENTRAL)))
                .region(RegionSpec.of(US).endpoint(regions.endpoint(US)))
                .localRegion(WEST)
                .build();
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try (MultiRegion runtime = MultiRegion.builder(config).build()) {
            DynamoDbClient payments = runtime.wrapClient(DynamoDbClient.class, (region, spec) -> {
                var builder = regions.clientBuilder(region.id()).endpointOverride(spec.endpoint().orElseThrow())
                        .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, Duration.ofSeconds(20)));
                return switch (http) {
                    case URL_CONNECTION -> builder.httpClientBuilder(UrlConnectionHttpClient.builder()
                            .socketTimeout(Duration.ofSeconds(20))).build();
                    case APACHE -> builder.httpClientBuilder(ApacheHttpClient.builder()
                            .socketTimeout(Duration.ofSeconds(20))).build();
                };
            }, CLASSIFIER);
            Idempotency idempotency = Idempotency.builder().store(new InMemoryIdempotencyStore())
                    .inProgressTimeout(Duration.ofMinutes(5)).build();
            regions.faults(WEST).only("PutItem").latency(ANSWER_DELAY);

            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean interruptKept = new AtomicBoolean();
            CountDownLatch ended = new CountDownLatch(1);
            Future<?> call = worker.submit(() -> {
                try {
                    idempotency.execute(key, "{\"amount\":10}", () -> charge(payments, key));
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    interruptKept.set(Thread.currentThread().isInterrupted());
                    ended.countDown();
                }
            });
            // The request is journaled as the proxy reads it, before the held answer: DynamoDB is applying it.
            await().atMost(Duration.ofSeconds(20)).until(() -> regions.journal(WEST).count("PutItem") == 1);
            call.cancel(true);
            assertThat(ended.await(30, TimeUnit.SECONDS)).as("the interrupted call ended").isTrue();
            regions.healAll();

            assertThat(failure.get()).as("the caller gave up: the SDK reports the abort")
                    .isInstanceOf(AbortedException.class);
            assertThat(interruptKept).as("the worker's interrupt status survives the call").isTrue();
            assertThat(regions.client(WEST).getItem(g -> g.tableName(TABLE)
                    .key(Map.of("pk", AttributeValue.fromS(key)))).hasItem())
                    .as("the write was applied in its region").isTrue();

            assertThatThrownBy(() -> idempotency.execute(key, "{\"amount\":10}", () -> charge(payments, key)))
                    .as("a retry is refused while the first outcome is unknown")
                    .isInstanceOf(IdempotencyInProgressException.class);
            assertThat(regions.journal(WEST).count("PutItem")).as("the operation ran once").isEqualTo(1);
            assertThat(regions.journal(CENTRAL).count("PutItem")).as("never moved").isZero();
            assertThat(regions.journal(US).count("PutItem")).as("never moved").isZero();
        } finally {
            worker.shutdownNow();
        }
    }

    private static String charge(DynamoDbClient payments, String key) {
        payments.putItem(PutItemRequest.builder().tableName(TABLE)
                .item(Map.of("pk", AttributeValue.fromS(key), "amount", AttributeValue.fromN("10"))).build());
        return "charged";
    }
}
