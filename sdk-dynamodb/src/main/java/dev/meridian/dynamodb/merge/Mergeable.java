package dev.meridian.dynamodb.merge;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A value with a merge (a join): {@code merge} is commutative, associative and idempotent, so replicas that have seen
 * the same changes in any order, any number of times, hold the same value.
 *
 * @param <T> the value type itself
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Mergeable<T extends Mergeable<T>> {

    /** The least value that contains both this value and {@code other}; neither is modified. */
    T merge(T other);
}
