package dev.meridian.core;

import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.RegionalExecutor;
import dev.meridian.core.health.RegionHealth;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Router;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * The Meridian runtime for one {@link MultiRegionConfig}: owns the {@link RegionHealth} (breakers), the
 * {@link Router}, the {@link RegionalExecutor}, the metrics and the clients it wrapped. Thread-safe; build one per
 * configuration and share it. Nothing starts a thread unless hedging or an active probe is configured.
 *
 * <p>{@link #wrap} turns any AWS SDK v2 client interface into a multi-region client: a JDK proxy that classifies
 * every call with an {@link OperationClassifier}, routes it and fails over. Per-region clients are built lazily by
 * your factory; give each one {@link RegionalClientDefaults#overrideConfiguration()} so that SDK retries (a DynamoDB
 * client retries a 503 up to 9 times by default) do not multiply with cross-region failover. Methods returning
 * {@code CompletableFuture} (async clients) fail over when the future fails.
 *
 * <p>Micrometer is optional: without {@link Builder#meterRegistry} nothing is recorded, and Meridian works when
 * Micrometer is absent from the classpath.
 */
public final class MultiRegion implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MultiRegion.class);

    private final MultiRegionConfig config;
    private final Object meterRegistry;
    private final RegionHealth health;
    private final Router router;
    private final RegionalExecutor executor;
    private final List<AutoCloseable> wrapped = new CopyOnWriteArrayList<>();
    private volatile HybridLogicalClock clock;
    private volatile boolean closed;

    private MultiRegion(Builder b) {
        this.config = b.config;
        this.meterRegistry = b.meterRegistry;
        Metrics metrics = Metrics.forRegistry(b.meterRegistry);
        FailureClassifier classifier = b.classifier;
        this.health = new RegionHealth(config.regionList(), config.health(),
                t -> classifier.classify(t).isRegional(), metrics);
        this.router = new Router(config, health, new LatencyTracker(), metrics);
        this.executor = new RegionalExecutor(config, router, health, classifier, metrics);
        LOG.debug("Meridian runtime started: {}", config);
    }

    public static Builder builder(MultiRegionConfig config) {
        return new Builder(config);
    }

    /**
     * A multi-region client over per-region clients from {@code factory}, with its own runtime (closed when the
     * returned client is closed).
     */
    public static <C> C wrap(Class<C> iface, Function<Region, C> factory, MultiRegionConfig config,
            OperationClassifier classifier) {
        Objects.requireNonNull(factory, "factory");
        return wrap(iface, (region, spec) -> factory.apply(region), config, classifier);
    }

    /** As {@link #wrap(Class, Function, MultiRegionConfig, OperationClassifier)}; the factory sees the region's spec. */
    public static <C> C wrap(Class<C> iface, RegionalClientFactory<C> factory, MultiRegionConfig config,
            OperationClassifier classifier) {
        MultiRegion runtime = builder(config).build();
        try {
            return runtime.proxy(iface, factory, classifier, true);
        } catch (RuntimeException e) {
            // Nobody else holds this runtime: close it, or a configured health probe would keep its thread.
            runtime.close();
            throw e;
        }
    }

    /** A multi-region client sharing this runtime's breakers and metrics; closed by {@link #close()}. */
    public <C> C wrapClient(Class<C> iface, Function<Region, C> factory, OperationClassifier classifier) {
        Objects.requireNonNull(factory, "factory");
        return wrapClient(iface, (region, spec) -> factory.apply(region), classifier);
    }

    /** As {@link #wrapClient(Class, Function, OperationClassifier)}; the factory sees the region's spec. */
    public <C> C wrapClient(Class<C> iface, RegionalClientFactory<C> factory, OperationClassifier classifier) {
        return proxy(iface, factory, classifier, false);
    }

    private <C> C proxy(Class<C> iface, RegionalClientFactory<C> factory, OperationClassifier classifier,
            boolean ownsRuntime) {
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(classifier, "classifier");
        if (!iface.isInterface()) {
            throw new IllegalArgumentException(iface.getName() + " is not an interface");
        }
        if (closed) {
            throw new IllegalStateException("MultiRegion runtime is closed");
        }
        ClientRouter<C> router = new ClientRouter<>(iface, this, ownsRuntime, factory, classifier);
        wrapped.add(router);
        return router.proxy();
    }

    public MultiRegionConfig config() {
        return config;
    }

    public Router router() {
        return router;
    }

    public RegionHealth health() {
        return health;
    }

    public RegionalExecutor executor() {
        return executor;
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

    public Optional<MeterRegistry> meterRegistry() {
        return meterRegistry == null ? Optional.empty() : Optional.of((MeterRegistry) meterRegistry);
    }

    /** Closes every client wrapped by this runtime, the hedge threads and the health probe. Idempotent. */
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
        executor.close();
        health.close();
    }

    /** Builder for {@link MultiRegion}; not thread-safe. */
    public static final class Builder {
        private final MultiRegionConfig config;
        private Object meterRegistry;
        private FailureClassifier classifier = FailureClassifier.aws();

        private Builder(MultiRegionConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Records Meridian's meters there (kept as Object so that Micrometer stays optional). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /** Replaces {@link FailureClassifier#aws()} (e.g. a JDBC classifier). */
        public Builder failureClassifier(FailureClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        public MultiRegion build() {
            return new MultiRegion(this);
        }
    }
}
