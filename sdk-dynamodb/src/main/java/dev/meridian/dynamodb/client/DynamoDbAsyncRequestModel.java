package dev.meridian.dynamodb.client;

import dev.meridian.core.internal.NumberedDaemons;
import dev.meridian.core.spi.RegionalClients;
import dev.meridian.core.spi.RequestModel;
import dev.meridian.core.spi.RoutedClient;
import dev.meridian.core.routing.ContextualFuture;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.Classification;
import dev.meridian.dynamodb.client.TableCatalog.Described;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbAsyncWaiter;

/**
 * What {@link RoutedDynamoDbAsyncClient} hands every call to: the same request model as {@link DynamoDbRequestModel}, but never
 * blocking the caller — unknown key schemas (and, when residency needs it, replica footprints) are described
 * asynchronously first, and every failure, a residency refusal included, completes the returned future
 * exceptionally; the returned future's dependent stages run under the caller's context ({@link ContextualFuture}),
 * whichever thread completes it. Waiters share one scheduler, created on the first {@code waiter()} and closed with the client.
 * Thread-safe.
 */
final class DynamoDbAsyncRequestModel implements RequestModel<DynamoDbRequest, Object>, AutoCloseable {
    private final DynamoDbRouting routing;
    private final RegionalClients<DynamoDbAsyncClient> clients;
    private final DynamoDbOperationClassifier classifier;
    /**
     * Its classification of a call is a {@link Classification}, or the call's {@link Operation} alone when that is all
     * routing needs, as the sync model's ({@link DynamoDbRouting#operationAlone}).
     */
    private final RoutedClient<DynamoDbAsyncClient, DynamoDbRequest, Object> engine;
    private final List<AutoCloseable> closeables;
    private @Nullable ScheduledExecutorService waiterScheduler;
    private boolean closed;

    DynamoDbAsyncRequestModel(DynamoDbRouting routing, RegionalClients<DynamoDbAsyncClient> clients,
            Map<String, TableConfig> settings, List<AutoCloseable> closeables) {
        this.routing = Objects.requireNonNull(routing, "routing");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.classifier = routing.classifier(settings, TableCatalog.cacheOnly());
        this.engine = new RoutedClient<>(routing.runtime(), clients, this);
        this.closeables = List.copyOf(closeables);
    }

    /**
     * The routed async client over this model. Made here, not in {@code MultiRegionDynamoDb.Builder}: returning the
     * routed class as a {@link DynamoDbAsyncClient} there made the JVM's verifier load that large interface whenever
     * the builder was first used, also by applications that only build the sync client (a cold start's ~3 ms).
     */
    DynamoDbAsyncClient client() {
        return new RoutedDynamoDbAsyncClient(this, null);
    }

    <Q extends DynamoDbRequest, S> CompletableFuture<S> callAsync(String operation, Q request, RoutingContext callerCtx,
            BiFunction<DynamoDbAsyncClient, Q, CompletableFuture<S>> method) {
        // Dependents of the returned future run under the caller's context (also when a describe fails first).
        return ContextualFuture.of(callerCtx, route(operation, request, callerCtx, method));
    }

    private <Q extends DynamoDbRequest, S> CompletableFuture<S> route(String operation, Q request,
            RoutingContext callerCtx, BiFunction<DynamoDbAsyncClient, Q, CompletableFuture<S>> method) {
        try {
            Objects.requireNonNull(request, "request");
            RoutingContext ctx = routing.contextFor(operation, request, callerCtx);
            // A read classified as its operation alone (most reads) has nothing to describe: not shaped to find out.
            List<String> unknown = routing.operationSuffices(ctx) && classifier.readsAlone(operation, request)
                    ? List.of() : unknown(operation, request, ctx);
            if (unknown.isEmpty()) {
                return engine.callAsync(operation, request, ctx, method);
            }
            return routing.catalog().preload(unknown, table -> describe(table, ctx))
                    .thenCompose(ignored -> engine.callAsync(operation, request, ctx, method));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The tables of the call whose key schema (or, when residency needs it, footprint) is not known yet. */
    private List<String> unknown(String operation, DynamoDbRequest request, RoutingContext ctx) {
        List<String> unknown = new ArrayList<>();
        TableCatalog catalog = routing.catalog();
        boolean footprintMatters = routing.footprintMatters(ctx);
        RequestShape shape = RequestShape.of(operation, request);
        for (int i = 0; i < shape.itemCount(); i++) {
            ItemRef item = shape.item(i);
            if (!unknown.contains(item.table()) && (catalog.needsPartitionKey(item.table())
                    || footprintMatters && catalog.needsFootprint(item.table()))) {
                unknown.add(item.table());
            }
        }
        return unknown;
    }

    RegionalClients<DynamoDbAsyncClient> clients() {
        return clients;
    }

    DynamoDbAsyncClient localClient() {
        return clients.get(routing.runtime().config().localRegion());
    }

    synchronized DynamoDbAsyncWaiter waiter(DynamoDbAsyncClient pinnedView) {
        if (closed) {
            throw new IllegalStateException("The multi-region DynamoDbAsyncClient is closed");
        }
        if (waiterScheduler == null) {
            waiterScheduler = Executors.newSingleThreadScheduledExecutor(r -> NumberedDaemons.daemon(r, "meridian-dynamodb-waiter"));
        }
        return DynamoDbAsyncWaiter.builder().client(pinnedView).scheduledExecutorService(waiterScheduler).build();
    }

    /**
     * As the sync model classifies (a {@code GetItem} of a configured table with nothing to check or record is its
     * {@link Operation} alone), never describing: what this call needs was described in {@link #callAsync} first.
     */
    @Override
    public Object classify(String operation, DynamoDbRequest request, RoutingContext ctx) {
        Operation alone = routing.operationAlone(classifier, operation, request, ctx);
        return alone != null ? alone : classifier.classify(operation, request, ctx);
    }

    @Override
    public Operation operation(Object classified, RoutingContext ctx) {
        return routing.operationOf(classified, ctx);
    }

    @Override
    public void beforeCall(Object classified, DynamoDbRequest request, RoutingContext ctx) {
        // A read classified as its operation alone is under a context with no footprint to check (see classify).
        if (classified instanceof Classification c && routing.footprintMatters(ctx)) {
            ShapedRouting.checkResidency(routing, c, ctx, TableCatalog.cacheOnly());
        }
    }

    @Override
    public void afterSuccess(Object classified, DynamoDbRequest request, RoutingContext ctx, Region served,
            Object response) {
        routing.afterSuccessOf(classified, ctx, request, served, response);
    }

    private CompletableFuture<Described> describe(String table, RoutingContext ctx) {
        return routing.spi().executeAsync(DescribedTables.describeOperation(table), ctx,
                region -> clients.get(region).describeTable(r -> r.tableName(table))
                        .thenApply(response -> Described.of(response.table(), region)));
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (waiterScheduler != null) {
                waiterScheduler.shutdownNow();
            }
        }
        MultiRegionDynamoDb.closeAll(closeables);
    }

    @Override
    public String toString() {
        return "MultiRegionDynamoDbAsyncClient" + routing.runtime().config().regionList();
    }
}
