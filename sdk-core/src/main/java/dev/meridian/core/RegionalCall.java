package dev.meridian.core;

/**
 * One attempt's work in a region chosen by the caller, for {@link MultiRegion#attempt}: may throw the caller's own
 * checked exception (e.g. {@link java.sql.SQLException}), which {@code attempt} rethrows unchanged.
 *
 * @param <T> the result
 * @param <E> the checked exception the work may throw
 */
@FunctionalInterface
public interface RegionalCall<T, E extends Exception> {
    T call() throws E;
}
