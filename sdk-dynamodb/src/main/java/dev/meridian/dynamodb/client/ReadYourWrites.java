package dev.meridian.dynamodb.client;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import java.time.Duration;
import org.apiguardian.api.API;

/**
 * Read-your-writes sessions for a {@link MultiRegionDynamoDb} client: after a write of an item, reads of that item
 * in the same session go to the region that took the write until the write is seen elsewhere (a read served by
 * another region returns the same or a newer {@linkplain TableConfig#versionAttribute() version}) or the window
 * passes, whichever comes first. Set the window to comfortably above the tables' replication lag (the
 * {@link ReplicationLagProbe} measures it).
 *
 * <p>A session is the {@code RoutingContext}'s correlation id; calls without one share one client-wide session.
 * Sessions are kept in memory (Caffeine, expire after write, bounded), so they are per process: they give a user
 * read-your-writes as long as their requests reach the same application instance. Immutable and thread-safe.
 */
@API(status = STABLE, since = "0.1")
public final class ReadYourWrites {
    private final Duration window;
    private final long maximumSize;

    private ReadYourWrites(Duration window, long maximumSize) {
        this.window = window;
        this.maximumSize = maximumSize;
    }

    /** Remembers each write for at most {@code window} (e.g. 2 s). */
    public static ReadYourWrites within(Duration window) {
        SettingRules.positive(window, "ReadYourWrites.window", "pass how long a write is remembered, e.g. 2 s");
        return new ReadYourWrites(window, 100_000);
    }

    /** Bounds the number of remembered writes (default 100 000); the oldest are forgotten first. */
    public ReadYourWrites maximumSize(long maximumSize) {
        SettingRules.atLeast(maximumSize, 1, "ReadYourWrites.maximumSize", "pass a number of writes such as 100000");
        return new ReadYourWrites(window, maximumSize);
    }

    public Duration window() {
        return window;
    }

    public long maximumSize() {
        return maximumSize;
    }

    @Override
    public String toString() {
        return "ReadYourWrites[window=" + window + ", maximumSize=" + maximumSize + ']';
    }
}
