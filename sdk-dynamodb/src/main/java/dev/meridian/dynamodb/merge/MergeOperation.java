package dev.meridian.dynamodb.merge;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * One change to a mergeable item, computed from the value as read: returns the change (a delta, e.g.
 * {@code cart.add("sku-1", 2, stamp)}), which {@link MergeableItems#update} merges into this region's item. It may
 * run more than once (after a concurrent write of the same region's item, with a fresh stamp each time) and must not
 * have side effects.
 *
 * @param <T> the value type
 */
@API(status = EXPERIMENTAL, since = "0.1")
@FunctionalInterface
public interface MergeOperation<T extends Mergeable<T>> {

    /** The change to merge, given the merged value of every region's item and the change's unique stamp. */
    T change(T current, MergeStamp stamp);
}
