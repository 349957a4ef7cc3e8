package dev.meridian.dynamodb;

import dev.meridian.core.Operation;
import dev.meridian.core.RoutingContext;
import dev.meridian.dynamodb.DynamoDbOperationClassifier.Classification;
import dev.meridian.dynamodb.TableCatalog.Described;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbAsyncWaiter;

/**
 * The {@link DynamoDbAsyncClient} proxy behind {@link MultiRegionDynamoDb#buildAsyncClient()}: the same
 * classification, residency check and read-your-writes as the sync client, executed by sdk-core's
 * {@code RegionalExecutor.executeAsync}. Never blocks the caller: unknown key schemas are described
 * asynchronously first, and every failure (a residency refusal included) completes the returned future
 * exceptionally instead of being thrown. The caller's {@code RoutingContext} is captured at call time. Thread-safe.
 */
final class RoutedDynamoDbAsyncClientHandler extends RoutedClientHandler<DynamoDbAsyncClient> {
    private final DynamoDbOperationClassifier classifier;

    RoutedDynamoDbAsyncClientHandler(DynamoDbRouting routing, RegionClients<DynamoDbAsyncClient> clients,
            Map<String, TableSettings> settings, List<AutoCloseable> closeables) {
        super(DynamoDbAsyncClient.class, routing, clients, closeables);
        this.classifier = routing.classifier(settings, TableCatalog.cacheOnly());
    }

    @Override
    boolean routes(Method method) {
        // Paginator methods take a request too, but return a publisher whose pages come back as calls.
        return CompletableFuture.class.isAssignableFrom(method.getReturnType());
    }

    @Override
    Object waiter(DynamoDbAsyncClient proxy) {
        return DynamoDbAsyncWaiter.builder().client(proxy).build();
    }

    @Override
    CompletableFuture<Object> route(Method method, DynamoDbRequest request) {
        RoutingContext ctx = RoutingContext.current();
        try {
            List<String> unknown = new ArrayList<>();
            TableCatalog catalog = routing.catalog();
            boolean footprintMatters = routing.footprintMatters(ctx);
            for (ItemRef item : RequestShape.of(method.getName(), request).items()) {
                if (!unknown.contains(item.table()) && (catalog.needsPartitionKey(item.table())
                        || footprintMatters && catalog.needsFootprint(item.table()))) {
                    unknown.add(item.table());
                }
            }
            if (unknown.isEmpty()) {
                return routeKnown(method, request, ctx);
            }
            return catalog.preload(unknown, this::describe)
                    .thenCompose(ignored -> routeWithin(ctx, method, request));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Continues on a describe's completion thread with the caller's context (the executor reads it there). */
    private CompletableFuture<Object> routeWithin(RoutingContext ctx, Method method, DynamoDbRequest request) {
        if (RoutingContext.current() == ctx) {
            return routeKnown(method, request, ctx);
        }
        RoutingContext.Scope scope = ctx.open();
        try {
            return routeKnown(method, request, ctx);
        } finally {
            scope.close();
        }
    }

    private CompletableFuture<Object> routeKnown(Method method, DynamoDbRequest request, RoutingContext ctx) {
        try {
            Classification c = classifier.classify(method.getName(), request, ctx);
            routing.checkResidency(c, ctx, TableCatalog.cacheOnly());
            Operation op = routing.operation(c, ctx);
            AtomicReference<Region> served = new AtomicReference<>();
            CompletableFuture<Object> response = routing.runtime().executor().executeAsync(op, region -> {
                @SuppressWarnings("unchecked")
                CompletableFuture<Object> attempt =
                        (CompletableFuture<Object>) invokeOn(clients.get(region), method, request);
                return attempt.thenApply(r -> {
                    served.set(region);
                    return r;
                });
            });
            return response.thenApply(r -> {
                routing.afterSuccess(c, ctx, request, served.get(), r);
                return r;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Described> describe(String table) {
        return routing.runtime().executor().executeAsync(DynamoDbRouting.describeOperation(table),
                region -> clients.get(region).describeTable(r -> r.tableName(table))
                        .thenApply(response -> Described.of(response.table(), region)));
    }
}
