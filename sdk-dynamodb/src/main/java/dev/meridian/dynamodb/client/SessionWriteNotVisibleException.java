package dev.meridian.dynamodb.client;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.routing.SessionToken;
import org.apiguardian.api.API;

/**
 * A read carrying a {@link SessionToken} was refused: within the configured wait
 * ({@link MultiRegionDynamoDb.Builder#sessionReadWait}) no region that could serve it was known to hold every write
 * the token names (for each write, its region was unavailable or does not hold the table, and replication into the
 * others was not known to have passed its stamp); the message names where each write is known. Nothing stale was returned; the read may be retried later. A kind of
 * {@link NoRegionAvailableException}, so it is answered as an unavailability (e.g. HTTP 503).
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class SessionWriteNotVisibleException extends NoRegionAvailableException {
    private static final long serialVersionUID = 1L;

    /** The refused read's description. */
    public SessionWriteNotVisibleException(String message) {
        super(message);
    }
}
