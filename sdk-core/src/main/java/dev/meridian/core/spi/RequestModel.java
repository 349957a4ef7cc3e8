package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * What a service module tells the one routed-client engine ({@link RoutedClient}) about its requests: how a request
 * becomes an {@link Operation}, what must hold before anything is sent (a residency footprint check), and what to
 * remember after a success (read-your-writes). Implementations must be thread-safe and cheap: they run on every call.
 *
 * @param <R> the service's request type
 * @param <K> the service's classification of one request (it carries at least the operation)
 */
@API(status = INTERNAL, since = "0.1")
public interface RequestModel<R, K> {

    /**
     * Classifies one request under {@code ctx}. Never returns {@code null}: a request the service cannot classify is
     * refused here with an exception that says why.
     */
    K classify(String operationName, R request, RoutingContext ctx);

    /** The operation to execute for a classified request under {@code ctx}. */
    Operation operation(K classified, RoutingContext ctx);

    /** Runs after classification, before the first attempt; throws to refuse the call (nothing has been sent). */
    default void beforeCall(K classified, R request, RoutingContext ctx) {
    }

    /** Runs after the call succeeded in {@code served}. */
    default void afterSuccess(K classified, R request, RoutingContext ctx, Region served, Object response) {
    }
}
