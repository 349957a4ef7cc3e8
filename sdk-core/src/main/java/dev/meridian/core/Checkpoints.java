package dev.meridian.core;

import dev.meridian.core.spi.SnapshotParticipant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MultiRegion}'s participants around a process snapshot (see {@link MultiRegion#beforeCheckpoint()} and
 * {@link MultiRegion#afterRestore()}). Loaded only by a checkpoint or restore: kept off the first read (cold start).
 */
final class Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(MultiRegion.class);

    private Checkpoints() {
    }

    /** Every participant's quiesce, then every one's beforeCheckpoint, both dependents first. */
    static void before(List<SnapshotParticipant> participants) {
        List<SnapshotParticipant> dependentsFirst = new ArrayList<>(participants);
        Collections.reverse(dependentsFirst);
        for (SnapshotParticipant p : dependentsFirst) {
            try {
                p.quiesce();
            } catch (RuntimeException e) {
                LOG.warn("A Meridian part failed to stop its background work for the checkpoint ({}): {}", p,
                        e.toString());
            }
        }
        for (SnapshotParticipant p : dependentsFirst) {
            try {
                p.beforeCheckpoint();
            } catch (RuntimeException e) {
                LOG.warn("A Meridian part failed to prepare for the checkpoint ({}): {}", p, e.toString());
            }
        }
    }

    /** Every participant's afterRestore, in registration order. */
    static void after(List<SnapshotParticipant> participants) {
        for (SnapshotParticipant p : participants) {
            try {
                p.afterRestore();
            } catch (RuntimeException e) {
                LOG.warn("A Meridian part failed to refresh after the restore ({}): {}", p, e.toString());
            }
        }
    }
}
