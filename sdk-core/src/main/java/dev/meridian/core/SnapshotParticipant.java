package dev.meridian.core;

/**
 * Something built on a {@link MultiRegion} runtime that must act around a process snapshot (CRaC, Lambda SnapStart):
 * a routed client closing its per-region clients, a data source closing its pools, a cache of remote facts forgetting
 * them. Registered with {@link MultiRegion#onSnapshot}, so that one {@link SnapshotHooks} of the runtime reaches every
 * such part without the application listing them. Implementations must be thread-safe; a hook that throws is logged
 * and does not stop the others.
 */
public interface SnapshotParticipant {

    /**
     * Before a checkpoint: close what must not be in a snapshot (open connections, pools) so that it is reopened
     * lazily on first use after the restore.
     */
    default void beforeCheckpoint() {
    }

    /**
     * After a restore: forget what describes the network or the process of the snapshot rather than of now (cached
     * topology, measurements, per-instance ids), so the first use looks it up or draws it again.
     */
    default void afterRestore() {
    }

    /** What {@link MultiRegion#onSnapshot} returns: closing it unregisters the participant. Idempotent. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
