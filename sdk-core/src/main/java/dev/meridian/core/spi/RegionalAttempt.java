package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import org.apiguardian.api.API;

/**
 * One attempt's work in a region chosen by the caller, for {@link MultiRegionSpi#attempt}: may throw the caller's own
 * checked exception (e.g. {@link java.sql.SQLException}), which {@code attempt} rethrows unchanged.
 *
 * @param <T> the result
 * @param <E> the checked exception the work may throw
 */
@API(status = INTERNAL, since = "0.1")
@FunctionalInterface
public interface RegionalAttempt<T, E extends Exception> {
    T call() throws E;
}
