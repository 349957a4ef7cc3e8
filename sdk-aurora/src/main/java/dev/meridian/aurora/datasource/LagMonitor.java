package dev.meridian.aurora.datasource;

import dev.meridian.aurora.lag.LagProbe;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.regions.Region;

/**
 * Per-region replica lag, measured at most once per interval per region.
 *
 * <p>The thread that finds a region's measurement due claims it (compare-and-set) and probes on the connection it
 * already holds; concurrent threads use the previous value meanwhile, so a busy region costs one probe per interval.
 * Thread-safe.
 */
final class LagMonitor {
    private final LagProbe probe;
    private final long intervalNanos;
    private final JdbcMetrics metrics;
    private final Map<Region, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final AtomicLong nextDueNanos = new AtomicLong(System.nanoTime());
        volatile Duration last;
    }

    LagMonitor(LagProbe probe, Duration interval, JdbcMetrics metrics) {
        this.probe = probe;
        this.intervalNanos = interval.toNanos();
        this.metrics = metrics;
    }

    /** Forgets every measurement (after a process snapshot was restored): the next read of a region measures it. */
    void forget() {
        states.clear();
    }

    /**
     * Every region's last measured lag, as an immutable copy: regions not measured since start (or since
     * {@link #forget()}) are absent. Reads what is cached; measures nothing.
     */
    Map<Region, Duration> lastMeasured() {
        Map<Region, Duration> measured = new HashMap<>();
        states.forEach((region, state) -> {
            Duration last = state.last;
            if (last != null) {
                measured.put(region, last);
            }
        });
        return Map.copyOf(measured);
    }

    /** The region's lag, measuring on {@code connection} if the cached value is due. */
    Duration lag(Region region, Connection connection) throws SQLException {
        State state = states.computeIfAbsent(region, r -> new State());
        long now = System.nanoTime();
        long due = state.nextDueNanos.get();
        Duration last = state.last;
        if (last != null && (now - due < 0 || !state.nextDueNanos.compareAndSet(due, now + intervalNanos))) {
            return last;
        }
        state.nextDueNanos.set(now + intervalNanos);
        Duration measured;
        try {
            measured = probe.measure(connection, region);
        } catch (RuntimeException e) {
            // A LagProbe that throws means a failed reader, whatever it throws.
            throw new SQLException("Lag probe failed on the reader in " + region.id() + ": " + e, e);
        }
        if (!connection.getAutoCommit()) {
            connection.rollback(); // leave no transaction open for the session settings applied next
        }
        state.last = measured;
        metrics.replicaLag(region, measured);
        return measured;
    }
}
