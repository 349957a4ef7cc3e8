package dev.meridian.dynamodb;

import dev.meridian.core.Operation;
import dev.meridian.core.OperationKind;
import dev.meridian.core.RoutingContext;
import dev.meridian.dynamodb.DynamoDbOperationClassifier.Classification;
import dev.meridian.dynamodb.TableCatalog.Described;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * The {@link DynamoDbClient} proxy behind {@link MultiRegionDynamoDb#buildClient()}. Each request method is
 * classified, checked against the tables' residency footprint, then run by sdk-core's {@code RegionalExecutor} on
 * the per-region client of each region the plan tries. Convenience overloads (consumer builders, no-argument
 * variants) and paginators are the interface's own default methods, so they come back through the proxy and each
 * page is routed. Thread-safe.
 */
final class RoutedDynamoDbClientHandler implements InvocationHandler {
    private final DynamoDbRouting routing;
    private final RegionClients<DynamoDbClient> clients;
    private final DynamoDbOperationClassifier classifier;
    private final List<AutoCloseable> closeables;
    private final java.util.function.Function<String, Described> describe = this::describe;

    RoutedDynamoDbClientHandler(DynamoDbRouting routing, RegionClients<DynamoDbClient> clients,
            Map<String, TableSettings> settings, List<AutoCloseable> closeables) {
        this.routing = routing;
        this.clients = clients;
        this.classifier = routing.classifier(settings, describe);
        this.closeables = List.copyOf(closeables);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, args);
        }
        String name = method.getName();
        boolean noArgs = args == null || args.length == 0;
        if (noArgs) {
            switch (name) {
                case "close":
                    MultiRegionDynamoDb.closeAll(closeables);
                    return null;
                case "serviceName":
                    return DynamoDbClient.SERVICE_NAME;
                case "waiter":
                    return DynamoDbWaiter.builder().client((DynamoDbClient) proxy).build();
                case "serviceClientConfiguration":
                    return clients.get(routing.runtime().config().localRegion()).serviceClientConfiguration();
                default:
                    break;
            }
        }
        if (!noArgs && args.length == 1 && args[0] instanceof DynamoDbRequest request && !name.endsWith("Paginator")) {
            return route(method, request);
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        throw new UnsupportedOperationException("DynamoDbClient." + name + " is not supported by the multi-region client");
    }

    private Object route(Method method, DynamoDbRequest request) {
        RoutingContext ctx = RoutingContext.current();
        Classification c = classifier.classify(method.getName(), request, ctx);
        routing.checkResidency(c, ctx, describe);
        Operation op = routing.operation(c, ctx);
        AtomicReference<Region> served = new AtomicReference<>();
        Object response = routing.runtime().executor().execute(op, region -> {
            Object r = invokeOn(clients.get(region), method, request);
            served.set(region);
            return r;
        });
        routing.afterSuccess(c, ctx, request, served.get(), response);
        return response;
    }

    private Described describe(String table) {
        Operation op = Operation.builder("DescribeTable", OperationKind.READ).resource(table).build();
        return routing.runtime().executor().execute(op,
                region -> Described.of(clients.get(region).describeTable(r -> r.tableName(table)).table(), region));
    }

    static Object invokeOn(Object client, Method method, Object request) {
        try {
            return method.invoke(client, request);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot call DynamoDbClient." + method.getName(), e);
        }
    }

    static Object objectMethod(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "MultiRegionDynamoDbClient" + Integer.toHexString(System.identityHashCode(proxy));
        }
    }
}
