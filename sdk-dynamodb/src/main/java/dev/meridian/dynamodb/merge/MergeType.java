package dev.meridian.dynamodb.merge;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Map;
import org.apiguardian.api.API;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * How a {@link Mergeable} value is kept in a region's item: its empty value and its attributes. The built-in types
 * are {@link LwwMap#TYPE}, {@link OrSet#TYPE} and {@link PnCounter#TYPE}.
 *
 * @param <T> the value type
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface MergeType<T extends Mergeable<T>> {

    /** The value no change has been merged into (the identity of {@code merge}). */
    T empty();

    /**
     * The value recorded in {@code region}'s item, from its attributes (the key and {@link MergeableItems}'
     * bookkeeping attributes included, to be ignored).
     */
    T decode(String region, Map<String, AttributeValue> attributes);

    /**
     * The attributes recording {@code value} in {@code region}'s item; must not use the table's key attributes or
     * the names {@code mergeVersion} and {@code mergeStamp}.
     */
    Map<String, AttributeValue> encode(String region, T value);
}
