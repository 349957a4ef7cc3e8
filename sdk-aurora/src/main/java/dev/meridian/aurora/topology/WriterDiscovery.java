package dev.meridian.aurora.topology;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * Finds the current writer of a global database and the endpoints of its member regions.
 *
 * <p>Implementations are thread-safe. {@link #topology()} is called on every physical connection acquisition, so it
 * must be cheap (a cached value); {@link #refresh()} is called when Meridian suspects the writer moved (a write was
 * refused as read-only, or the writer refused connections). Concurrent refreshes should share one look-up.
 * Failures to refresh keep the last known topology; only a first look-up that fails throws
 * {@link TopologyDiscoveryException}.
 */
@API(status = STABLE, since = "0.1")
public interface WriterDiscovery extends AutoCloseable {

    /** The last known topology, discovering it first if nothing is known yet. */
    AuroraTopology topology();

    /** Looks the topology up again now and returns it (or the last known one if the look-up failed). */
    AuroraTopology refresh();

    /**
     * Marks the known topology stale, e.g. after a process snapshot was restored (the writer may have moved since the
     * snapshot): the next {@link #topology()} looks it up again, keeping the last known one if that fails. Default:
     * nothing (a topology that is not looked up cannot be stale).
     */
    default void invalidate() {
    }

    /**
     * Holds the background refresh, if the discovery runs one, before a process snapshot and waits for a refresh in
     * progress to end: no look-up may open a connection while the connections are being closed.
     * {@link #topology()} and {@link #refresh()} still look up when called. Default: nothing (no background refresh).
     */
    default void suspendRefresh() {
    }

    /** Lets the background refresh held by {@link #suspendRefresh()} run again, on its schedule. Default: nothing. */
    default void resumeRefresh() {
    }

    /**
     * Closes the connections this discovery keeps between look-ups (e.g. pooled API connections), before a process
     * snapshot: they are opened again by the next look-up. Default: nothing.
     */
    default void releaseConnections() {
    }

    /** Stops any background refresh and releases clients. Idempotent. */
    @Override
    default void close() {
    }
}
