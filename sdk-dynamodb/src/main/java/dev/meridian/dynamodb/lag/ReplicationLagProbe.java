package dev.meridian.dynamodb.lag;

import static dev.meridian.core.internal.SettingRules.check;
import static dev.meridian.core.internal.SettingRules.notBlank;
import static dev.meridian.core.internal.SettingRules.quoted;
import static dev.meridian.core.internal.SettingRules.required;
import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.internal.NumberedDaemons;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.core.spi.SnapshotParticipant;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Measures global-table replication lag between every pair of regions, the way {@code pt-heartbeat} does for
 * MySQL: each region writes a heartbeat item (its own clock's time) into a dedicated table every interval, and each
 * other region's copy is read back; lag(source → destination) is <em>now minus the newest heartbeat of the source
 * visible in the destination</em>. It therefore never under-reports: it is at least the replication delay and at
 * most the delay plus one interval (plus clock skew between the hosts, none when one process probes all regions).
 * A heartbeat older than the probe's baseline (its start, or the last {@link #resumeAfterRestore()}) counts as
 * written at the baseline, as does a missing one: the lag reported is then the time since the baseline, never less
 * than the age of the probe's own heartbeat not yet visible, and not inflated by a heartbeat left from before a
 * process snapshot or from an earlier run.
 *
 * <p>Published as the gauge {@value #METER} (milliseconds, tags {@code source}, {@code destination}) and through
 * {@link #lag(Region, Region)}. Off by default; one daemon thread runs while the probe is started and
 * {@link #close()} stops it. A failed heartbeat write or read (a region down, a missing table) is logged at debug
 * level and leaves that pair's last value in place; the probe keeps running. The table needs a string partition key
 * only (default attribute {@code pk}); the probe writes one item per source region. It talks to each region's own
 * client directly (no routing: it must address exact regions) and never closes those clients; given as
 * {@linkplain Builder#clientSource sources}, a client is looked up at every call, so one rebuilt after a process
 * snapshot is used. {@link #suspend()} and {@link #resumeAfterRestore()} hold the rounds around a snapshot.
 * Thread-safe.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ReplicationLagProbe implements AutoCloseable {
    /** The gauge name. */
    public static final String METER = "meridian.dynamodb.replication.lag";
    static final String STAMP_ATTRIBUTE = "heartbeatMillis";
    /** How long {@link #close()} waits for a round in progress (its calls are interrupted) to end. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** A pair's value before its first measurement since the last restore: no lag is reported for it. */
    private static final long UNMEASURED = Long.MIN_VALUE;

    private static final Logger log = LoggerFactory.getLogger(ReplicationLagProbe.class);

    private final Config config;
    private final Map<Region, Supplier<DynamoDbClient>> clients;
    private final LongSupplier clock;
    /** Epoch millis of the start or of the last restore; no heartbeat counts as older. */
    private volatile long baseline;
    private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();
    /** Per pair, the stamp of the newest heartbeat of the source really read in the destination (no baseline). */
    private final Map<String, Long> replicatedUpTo = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final @Nullable MeterRegistry meterRegistry;
    /** The registration with the runtime's snapshot hooks, or null (see {@link Builder#snapshotsOf}). */
    private final SnapshotParticipant.@Nullable Registration snapshots;
    /** Held by a round while it runs, so that {@link #suspend()} can wait for the one in progress. */
    private final Object round = new Object();
    private volatile boolean closed;
    private volatile boolean suspended;

    private ReplicationLagProbe(Builder b) {
        // start() has checked it with an IllegalArgumentException naming the setting.
        this.config = Objects.requireNonNull(b.config, "config");
        this.clients = Map.copyOf(b.clients);
        this.clock = b.clock;
        this.meterRegistry = b.meterRegistry;
        this.baseline = clock.getAsLong();
        this.snapshots = b.runtime == null ? null : MultiRegionSpi.of(b.runtime).onSnapshot(new SnapshotParticipant() {
            /** Held before any participant closes the clients its rounds use, whatever the registration order. */
            @Override
            public void quiesce() {
                suspend();
            }

            @Override
            public void afterRestore() {
                resumeAfterRestore();
            }

            @Override
            public String toString() {
                return "ReplicationLagProbe(" + config.table() + ")";
            }
        });
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> NumberedDaemons.daemon(r, "meridian-replication-lag-probe"));
        long period = config.interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.MILLISECONDS);
    }

    /** Probe configuration for this table (string partition key {@code pk}, one heartbeat per second). */
    public static Config config(String table) {
        return new Config(table, "pk", Duration.ofSeconds(1));
    }

    /** A builder; the configuration and the clients of at least two regions are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The last measured lag from {@code source} to {@code destination}; empty before the first measurement. */
    public Optional<Duration> lag(Region source, Region destination) {
        AtomicLong v = lags.get(pairKey(source, destination));
        long millis = v == null ? UNMEASURED : v.get();
        return millis == UNMEASURED ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
    }

    /**
     * How far {@code destination} is known to have applied {@code source}'s writes: the source clock's time of its
     * newest heartbeat read in the destination. A write the source acknowledged before that time is visible there
     * (replication applies a source's writes in order, as DynamoDB Streams and the local replicator do; across
     * processes, up to the clock skew between the writer's host and the probe's). Empty before a heartbeat of the
     * source was read in the destination since the probe started or was last restored: unknown is never "replicated".
     */
    public Optional<Instant> replicatedUpTo(Region source, Region destination) {
        Long millis = replicatedUpTo.get(pairKey(source, destination));
        return millis == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    /**
     * Holds the rounds (e.g. before a process snapshot: no call may open a connection while the per-region clients
     * are closed) and waits until a round in progress has ended. The thread stays, idle, until {@link #resume()}.
     */
    public void suspend() {
        suspended = true;
        synchronized (round) {
            log.debug("Replication-lag probe suspended");
        }
    }

    /** Lets the rounds run again after {@link #suspend()}; the next one runs on schedule. */
    public void resume() {
        suspended = false;
    }

    /**
     * Lets the rounds run again after a process snapshot was restored ({@link #resume()} would report the time spent
     * in the snapshot as lag). Waits for a round in progress, forgets every measured lag ({@link #lag} is empty and
     * the gauges are NaN until the pair's next measurement), and takes now as the baseline: until a heartbeat written
     * after the restore is visible in a region, the lag reported into it is the time since the restore.
     */
    public void resumeAfterRestore() {
        synchronized (round) {
            baseline = clock.getAsLong();
            lags.values().forEach(v -> v.set(UNMEASURED));
            replicatedUpTo.clear();
            suspended = false;
        }
    }

    /**
     * Stops the probe thread and waits (up to a few seconds) until a round in progress has ended, so the clients
     * are no longer used when this returns; the gauges keep their last value. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        if (snapshots != null) {
            snapshots.close();
        }
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Replication-lag probe thread still running {} after close", CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tick() {
        try {
            synchronized (round) {
                probeAll();
            }
        } catch (RuntimeException e) {
            // An exception escaping a scheduled task would silently cancel every later round.
            log.warn("Replication-lag probe round failed: {}", e.toString());
        }
    }

    /**
     * One round; once {@link #close()} or {@link #suspend()} has begun, the rest of it is skipped rather than failed
     * call by call.
     */
    private void probeAll() {
        for (Map.Entry<Region, Supplier<DynamoDbClient>> source : clients.entrySet()) {
            if (closed || suspended) {
                return;
            }
            writeHeartbeat(source.getKey(), source.getValue().get());
        }
        for (Region source : clients.keySet()) {
            for (Map.Entry<Region, Supplier<DynamoDbClient>> destination : clients.entrySet()) {
                if (closed || suspended) {
                    return;
                }
                if (!destination.getKey().equals(source)) {
                    measure(source, destination.getKey(), destination.getValue().get());
                }
            }
        }
    }

    private void writeHeartbeat(Region source, DynamoDbClient client) {
        try {
            client.putItem(r -> r.tableName(config.table()).item(Map.of(
                    config.partitionKey(), AttributeValue.fromS(heartbeatKey(source)),
                    STAMP_ATTRIBUTE, AttributeValue.fromN(Long.toString(clock.getAsLong())))));
        } catch (SdkException e) {
            log.debug("Heartbeat write to {} failed: {}", source, e.toString());
        }
    }

    private void measure(Region source, Region destination, DynamoDbClient client) {
        try {
            GetItemResponse r = client.getItem(g -> g.tableName(config.table()).consistentRead(true)
                    .key(Map.of(config.partitionKey(), AttributeValue.fromS(heartbeatKey(source)))));
            AttributeValue stamp = r.hasItem() ? r.item().get(STAMP_ATTRIBUTE) : null;
            long heartbeat = stamp == null ? Long.MIN_VALUE : Long.parseLong(stamp.n());
            if (heartbeat >= baseline) {
                replicatedUpTo.merge(pairKey(source, destination), heartbeat, Math::max);
            }
            long seen = Math.max(baseline, heartbeat);
            record(source, destination, Math.max(0, clock.getAsLong() - seen));
        } catch (SdkException | NumberFormatException e) {
            log.debug("Heartbeat read of {} from {} failed: {}", source, destination, e.toString());
        }
    }

    private void record(Region source, Region destination, long lagMillis) {
        lags.computeIfAbsent(pairKey(source, destination), k -> {
            AtomicLong holder = new AtomicLong();
            if (meterRegistry != null) {
                Gauge.builder(METER, holder, h -> h.get() == UNMEASURED ? Double.NaN : h.get())
                        .description("Age of the newest heartbeat of the source region visible in the destination")
                        .baseUnit("milliseconds")
                        .tag("source", source.id())
                        .tag("destination", destination.id())
                        .strongReference(true)
                        .register(meterRegistry);
            }
            return holder;
        }).set(lagMillis);
    }

    private static String heartbeatKey(Region source) {
        return "meridian#heartbeat#" + source.id();
    }

    private static String pairKey(Region source, Region destination) {
        return source.id() + "->" + destination.id();
    }

    /**
     * Where and how often to probe: a table (string partition key only), its partition key attribute and the
     * heartbeat interval (at least 10 ms). Immutable and validated on construction (an
     * {@link IllegalArgumentException} names the bad setting); the {@code with*} methods return modified copies.
     *
     * @param table        the heartbeat table, present in every probed region (3 to 255 characters)
     * @param partitionKey its string partition key attribute
     * @param interval     time between two rounds of heartbeats
     */
    public record Config(String table, String partitionKey, Duration interval) {
        /** Validates every setting. */
        public Config {
            String tableFix = "name the heartbeat table, present in every probed region";
            required(table, "ReplicationLagProbe.Config.table", tableFix);
            check(table.length() >= 3 && table.length() <= 255, "ReplicationLagProbe.Config.table",
                    "must have 3 to 255 characters", quoted(table), tableFix);
            notBlank(partitionKey, "ReplicationLagProbe.Config.partitionKey",
                    "name the table's string partition key attribute");
            String intervalFix = "pass an interval such as 1 s";
            required(interval, "ReplicationLagProbe.Config.interval", intervalFix);
            check(interval.toMillis() >= 10, "ReplicationLagProbe.Config.interval", "must be at least 10 ms",
                    interval, intervalFix);
        }

        /** A copy with another partition key attribute. */
        public Config withPartitionKey(String partitionKey) {
            return new Config(table, partitionKey, interval);
        }

        /** A copy with another heartbeat interval. */
        public Config withInterval(Duration interval) {
            return new Config(table, partitionKey, interval);
        }
    }

    /** Builder for a started {@link ReplicationLagProbe}; not thread-safe. */
    public static final class Builder {
        private @Nullable Config config;
        private final Map<Region, Supplier<DynamoDbClient>> clients = new LinkedHashMap<>();
        private LongSupplier clock = System::currentTimeMillis;
        private @Nullable MeterRegistry meterRegistry;
        private @Nullable MultiRegion runtime;

        private Builder() {
        }

        /** Table, key attribute and interval (required). */
        public Builder config(Config config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The client of one region (at least two regions are needed). */
        public Builder client(Region region, DynamoDbClient client) {
            Objects.requireNonNull(client, "client");
            return clientSource(region, () -> client);
        }

        /**
         * Where the client of one region is looked up at every call (e.g. {@code () -> regionalClients.get(region)}),
         * so that a client closed before a process snapshot and rebuilt after it is the one used.
         */
        public Builder clientSource(Region region, Supplier<DynamoDbClient> client) {
            clients.put(Objects.requireNonNull(region, "region"), Objects.requireNonNull(client, "client"));
            return this;
        }

        /**
         * Publishes the {@value ReplicationLagProbe#METER} gauges there (optional: without a registry only
         * {@link ReplicationLagProbe#lag} reports).
         */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /**
         * Takes part in {@code runtime}'s snapshot hooks (CRaC, Lambda SnapStart): {@linkplain #suspend() held} before
         * a checkpoint, in the hooks' first phase ({@code SnapshotParticipant.quiesce}), so no round reopens a client
         * the other participants then close; {@linkplain #resumeAfterRestore() resumed from a new baseline} after a
         * restore; the registration ends with {@link #close()}. For a probe the application builds itself: the one
         * {@code MultiRegionDynamoDb} starts takes part already.
         */
        public Builder snapshotsOf(MultiRegion runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            return this;
        }

        /** Wall clock in epoch milliseconds (tests). */
        public Builder clock(LongSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Starts the probe thread; the first round runs at once. */
        public ReplicationLagProbe start() {
            check(config != null, "ReplicationLagProbe.config", "is required", null,
                    "pass new ReplicationLagProbe.Config(table, partitionKey, interval)");
            check(clients.size() >= 2, "ReplicationLagProbe.client", "must be given for at least two regions",
                    new ArrayList<>(clients.keySet()), "add the client of every region to probe");
            return new ReplicationLagProbe(this);
        }
    }
}
