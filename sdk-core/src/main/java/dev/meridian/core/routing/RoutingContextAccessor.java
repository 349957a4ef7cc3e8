package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.micrometer.context.ThreadLocalAccessor;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apiguardian.api.API;

/**
 * Registers the thread's {@link RoutingContext} with Micrometer Context Propagation
 * ({@code io.micrometer:context-propagation}, found through {@code META-INF/services}), so that whatever propagates
 * thread-locals with it — Spring's {@code ContextPropagatingTaskDecorator}, Reactor's automatic context propagation,
 * {@code ContextSnapshot.wrap} — carries the request's context across thread hops. Under {@link #KEY} in a Reactor
 * {@code Context}, a context becomes the thread's current one wherever Reactor restores thread-locals.
 *
 * <p>Setting a value opens it as {@link RoutingContext#open()} does (the correlation id goes into the MDC) and
 * restoring closes that scope, so the previous context and MDC correlation id come back exactly. The snapshot
 * libraries set and restore in pairs on one thread; the accessor keeps those scopes in a per-thread stack, emptied
 * (and removed) when the last one is restored.
 */
@API(status = INTERNAL, since = "0.1")
public final class RoutingContextAccessor implements ThreadLocalAccessor<RoutingContext> {
    /** The key of the {@link RoutingContext} in a context snapshot or a Reactor {@code Context}. */
    public static final String KEY = RoutingContext.class.getName();

    private static final ThreadLocal<Deque<RoutingContext.Scope>> SCOPES = new ThreadLocal<>();

    /** Instantiated by {@code ContextRegistry}'s service loading. */
    public RoutingContextAccessor() {
    }

    @Override
    public Object key() {
        return KEY;
    }

    @Override
    public RoutingContext getValue() {
        return RoutingContext.currentOrNull();
    }

    @Override
    public void setValue(RoutingContext value) {
        push(value.open());
    }

    @Override
    public void setValue() {
        push(RoutingContext.openNone());
    }

    @Override
    public void restore(RoutingContext previousValue) {
        if (!pop()) {
            // Not paired with a set on this thread: make the previous value current without a scope to return to.
            RoutingContext.openNone();
            previousValue.open();
        }
    }

    @Override
    public void restore() {
        if (!pop()) {
            RoutingContext.openNone();
        }
    }

    private static void push(RoutingContext.Scope scope) {
        Deque<RoutingContext.Scope> scopes = SCOPES.get();
        if (scopes == null) {
            scopes = new ArrayDeque<>(2);
            SCOPES.set(scopes);
        }
        scopes.push(scope);
    }

    /** Closes the innermost scope this accessor opened on the thread; false when there is none. */
    private static boolean pop() {
        Deque<RoutingContext.Scope> scopes = SCOPES.get();
        if (scopes == null) {
            return false;
        }
        scopes.pop().close();
        if (scopes.isEmpty()) {
            SCOPES.remove();
        }
        return true;
    }
}
