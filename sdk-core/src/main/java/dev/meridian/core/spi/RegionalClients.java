package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.CallerRelease;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientFactory;
import dev.meridian.core.internal.SettingRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.regions.Region;

/**
 * The per-region clients of one service (one AWS SDK client per configured region), each built on first use by a
 * {@link RegionalClientFactory} — so a cold start builds only the clients its first calls need — and closed
 * together by {@link #close()}. One instance is shared by everything that talks to that service in a runtime: the
 * routed client and the features built on it (idempotency store, LWW writes, counters, probes). Thread-safe: a
 * client is built at most once per region.
 *
 * @param <C> the client type
 */
@API(status = INTERNAL, since = "0.1")
public final class RegionalClients<C> implements SnapshotParticipant, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionalClients.class);

    private final String service;
    private final RegionalClientFactory<C> factory;
    private final Map<Region, Slot> slots;
    /**
     * The same slots in configuration order, for the lookups every call makes (three or four per attempt): found by an
     * identity scan, which for a handful of regions is cheaper than hashing ({@link Region} compares by identity).
     */
    private final List<Slot> slotList;
    /** {@link #isCold}, one instance for every call's executor. */
    private final Predicate<Region> cold = new Cold<>(this);
    private volatile boolean closed;

    /**
     * Clients of {@code service} (a name for messages, e.g. {@code DynamoDbClient}) for every region of
     * {@code config}, built by {@code factory}.
     */
    public RegionalClients(String service, MultiRegionConfig config, RegionalClientFactory<C> factory) {
        this.service = Objects.requireNonNull(service, "service");
        this.factory = Objects.requireNonNull(factory, "factory");
        Map<Region, Slot> m = new LinkedHashMap<>();
        for (RegionSpec spec : Objects.requireNonNull(config, "config").regions()) {
            m.put(spec.region(), new Slot(spec));
        }
        this.slots = m;
        this.slotList = new ArrayList<>(m.values());
    }

    /**
     * The client of a configured region, built now if this is its first use.
     *
     * @throws IllegalArgumentException when the region is not configured
     * @throws IllegalStateException when these clients are closed or the factory returned {@code null}
     */
    public C get(Region region) {
        Slot slot = slot(Objects.requireNonNull(region, "region"));
        if (slot == null) {
            throw SettingRules.invalid("region", "must be one of the configured regions " + slots.keySet(),
                    SettingRules.quoted(region.id()), "pass a configured region");
        }
        return slot.get();
    }

    /**
     * Whether the region's client has not answered a call yet (not built, or built and never answered): its next
     * attempt pays the client's start-up, which is not the region's slowness (see
     * {@link MultiRegionConfig#firstAttemptTimeout()}). Unknown regions are not cold.
     */
    boolean isCold(Region region) {
        Slot slot = slot(region);
        return slot != null && !slot.started;
    }

    /**
     * {@link #isCold} as the runtime's executor takes it ({@link MultiRegionSpi#execute(dev.meridian.core.routing.Operation,
     * dev.meridian.core.routing.RoutingContext, java.util.function.Function, Predicate)}): a read whose first attempt
     * goes through a cold client is hedged later, and that attempt's time is not held against the region.
     */
    public Predicate<Region> cold() {
        return cold;
    }

    private @Nullable Slot slot(Region region) {
        for (int i = 0, n = slotList.size(); i < n; i++) {
            Slot s = slotList.get(i);
            if (s.spec.region() == region) {
                return s;
            }
        }
        return null;
    }

    /**
     * Whether the region's client can be released mid-call by a won hedge
     * ({@link CallerRelease#releasesCallers}), building it now if this is its first use (the attempt about
     * to run needs it); false for an unknown region or a client that cannot be built (the attempt will report why).
     */
    public boolean isReleasable(Region region) {
        Slot slot = slots.get(region);
        if (slot == null) {
            return false;
        }
        try {
            slot.get();
        } catch (RuntimeException e) {
            return false;
        }
        return slot.releasable;
    }

    /**
     * {@code request} with {@code budget} (the runtime's {@link MultiRegionConfig#firstAttemptTimeout()}) as its
     * timeouts while the region's client has not answered a call yet, else {@code request} itself: for integrations
     * that call the per-region clients themselves rather than through {@link RoutedClient}.
     */
    public <Q> Q firstAttempt(Region region, Q request, Duration budget) {
        return isCold(region) ? FirstAttempt.budgeted(request, get(region), budget) : request;
    }

    /**
     * Calls {@code call} with the region's client and {@code request}; while the client has not answered a call yet,
     * with {@code budget} (the runtime's {@link MultiRegionConfig#firstAttemptTimeout()}) as the request's timeouts, as
     * {@link #firstAttempt} does, and that budget also for the client's first connection: an attempt that ends because
     * the client's connection pool had no connection yet (the Netty client's acquire timeout, nothing sent) is sent
     * again within the rest of the budget, where the pool's first connect goes on. For asynchronous calls of
     * integrations that call the per-region clients themselves rather than through {@link RoutedClient}.
     */
    public <Q, S> CompletableFuture<S> firstAttemptAsync(Region region, Q request, Duration budget,
            BiFunction<? super C, Q, CompletableFuture<S>> call) {
        C client = get(region);
        return isCold(region) ? ColdConnect.attempt(client, request, budget, call) : call.apply(client, request);
    }

    /** Records that the region's client got an answer from the service (a response or a service error). */
    public void answered(Region region) {
        Slot slot = slot(region);
        // Written once, not after every answer: a volatile store is a full fence on the per-call path.
        if (slot != null && !slot.started && slot.client != null) {
            slot.started = true;
        }
    }

    /**
     * Records the outcome of an attempt through the region's client: a response ({@code failure} null) or a service
     * error ({@link SdkServiceException}, maybe wrapped by the attempt's future) is an answer, so the client is no
     * longer cold; a failure that got no answer (a timeout, a refused connection) leaves it cold.
     */
    public void attempted(Region region, @Nullable Throwable failure) {
        if (failure == null || unwrapCompletion(failure) instanceof SdkServiceException) {
            answered(region);
        }
    }

    /** The failure a future completed with, without the wrappers the future added. */
    private static Throwable unwrapCompletion(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Closes every client built so far and forgets it, leaving these clients open: the next {@link #get} of a region
     * builds a new one. For a process snapshot (CRaC, Lambda SnapStart), which must not hold open connections.
     */
    private void evict() {
        for (Slot s : slots.values()) {
            s.close();
        }
    }

    /**
     * Closes every client built so far (see {@link dev.meridian.core.SnapshotHooks}); each is rebuilt on its region's
     * next use. Register these clients with {@link MultiRegionSpi#onSnapshot} for that to happen before a checkpoint.
     */
    @Override
    public void beforeCheckpoint() {
        evict();
    }

    /** Closes every client built so far (those that are {@link AutoCloseable}); idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Slot s : slots.values()) {
            s.close();
        }
    }

    @Override
    public String toString() {
        return "RegionalClients<" + service + ">" + slots.keySet();
    }

    /** {@link RegionalClients#isCold}; a class rather than a method reference, spun by every cold start's build. */
    private static final class Cold<C> implements Predicate<Region> {
        private final RegionalClients<C> clients;

        Cold(RegionalClients<C> clients) {
            this.clients = clients;
        }

        @Override
        public boolean test(Region region) {
            return clients.isCold(region);
        }
    }

    private final class Slot {
        private final RegionSpec spec;
        private volatile C client;
        /** Whether the current client answered a call; a client built anew (after a snapshot) starts cold again. */
        private volatile boolean started;
        /** Whether the current client can be released mid-call ({@link CallerRelease#releasesCallers}). */
        private volatile boolean releasable;

        Slot(RegionSpec spec) {
            this.spec = spec;
        }

        C get() {
            C c = client;
            if (c != null && !closed) {
                return c;
            }
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("The multi-region " + service + " is closed");
                }
                if (client == null) {
                    C created = factory.create(spec.region(), spec);
                    if (created == null) {
                        throw new IllegalStateException("The " + service + " factory returned null for region "
                                + spec.region().id());
                    }
                    releasable = CallerRelease.releasesCallers(created);
                    client = created;
                }
                return client;
            }
        }

        synchronized void close() {
            C c = client;
            client = null;
            started = false;
            releasable = false;
            if (c instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.warn("Closing the {} of region {} failed: {}", service, spec.region().id(), e.toString());
                }
            }
        }
    }
}
