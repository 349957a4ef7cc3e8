package dev.meridian.dynamodb.client;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ReplicaDescription;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Table facts: configured {@link TableConfig} first, then what {@code DescribeTable} says, cached with Caffeine.
 * A failed describe is remembered briefly as "unknown" so a missing permission or an outage does not turn every call
 * into two. Thread-safe.
 *
 * <p>The cache is built on the first describe, not with the catalog: when every table's settings are configured
 * (the recommended Lambda setup) nothing is ever described, and a cold start loads none of Caffeine.
 * {@link #forget()} empties it after a process snapshot is restored.
 */
final class TableCatalog {
    private static final Logger log = LoggerFactory.getLogger(TableCatalog.class);
    private static final Duration KNOWN_TTL = Duration.ofMinutes(10);
    private static final Duration UNKNOWN_TTL = Duration.ofSeconds(5);

    private final Map<String, TableConfig> settings;
    /** {@link #settings(String)}'s answers, made once: it is asked on every call. */
    private final Map<String, Optional<TableConfig>> settingsValues;
    private final Set<Region> allRegions;
    private final boolean hasTableDefaults;
    private volatile @Nullable AsyncCache<String, Described> described;

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

    private AsyncCache<String, Described> described() {
        AsyncCache<String, Described> c = described;
        if (c == null) {
            synchronized (this) {
                if (described == null) {
                    described = Caffeine.newBuilder()
                            .maximumSize(10_000)
                            .expireAfter(Expiry.creating(
                                    (String table, Described d) -> d.known() ? KNOWN_TTL : UNKNOWN_TTL))
                            .buildAsync();
                }
                c = described;
            }
        }
        return c;
    }

    /** The cached description of {@code table}, or {@code null}; never creates the cache. */
    private @Nullable CompletableFuture<Described> cached(String table) {
        AsyncCache<String, Described> c = described;
        return c == null ? null : c.getIfPresent(table);
    }

    /**
     * Forgets every description, so that the next call that needs one describes the table again; configured settings
     * stay. After a process snapshot is restored: a description may be hours old by then (the snapshot's age is not
     * counted by the cache's expiry, which runs on the snapshot's {@code nanoTime}), and a replica added or removed
     * meanwhile changes the residency footprint.
     */
    void forget() {
        AsyncCache<String, Described> c = described;
        if (c != null) {
            c.synchronous().invalidateAll();
        }
    }

    Optional<TableConfig> settings(String table) {
        return settingsValues.getOrDefault(table, Optional.empty());
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
        CompletableFuture<?>[] loads = tables.stream()
                .map(t -> described().get(t, (table, executor) -> describeAsync.apply(table)
                        .exceptionally(e -> unknown(table, e))))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(loads);
    }

    /**
     * A describe function for {@link #partitionKey}/{@link #footprint} after {@link #preload}: it reads the cache
     * only and never performs I/O, so async callers never block.
     */
    static Function<String, Described> cacheOnly() {
        return CacheOnly.FUNCTION;
    }

    /**
     * Holds {@link #cacheOnly()}: a class of its own, initialized on first use, so that a synchronous client (which
     * never uses it) does not spin its lambda when the catalog is built.
     */
    private static final class CacheOnly {
        static final Function<String, Described> FUNCTION = table -> Described.UNKNOWN;
    }

    private Described load(String table, Function<String, Described> describe) {
        if (describe == CacheOnly.FUNCTION) {
            CompletableFuture<Described> cached = cached(table);
            return cached != null && cached.isDone() ? cached.join() : Described.UNKNOWN;
        }
        return described().get(table, (t, executor) -> {
            try {
                return CompletableFuture.completedFuture(describe.apply(t));
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(unknown(t, e));
            }
        }).join();
    }

    private static Described unknown(String table, Throwable e) {
        log.debug("DescribeTable {} failed ({}); key schema and footprint unknown for now", table, e.toString());
        return Described.UNKNOWN;
    }
}
