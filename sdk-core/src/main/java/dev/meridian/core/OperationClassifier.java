package dev.meridian.core;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.routing.Operation;
import java.lang.reflect.Method;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Describes a client method call as an {@link Operation}: its kind, the resource (table) and the routing key.
 * Used by {@link MultiRegion#wrap} for every call on the wrapped client. Implementations must be thread-safe and
 * cheap (they run on every call). Returning {@code null} means "not a routed operation": the call goes to the
 * local (else home) region's client without failover, which suits helpers such as {@code waiter()}. {@code args} is
 * {@code null} for a method without parameters (as in {@link java.lang.reflect.InvocationHandler}).
 */
@API(status = STABLE, since = "0.1")
@FunctionalInterface
public interface OperationClassifier {
    @Nullable Operation classify(Method method, Object @Nullable [] args);
}
