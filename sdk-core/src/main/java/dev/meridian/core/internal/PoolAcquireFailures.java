package dev.meridian.core.internal;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.io.InterruptedIOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * How the AWS SDK's HTTP clients say their connection pool gave up before the request had a connection: nothing was
 * sent. Netty's: the SDK wraps the pool's exception under its {@code SdkClientException} and tells these apart by
 * message (its {@code NettyExceptionConverter}); so do we. Apache 4's and 5's lease timeouts: by class name, as sdk-core
 * depends on neither client.
 *
 * <p>Not API: sdk-core's failure rules and its cold-client attempts use it.
 */
@API(status = INTERNAL, since = "0.1")
public final class PoolAcquireFailures {
    private static final int MAX_CAUSE_DEPTH = 16;
    /** How the Netty client's channel pool words its acquire timeout ({@code HealthCheckedChannelPool}). */
    private static final String ACQUIRE_TIMEOUT_MESSAGE = "Acquire operation took longer than";
    private static final String TOO_MANY_ACQUIRES_MESSAGE = "Too many outstanding acquire operations";
    /** The Apache clients' pool-lease timeouts (the client leases before it connects). */
    private static final Set<String> APACHE_LEASE_TIMEOUTS = Set.of(
            "org.apache.http.conn.ConnectionPoolTimeoutException",
            "org.apache.hc.core5.http.ConnectionRequestTimeoutException");

    private PoolAcquireFailures() {
    }

    /** Whether {@code t} itself is the pool's acquire timeout (no connection within the acquire timeout). */
    public static boolean isAcquireTimeout(Throwable t) {
        String m = t.getMessage();
        return t instanceof TimeoutException && m != null && m.startsWith(ACQUIRE_TIMEOUT_MESSAGE);
    }

    /** Whether {@code t} itself is the pool's refusal to queue one more acquire. */
    public static boolean isTooManyAcquires(Throwable t) {
        String m = t.getMessage();
        return t instanceof IllegalStateException && m != null && m.contains(TOO_MANY_ACQUIRES_MESSAGE);
    }

    /** Whether {@code t} itself is an Apache client's pool-lease timeout (both are {@link InterruptedIOException}s). */
    public static boolean isLeaseTimeout(Throwable t) {
        return t instanceof InterruptedIOException && APACHE_LEASE_TIMEOUTS.contains(t.getClass().getName());
    }

    /** Whether {@code t} itself says a pool gave the request no connection: any of the above. */
    public static boolean gaveNoConnection(Throwable t) {
        return isAcquireTimeout(t) || isTooManyAcquires(t) || isLeaseTimeout(t);
    }

    /** Whether {@code failure} or one of its causes is the Netty pool's acquire timeout. */
    public static boolean causedByAcquireTimeout(@Nullable Throwable failure) {
        int depth = 0;
        for (Throwable c = failure; c != null && depth < MAX_CAUSE_DEPTH; c = c.getCause() == c ? null : c.getCause()) {
            depth++;
            if (isAcquireTimeout(c)) {
                return true;
            }
        }
        return false;
    }
}
