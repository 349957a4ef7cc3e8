package dev.meridian.aurora.datasource;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meridian.core.routing.RoutingContext;
import java.time.Duration;

/**
 * Remembers recent writers so that their reads go to the writer for a short window after a commit.
 *
 * <p>The session is the {@link RoutingContext} correlation id when there is one, otherwise the current thread.
 * Keying by thread is an over-approximation on pooled threads (another request on the same thread may also read
 * from the writer for the window), which costs writer load, never consistency. Thread-safe; bounded in size.
 */
final class RecentWriters {
    private static final long MAX_SESSIONS = 100_000;

    private final Cache<String, Boolean> recentWriters;

    RecentWriters(Duration window) {
        this.recentWriters = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(MAX_SESSIONS).build();
    }

    void recordWrite(RoutingContext context) {
        recentWriters.put(session(context), Boolean.TRUE);
    }

    /** Forgets every session's write, e.g. after a process snapshot was restored. */
    void forget() {
        recentWriters.invalidateAll();
    }

    boolean recentlyWrote(RoutingContext context) {
        return recentWriters.getIfPresent(session(context)) != null;
    }

    private static String session(RoutingContext context) {
        return context.correlationId()
                .map(id -> "c:" + id)
                .orElseGet(() -> "t:" + Thread.currentThread().getId());
    }
}
