package dev.meridian.dynamodb;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;

/**
 * What the sync and async routed-client proxies share: the methods answered locally ({@code Object} methods,
 * {@code close}, {@code serviceName}, {@code waiter}, {@code serviceClientConfiguration}), the interface's default
 * methods (convenience overloads, paginators) run on the proxy so that they come back through it, and a clear
 * refusal of anything else. Subclasses say which calls they route and how. Thread-safe.
 *
 * @param <C> the client interface the proxy implements
 */
abstract class RoutedClientHandler<C extends SdkClient> implements InvocationHandler {
    final DynamoDbRouting routing;
    final RegionClients<C> clients;
    private final Class<C> clientType;
    private final List<AutoCloseable> closeables;

    RoutedClientHandler(Class<C> clientType, DynamoDbRouting routing, RegionClients<C> clients,
            List<AutoCloseable> closeables) {
        this.clientType = Objects.requireNonNull(clientType, "clientType");
        this.routing = Objects.requireNonNull(routing, "routing");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.closeables = List.copyOf(closeables);
    }

    /** Whether this request method is a DynamoDB call to route (rather than, e.g., a paginator's default method). */
    abstract boolean routes(Method method);

    /** Routes one DynamoDB call. */
    abstract Object route(Method method, DynamoDbRequest request);

    /** The SDK waiter built on the proxy, so that every poll is routed. */
    abstract Object waiter(C proxy);

    @Override
    public final Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, args);
        }
        String name = method.getName();
        if (args == null || args.length == 0) {
            switch (name) {
                case "close":
                    MultiRegionDynamoDb.closeAll(closeables);
                    return null;
                case "serviceName":
                    return DynamoDbClient.SERVICE_NAME; // the async interface declares the same name
                case "waiter":
                    return waiter(clientType.cast(proxy));
                case "serviceClientConfiguration":
                    return clients.get(routing.runtime().config().localRegion()).serviceClientConfiguration();
                default:
                    break;
            }
        } else if (args.length == 1 && args[0] instanceof DynamoDbRequest request && routes(method)) {
            return route(method, request);
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        throw new UnsupportedOperationException(
                clientType.getSimpleName() + "." + name + " is not supported by the multi-region client");
    }

    /** Calls {@code method} on one region's client, rethrowing what the client threw as is. */
    final Object invokeOn(C client, Method method, DynamoDbRequest request) {
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
            throw new IllegalStateException("Cannot call " + clientType.getSimpleName() + "." + method.getName(), e);
        }
    }

    private Object objectMethod(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "MultiRegion" + clientType.getSimpleName() + '@'
                        + Integer.toHexString(System.identityHashCode(proxy));
        }
    }
}
