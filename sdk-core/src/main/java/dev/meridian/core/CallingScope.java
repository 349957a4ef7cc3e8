package dev.meridian.core;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.routing.RoutingContext;
import java.util.function.Supplier;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * What a client call launched by Meridian's executor carries on its calling thread — the call's
 * {@link RoutingContext} (and with it the logging context) and the attempt that hears its answers at the wire — captured
 * on that thread, so that the same attempt's request sent again later, from whichever thread completed the first one,
 * carries the same. Immutable.
 *
 * <p>Not API: sdk-core's cold-client attempts use it.
 */
@API(status = INTERNAL, since = "0.1")
public final class CallingScope {
    private final RoutingContext context;
    private final HeardAtTheWire.@Nullable Listener listener;

    private CallingScope(RoutingContext context, HeardAtTheWire.@Nullable Listener listener) {
        this.context = context;
        this.listener = listener;
    }

    /** The current thread's. */
    public static CallingScope capture() {
        return new CallingScope(RoutingContext.current(), HeardAtTheWire.listening());
    }

    /** {@code call}'s result, made on the current thread under this scope, which is then left as it was. */
    @SuppressWarnings("try") // the scope only makes the captured context current while the call is made
    public <T> T call(Supplier<T> call) {
        HeardAtTheWire.Listener before = HeardAtTheWire.listen(listener);
        try (RoutingContext.Scope s = RoutingContext.current() == context ? null : context.open()) {
            return call.get();
        } finally {
            HeardAtTheWire.listen(before);
        }
    }
}
