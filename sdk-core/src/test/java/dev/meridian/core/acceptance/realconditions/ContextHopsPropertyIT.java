package dev.meridian.core.acceptance.realconditions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.OperationClassifier;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.testkit.LocalRegions;
import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextSnapshotFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.slf4j.MDC;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * docs/configuration.md "Contexts across threads" and sdk-core/README.md's "per-call context" read as a user, over
 * every door they name × the call made on the other side × a fault: an asynchronous call (a wrapped async client's
 * future, {@code executeAsync}'s) runs its dependents under the caller's context "chained before or after the answer,
 * with or without an executor", whichever thread completes it, also after the caller's scope has closed; Micrometer
 * Context Propagation ({@code ContextSnapshot.wrap}, {@code ContextExecutorService}) carries it to a pool. The
 * witnesses: {@code RoutingContext.current()} on the far side, the journals (the local region is us-east-1, so a call
 * whose German RESTRICTED context got lost would be sent there as INTERNAL), and the pooled threads afterwards
 * (no context, no MDC correlation id left behind).
 */
class ContextHopsPropertyIT {
    private static final String US = "us-east-1";
    private static final String WEST = "eu-west-1";
    private static final String TABLE = "hops";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final Queue<String> ATTEMPTS_WITHOUT_CONTEXT = new ConcurrentLinkedQueue<>();
    private static final OperationClassifier CLASSIFIER = (method, args) -> Operation.builder(method.getName(),
            method.getName().startsWith("get") ? OperationKind.READ : OperationKind.WRITE).resource(TABLE).build();

    private static LocalRegions regions;
    private static MultiRegion runtime;
    private static DynamoDbClient sync;
    private static DynamoDbAsyncClient async;
    private static final Map<Region, DynamoDbAsyncClient> RAW = new ConcurrentHashMap<>();
    /** One thread, so that a probe submitted after a hop runs on the very thread the hop used. */
    private static ExecutorService pool;

    /** What the caller holds: the German RESTRICTED context and its correlation id. */
    enum Door {
        WRAPPED_THEN_APPLY, WRAPPED_THEN_APPLY_ASYNC, WRAPPED_THEN_APPLY_ASYNC_POOL, WRAPPED_AFTER_ANSWER_ASYNC,
        WRAPPED_AFTER_ANSWER_POOL, WRAPPED_THEN_COMPOSE, EXECUTE_ASYNC_THEN_APPLY, EXECUTE_ASYNC_THEN_APPLY_ASYNC,
        EXECUTE_ASYNC_POOL, SNAPSHOT_WRAP_POOL, CONTEXT_EXECUTOR_SERVICE
    }

    /** The call made on the far side of the hop. */
    enum Call { SYNC_GET, SYNC_PUT, ASYNC_PUT, EXECUTE_ASYNC_PUT }

    enum Fault { NONE, SLOW_WEST, WEST_DOWN }

    /** What a hop saw: its thread's context and correlation id, and the call's answer. */
    record Seen(RoutingContext context, String correlationId, Object answer) {
    }

    @BeforeContainer
    static void start() {
        regions = LocalRegions.start(WEST, "eu-central-1", US);
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).jurisdiction("EU").priority(0).endpoint(regions.endpoint(WEST)))
                .region(RegionSpec.of("eu-central-1").jurisdiction("EU").priority(1)
                        .endpoint(regions.endpoint("eu-central-1")))
                .region(RegionSpec.of(US).jurisdiction("US").priority(2).endpoint(regions.endpoint(US)))
                .localRegion(US).routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.defaults())
                .build();
        runtime = MultiRegion.builder(config).build();
        sync = runtime.wrapClient(DynamoDbClient.class, (region, spec) -> regions.clientBuilder(region.id())
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build(), CLASSIFIER);
        async = runtime.wrapClient(DynamoDbAsyncClient.class, (region, spec) -> raw(region), CLASSIFIER);
        pool = Executors.newSingleThreadExecutor();
        // Started here, outside any scope: a thread created inside one inherits the MDC under slf4j's
        // BasicMDCAdapter (an InheritableThreadLocal), which is the pool's creator's doing, not Meridian's.
        CompletableFuture.runAsync(() -> { }, pool).join();
    }

    private static DynamoDbAsyncClient raw(Region region) {
        return RAW.computeIfAbsent(region, r -> DynamoDbAsyncClient.builder().region(r)
                .endpointOverride(regions.endpoint(r.id()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("meridiantestkit", "meridiantestkit")))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .connectionAcquisitionTimeout(RegionalClientDefaults.ATTEMPT_TIMEOUT.dividedBy(2)))
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build());
    }

    @AfterContainer
    static void stop() {
        if (runtime != null) {
            runtime.close();   // closes the wrapped clients; the raw async clients are the wrapped async's regions
        }
        RAW.values().forEach(DynamoDbAsyncClient::close);
        if (pool != null) {
            pool.shutdownNow();
        }
        if (regions != null) {
            regions.close();
        }
    }

    @AfterTry
    void heal() {
        regions.reset();
        runtime.resetHealth();
    }

    @Property(tries = 50)
    void aRestrictedContextFollowsEveryDocumentedDoorAndStaysBehindNowhere(@ForAll Door door, @ForAll Call call,
            @ForAll Fault fault) {
        switch (fault) {
            case SLOW_WEST -> regions.faults(WEST).latency(Duration.ofMillis(150));   // reads hedged elsewhere
            case WEST_DOWN -> regions.faults(WEST).down();                            // refused: every kind moves
            default -> { }
        }
        CompletableFuture<Seen> hop;
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .correlationId("hop-" + door + "-" + call).open()) {
            hop = hop(door, () -> seen(call));
        }   // the caller's scope is closed before the hop has run (or, for the doors chained after it, been chained)
        Seen seen = hop.join();

        assertThat(seen.context().isDeclared()).as("a context on the far side of %s", door).isTrue();
        assertThat(seen.context().dataClass()).isEqualTo(DataClass.RESTRICTED);
        assertThat(seen.correlationId()).isEqualTo("hop-" + door + "-" + call);
        assertThat(seen.answer()).isNotNull();
        assertThat(regions.journal(US).entries()).as("nothing of the RESTRICTED call reached us-east-1 (%s, %s, %s)",
                door, call, fault).isEmpty();

        assertThat(CompletableFuture.supplyAsync(ContextHopsPropertyIT::leftBehind, pool).join())
                .as("the pooled thread after the hop").isEmpty();
        assertThat(async.getItem(get("no-context")).thenApply(r -> RoutingContext.current().isDeclared()).join())
                .as("a dependent of a call made with no context, on whatever thread completes it").isFalse();
        assertThat(leftBehind()).as("the caller's thread").isEmpty();
        assertThat(ATTEMPTS_WITHOUT_CONTEXT).as("executeAsync attempts run without the call's context").isEmpty();
    }

    /** The context or correlation id a thread still holds, or "" when it holds none. */
    private static String leftBehind() {
        RoutingContext c = RoutingContext.current();
        String mdc = MDC.get(RoutingContext.MDC_KEY);
        return (c.isDeclared() ? c.toString() : "") + (mdc == null ? "" : " mdc=" + mdc);
    }

    private static CompletableFuture<Seen> hop(Door door, Supplier<Seen> farSide) {
        return switch (door) {
            case WRAPPED_THEN_APPLY -> async.getItem(get(key())).thenApply(r -> farSide.get());
            case WRAPPED_THEN_APPLY_ASYNC -> async.getItem(get(key())).thenApplyAsync(r -> farSide.get());
            case WRAPPED_THEN_APPLY_ASYNC_POOL -> async.getItem(get(key())).thenApplyAsync(r -> farSide.get(), pool);
            case WRAPPED_AFTER_ANSWER_ASYNC -> {
                CompletableFuture<?> answered = async.getItem(get(key()));
                answered.join();
                yield answered.thenApplyAsync(r -> farSide.get());
            }
            case WRAPPED_AFTER_ANSWER_POOL -> {
                CompletableFuture<?> answered = async.getItem(get(key()));
                answered.join();
                yield answered.thenApplyAsync(r -> farSide.get(), pool);
            }
            case WRAPPED_THEN_COMPOSE -> async.getItem(get(key()))
                    .thenCompose(r -> async.getItem(get(key()))).thenApply(r -> farSide.get());
            case EXECUTE_ASYNC_THEN_APPLY -> executeAsyncGet().thenApply(r -> farSide.get());
            case EXECUTE_ASYNC_THEN_APPLY_ASYNC -> executeAsyncGet().thenApplyAsync(r -> farSide.get());
            case EXECUTE_ASYNC_POOL -> executeAsyncGet().thenApplyAsync(r -> farSide.get(), pool);
            case SNAPSHOT_WRAP_POOL -> {
                CompletableFuture<Seen> out = new CompletableFuture<>();
                Runnable hopped = () -> out.complete(farSide.get());
                Runnable task = ContextSnapshotFactory.builder().build().captureAll().wrap(hopped);
                pool.execute(task);
                yield out;
            }
            case CONTEXT_EXECUTOR_SERVICE -> {
                ExecutorService propagating = ContextExecutorService.wrap(pool,
                        () -> ContextSnapshotFactory.builder().build().captureAll());
                yield CompletableFuture.supplyAsync(farSide, propagating);
            }
        };
    }

    /**
     * An {@code executeAsync} read whose every attempt (hedges on the hedge timer's thread included) notes whether the
     * context was current, as its Javadoc promises.
     */
    private static CompletableFuture<?> executeAsyncGet() {
        GetItemRequest request = get(key());
        return runtime.executeAsync(Operation.builder("GetItem", OperationKind.READ).resource(TABLE).build(),
                region -> {
                    if (!RoutingContext.current().isDeclared()) {
                        ATTEMPTS_WITHOUT_CONTEXT.add(region + " on " + Thread.currentThread().getName());
                    }
                    return raw(region).getItem(request);
                });
    }

    private static Seen seen(Call call) {
        RoutingContext context = RoutingContext.current();
        String correlationId = MDC.get(RoutingContext.MDC_KEY);
        Object answer = switch (call) {
            case SYNC_GET -> sync.getItem(get(key()));
            case SYNC_PUT -> sync.putItem(put(key()));
            case ASYNC_PUT -> async.putItem(put(key())).join();
            case EXECUTE_ASYNC_PUT -> {
                PutItemRequest request = put(key());
                yield runtime.executeAsync(Operation.builder("PutItem", OperationKind.WRITE).resource(TABLE).build(),
                        region -> raw(region).putItem(request)).join();
            }
        };
        return new Seen(context, correlationId == null ? "" : correlationId, answer);
    }

    private static String key() {
        return "k-" + KEYS.incrementAndGet();
    }

    private static GetItemRequest get(String id) {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(id))).build();
    }

    private static PutItemRequest put(String id) {
        return PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(id))).build();
    }
}
