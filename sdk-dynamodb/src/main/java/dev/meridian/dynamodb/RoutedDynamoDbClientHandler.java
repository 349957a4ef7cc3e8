package dev.meridian.dynamodb;

import dev.meridian.core.RoutingContext;
import dev.meridian.dynamodb.DynamoDbOperationClassifier.Classification;
import dev.meridian.dynamodb.TableCatalog.Described;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * The {@link DynamoDbClient} proxy behind {@link MultiRegionDynamoDb#buildClient()}. Each request method is
 * classified, checked against the tables' residency footprint, then run by sdk-core's {@code RegionalExecutor} on
 * the per-region client of each region the plan tries. Convenience overloads (consumer builders, no-argument
 * variants) and paginators are the interface's own default methods, so they come back through the proxy and each
 * page is routed. Failures are thrown as the per-region client (or sdk-core) threw them. Thread-safe.
 */
final class RoutedDynamoDbClientHandler extends RoutedClientHandler<DynamoDbClient> {
    private final DynamoDbOperationClassifier classifier;
    private final Function<String, Described> describe = this::describe;

    RoutedDynamoDbClientHandler(DynamoDbRouting routing, RegionClients<DynamoDbClient> clients,
            Map<String, TableSettings> settings, List<AutoCloseable> closeables) {
        super(DynamoDbClient.class, routing, clients, closeables);
        this.classifier = routing.classifier(settings, describe);
    }

    @Override
    boolean routes(Method method) {
        // Paginator methods take a request too, but they are default methods whose pages come back as calls.
        return !method.getName().endsWith("Paginator");
    }

    @Override
    Object waiter(DynamoDbClient proxy) {
        return DynamoDbWaiter.builder().client(proxy).build();
    }

    @Override
    Object route(Method method, DynamoDbRequest request) {
        RoutingContext ctx = RoutingContext.current();
        Classification c = classifier.classify(method.getName(), request, ctx);
        routing.checkResidency(c, ctx, describe);
        AtomicReference<Region> served = new AtomicReference<>();
        Object response = routing.runtime().executor().execute(routing.operation(c, ctx), region -> {
            Object r = invokeOn(clients.get(region), method, request);
            served.set(region);
            return r;
        });
        routing.afterSuccess(c, ctx, request, served.get(), response);
        return response;
    }

    private Described describe(String table) {
        return routing.runtime().executor().execute(DynamoDbRouting.describeOperation(table),
                region -> Described.of(clients.get(region).describeTable(r -> r.tableName(table)).table(), region));
    }
}
