package dev.meridian.aurora.datasource;

import dev.meridian.aurora.lag.LagProbe;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * Per-region replica lag, measured at most once per interval per region, and how stale a reader may be now.
 *
 * <p>A measurement of lag {@code L} that started at {@code m} proves the reader had replayed everything committed
 * before {@code m - L}; a replica only moves forward, so at {@code now} it is at most {@code (now - m) + L} behind.
 * {@link #staleness} answers that sum, so a reader is trusted only while its last measurement is recent enough to
 * prove the bound, not merely while the last measured lag is below it. {@code m} is read from a monotonic clock
 * before the probe is sent, so a slow probe (a starved process, a busy replica) counts against the reader.
 *
 * <p>The thread that finds a region's measurement due claims it (compare-and-set) and probes on the connection it
 * already holds; concurrent threads use the previous measurement meanwhile, aged accordingly, so a busy region costs
 * one probe per interval. Thread-safe.
 */
final class LagMonitor {
    private final LagProbe probe;
    private final long intervalNanos;
    private final JdbcMetrics metrics;
    private final LongSupplier nanoClock;
    private final Map<Region, State> states = new ConcurrentHashMap<>();

    /** A measured lag and the monotonic time its probe started. */
    private record Measurement(Duration lag, long startedNanos) {
    }

    private final class State {
        final AtomicLong nextDueNanos = new AtomicLong(nanoClock.getAsLong());
        volatile @Nullable Measurement last;
    }

    LagMonitor(LagProbe probe, Duration interval, JdbcMetrics metrics) {
        this(probe, interval, metrics, System::nanoTime);
    }

    /** With the monotonic clock {@code nanoClock} (tests pass a fake one). */
    LagMonitor(LagProbe probe, Duration interval, JdbcMetrics metrics, LongSupplier nanoClock) {
        this.probe = probe;
        this.intervalNanos = interval.toNanos();
        this.metrics = metrics;
        this.nanoClock = nanoClock;
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
            Measurement last = state.last;
            if (last != null) {
                measured.put(region, last.lag());
            }
        });
        return Map.copyOf(measured);
    }

    /**
     * How far behind the region's reader may be now: its last measured lag plus that measurement's age, measuring
     * on {@code connection} first if a measurement is due.
     */
    Duration staleness(Region region, Connection connection) throws SQLException {
        Measurement measurement = measurement(region, connection);
        return measurement.lag().plusNanos(Math.max(0, nanoClock.getAsLong() - measurement.startedNanos()));
    }

    /**
     * The writer's time up to which the region's reader has replayed every commit ({@link LagProbe#replayedUpTo}),
     * asked on {@code connection} now: a read that must see a given write cannot use an aged measurement.
     */
    Instant replayedUpTo(Region region, Connection connection) throws SQLException {
        Instant upTo;
        try {
            upTo = probe.replayedUpTo(connection, region);
        } catch (RuntimeException e) {
            throw new SQLException("Lag probe failed on the reader in " + region.id() + ": " + e, e);
        }
        if (!connection.getAutoCommit()) {
            connection.rollback();
        }
        return upTo;
    }

    private Measurement measurement(Region region, Connection connection) throws SQLException {
        State state = states.computeIfAbsent(region, r -> new State());
        long now = nanoClock.getAsLong();
        long due = state.nextDueNanos.get();
        Measurement last = state.last;
        if (last != null && (now - due < 0 || !state.nextDueNanos.compareAndSet(due, now + intervalNanos))) {
            return last;
        }
        state.nextDueNanos.set(now + intervalNanos);
        Duration lag;
        try {
            lag = probe.measure(connection, region);
        } catch (RuntimeException e) {
            // A LagProbe that throws means a failed reader, whatever it throws.
            throw new SQLException("Lag probe failed on the reader in " + region.id() + ": " + e, e);
        }
        if (!connection.getAutoCommit()) {
            connection.rollback(); // leave no transaction open for the session settings applied next
        }
        Measurement measured = new Measurement(lag, now);
        state.last = measured;
        metrics.replicaLag(region, lag);
        return measured;
    }
}
