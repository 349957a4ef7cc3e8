package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.RegionalClientFactory;
import org.apiguardian.api.API;

/**
 * A service module's own multi-region client for one AWS SDK client interface, found by {@link MultiRegion#wrap}
 * through {@link java.util.ServiceLoader} so that every way of making, say, a multi-region {@code DynamoDbClient}
 * leads to the same client (with the module's residency footprint checks, read-your-writes and paginator handling)
 * instead of the generic proxy. Implementations are registered in
 * {@code META-INF/services/dev.meridian.core.spi.ClientProvider}.
 */
@API(status = INTERNAL, since = "0.1")
public interface ClientProvider {

    /** Whether this module serves {@code clientInterface}. */
    boolean serves(Class<?> clientInterface);

    /**
     * The module's multi-region client of {@code clientInterface} on {@code runtime}, over per-region clients from
     * {@code factory}; closing it closes those clients, and the runtime too when {@code ownsRuntime}.
     */
    <C> C open(Class<C> clientInterface, MultiRegion runtime, RegionalClientFactory<C> factory, boolean ownsRuntime);
}
