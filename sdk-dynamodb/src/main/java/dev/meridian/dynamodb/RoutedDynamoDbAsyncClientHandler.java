package dev.meridian.dynamodb;

import dev.meridian.core.Operation;
import dev.meridian.core.OperationKind;
import dev.meridian.core.RoutingContext;
import dev.meridian.dynamodb.DynamoDbOperationClassifier.Classification;
import dev.meridian.dynamodb.TableCatalog.Described;
import java.lang.reflect.InvocationHandler;
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
final class RoutedDynamoDbAsyncClientHandler implements InvocationHandler {
    private final DynamoDbRouting routing;
    private final RegionClients<DynamoDbAsyncClient> clients;
    private final DynamoDbOperationClassifier classifier;
    private final List<AutoCloseable> closeables;

    RoutedDynamoDbAsyncClientHandler(DynamoDbRouting routing, RegionClients<DynamoDbAsyncClient> clients,
            Map<String, TableSettings> settings, List<AutoCloseable> closeables) {
        this.routing = routing;
        this.clients = clients;
        this.classifier = routing.classifier(settings, TableCatalog.cacheOnly());
        this.closeables = List.copyOf(closeables);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return RoutedDynamoDbClientHandler.objectMethod(proxy, method, args);
        }
        String name = method.getName();
        boolean noArgs = args == null || args.length == 0;
        if (noArgs) {
            switch (name) {
                case "close":
                    MultiRegionDynamoDb.closeAll(closeables);
                    return null;
                case "serviceName":
                    return DynamoDbAsyncClient.SERVICE_NAME;
                case "waiter":
                    return DynamoDbAsyncWaiter.builder().client((DynamoDbAsyncClient) proxy).build();
                case "serviceClientConfiguration":
                    return clients.get(routing.runtime().config().localRegion()).serviceClientConfiguration();
                default:
                    break;
            }
        }
        if (!noArgs && args.length == 1 && args[0] instanceof DynamoDbRequest request
                && CompletableFuture.class.isAssignableFrom(method.getReturnType())) {
            return route(method, request);
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        throw new UnsupportedOperationException(
                "DynamoDbAsyncClient." + name + " is not supported by the multi-region client");
    }

    private CompletableFuture<Object> route(Method method, DynamoDbRequest request) {
        RoutingContext ctx = RoutingContext.current();
        try {
            List<String> unknown = new ArrayList<>();
            TableCatalog catalog = routing.catalog();
            boolean footprintMatters = routing.residencyLimited(ctx);
            for (ItemRef item : RequestShape.of(method.getName(), request).items()) {
                if (!unknown.contains(item.table()) && (catalog.needsPartitionKey(item.table())
                        || footprintMatters && catalog.needsFootprint(item.table()))) {
                    unknown.add(item.table());
                }
            }
            if (unknown.isEmpty()) {
                return routeKnown(method, request, ctx);
            }
            return routing.catalog().preload(unknown, table -> describe(table))
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
                        (CompletableFuture<Object>) RoutedDynamoDbClientHandler.invokeOn(clients.get(region), method, request);
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
        Operation op = Operation.builder("DescribeTable", OperationKind.READ).resource(table).build();
        return routing.runtime().executor().executeAsync(op, region -> clients.get(region)
                .describeTable(r -> r.tableName(table))
                .thenApply(response -> Described.of(response.table(), region)));
    }
}
