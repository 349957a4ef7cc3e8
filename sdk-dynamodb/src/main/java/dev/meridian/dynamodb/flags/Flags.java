package dev.meridian.dynamodb.flags;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.internal.NumberedDaemons;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Regional feature flags, read from the control table (a DynamoDB global table, default {@value #DEFAULT_TABLE};
 * one item per flag, {@code pk = "flag#<name>"}, schema in docs/fleet-control.md).
 *
 * <pre>{@code
 * Flags flags = Flags.builder().client(dynamo).build();    // dynamo: the client from MultiRegionDynamoDb
 * if (flags.isEnabled("new-checkout", customerId)) { ... }
 * }</pre>
 *
 * <p><b>Evaluation</b> (see {@link FlagDefinition}): the flag's override for the local region, else its global
 * default; then a percentage rollout, on for a subject when
 * {@code murmur3_x86_32(UTF-8 of "<feature>:<subjectId>", seed 0)}, read unsigned, modulo 10,000 is below
 * {@code rolloutPercent * 100}. The answer for a subject depends only on the feature name and the subject id: every
 * instance and every restart agrees, and raising the percentage only adds subjects. Without a subject a partial
 * rollout is off. A flag the table does not hold is off (or the caller's default).
 *
 * <p><b>Reads.</b> Every flag is read at once, with a consistent scan, in the local region first and in the next
 * region when that fails; once when built (so the first evaluations see the table) and then every
 * {@linkplain Builder#refreshInterval refresh interval} (default 1 s, ±10 % jitter so a fleet does not read in step)
 * on one daemon thread, which {@link #close()} stops. An evaluation never waits on the table: it reads the last
 * snapshot. <b>Fail static:</b> when no region answers, the last known flags stay in force (logged once per outage,
 * metered); before any successful read every flag is unknown.
 *
 * <p><b>Meters</b> (Micrometer, when a registry is given or the routed client's runtime has one):
 * {@code meridian.flags.evaluations} (tags {@code region}, {@code flag}, {@code outcome} on/off/unknown),
 * {@code meridian.flags.reads} and {@code meridian.flags.read.failures} (tag {@code region}: the region read) and
 * the gauge {@code meridian.flags.read.age} (seconds since the last good read). Thread-safe.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Flags implements AutoCloseable {
    /** The control table's default name. */
    public static final String DEFAULT_TABLE = "meridian-control";
    /** The default time between two reads of the table. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(Flags.class);

    private final String table;
    private final Region localRegion;
    private final Duration refreshInterval;
    private final FlagsMeters meters;
    private final FlagTableReader reader;
    private final ScheduledExecutorService scheduler;
    /** The flags of the last good read; replaced whole, so an evaluation sees one read. */
    private volatile Map<String, FlagDefinition> flags = Map.of();
    private volatile @Nullable Instant lastGoodRead;
    /** Whether the last read failed in every region (guarded by the refresh lock). */
    private boolean unreachable;
    private final Object refreshing = new Object();
    private volatile boolean closed;

    private Flags(Builder b, Region localRegion, List<Region> order, Function<Region, DynamoDbClient> clients,
            @Nullable Object meterRegistry) {
        this.table = b.table;
        this.localRegion = localRegion;
        this.refreshInterval = b.refreshInterval;
        this.meters = meterRegistry == null ? FlagsMeters.NONE
                : MicrometerFlagsMeters.create(meterRegistry, localRegion, this::ageSeconds);
        this.reader = new FlagTableReader(table, order, clients, meters);
        refresh();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> NumberedDaemons.daemon(r, "meridian-flags"));
        scheduleNext();
    }

    /** A builder; {@link Builder#client} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code feature} is on in the local region (a partial rollout is off without a subject); unknown: false. */
    public boolean isEnabled(String feature) {
        return evaluate(feature, null, false);
    }

    /** Whether {@code feature} is on in the local region for {@code subjectId}; unknown: false. */
    public boolean isEnabled(String feature, String subjectId) {
        return evaluate(feature, Objects.requireNonNull(subjectId, "subjectId"), false);
    }

    /** As {@link #isEnabled(String)}, {@code whenUnknown} when the table holds no such flag. */
    public boolean isEnabled(String feature, boolean whenUnknown) {
        return evaluate(feature, null, whenUnknown);
    }

    /** As {@link #isEnabled(String, String)}, {@code whenUnknown} when the table holds no such flag. */
    public boolean isEnabled(String feature, String subjectId, boolean whenUnknown) {
        return evaluate(feature, Objects.requireNonNull(subjectId, "subjectId"), whenUnknown);
    }

    /** The flags of the last good read, by name (empty before the first one). */
    public Map<String, FlagDefinition> definitions() {
        return flags;
    }

    /** When the flags were last read successfully; empty before the first good read. */
    public Optional<Instant> lastGoodRead() {
        return Optional.ofNullable(lastGoodRead);
    }

    /** The region whose overrides apply. */
    public Region localRegion() {
        return localRegion;
    }

    /** The control table read. */
    public String table() {
        return table;
    }

    /**
     * Reads the table now, on the caller's thread (the background refresh does this every interval).
     *
     * @return whether a region answered; when none did, the last known flags stay
     */
    public boolean refresh() {
        synchronized (refreshing) {
            Optional<Map<String, FlagDefinition>> read = reader.read(flags);
            if (read.isPresent()) {
                flags = read.get();
                lastGoodRead = Instant.now();
                if (unreachable) {
                    log.info("Flags: control table {} readable again; {} flags", table, flags.size());
                }
                unreachable = false;
                return true;
            }
            if (!unreachable) {
                log.warn("Flags: control table {} unreachable in every region; keeping the last known {} flags "
                        + "(last good read {})", table, flags.size(), lastGoodRead == null ? "never" : lastGoodRead);
            }
            unreachable = true;
            return false;
        }
    }

    /** Stops the refresh thread (waits up to a few seconds for a read in progress) and removes the meters; idempotent. */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Flags refresh thread still running {} after close", CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        meters.close();
    }

    @Override
    public String toString() {
        return "Flags(" + table + " in " + localRegion + ", " + flags.size() + " flags)";
    }

    private boolean evaluate(String feature, @Nullable String subjectId, boolean whenUnknown) {
        Objects.requireNonNull(feature, "feature");
        FlagDefinition flag = flags.get(feature);
        boolean enabled = flag == null ? whenUnknown : flag.enabledIn(localRegion, subjectId);
        meters.evaluated(feature, flag != null, enabled);
        return enabled;
    }

    private void scheduleNext() {
        if (closed) {
            return;
        }
        long period = refreshInterval.toMillis();
        long jittered = period + ThreadLocalRandom.current().nextLong(-period / 10, period / 10 + 1);
        try {
            scheduler.schedule(this::tick, jittered, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed between the check and the schedule: nothing more to do
        }
    }

    private void tick() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("Flags refresh failed: {}", e.toString());
        } finally {
            scheduleNext();
        }
    }

    private double ageSeconds() {
        Instant last = lastGoodRead;
        return last == null ? Double.NaN : Duration.between(last, Instant.now()).toMillis() / 1000.0;
    }

    /** Builder of a started {@link Flags}; not thread-safe. */
    public static final class Builder {
        private String table = DEFAULT_TABLE;
        private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
        private @Nullable DynamoDbClient client;
        private final Map<Region, DynamoDbClient> regionalClients = new LinkedHashMap<>();
        private @Nullable Region localRegion;
        private @Nullable MeterRegistry meterRegistry;

        private Builder() {
        }

        /** The control table (default {@value Flags#DEFAULT_TABLE}). */
        public Builder table(String table) {
            String fix = "name the control table (3 to 255 characters), e.g. " + DEFAULT_TABLE;
            SettingRules.notBlank(table, "Flags.table", fix);
            SettingRules.check(table.length() >= 3 && table.length() <= 255, "Flags.table",
                    "must have 3 to 255 characters", SettingRules.quoted(table), fix);
            this.table = table;
            return this;
        }

        /**
         * The client to read through. The multi-region client from {@link MultiRegionDynamoDb}: its runtime's local
         * region is the one whose overrides apply, and the table is read with its per-region clients, local region
         * first, then the configured regions by priority. Any other client reads in one region: name it with
         * {@link #localRegion}.
         */
        public Builder client(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * The client of one region, in the order the regions are tried (instead of {@link #client(DynamoDbClient)});
         * the {@link #localRegion} is tried first.
         */
        public Builder client(Region region, DynamoDbClient client) {
            regionalClients.put(Objects.requireNonNull(region, "region"), Objects.requireNonNull(client, "client"));
            return this;
        }

        /** The region whose overrides apply (default: the routed client's local region). */
        public Builder localRegion(Region localRegion) {
            this.localRegion = Objects.requireNonNull(localRegion, "localRegion");
            return this;
        }

        /** Time between two reads of the table (default 1 s, at least 100 ms). */
        public Builder refreshInterval(Duration refreshInterval) {
            String fix = "pass an interval such as 1 s";
            SettingRules.positive(refreshInterval, "Flags.refreshInterval", fix);
            SettingRules.check(refreshInterval.toMillis() >= 100, "Flags.refreshInterval", "must be at least 100 ms",
                    refreshInterval, fix);
            this.refreshInterval = refreshInterval;
            return this;
        }

        /** Where the meters go (default: the routed client's runtime's registry, if any). */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /**
         * Reads the table once and starts the refresh thread. A table that cannot be read yet is no error: the flags
         * are unknown until a read succeeds.
         *
         * @throws IllegalArgumentException when no client, both kinds of client, or no local region for plain clients
         */
        public Flags build() {
            SettingRules.check(client != null || !regionalClients.isEmpty(), "Flags.client", "is required", null,
                    "pass the multi-region client from MultiRegionDynamoDb, or client(region, client) per region");
            SettingRules.check(client == null || regionalClients.isEmpty(), "Flags.client",
                    "must be either one client or clients per region", "both",
                    "pass the multi-region client alone, or only client(region, client)");
            Optional<MultiRegionDynamoDb.Shared> shared = client == null ? Optional.empty()
                    : MultiRegionDynamoDb.shared(client);
            if (shared.isPresent()) {
                MultiRegionConfig config = shared.get().runtime().config();
                Region local = localRegion != null ? localRegion : config.localRegion();
                // Optional<?>: no cast to MeterRegistry, which may not be on the class path
                Optional<?> runtimeRegistry = MultiRegionSpi.of(shared.get().runtime()).meterRegistry();
                Object registry = meterRegistry != null ? meterRegistry : runtimeRegistry.orElse(null);
                return new Flags(this, local, localFirst(local, config.regionsByPriority()),
                        shared.get().clients()::get, registry);
            }
            Region local = localRegion;
            if (local == null) {
                throw SettingRules.invalid("Flags.localRegion", "is required with a plain client", null,
                        "name the region whose overrides apply, or pass the multi-region client");
            }
            Map<Region, DynamoDbClient> clients = new LinkedHashMap<>(regionalClients);
            if (client != null) {
                clients.put(local, client);
            }
            SettingRules.check(clients.containsKey(local), "Flags.localRegion", "must be one of the client regions",
                    local, "add client(" + local + ", client) or name another local region");
            return new Flags(this, local, localFirst(local, List.copyOf(clients.keySet())), clients::get,
                    meterRegistry);
        }

        private static List<Region> localFirst(Region local, List<Region> regions) {
            List<Region> order = new ArrayList<>();
            order.add(local);
            regions.stream().filter(r -> !r.equals(local)).forEach(order::add);
            return order;
        }
    }
}
