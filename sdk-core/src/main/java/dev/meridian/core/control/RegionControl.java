package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.internal.NumberedDaemons;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * Follows a {@link RegionControlSource} for one runtime: reads it on one daemon thread ({@code meridian-control})
 * every poll interval with jitter, and sooner when {@linkplain #refreshSoon() a call finds a region OFF} (at most
 * once per half interval, so a fleet's read rate at most doubles while a region is OFF and traffic asks for it).
 * The router asks {@link #isOn} and {@link #weight} on every call: a volatile read of the state in force.
 *
 * <p><b>Fail static.</b> A read that fails keeps the state in force (metered, logged once per outage at WARN, shown
 * by {@link #status()}); before any good read every configured region is ON. Entries for regions that are not
 * configured are ignored: a control only removes configured regions from plans, and residency is applied before it.
 * {@link #close()} stops the thread and closes the source. Thread-safe.
 */
@API(status = INTERNAL, since = "0.1")
public final class RegionControl implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionControl.class);

    private final ControlConfig config;
    private final RegionControlSource source;
    private final Set<Region> configured;
    private final ControlObserver observer;
    private final Clock clock;
    private final Object lock = new Object();
    private @Nullable ScheduledExecutorService poller;
    private @Nullable ScheduledFuture<?> next;
    private volatile RegionControlState state = RegionControlState.empty();
    private volatile @Nullable Instant lastGoodRead;
    private volatile @Nullable String lastFailure;
    private volatile long lastReadStartNanos = Long.MIN_VALUE / 2;
    private volatile boolean closed;
    /** Set by the first {@link #refreshSoon()} after a read, so that calls after it return at once. */
    private volatile boolean nudged;

    public RegionControl(ControlConfig config, Collection<Region> configured, ControlObserver observer,
            Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.source = config.source();
        this.configured = Set.copyOf(configured);
        this.observer = Objects.requireNonNull(observer, "observer");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Starts the poller thread; the first read runs at once, without blocking the caller. */
    public void start() {
        synchronized (lock) {
            if (closed || poller != null) {
                return;
            }
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                    r -> NumberedDaemons.daemon(r, "meridian-control"));
            executor.setRemoveOnCancelPolicy(true);
            poller = executor;
            next = executor.schedule(this::poll, 0, TimeUnit.NANOSECONDS);
        }
    }

    /** Whether {@code region} may be planned under the state in force. */
    public boolean isOn(Region region) {
        return state.isOn(region);
    }

    /** The weight the state in force gives {@code region}, if any. */
    public OptionalInt weight(Region region) {
        return state.weight(region);
    }

    /** The state in force (configured regions only). */
    public RegionControlState state() {
        return state;
    }

    /** The source, the state in force, the age of the last good read and whether the source is in an outage. */
    public ControlStatus status() {
        Instant last = lastGoodRead;
        return new ControlStatus(source.name(), state, last, last == null ? null : Duration.between(last,
                clock.instant()), lastFailure);
    }

    /** The source's kind. */
    public String sourceName() {
        return source.name();
    }

    /**
     * Brings the next read forward: a call found a region OFF, which an operator may have turned back ON. No earlier
     * than half a poll interval after the last read started; never blocks.
     */
    public void refreshSoon() {
        if (nudged) {
            return;
        }
        nudged = true;
        long earliest = lastReadStartNanos + config.pollInterval().toNanos() / 2;
        long wait = earliest - System.nanoTime();
        synchronized (lock) {
            ScheduledExecutorService p = poller;
            ScheduledFuture<?> n = next;
            if (closed || p == null || n == null || n.getDelay(TimeUnit.NANOSECONDS) <= Math.max(wait, 0)) {
                return;
            }
            if (n.cancel(false)) {
                next = p.schedule(this::poll, Math.max(wait, 0), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Nanoseconds until the next scheduled read, or -1 when none is scheduled (for tests of the scheduling). */
    long nextReadDelayNanos() {
        synchronized (lock) {
            ScheduledFuture<?> n = next;
            return n == null ? -1 : n.getDelay(TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Reads the source once on the caller's thread and applies the answer (what the poller does each interval).
     *
     * @return whether the read succeeded
     */
    public boolean refreshNow() {
        lastReadStartNanos = System.nanoTime();
        nudged = false;
        RegionControlState read;
        try {
            read = Objects.requireNonNull(source.read(), "the source answered null");
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            // An Error from a source (a class its client needs missing at run time) is a failed read like any other:
            // fail static, metered and shown, not a silent error logged each interval.
            failed(e);
            return false;
        }
        observer.read(source.name());
        apply(read);
        return true;
    }

    private void poll() {
        try {
            refreshNow();
        } catch (RuntimeException | Error e) {
            LOG.error("Region control poll failed unexpectedly; the state in force stays", e);
        } finally {
            scheduleNext();
        }
    }

    private void scheduleNext() {
        long interval = config.pollInterval().toNanos();
        long delay = interval - (long) (interval * config.jitter() * ThreadLocalRandom.current().nextDouble());
        synchronized (lock) {
            ScheduledExecutorService p = poller;
            if (!closed && p != null) {
                next = p.schedule(this::poll, delay, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void failed(Throwable e) {
        observer.failed(source.name());
        boolean firstOfOutage = lastFailure == null;
        lastFailure = e.toString();
        if (firstOfOutage) {
            if (lastGoodRead == null) {
                LOG.warn("Region control source {} cannot be read and no control state is known yet: every configured"
                        + " region is ON until it answers ({})", source.name(), e.toString());
            } else {
                LOG.warn("Region control source {} cannot be read: the last known state {} stays in force until it"
                        + " answers (logged once per outage) ({})", source.name(), state, e.toString());
            }
        }
    }

    private void apply(RegionControlState read) {
        Map<Region, RegionControlEntry> kept = new LinkedHashMap<>();
        read.entries().forEach((r, e) -> {
            if (configured.contains(r)) {
                kept.put(r, e);
            }
        });
        RegionControlState next = RegionControlState.of(kept);
        RegionControlState previous = state;
        boolean first = lastGoodRead == null;
        state = next;
        Instant now = clock.instant();
        lastGoodRead = now;
        if (lastFailure != null) {
            LOG.info("Region control source {} answers again: state {}", source.name(), next);
            lastFailure = null;
        }
        for (Region r : configured) {
            RegionControlEntry before = previous.entry(r).orElse(null);
            RegionControlEntry after = next.entry(r).orElse(null);
            if (sameEffect(before, after)) {
                continue;
            }
            if (after != null && !first) {
                after.updatedAt().ifPresent(at -> observer.applied(r, Duration.between(at, now)));
            }
            LOG.info("Region control: {} is {} (was {}){}", r.id(), describe(after), describe(before),
                    after == null ? "" : after.updatedBy().map(by -> ", changed by " + by).orElse(""));
        }
    }

    private static boolean sameEffect(@Nullable RegionControlEntry a, @Nullable RegionControlEntry b) {
        if (a != null && b != null) {
            return a.sameEffect(b);
        }
        RegionControlEntry present = a != null ? a : b;
        // No entry is ON without a weight: an entry saying just that changes nothing.
        return present == null || (present.isOn() && present.weight().isEmpty());
    }

    private static String describe(@Nullable RegionControlEntry e) {
        return e == null ? "ON (no control)" : e.toString();
    }

    /** Stops the poller thread (a read in progress finishes) and closes the source. Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService p;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            p = poller;
            poller = null;
            next = null;
        }
        if (p != null) {
            p.shutdownNow();
        }
        try {
            source.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing region control source {} failed: {}", source.name(), e.toString());
        }
    }
}
