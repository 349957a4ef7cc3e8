package dev.meridian.dynamodb.client;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ReplicaDescription;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Table facts: configured {@link TableConfig} first, then what {@code DescribeTable} says, cached
 * ({@link DescribedTables}). Thread-safe.
 *
 * <p>The cache is built on the first describe, not with the catalog: when every table's settings are configured
 * (the recommended Lambda setup) nothing is ever described, and a cold start loads none of it.
 * {@link #forget()} empties it after a process snapshot is restored.
 */
final class TableCatalog {

    private final Map<String, TableConfig> settings;
    /** {@link #settings(String)}'s answers, made once: it is asked on every call. */
    private final Map<String, Optional<TableConfig>> settingsValues;
    private final Set<Region> allRegions;
    private final boolean hasTableDefaults;
    private volatile @Nullable DescribedTables described;

    /** A served {@code DescribeTable}: the description and the region that answered. */
    record Described(Optional<String> partitionKey, Set<Region> replicas, boolean known) {
        static final Described UNKNOWN = new Described(Optional.empty(), Set.of(), false);

        static Described of(TableDescription table, Region answeredBy) {
            Optional<String> pk = table.keySchema().stream()
                    .filter(k -> k.keyType() == KeyType.HASH)
                    .map(KeySchemaElement::attributeName)
                    .findFirst();
            Set<Region> replicas = new LinkedHashSet<>();
            if (table.hasReplicas() && !table.replicas().isEmpty()) {
                replicas.add(answeredBy);
                for (ReplicaDescription r : table.replicas()) {
                    replicas.add(Region.of(r.regionName()));
                }
            }
            return new Described(pk, Set.copyOf(replicas), true);
        }
    }

    TableCatalog(Map<String, TableConfig> settings, Set<Region> allRegions) {
        this.settings = Map.copyOf(settings);
        // Loops and no method references here and in the configured* look-ups: every routed client builds a catalogue
        // at start-up and reads it on its first call, and each lambda would be a class spun on that cold path.
        Map<String, Optional<TableConfig>> values = new HashMap<>();
        boolean defaults = false;
        for (Map.Entry<String, TableConfig> e : this.settings.entrySet()) {
            values.put(e.getKey(), Optional.of(e.getValue()));
            defaults |= e.getValue().defaultDataClass().isPresent();
        }
        this.settingsValues = Map.copyOf(values);
        this.allRegions = Set.copyOf(allRegions);
        this.hasTableDefaults = defaults;
    }

    private DescribedTables described() {
        DescribedTables d = described;
        if (d == null) {
            synchronized (this) {
                if (described == null) {
                    described = new DescribedTables();
                }
                d = described;
            }
        }
        return d;
    }

    /** The cached description of {@code table}, or {@code null}; never creates the cache. */
    private @Nullable CompletableFuture<Described> cached(String table) {
        DescribedTables d = described;
        return d == null ? null : d.cached(table);
    }

    /**
     * Forgets every description, so that the next call that needs one describes the table again; configured settings
     * stay. After a process snapshot is restored: a description may be hours old by then (the snapshot's age is not
     * counted by the cache's expiry, which runs on the snapshot's {@code nanoTime}), and a replica added or removed
     * meanwhile changes the residency footprint.
     */
    void forget() {
        DescribedTables d = described;
        if (d != null) {
            d.forget();
        }
    }

    Optional<TableConfig> settings(String table) {
        return settingsValues.getOrDefault(table, Optional.empty());
    }

    /** Every configured table's settings. */
    Collection<TableConfig> configured() {
        return settings.values();
    }

    private Optional<Set<Region>> configuredReplicas(String table) {
        TableConfig c = settings.get(table);
        return c == null ? Optional.empty() : c.replicaRegions();
    }

    private Optional<String> configuredPartitionKey(String table) {
        TableConfig c = settings.get(table);
        return c == null ? Optional.empty() : c.partitionKey();
    }

    /**
     * The regions the table exists in when that is fewer than every configured region: its configured replica
     * regions, else what a cached {@code DescribeTable} said (never describes). Empty when it may be anywhere.
     */
    Optional<Set<Region>> bound(String table) {
        Optional<Set<Region>> configured = configuredReplicas(table);
        Set<Region> regions;
        if (configured.isPresent()) {
            regions = configured.get();
        } else {
            CompletableFuture<Described> cached = cached(table);
            if (cached == null || !cached.isDone() || cached.isCompletedExceptionally()) {
                return Optional.empty();
            }
            regions = cached.join().replicas();
        }
        return regions.isEmpty() || regions.containsAll(allRegions) ? Optional.empty() : Optional.of(regions);
    }

    /** Whether any table declares a default data class for calls made without a context. */
    boolean hasTableDefaults() {
        return hasTableDefaults;
    }

    /** Whether answering {@link #partitionKey} needs a {@code DescribeTable}. */
    boolean needsPartitionKey(String table) {
        return configuredPartitionKey(table).isEmpty();
    }

    /** Whether answering {@link #footprint} needs a {@code DescribeTable}. */
    boolean needsFootprint(String table) {
        return configuredReplicas(table).isEmpty();
    }

    /** The partition key name, describing the table (synchronously, once) when it is not configured. */
    Optional<String> partitionKey(String table, Function<String, Described> describe) {
        Optional<String> configured = configuredPartitionKey(table);
        return configured.isPresent() ? configured : load(table, describe).partitionKey();
    }

    /**
     * The regions holding a replica: configured, else the described replicas, else every configured region (fail
     * closed: a table whose footprint is unknown is assumed to replicate everywhere the application runs).
     */
    Set<Region> footprint(String table, Function<String, Described> describe) {
        Optional<Set<Region>> configured = configuredReplicas(table);
        if (configured.isPresent()) {
            return configured.get();
        }
        Set<Region> replicas = load(table, describe).replicas();
        return replicas.isEmpty() ? allRegions : replicas;
    }

    /** Describes (asynchronously) whichever of these tables are not cached yet; never fails. */
    CompletableFuture<Void> preload(Collection<String> tables,
            Function<String, CompletableFuture<Described>> describeAsync) {
        return described().preload(tables, describeAsync);
    }

    /**
     * A describe function for {@link #partitionKey}/{@link #footprint} after {@link #preload}: it reads the cache
     * only and never performs I/O, so async callers never block.
     */
    static Function<String, Described> cacheOnly() {
        return DescribedTables.cacheOnly();
    }

    private Described load(String table, Function<String, Described> describe) {
        // The cache-only function never creates the cache: nothing was described, so nothing is cached.
        DescribedTables d = describe == DescribedTables.cacheOnly() ? described : described();
        return d == null ? Described.UNKNOWN : d.load(table, describe);
    }
}
