package dev.meridian.aurora.topology;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meridian.core.internal.NumberedDaemons;
import dev.meridian.core.internal.SettingRules;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared caching for discoveries that look the topology up remotely.
 *
 * <p>The topology lives in a one-entry Caffeine cache. A refresh asked for while another is running waits for it
 * and takes its result instead of issuing a second look-up, so a burst of failed writes costs one look-up. A failed
 * look-up keeps the last known topology; a first look-up that fails throws {@link TopologyDiscoveryException} (other
 * failures of {@link #load()} are attached as its cause). After {@link #invalidate()} the next {@link #topology()}
 * refreshes first. A background refresh runs only when a refresh interval is
 * configured, on one daemon thread started by the first {@link #topology()} or {@link #refresh()} call (not by the
 * constructor: nothing runs for a discovery that is never used, and no look-up can see a half-built subclass) and
 * stopped by {@link #close()} (interrupting a look-up in progress and waiting up to 5 s for it). Its rounds are held
 * by {@link #suspendRefresh()} (which waits for a round in progress) until {@link #resumeRefresh()}.
 */
abstract class CachedDiscovery implements WriterDiscovery {
    private static final Logger log = LoggerFactory.getLogger(CachedDiscovery.class);
    private static final String KEY = "topology";
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final Cache<String, Snapshot> cache = Caffeine.newBuilder().maximumSize(1).build();
    private final @Nullable Duration refreshInterval;
    private final String threadName;
    /** Guarded by {@code this}; read without the lock only to skip it once the refresh is running. */
    private volatile @Nullable ScheduledExecutorService scheduler;
    private boolean closed;
    /** Set by {@link #invalidate()}: the next {@link #topology()} looks the topology up again. */
    private volatile boolean stale;
    /** Held by a background round while it runs, so that {@link #suspendRefresh()} can wait for it. */
    private final ReentrantLock backgroundRound = new ReentrantLock();
    private volatile boolean refreshSuspended;

    private record Snapshot(AuroraTopology topology, long loadedAtNanos) {
    }

    CachedDiscovery(@Nullable Duration refreshInterval, String threadName) {
        this.refreshInterval = refreshInterval;
        this.threadName = threadName;
    }

    static @Nullable Duration validateInterval(@Nullable Duration interval, String name) {
        return SettingRules.positiveOrNull(interval, name, "pass an interval such as 30 s, or leave it unset to look the"
                + " topology up only on first use, on failures and for residency checks");
    }

    /** Looks the topology up; may block on the network. */
    abstract AuroraTopology load();

    private Snapshot loadSnapshot() {
        try {
            return new Snapshot(load(), System.nanoTime());
        } catch (TopologyDiscoveryException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TopologyDiscoveryException(this + " could not look the topology up: " + e, e);
        }
    }

    @Override
    public final AuroraTopology topology() {
        startBackgroundRefresh();
        if (stale) {
            stale = false;
            return refresh();
        }
        return cache.get(KEY, k -> loadSnapshot()).topology();
    }

    /** The next {@link #topology()} looks the topology up again (a failed look-up keeps the last known one). */
    @Override
    public final void invalidate() {
        stale = true;
    }

    private void startBackgroundRefresh() {
        if (refreshInterval == null || scheduler != null) {
            return;
        }
        synchronized (this) {
            if (scheduler != null || closed) {
                return;
            }
            long millis = refreshInterval.toMillis();
            ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> NumberedDaemons.daemon(r, threadName));
            s.scheduleWithFixedDelay(this::refreshQuietly, millis, millis, TimeUnit.MILLISECONDS);
            scheduler = s;
        }
    }

    @Override
    public final AuroraTopology refresh() {
        startBackgroundRefresh();
        long requestedAt = System.nanoTime();
        return cache.asMap().compute(KEY, (k, previous) -> {
            if (previous != null && previous.loadedAtNanos() - requestedAt >= 0) {
                return previous; // a refresh that started after this request finished while we waited for it
            }
            try {
                return loadSnapshot();
            } catch (RuntimeException e) {
                if (previous == null) {
                    throw e;
                }
                log.warn("Topology refresh failed, keeping the last known topology {}: {}", previous.topology(), e.toString());
                return previous;
            }
        }).topology();
    }

    /** One background round, unless the rounds are held for a process snapshot. */
    private void refreshQuietly() {
        if (refreshSuspended) {
            return;
        }
        backgroundRound.lock();
        try {
            if (!refreshSuspended) {
                refresh();
            }
        } catch (RuntimeException e) {
            log.warn("Background topology refresh failed: {}", e.toString());
        } finally {
            backgroundRound.unlock();
        }
    }

    /** Holds the background rounds and waits for a round in progress to end; the thread stays, idle. */
    @Override
    public final void suspendRefresh() {
        refreshSuspended = true;
        backgroundRound.lock();
        backgroundRound.unlock();
    }

    @Override
    public final void resumeRefresh() {
        refreshSuspended = false;
    }

    /** Stops the background refresh, interrupting a running one and waiting briefly for it to end. */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            closed = true;
            s = scheduler;
        }
        if (s != null) {
            s.shutdownNow();
            try {
                if (!s.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    log.warn("Background topology refresh did not stop within {} s of close()", CLOSE_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
