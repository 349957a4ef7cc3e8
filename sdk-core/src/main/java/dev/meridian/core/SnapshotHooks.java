package dev.meridian.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a Meridian runtime safe to snapshot and restore (CRaC, AWS Lambda SnapStart): a CRaC {@link Resource} that
 *
 * <ul>
 *   <li><b>before a checkpoint</b> runs the optional {@linkplain Builder#priming priming} (e.g. a first request, so
 *       its classes are loaded and initialized in the snapshot, as Powertools for AWS Lambda does), then closes every
 *       per-region client built so far ({@link RegionalClients}): no open connection goes into the snapshot, and the
 *       clients are rebuilt on their region's first call after the restore;</li>
 *   <li><b>after a restore</b> regenerates the hybrid logical clock's node id (every copy restored from one snapshot
 *       would otherwise share it, and with it the tie-break of equal stamps) and re-reads the wall clock into it,
 *       forgets the breaker states and latency estimates ({@link MultiRegion#resetHealth()}: they describe the network
 *       of the snapshot, not of now; drained regions stay drained), and runs the
 *       {@linkplain Builder#afterRestore after-restore hooks} (e.g. to refresh a cached topology).</li>
 * </ul>
 *
 * <pre>{@code
 * this.hooks = SnapshotHooks.builder(runtime).clients(regionalClients)
 *         .priming(() -> handler.handleRequest(warmUpEvent, context)).build().register();
 * }</pre>
 *
 * <p>Keep a reference to the registered hooks (a field of the handler): CRaC contexts may hold resources weakly.
 * Needs {@code org.crac:crac} (an optional dependency of sdk-core) on the classpath; without a CRaC runtime its
 * {@link Core#getGlobalContext() global context} never calls the hooks, so registering is harmless. Tests call
 * {@link #beforeCheckpoint} and {@link #afterRestore} directly. A failing priming or hook is logged and does not stop
 * the checkpoint or the restore. Idle hedging and probe threads may stay in a snapshot: they hold no connection.
 */
public final class SnapshotHooks implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotHooks.class);

    private final MultiRegion runtime;
    private final List<RegionalClients<?>> clients;
    private final Runnable priming;
    private final List<Runnable> afterRestore;

    private SnapshotHooks(Builder b) {
        this.runtime = b.runtime;
        this.clients = List.copyOf(b.clients);
        this.priming = b.priming;
        this.afterRestore = List.copyOf(b.afterRestore);
    }

    /** Hooks for {@code runtime}; add the per-region clients to close before a checkpoint. */
    public static Builder builder(MultiRegion runtime) {
        return new Builder(runtime);
    }

    /** Registers these hooks with the CRaC global context and returns them (keep the reference). */
    public SnapshotHooks register() {
        Core.getGlobalContext().register(this);
        return this;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        if (priming != null) {
            try {
                priming.run();
                LOG.info("Meridian primed before the checkpoint");
            } catch (RuntimeException e) {
                LOG.warn("Meridian priming before the checkpoint failed: {}", e.toString());
            }
        }
        for (RegionalClients<?> c : clients) {
            c.evict();
        }
        LOG.info("Meridian closed its per-region clients before the checkpoint");
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        String nodeId = runtime.clock().regenerateNodeId();
        runtime.clock().now();
        runtime.resetHealth();
        for (Runnable hook : afterRestore) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                LOG.warn("A Meridian after-restore hook failed: {}", e.toString());
            }
        }
        LOG.info("Meridian restored: new clock node id {}, breakers and latency estimates reset", nodeId);
    }

    /** Builder for {@link SnapshotHooks}; not thread-safe. */
    public static final class Builder {
        private final MultiRegion runtime;
        private final List<RegionalClients<?>> clients = new ArrayList<>();
        private Runnable priming;
        private final List<Runnable> afterRestore = new ArrayList<>();

        private Builder(MultiRegion runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
        }

        /** Per-region clients to close (and rebuild on next use) around a checkpoint. */
        public Builder clients(RegionalClients<?>... clients) {
            for (RegionalClients<?> c : Objects.requireNonNull(clients, "clients")) {
                this.clients.add(Objects.requireNonNull(c, "clients element"));
            }
            return this;
        }

        /** Work to run before the checkpoint, before the clients are closed (e.g. one warm-up request). */
        public Builder priming(Runnable priming) {
            this.priming = Objects.requireNonNull(priming, "priming");
            return this;
        }

        /** Work to run after a restore, after the clock and health are reset (e.g. refresh a cached topology). */
        public Builder afterRestore(Runnable hook) {
            this.afterRestore.add(Objects.requireNonNull(hook, "hook"));
            return this;
        }

        public SnapshotHooks build() {
            return new SnapshotHooks(this);
        }
    }
}
