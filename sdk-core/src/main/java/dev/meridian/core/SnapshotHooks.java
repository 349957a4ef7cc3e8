package dev.meridian.core;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.spi.RegionalClients;
import dev.meridian.core.spi.SnapshotParticipant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a Meridian runtime safe to snapshot and restore (CRaC, AWS Lambda SnapStart): a CRaC {@link Resource} that
 *
 * <ul>
 *   <li><b>before a checkpoint</b> runs the optional {@linkplain Builder#priming priming} (e.g. a first request, so
 *       its classes are loaded and initialized in the snapshot, as Powertools for AWS Lambda does), holds every
 *       background thread that would connect (the health probe, then each participant's
 *       {@link SnapshotParticipant#quiesce()}, e.g. sdk-dynamodb's lag probe and sdk-aurora's topology refresh), and
 *       only then closes every per-region client built so far — those of every routed client and data source built
 *       on the runtime ({@link SnapshotParticipant#beforeCheckpoint()}, e.g. sdk-dynamodb's clients and sdk-aurora's
 *       connection pools), then those {@linkplain Builder#clients given here}: no open connection goes into the
 *       snapshot, and each is reopened on first use after the restore. Participants run in reverse registration
 *       order in both phases (dependents before what they depend on);</li>
 *   <li><b>after a restore</b> regenerates the hybrid logical clock's node id (every copy restored from one snapshot
 *       would otherwise share it, and with it the tie-break of equal stamps) and re-reads the wall clock into it,
 *       forgets the breaker states and latency estimates ({@link MultiRegion#resetHealth()}: they describe the network
 *       of the snapshot, not of now; drained regions stay drained), reseeds the random source of weighted and latency
 *       routing from the OS entropy source ({@link dev.meridian.core.routing.RoutingRandom}: restored copies would
 *       otherwise make the same draws), lets every participant, in registration order, forget what it cached
 *       (sdk-dynamodb's {@code DescribeTable} results, sdk-aurora's topology, both modules' read-your-writes marks)
 *       and resume its threads, resumes the health probe, and runs the {@linkplain Builder#afterRestore after-restore
 *       hooks} of the application.</li>
 * </ul>
 *
 * <pre>{@code
 * this.hooks = SnapshotHooks.builder(runtime)
 *         .priming(() -> handler.handleRequest(warmUpEvent, context)).build().register();
 * }</pre>
 *
 * <p>Keep a reference to the registered hooks (a field of the handler): CRaC contexts may hold resources weakly.
 * Needs {@code org.crac:crac} (an optional dependency of sdk-core) on the classpath; without a CRaC runtime its
 * {@link Core#getGlobalContext() global context} never calls the hooks, so registering is harmless. Tests call
 * {@link #beforeCheckpoint} and {@link #afterRestore} directly. A failing priming or hook is logged and does not stop
 * the checkpoint or the restore. Idle hedging threads and the held threads stay in a snapshot, holding no connection.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SnapshotHooks implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotHooks.class);

    private final MultiRegion runtime;
    private final List<RegionalClients<?>> clients;
    private final @Nullable Runnable priming;
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
        // The runtime first holds the health probe (after its round in progress), which may use the clients given here.
        runtime.beforeCheckpoint();
        for (RegionalClients<?> c : clients) {
            c.beforeCheckpoint();
        }
        LOG.info("Meridian closed its per-region clients and pools before the checkpoint");
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        String nodeId = runtime.afterRestore();
        for (Runnable hook : afterRestore) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                LOG.warn("A Meridian after-restore hook failed: {}", e.toString());
            }
        }
        LOG.info("Meridian restored: new clock node id {}, breakers, latency estimates, routing random seed and cached"
                + " topology reset", nodeId);
    }

    /** Builder for {@link SnapshotHooks}; not thread-safe. */
    public static final class Builder {
        private final MultiRegion runtime;
        private final List<RegionalClients<?>> clients = new ArrayList<>();
        private @Nullable Runnable priming;
        private final List<Runnable> afterRestore = new ArrayList<>();

        private Builder(MultiRegion runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
        }

        /**
         * Per-region clients to close (and rebuild on next use) around a checkpoint, besides those of the routed
         * clients built on the runtime (closed anyway): e.g. clients only the application's own code uses.
         * {@link RegionalClients} belongs to the integration SPI, hence this method's status.
         */
        @API(status = INTERNAL, since = "0.1")
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

        /**
         * Work to run after a restore, after the runtime and its participants are reset (e.g. refresh an application
         * cache, or regenerate an id of its own).
         */
        public Builder afterRestore(Runnable hook) {
            this.afterRestore.add(Objects.requireNonNull(hook, "hook"));
            return this;
        }

        /** The hooks; {@link #register()} them. */
        public SnapshotHooks build() {
            return new SnapshotHooks(this);
        }
    }
}
