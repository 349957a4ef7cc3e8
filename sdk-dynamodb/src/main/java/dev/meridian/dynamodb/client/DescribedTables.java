package dev.meridian.dynamodb.client;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.spi.RegionalClients;
import dev.meridian.dynamodb.client.TableCatalog.Described;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Routed {@code DescribeTable}s and {@link TableCatalog}'s cache of their results, with Caffeine. A failed describe is remembered briefly
 * as "unknown" so a missing permission or an outage does not turn every call into two. Made by the catalog on the
 * first describe: when every table's settings are configured (the recommended Lambda setup) nothing is ever
 * described, and a cold start loads neither this class nor Caffeine. Thread-safe.
 */
final class DescribedTables {
    private static final Logger log = LoggerFactory.getLogger(DescribedTables.class);
    private static final Duration KNOWN_TTL = Duration.ofMinutes(10);
    private static final Duration UNKNOWN_TTL = Duration.ofSeconds(5);

    private final AsyncCache<String, Described> described = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfter(Expiry.creating(
                    (String table, Described d) -> d.known() ? KNOWN_TTL : UNKNOWN_TTL))
            .buildAsync();

    /** A routed {@code DescribeTable} of {@code table} under the current context, on the per-region clients. */
    static Described describe(MultiRegion runtime, RegionalClients<DynamoDbClient> clients, String table) {
        return runtime.execute(describeOperation(table),
                region -> Described.of(clients.get(region).describeTable(r -> r.tableName(table)).table(), region));
    }

    /** The read that learns a table's key schema and replicas (routed like any read). */
    static Operation describeOperation(String table) {
        return Operation.builder("DescribeTable", OperationKind.READ).resource(table).build();
    }

    /** The cached description of {@code table}, or {@code null}. */
    @Nullable CompletableFuture<Described> cached(String table) {
        return described.getIfPresent(table);
    }

    /** Forgets every description (see {@link TableCatalog#forget()}). */
    void forget() {
        described.synchronous().invalidateAll();
    }

    /** Describes (asynchronously) whichever of these tables are not cached yet; never fails. */
    CompletableFuture<Void> preload(Collection<String> tables,
            Function<String, CompletableFuture<Described>> describeAsync) {
        CompletableFuture<?>[] loads = tables.stream()
                .map(t -> described.get(t, (table, executor) -> describeAsync.apply(table)
                        .exceptionally(e -> unknown(table, e))))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(loads);
    }

    /** {@link #cacheOnly()}'s function: reads the cache only and never performs I/O, so async callers never block. */
    static Function<String, Described> cacheOnly() {
        return CacheOnly.FUNCTION;
    }

    /**
     * Holds {@link #cacheOnly()}: a class of its own, initialized on first use, so that a synchronous client (which
     * never uses it) does not spin its lambda.
     */
    private static final class CacheOnly {
        static final Function<String, Described> FUNCTION = table -> Described.UNKNOWN;
    }

    /** The description of {@code table}: cached, else from {@code describe} (synchronously, once). */
    Described load(String table, Function<String, Described> describe) {
        if (describe == CacheOnly.FUNCTION) {
            CompletableFuture<Described> cached = cached(table);
            return cached != null && cached.isDone() ? cached.join() : Described.UNKNOWN;
        }
        return described.get(table, (t, executor) -> {
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
