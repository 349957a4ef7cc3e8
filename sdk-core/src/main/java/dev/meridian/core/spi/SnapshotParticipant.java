package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import org.apiguardian.api.API;

/**
 * Something built on a {@link dev.meridian.core.MultiRegion} runtime that must act around a process snapshot (CRaC, Lambda SnapStart):
 * a routed client closing its per-region clients, a data source closing its pools, a cache of remote facts forgetting
 * them. Registered with {@link MultiRegionSpi#onSnapshot}, so that one {@link dev.meridian.core.SnapshotHooks} of the runtime reaches every
 * such part without the application listing them. Implementations must be thread-safe; a hook that throws is logged
 * and does not stop the others.
 *
 * <p>Order: before a checkpoint every participant is {@linkplain #quiesce() quiesced}, then every participant's
 * {@link #beforeCheckpoint()} runs, both in reverse registration order (a part built on another registers after it
 * and is stopped first); after a restore {@link #afterRestore()} runs in registration order.
 */
@API(status = INTERNAL, since = "0.1")
public interface SnapshotParticipant {

    /**
     * Before a checkpoint, first phase: stop background work that would use connections (hold a probe's rounds and
     * wait for the one in progress). Every participant is quiesced before any is asked to
     * {@linkplain #beforeCheckpoint() close}, so nothing reopens what another participant closes.
     */
    default void quiesce() {
    }

    /**
     * Before a checkpoint, second phase: close what must not be in a snapshot (open connections, pools) so that it is
     * reopened lazily on first use after the restore.
     */
    default void beforeCheckpoint() {
    }

    /**
     * After a restore: forget what describes the network or the process of the snapshot rather than of now (cached
     * topology, measurements, per-instance ids), so the first use looks it up or draws it again.
     */
    default void afterRestore() {
    }

    /** What {@link MultiRegionSpi#onSnapshot} returns: closing it unregisters the participant. Idempotent. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
