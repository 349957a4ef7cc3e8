package dev.meridian.aurora.datasource;

import dev.meridian.aurora.topology.AuroraTopology;
import dev.meridian.aurora.topology.WriterDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.spi.RegionalBind;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.core.spi.MultiRegionSpi;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * Takes physical connections for {@link RoutingDataSource}: it knows how to open a connection to one region's reader
 * or to the writer; which region a read tries, in what order, and whether a failure moves it on are sdk-core's
 * decisions (one routing brain).
 *
 * <p>Reads: a read-your-writes session goes to the writer (unless the context excludes the writer's region); a read
 * under a session token ({@code RoutingContext.session()}: the caller's writes, e.g. from a {@code Meridian-Session}
 * header) is served only by a reader that, asked on its connection ({@code LagProbe.replayedUpTo}, lag monitoring on),
 * has replayed every commit up to a time after the token's latest stamp (the one writer's commits replay in order), else by the writer, else refused
 * ({@link SQLTransientConnectionException} naming the token); otherwise one {@code MultiRegionSpi.bind} over the read plan (residency, health, strategy and the context's excluded
 * regions applied there; regions without a reader endpoint left out; at most {@code maxRegionsPerCall} readers
 * tried), where a region whose reader breaker is open or whose pool fails is passed, and so is one whose last lag
 * measurement does not prove it within the bound (measured lag plus the measurement's age, {@link LagMonitor}); then
 * the writer, if residency allows the writer's region for this read and the context does not exclude it.
 * Writes: the current writer, after {@code MultiRegionSpi.checkResidency} of the whole global cluster; if the writer
 * refuses connections the topology is refreshed and a moved writer is tried once. A wait for a writer connection
 * that lasts {@code writerCheckInterval} has the topology looked up again ({@link WriterWatch}); when the writer
 * moved, every wait on the old one is abandoned at once and connects to the new writer instead of waiting out the
 * old pool's {@code connectionTimeout}.
 *
 * <p>Why {@code MultiRegionSpi.bind} rather than a cursor over the plan that this class would step through: with a
 * cursor the loop — when to stop, what the budget is, which failure moves on — would still be written here, once
 * more, beside the executor's. {@code bind} is the executor's own walk (the same {@code Failover} bookkeeping); the
 * two things a connection needs that a routed call does not, a region left out because it has no reader and a
 * reader turned down because it lags, are answers of the work ({@link RegionalBind}), not decisions.
 *
 * <p>A footprint check that matters (RESTRICTED data, or a context residency limits) uses a topology looked up at
 * most {@code footprintMaxAge} ago: when the last look-up this binder made or asked for is older, the topology is
 * looked up again first (one look-up at a time; concurrent checks wait for it and use its result). So a secondary
 * region added to the global cluster is seen within {@code footprintMaxAge} by RESTRICTED writes even with background
 * refresh off, at the cost of at most one look-up per {@code footprintMaxAge} while such writes run. A look-up that
 * fails keeps the last known topology (as every refresh does) and is not retried before {@code footprintMaxAge}.
 *
 * <p>Every connection attempt goes through the runtime's breaker for {@value #READER_RESOURCE} or
 * {@value #WRITER_RESOURCE} of the endpoint's region ({@code MultiRegionSpi.bind} for readers, {@code MultiRegionSpi.attempt}
 * for the writer), timed, and classified by {@link SqlFailures#CONNECTING}: an {@link SQLException} while taking a
 * connection is a regional failure, an interrupted wait aborts the call without blaming the endpoint. Connection
 * failures of running statements are recorded against the same breaker ({@link SqlFailures#STATEMENTS}). An open
 * reader breaker skips the reader; an open writer breaker fails at once with {@link WriterUnavailableException},
 * without refreshing the topology (a refresh may itself wait on the dead node). Draining a region removes its reader
 * from read plans; it does not stop writes to a writer in that region (a global database has one writer: move it
 * with a switchover). Thread-safe.
 */
final class ConnectionBinder implements PhysicalConnections, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionBinder.class);
    static final String READER_RESOURCE = "aurora-reader";
    static final String WRITER_RESOURCE = "aurora-writer";

    private final MultiRegionSpi multiRegion;
    private final WriterDiscovery discovery;
    private final EndpointPools pools;
    private final Operation readOperation;
    private final Operation writeOperation;
    /**
     * The operations of connection attempts: reader and writer are separate endpoints, each with its own breaker per
     * region, whatever the health configuration says about per-resource breakers.
     */
    private final Operation readAttempt;
    private final Operation writeAttempt;
    private final @Nullable LagMonitor lagMonitor;
    private final @Nullable Duration maxReplicaLag;
    private final @Nullable RecentWriters recentWriters;
    private final JdbcMetrics metrics;
    private final AtomicReference<Endpoint> lastWriter = new AtomicReference<>();
    private final long footprintMaxAgeNanos;
    private final Object footprintLock = new Object();
    /** When this binder last started a look-up ({@link #refresh()}); meaningful once {@link #lookedUp} is set. */
    private volatile long lookedUpAtNanos;
    private volatile boolean lookedUp;
    private final WriterWatch watch;
    /** Stamps the session tokens of committed writes. */
    private final HybridLogicalClock clock;

    ConnectionBinder(MultiRegion multiRegion, WriterDiscovery discovery, EndpointPools pools,
                 Operation readOperation, Operation writeOperation, @Nullable LagMonitor lagMonitor, @Nullable Duration maxReplicaLag,
                 @Nullable RecentWriters recentWriters, Duration footprintMaxAge, Duration writerCheckInterval,
                 String name, JdbcMetrics metrics) {
        this.multiRegion = MultiRegionSpi.of(multiRegion);
        this.clock = multiRegion.clock();
        this.discovery = discovery;
        this.pools = pools;
        this.readOperation = readOperation;
        this.writeOperation = writeOperation;
        this.readAttempt = readOperation.toBuilder().breakerPerResource().build();
        this.writeAttempt = writeOperation.toBuilder().breakerPerResource().build();
        this.lagMonitor = lagMonitor;
        this.maxReplicaLag = maxReplicaLag;
        this.recentWriters = recentWriters;
        this.footprintMaxAgeNanos = footprintMaxAge.toNanos();
        this.metrics = metrics;
        this.watch = new WriterWatch(this::refresh, pools::allInUse, writerCheckInterval,
                "meridian-writer-watch-" + name);
    }

    AuroraTopology topology() {
        return discovery.topology();
    }

    /**
     * The reader phase is one {@link MultiRegionSpi#bind}: sdk-core walks the read plan (residency, health, strategy,
     * breakers, {@code maxRegionsPerCall}) and decides with {@link SqlFailures#CONNECTING} whether a failed attempt
     * moves on — an interrupted wait ends the read at once — while {@link ReaderConnections} only takes and measures
     * a connection to the one region it is given. When no reader gave one, the writer serves the read.
     */
    @Override
    public Binding bindRead(RoutingContext context) throws SQLException {
        pools.checkOpen(); // before any breaker permission: a closed data source says nothing about a region's health
        AuroraTopology topology = discovery.topology();
        if (recentWriters != null && recentWriters.recentlyWrote(context)
                && !context.excludedRegions().contains(topology.writerRegion())) {
            metrics.reroute(topology.writerRegion(), "read-your-writes");
            return writerForRead(topology, context, null);
        }
        @Nullable SessionToken token = context.session().flatMap(RoutingSession::token).orElse(null);
        if (token != null && lagMonitor == null) {
            // No reader's lag is measured, so none is known to have replayed the session's write: the writer.
            metrics.reroute(topology.writerRegion(), "session-token");
            return sessionWriterForRead(topology, context, token, null);
        }
        try {
            return multiRegion.bind(readAttempt, context, SqlFailures.CONNECTING,
                    new ReaderConnections(topology, token));
        } catch (NoRegionAvailableException noReader) {
            // Every reader region is unhealthy, failed, lags or has not replayed the session's write: the writer
            // fallback below still applies (and checks residency).
            return token == null ? writerForRead(topology, context, noReader)
                    : sessionWriterForRead(topology, context, token, noReader);
        }
    }

    /**
     * The writer for a read under a session token that no reader is known to have replayed; when the writer cannot
     * serve it either, the read is refused, naming the token: nothing stale is returned.
     */
    private Binding sessionWriterForRead(AuroraTopology topology, RoutingContext context, SessionToken token,
            @Nullable RuntimeException readerFailures) throws SQLException {
        try {
            return writerForRead(topology, context, readerFailures);
        } catch (SQLException e) {
            throw new SQLTransientConnectionException("A read under session token "
                    + token.format() + " was refused: the session's latest write (at " + token.time() + ") must be"
                    + " visible to it, no reader's measured lag proves it has replayed that write, and the writer in "
                    + topology.writerRegion().id() + " cannot serve the read (" + e.getMessage() + "); nothing stale"
                    + " was returned. Retry later", "08001", e);
        }
    }

    /** Takes a connection to one region's reader for {@link #bindRead}; which region, and what next, is sdk-core's. */
    private final class ReaderConnections implements RegionalBind<Binding, SQLException> {
        private final AuroraTopology topology;
        /**
         * The session's writes, which the reader must have replayed; null without a session token. A global database
         * has one writer and its readers replay its commits in order, so a reader that replayed the latest write
         * ({@link SessionToken#time()}, the greatest stamp; also when the token names several regions because the
         * writer moved between the session's writes) has replayed every one.
         */
        private final @Nullable SessionToken token;

        ReaderConnections(AuroraTopology topology, @Nullable SessionToken token) {
            this.topology = topology;
            this.token = token;
        }

        @Override
        public boolean servedIn(Region region) {
            return topology.readerUrl(region).isPresent();
        }

        @Override
        public Optional<Binding> in(Region region) throws SQLException {
            Endpoint endpoint = new Endpoint(Role.READER, region, topology.readerUrl(region).orElseThrow());
            Reader reader = connectReader(endpoint);
            if (reader.staleness != null && reader.staleness.compareTo(maxReplicaLag) > 0) {
                log.debug("Skipping reader in {}: lag plus the measurement's age {} exceeds maxReplicaLag {}", region,
                        reader.staleness, maxReplicaLag);
                metrics.reroute(region, "replica-lag");
                EndpointPools.closeQuietly(reader.connection);
                return Optional.empty();
            }
            if (token != null && !replayed(endpoint, reader.connection, token)) {
                log.debug("Skipping reader in {}: it is not known to have replayed the session's write at {}", region,
                        token.time());
                metrics.reroute(region, "session-token");
                EndpointPools.closeQuietly(reader.connection);
                return Optional.empty();
            }
            metrics.connectionBound(Role.READER, region);
            return Optional.of(new Binding(endpoint, reader.connection, true));
        }

        @Override
        public void movedPast(Region region, Throwable failure) {
            if (failure instanceof CallNotPermittedException) {
                metrics.reroute(region, "breaker-open");
            } else {
                log.warn("Reader in {} unavailable, trying the next region: {}", region, failure.toString());
                metrics.reroute(region, "unavailable");
            }
        }
    }

    /**
     * Whether the reader has replayed every write {@code token} names, i.e. its latest: that write was acknowledged
     * before it was stamped, within the stamp's millisecond, so a reader that replayed every commit up to that millisecond's end
     * has it. Asked on the reader's connection
     * now; a connection whose check failed is evicted. Without lag monitoring nothing is known.
     */
    private boolean replayed(Endpoint endpoint, Connection connection, SessionToken token) throws SQLException {
        LagMonitor monitor = lagMonitor;
        if (monitor == null) {
            return false;
        }
        try {
            // The token's time is a millisecond and the write was acknowledged somewhere within it: only a reader
            // that replayed up to that millisecond's end is known to have it.
            return !monitor.replayedUpTo(endpoint.region(), connection).isBefore(token.time().plusMillis(1));
        } catch (SQLException | RuntimeException e) {
            pools.evict(endpoint, connection);
            throw e;
        }
    }

    /** A reader connection and how far behind its replica may be (null when lag is not monitored). */
    private record Reader(Connection connection, @Nullable Duration staleness) {
    }

    /** Takes a reader connection and measures its lag; a connection whose lag check failed is evicted. */
    private Reader connectReader(Endpoint endpoint) throws SQLException {
        Connection connection = pools.connection(endpoint);
        try {
            return new Reader(connection, lagMonitor == null ? null : lagMonitor.staleness(endpoint.region(), connection));
        } catch (SQLException | RuntimeException e) {
            pools.evict(endpoint, connection);
            throw e;
        }
    }

    private Binding writerForRead(AuroraTopology topology, RoutingContext context, @Nullable RuntimeException readerFailures)
            throws SQLException {
        try {
            checkWriterServesRead(topology.writerRegion(), context);
            return acquireWriter(topology, context, true);
        } catch (SQLException e) {
            if (readerFailures != null) {
                e.addSuppressed(readerFailures);
            }
            throw e;
        }
    }

    /**
     * The writer may serve a read only where the read may go: residency fails closed (a RESTRICTED read never falls
     * back to a writer outside its jurisdiction), and a region the context excludes is not used for reads either.
     */
    private void checkWriterServesRead(Region writerRegion, RoutingContext context) throws SQLException {
        multiRegion.checkResidency(readOperation, context, Set.of(writerRegion));
        if (context.excludedRegions().contains(writerRegion)) {
            throw new SQLTransientConnectionException("No reader could take this read and the writer's region "
                    + writerRegion.id() + " is excluded by the RoutingContext (excludedRegions "
                    + context.excludedRegions() + "), so no connection was attempted; retry when a reader is available,"
                    + " or without excluding " + writerRegion.id(), "08001");
        }
    }

    @Override
    public Binding bindWrite(RoutingContext context) throws SQLException {
        pools.checkOpen();
        AuroraTopology topology = topologyFor(context);
        multiRegion.checkResidency(writeOperation, context, topology.regions());
        return acquireWriter(topology, context, false);
    }

    /**
     * The topology for a write under {@code context}: looked up at most {@code footprintMaxAge} ago when the global
     * cluster's footprint matters for the context, else the last known one.
     */
    private AuroraTopology topologyFor(RoutingContext context) {
        if (!multiRegion.footprintMatters(context) || footprintFresh()) {
            return discovery.topology();
        }
        synchronized (footprintLock) {
            return footprintFresh() ? discovery.topology() : refresh();
        }
    }

    private boolean footprintFresh() {
        return lookedUp && System.nanoTime() - lookedUpAtNanos < footprintMaxAgeNanos;
    }

    private Binding acquireWriter(AuroraTopology topology, RoutingContext context, boolean forRead) throws SQLException {
        Endpoint endpoint = noteWriter(topology);
        Binding bound;
        try {
            bound = bindWriter(endpoint, forRead);
        } catch (WriterUnavailableException e) {
            throw e;
        } catch (SQLException e) {
            if (!SqlFailures.CONNECTING.classify(e).movesOn(writeAttempt.kind())) {
                throw e; // an interrupted wait: the caller gave up, the writer is not suspect
            }
            AuroraTopology fresh = refresh();
            if (fresh.writerUrl().equals(endpoint.url())) {
                throw e;
            }
            log.info("Writer {} refused connections and the writer moved to {}; retrying there", endpoint, fresh.writerRegion());
            return bindMovedWriter(fresh, context, forRead, e);
        }
        if (bound != null) {
            return bound;
        }
        SQLException abandoned = new SQLTransientConnectionException("The connection attempt to the writer " + endpoint
                + " was abandoned: the writer moved while it waited", "08001");
        return bindMovedWriter(discovery.topology(), context, forRead, abandoned);
    }

    /** Connects to the writer {@code fresh} names, which moved since the attempt that failed with {@code earlier}. */
    private Binding bindMovedWriter(AuroraTopology fresh, RoutingContext context, boolean forRead, SQLException earlier)
            throws SQLException {
        if (forRead) {
            checkWriterServesRead(fresh.writerRegion(), context);
        } else {
            multiRegion.checkResidency(writeOperation, context, fresh.regions());
        }
        Endpoint next = noteWriter(fresh);
        Binding bound;
        try {
            bound = bindWriter(next, forRead);
        } catch (SQLException second) {
            second.addSuppressed(earlier);
            throw second;
        }
        if (bound == null) {
            SQLException again = new SQLTransientConnectionException("The writer of the global database moved twice"
                    + " while a connection to it was taken (last to " + next.region().id() + "); retry", "08001");
            again.addSuppressed(earlier);
            throw again;
        }
        return bound;
    }

    /**
     * A connection to {@code endpoint} through the writer's breaker, or null when the wait for it was abandoned
     * because the writer moved meanwhile ({@link WriterWatch}): nothing was sent, so the caller goes to the new writer.
     */
    private @Nullable Binding bindWriter(Endpoint endpoint, boolean forRead) throws SQLException {
        WriterWatch.Wait wait = watch.begin(endpoint);
        Connection connection;
        try {
            connection = multiRegion.attempt(writeAttempt, endpoint.region(), SqlFailures.CONNECTING,
                    () -> pools.connection(endpoint));
        } catch (CallNotPermittedException e) {
            if (wait.end()) {
                return null;
            }
            throw new WriterUnavailableException(endpoint.region(), "The writer of the global database in "
                    + endpoint.region().id() + " is unavailable: its circuit breaker is open after repeated connection"
                    + " failures (" + e.getMessage() + "), so no connection was attempted; retry later", e);
        } catch (SQLException | RuntimeException e) {
            if (wait.end()) {
                log.debug("Abandoned the wait for a connection to {}: {}", endpoint, e.toString());
                return null;
            }
            throw e;
        }
        if (wait.end()) {
            EndpointPools.closeQuietly(connection); // the old writer's pool was soft-evicted: it is retired
            return null;
        }
        metrics.connectionBound(Role.WRITER, endpoint.region());
        return new Binding(endpoint, connection, forRead);
    }

    @Override
    public void checkResidency(Binding binding, boolean readOnly, RoutingContext context) {
        if (readOnly) {
            multiRegion.checkResidency(readOperation, context, Set.of(binding.endpoint().region()));
        } else {
            multiRegion.checkResidency(writeOperation, context, topologyFor(context).regions());
        }
    }

    @Override
    public boolean writerMoved(Binding failed) {
        AuroraTopology fresh = refresh();
        return !fresh.writerUrl().equals(failed.endpoint().url());
    }

    /** Refreshes the topology now and retires the old writer's idle connections if the writer moved. */
    AuroraTopology refresh() {
        Endpoint before = lastWriter.get();
        long startedAt = System.nanoTime();
        AuroraTopology fresh = discovery.refresh();
        lookedUpAtNanos = startedAt;
        lookedUp = true;
        Endpoint after = noteWriter(fresh);
        metrics.writerRefresh(fresh.writerRegion(), before != null && !before.equals(after));
        return fresh;
    }

    private Endpoint noteWriter(AuroraTopology topology) {
        Endpoint current = lastWriter.get();
        if (current != null && current.url().equals(topology.writerUrl()) && current.region().equals(topology.writerRegion())) {
            return current;
        }
        Endpoint next = Endpoint.writer(topology);
        if (lastWriter.compareAndSet(current, next) && current != null) {
            log.info("Writer moved from {} to {}", current, next);
            pools.softEvict(current);
            watch.writerMoved(current);
        }
        return next;
    }

    @Override
    public void connectionFailed(Binding binding, SQLException failure) {
        // The server is likely gone: its pool's other idle connections are dead too.
        pools.softEvict(binding.endpoint());
        Region region = binding.endpoint().region();
        if (binding.role() == Role.READER) {
            multiRegion.recordFailure(readAttempt, region, failure, SqlFailures.STATEMENTS);
        } else {
            multiRegion.recordFailure(writeAttempt, region, failure, SqlFailures.STATEMENTS);
            refresh();
        }
    }

    @Override
    public void recordWrite(RoutingContext context, Region writerRegion) {
        if (recentWriters != null) {
            recentWriters.recordWrite(context);
        }
        // Stamped after the commit was acknowledged, as the DynamoDB clients stamp theirs.
        context.session().ifPresent(s -> s.recordWrite(SessionToken.of(writerRegion, clock.now())));
    }

    @Override
    public void release(Binding binding, boolean evict) {
        if (evict) {
            pools.evict(binding.endpoint(), binding.connection());
        } else {
            EndpointPools.closeQuietly(binding.connection());
        }
    }

    /**
     * Before a process snapshot: holds the discovery's background refresh (a round in progress ends first, so that
     * none opens a connection afterwards), then closes every pool (re-created at the endpoint's next connection) and
     * the discovery's connections.
     */
    void beforeCheckpoint() {
        discovery.suspendRefresh();
        pools.closePools();
        discovery.releaseConnections();
    }

    /**
     * After a process snapshot was restored: the topology, its age and the replica lags describe the snapshot's
     * world, so the next use looks each up again; the read-your-writes sessions are forgotten (a restored copy wrote
     * nothing yet: its reads need not go to the writer); then the discovery's background refresh runs again.
     */
    void afterRestore() {
        discovery.invalidate();
        lookedUp = false;
        if (lagMonitor != null) {
            lagMonitor.forget();
        }
        if (recentWriters != null) {
            recentWriters.forget();
        }
        discovery.resumeRefresh();
    }

    @Override
    public void close() {
        watch.close();
        pools.close();
    }
}
