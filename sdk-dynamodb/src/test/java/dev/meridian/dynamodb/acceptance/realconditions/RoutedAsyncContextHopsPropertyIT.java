package dev.meridian.dynamodb.acceptance.realconditions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * docs/configuration.md "Contexts across threads" on sdk-dynamodb's own routed async client, read as a user: "the
 * future a routed async client returns runs its dependent stages (thenApply, thenCompose, ..., and the *Async
 * variants without an executor) under the caller's context, whichever thread completes it"; sdk-core/README.md adds
 * "chained before or after the answer, with or without an executor". Property over door (how the work hops) × the
 * routed call made on the far side × fault, the caller's scope closed before the hop runs. The witnesses: under
 * {@code require-context} a lost context is refused, {@code RoutingContext.current()} on the far side, the journals
 * (the RESTRICTED table replicates in the EU only; us-east-1, the local region, hears nothing) and the pooled thread
 * afterwards (no context).
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class RoutedAsyncContextHopsPropertyIT {
    private static final String TABLE = "hop_profiles";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static MultiRegion runtime;
    private static DynamoDbClient sync;
    private static DynamoDbAsyncClient async;
    private static ExecutorService pool;

    enum Door {
        THEN_APPLY, THEN_APPLY_ASYNC, THEN_APPLY_ASYNC_POOL, AFTER_ANSWER_THEN_APPLY_ASYNC, AFTER_ANSWER_POOL,
        THEN_COMPOSE, HANDLE_FAILURE_ASYNC_POOL, WHEN_COMPLETE_ASYNC, THEN_ACCEPT_POOL
    }

    enum Call { SYNC_GET, SYNC_PUT, ASYNC_PUT, ASYNC_QUERY_PAGINATOR }

    enum Fault { NONE, SLOW_WEST, WEST_DOWN }

    /** What the far side saw: its context, and whether its call answered. */
    record Seen(RoutingContext context, Object answer) {
    }

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE), List.of("eu-west-1", "eu-central-1"));
        MultiRegionConfig config = ReadmeRegions.documented(Region.US_EAST_1)
                .requireContext(true)   // a call that lost its context is refused: the hop's loss shows
                .build();
        runtime = MultiRegion.builder(config).build();
        TableConfig table = TableConfig.builder(TABLE).partitionKey("pk")
                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build();
        sync = MultiRegionDynamoDb.builder().multiRegion(runtime).table(table)
                .clientFactory(r -> TestRegions.client(regions, r)).buildClient();
        async = MultiRegionDynamoDb.builder().multiRegion(runtime).table(table)
                .asyncClientFactory(r -> TestRegions.asyncClient(regions, r)).buildAsyncClient();
        pool = Executors.newSingleThreadExecutor();
        CompletableFuture.runAsync(() -> { }, pool).join();   // its thread started outside any scope
    }

    @AfterContainer
    static void stop() {
        sync.close();
        async.close();
        runtime.close();
        pool.shutdownNow();
    }

    @AfterTry
    void forgetHealth() {
        runtime.resetHealth();
    }

    @Property(tries = 50)
    void theCallersRestrictedContextFollowsEveryDoorOfARoutedAsyncClientAndStaysBehindNowhere(@ForAll Door door,
            @ForAll Call call, @ForAll Fault fault) {
        switch (fault) {
            case SLOW_WEST -> regions.faults("eu-west-1").latency(Duration.ofMillis(150));
            case WEST_DOWN -> regions.faults("eu-west-1").down();
            default -> { }
        }
        CompletableFuture<Seen> hop;
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            hop = hop(door, () -> seen(call));
        }
        Seen seen = hop.join();

        assertThat(seen.context().isDeclared()).as("a context on the far side of %s", door).isTrue();
        assertThat(seen.context().dataClass()).isEqualTo(DataClass.RESTRICTED);
        assertThat(seen.answer()).isNotNull();
        assertThat(regions.journal("us-east-1").entries()).as("us-east-1 (%s, %s, %s)", door, call, fault).isEmpty();
        assertThat(CompletableFuture.supplyAsync(() -> RoutingContext.current().isDeclared(), pool).join())
                .as("the pooled thread keeps a context after the hop").isFalse();
        assertThat(RoutingContext.current().isDeclared()).as("the caller's thread").isFalse();
    }

    private static CompletableFuture<Seen> hop(Door door, Supplier<Seen> farSide) {
        return switch (door) {
            case THEN_APPLY -> async.getItem(get(key())).thenApply(r -> farSide.get());
            case THEN_APPLY_ASYNC -> async.getItem(get(key())).thenApplyAsync(r -> farSide.get());
            case THEN_APPLY_ASYNC_POOL -> async.getItem(get(key())).thenApplyAsync(r -> farSide.get(), pool);
            case AFTER_ANSWER_THEN_APPLY_ASYNC -> {
                CompletableFuture<?> answered = async.getItem(get(key()));
                answered.join();
                yield answered.thenApplyAsync(r -> farSide.get());
            }
            case AFTER_ANSWER_POOL -> {
                CompletableFuture<?> answered = async.getItem(get(key()));
                answered.join();
                yield answered.thenApplyAsync(r -> farSide.get(), pool);
            }
            case THEN_COMPOSE -> async.putItem(put(key())).thenCompose(r -> async.getItem(get(key())))
                    .thenApply(r -> farSide.get());
            case HANDLE_FAILURE_ASYNC_POOL -> {   // a caller error (never moves): the failure's dependents too
                String k = key();
                yield async.putItem(put(k)).thenCompose(r -> async.putItem(put(k).toBuilder()
                                .conditionExpression("attribute_not_exists(pk)").build()))
                        .handleAsync((r, e) -> {
                            assertThat(e).hasCauseInstanceOf(ConditionalCheckFailedException.class);
                            return farSide.get();
                        }, pool);
            }
            case WHEN_COMPLETE_ASYNC -> {
                CompletableFuture<Seen> out = new CompletableFuture<>();
                async.getItem(get(key())).whenCompleteAsync((r, e) -> out.complete(farSide.get()));
                yield out;
            }
            case THEN_ACCEPT_POOL -> {
                CompletableFuture<Seen> out = new CompletableFuture<>();
                async.getItem(get(key())).thenAcceptAsync(r -> out.complete(farSide.get()), pool);
                yield out;
            }
        };
    }

    private static Seen seen(Call call) {
        RoutingContext context = RoutingContext.current();
        Object answer = switch (call) {
            case SYNC_GET -> sync.getItem(get(key()));
            case SYNC_PUT -> sync.putItem(put(key()));
            case ASYNC_PUT -> async.putItem(put(key())).join();
            case ASYNC_QUERY_PAGINATOR -> {
                AtomicInteger items = new AtomicInteger();
                async.queryPaginator(QueryRequest.builder().tableName(TABLE).keyConditionExpression("pk = :k")
                                .expressionAttributeValues(Map.of(":k", AttributeValue.fromS(key()))).build())
                        .items().subscribe(i -> items.incrementAndGet()).join();
                yield items.get();
            }
        };
        return new Seen(context, answer);
    }

    private static String key() {
        return "h-" + KEYS.incrementAndGet();
    }

    private static GetItemRequest get(String id) {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(id))).build();
    }

    private static PutItemRequest put(String id) {
        return PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(id))).build();
    }
}
