package dev.meridian.dynamodb.merge;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.exception.MeridianException;
import org.apiguardian.api.API;

/**
 * An update of a mergeable item lost to concurrent writers of its region's item more often than the store's
 * {@code maxAttempts}; nothing of it was written, so it may be retried.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class MergeConflictException extends MeridianException {

    private static final long serialVersionUID = 1L;

    /** With the message naming the key, the table and the fix. */
    public MergeConflictException(String message) {
        super(message);
    }
}
