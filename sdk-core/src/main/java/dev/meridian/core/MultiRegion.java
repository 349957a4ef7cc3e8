package dev.meridian.core;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.RegionControl;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.internal.Observations;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.routing.RoutingRandom;
import dev.meridian.core.spi.ClientProvider;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.core.spi.SnapshotParticipant;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * The Meridian runtime for one {@link MultiRegionConfig}, and its composition root, which plain
 * code, a Lambda handler and the Spring Boot starter all build the same way ({@code MultiRegion.builder(config)}).
 * It owns the circuit breakers, the router (the one place where the regions of a call are decided), the executor
 * (failover and hedging), the metrics and the clients it wrapped. This class is the runtime's user face: build,
 * {@link #wrap}, {@link #execute}, the health view ({@link #regions()}, {@link #status}), {@link #drain},
 * {@link #clock()} and {@link #close()}. Meridian's own modules reach the runtime's integration face — one attempt in
 * a chosen region, routing plans, residency checks, snapshot participation — through
 * {@link MultiRegionSpi#of(MultiRegion)}. Thread-safe; build one per configuration and share it. Nothing starts a
 * thread unless hedging, an active probe or a region control source is configured.
 *
 * <p>{@link #wrap} turns an AWS SDK v2 client interface into a multi-region client: the service module's own client
 * when one is on the classpath ({@link ClientProvider}; sdk-dynamodb serves {@code DynamoDbClient} and
 * {@code DynamoDbAsyncClient}), else a JDK proxy that classifies every call with an {@link OperationClassifier},
 * routes it and fails over. Per-region clients are built lazily by
 * your factory; give each one {@link RegionalClientDefaults#overrideConfiguration()} so that SDK retries (a DynamoDB
 * client retries a 503 up to 9 times by default) do not multiply with cross-region failover. Methods returning
 * {@code CompletableFuture} (async clients) fail over when the future fails.
 *
 * <p>Micrometer is optional: without {@link Builder#meterRegistry} nothing is recorded, and Meridian works when
 * Micrometer is absent from the classpath. With {@link Builder#observationRegistry} every regional attempt of a routed
 * call (failover, hedged and asynchronous attempts included) is an {@code Observation} named {@code meridian.call}
 * with the low-cardinality key values {@code region}, {@code operation}, {@code attempt} (1-based within the call)
 * and {@code outcome} ({@code success}, {@code regional_failure}, {@code caller_error}, {@code cancelled}), its error
 * recorded, and as its parent the observation current on the caller's thread when the call started (e.g. the HTTP
 * request's), whatever thread starts the attempt; without one no observation is created.
 */
@API(status = STABLE, since = "0.1")
public final class MultiRegion implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MultiRegion.class);

    private final MultiRegionConfig config;
    private final @Nullable Object meterRegistry;
    private final @Nullable Object observationRegistry;
    private final RegionHealth health;
    private final Router router;
    private final RegionalExecutor executor;
    private final RoutingRandom random;
    /** The fleet's region controls, or null when no control source is configured (then no control thread runs). */
    private final @Nullable RegionControl control;
    private final Integration integration;
    /** Clients wrapped by this runtime, closed with it (added by {@link ClientWrapping}). */
    final List<AutoCloseable> wrapped = new CopyOnWriteArrayList<>();
    private final List<SnapshotParticipant> snapshotParticipants = new CopyOnWriteArrayList<>();
    private volatile @Nullable HybridLogicalClock clock;
    volatile boolean closed;

    private MultiRegion(Builder b) {
        this.config = b.config;
        this.meterRegistry = b.meterRegistry;
        this.observationRegistry = b.observationRegistry;
        Metrics metrics = Metrics.forRegistry(b.meterRegistry);
        FailureClassifier classifier = b.classifier;
        this.health = new RegionHealth(config.regionList(), config.health(), metrics);
        this.random = b.random != null ? b.random : RoutingRandom.create();
        this.control = b.control == null ? null : startControl(b.control, metrics);
        this.router = new Router(config, health, new LatencyTracker(), random, metrics, control);
        this.executor = new RegionalExecutor(config, router, health, classifier, metrics,
                Observations.forRegistry(b.observationRegistry));
        this.integration = new Integration(this, executor, router, random, control);
        LOG.debug("Meridian runtime started: {}", config);
    }

    private RegionControl startControl(ControlConfig controlConfig, Metrics metrics) {
        ControlMeters meters = new ControlMeters(metrics);
        RegionControl rc = new RegionControl(controlConfig, config.regionList(), meters, Clock.systemUTC());
        meters.bind(rc, config.regionList());
        rc.start();
        return rc;
    }

    /** A builder of a runtime for {@code config}. */
    public static Builder builder(MultiRegionConfig config) {
        return new Builder(config);
    }

    /**
     * A multi-region client over per-region clients from {@code factory}, with its own runtime (closed when the
     * returned client is closed).
     */
    public static <C> C wrap(Class<C> iface, Function<Region, C> factory, MultiRegionConfig config,
            OperationClassifier classifier) {
        return ClientWrapping.wrap(iface, ClientWrapping.byRegion(factory), config, classifier);
    }

    /** As {@link #wrap(Class, Function, MultiRegionConfig, OperationClassifier)}; the factory sees the region's spec. */
    public static <C> C wrap(Class<C> iface, RegionalClientFactory<C> factory, MultiRegionConfig config,
            OperationClassifier classifier) {
        return ClientWrapping.wrap(iface, factory, config, classifier);
    }

    /** A multi-region client sharing this runtime's breakers and metrics; closed by {@link #close()}. */
    public <C> C wrapClient(Class<C> iface, Function<Region, C> factory, OperationClassifier classifier) {
        return ClientWrapping.proxy(this, iface, ClientWrapping.byRegion(factory), classifier, false);
    }

    /** As {@link #wrapClient(Class, Function, OperationClassifier)}; the factory sees the region's spec. */
    public <C> C wrapClient(Class<C> iface, RegionalClientFactory<C> factory, OperationClassifier classifier) {
        return ClientWrapping.proxy(this, iface, factory, classifier, false);
    }

    /** The configuration this runtime was built with. */
    public MultiRegionConfig config() {
        return config;
    }

    /**
     * Runs {@code call} in the regions of the routing plan for {@code op} under {@link RoutingContext#current()}:
     * residency, health and strategy decide the regions, every attempt goes through its region's circuit breaker,
     * and a failure the runtime's {@link FailureClassifier} calls regional moves on to the next region (for a
     * {@link OperationKind#WRITE} only when it was certainly not applied).
     *
     * @throws dev.meridian.core.residency.ResidencyViolationException when no region the data may live in can be
     *         planned
     * @throws NoRegionAvailableException when health leaves no region to try
     */
    public <T> T execute(Operation op, Function<Region, T> call) {
        return integration.execute(op, RoutingContext.current(), call);
    }

    /** See {@link MultiRegionSpi#execute(Operation, RoutingContext, Function)}. */
    <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call) {
        return integration.execute(op, ctx, call);
    }

    /**
     * As {@link #execute(Operation, Function)} for calls returning futures: fails over when a future fails; the
     * context is captured now and made current for every attempt. Planning failures complete the future
     * exceptionally.
     */
    public <T> CompletableFuture<T> executeAsync(Operation op, Function<Region, CompletableFuture<T>> call) {
        return integration.executeAsync(op, RoutingContext.current(), call);
    }

    /** See {@link MultiRegionSpi#executeAsync(Operation, RoutingContext, Function)}. */
    <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
            Function<Region, CompletableFuture<T>> call) {
        return integration.executeAsync(op, ctx, call);
    }

    /** See {@link MultiRegionSpi#plan}. */
    RoutingPlan plan(Operation op, RoutingContext ctx) {
        return router.plan(op, ctx);
    }

    /** The health of every configured region, in configuration order. */
    public List<RegionStatus> regions() {
        List<RegionStatus> out = new ArrayList<>(config.regionList().size());
        for (Region r : config.regionList()) {
            out.add(status(r));
        }
        return out;
    }

    /** The health of one configured region. */
    public RegionStatus status(Region region) {
        return RuntimeViews.status(config, health, router.latency(), control, requireRegion(region));
    }

    /** Takes a region out of every routing plan (calls in flight finish) until {@link #undrain}. */
    public void drain(Region region) {
        health.drain(requireRegion(region));
    }

    /** Puts a drained region back into routing plans. */
    public void undrain(Region region) {
        health.undrain(requireRegion(region));
    }

    /**
     * Forgets what this runtime learned about the regions — breaker states and latency estimates — as after a
     * restore from a snapshot, where the past no longer describes the network. Drained regions stay drained.
     */
    public void resetHealth() {
        health.reset();
        router.latency().reset();
    }

    /** See {@link MultiRegionSpi#onSnapshot}. */
    SnapshotParticipant.Registration onSnapshot(SnapshotParticipant participant) {
        Objects.requireNonNull(participant, "participant");
        if (closed) {
            throw new IllegalStateException("MultiRegion runtime is closed");
        }
        snapshotParticipants.add(participant);
        return new Registered(snapshotParticipants, participant);
    }

    /** A participant's registration; a class rather than a lambda, spun by every routed client's build. */
    private static final class Registered implements SnapshotParticipant.Registration {
        private final List<SnapshotParticipant> participants;
        private final SnapshotParticipant participant;

        Registered(List<SnapshotParticipant> participants, SnapshotParticipant participant) {
            this.participants = participants;
            this.participant = participant;
        }

        @Override
        public void close() {
            participants.remove(participant);
        }
    }

    /**
     * Before a checkpoint, in two phases so that nothing reopens what is being closed: first the background work is
     * held — the health probe's rounds (a round in progress ends first), then every registered participant's
     * {@link SnapshotParticipant#quiesce()} — and only then every participant's
     * {@link SnapshotParticipant#beforeCheckpoint()}. Both phases run the participants in reverse registration order,
     * as a container shuts down dependents before what they depend on: a part built on another (a lag probe on the
     * routed client's per-region clients) registers after it, and is held before those clients are closed.
     */
    void beforeCheckpoint() {
        health.suspendProbe();
        Checkpoints.before(snapshotParticipants);
    }

    /**
     * After a restore: a new clock node id and a fresh clock reading, health forgotten ({@link #resetHealth()}), the
     * routing random source reseeded from the OS entropy source, every registered participant's
     * {@link SnapshotParticipant#afterRestore()} in registration order (what a part depends on is restored before the
     * part), then the health probe's rounds resumed.
     *
     * @return the clock's new node id
     */
    String afterRestore() {
        String nodeId = clock().regenerateNodeId();
        clock().now();
        resetHealth();
        random.reseed();
        Checkpoints.after(snapshotParticipants);
        health.resumeProbe();
        return nodeId;
    }

    /** See {@link MultiRegionSpi#circuitBreakers}. */
    CircuitBreakerRegistry circuitBreakers() {
        return health.registry();
    }

    /** This runtime's integration face, for {@link MultiRegionSpi#of(MultiRegion)}. */
    Integration integration() {
        return integration;
    }

    /** The executor of this runtime's calls (its process-stall meter, for tests that stall the process). */
    RegionalExecutor executor() {
        return executor;
    }

    /** {@code region}, when it is one of the configured regions. */
    Region requireRegion(Region region) {
        Objects.requireNonNull(region, "region");
        if (!config.contains(region)) {
            throw RuntimeViews.notConfigured(config, region);
        }
        return region;
    }

    /** The hybrid logical clock of this runtime (created on first use). */
    public HybridLogicalClock clock() {
        HybridLogicalClock c = clock;
        if (c == null) {
            synchronized (this) {
                if (clock == null) {
                    clock = HybridLogicalClock.system();
                }
                c = clock;
            }
        }
        return c;
    }

    /** See {@link MultiRegionSpi#meterRegistry()}. */
    Optional<MeterRegistry> meterRegistry() {
        return meterRegistry == null ? Optional.empty() : Optional.of((MeterRegistry) meterRegistry);
    }

    /** See {@link MultiRegionSpi#observationRegistry()}. */
    Optional<ObservationRegistry> observationRegistry() {
        return observationRegistry == null ? Optional.empty()
                : Optional.of((ObservationRegistry) observationRegistry);
    }

    /**
     * Closes every client wrapped by this runtime, the hedge threads, the stall meter's thread and the health probe.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable c : wrapped) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Closing a wrapped client failed: {}", e.toString());
            }
        }
        wrapped.clear();
        snapshotParticipants.clear();
        executor.close();
        health.close();
        if (control != null) {
            control.close();
        }
    }

    /** Builder for {@link MultiRegion}; not thread-safe. */
    public static final class Builder {
        private final MultiRegionConfig config;
        private @Nullable Object meterRegistry;
        private @Nullable Object observationRegistry;
        private FailureClassifier classifier = FailureClassifier.aws();
        private @Nullable RoutingRandom random;
        private @Nullable ControlConfig control;

        private Builder(MultiRegionConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Records Meridian's meters there (kept as Object so that Micrometer stays optional). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /**
         * Observes every regional attempt there as a {@code meridian.call} observation (kept as Object so that
         * Micrometer stays optional); without it nothing is observed.
         */
        public Builder observationRegistry(ObservationRegistry registry) {
            this.observationRegistry = registry;
            return this;
        }

        /** Replaces {@link FailureClassifier#aws()} (e.g. a JDBC classifier). */
        public Builder failureClassifier(FailureClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /**
         * The random source of routing's draws instead of one seeded from the OS entropy source: a
         * {@link RoutingRandom#seeded seeded} one makes two runtimes draw alike, as two copies of one snapshot would.
         */
        Builder routingRandom(RoutingRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Follows the fleet's region controls ({@link ControlConfig}): a region its source turns OFF leaves every plan
         * of this runtime (as {@link MultiRegion#drain} does locally), its weights drive the weighted strategy. Starts
         * one daemon thread ({@code meridian-control}), stopped by {@link MultiRegion#close()}.
         */
        public Builder control(ControlConfig control) {
            this.control = Objects.requireNonNull(control, "control");
            return this;
        }

        public MultiRegion build() {
            return new MultiRegion(this);
        }
    }
}
