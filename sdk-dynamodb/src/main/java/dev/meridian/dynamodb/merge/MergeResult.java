package dev.meridian.dynamodb.merge;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * An acknowledged {@link MergeableItems#update}: the change that was written, its stamp, and the value this region
 * sees once it is merged.
 *
 * @param value the merged value of every region's item as read, with the change merged in
 * @param change the change the operation returned, now in this region's item
 * @param stamp the change's stamp
 * @param attempts how many read-merge-write rounds it took (more than 1 after concurrent writes in this region)
 * @param <T> the value type
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record MergeResult<T extends Mergeable<T>>(T value, T change, MergeStamp stamp, int attempts) {

    /** Checks the parts. */
    public MergeResult {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(stamp, "stamp");
    }
}
