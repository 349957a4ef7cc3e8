package dev.meridian.dynamodb.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.TableKey;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * The memory behind {@link ReadYourWrites}: per session and (table, partition key), the region that took the last
 * write and the version it wrote, forgotten after the window. Thread-safe.
 */
final class WriteMarks {
    private static final Logger log = LoggerFactory.getLogger(WriteMarks.class);
    private static final String SHARED_SESSION = "";

    private final Cache<MarkKey, Mark> marks;

    private record MarkKey(String session, String table, String partitionValue) {
    }

    /** Where a write landed and, when known, the version it wrote. */
    record Mark(Region region, OptionalLong version) {
    }

    WriteMarks(ReadYourWrites settings) {
        this.marks = Caffeine.newBuilder()
                .expireAfterWrite(settings.window())
                .maximumSize(settings.maximumSize())
                .build();
    }

    static String session(RoutingContext ctx) {
        return ctx.correlationId().orElse(SHARED_SESSION);
    }

    void recordWrite(String session, List<TableKey> keys, Region region, OptionalLong version) {
        for (TableKey k : keys) {
            marks.put(new MarkKey(session, k.table(), k.partitionValue()), new Mark(region, version));
        }
    }

    /** Forgets every remembered write, e.g. after a process snapshot was restored. */
    void forget() {
        marks.invalidateAll();
    }

    /** The region that took the session's remembered write of the first of these keys that has one. */
    Optional<Region> writerRegion(String session, List<TableKey> keys) {
        for (TableKey k : keys) {
            Mark m = marks.getIfPresent(new MarkKey(session, k.table(), k.partitionValue()));
            if (m != null) {
                return Optional.of(m.region());
            }
        }
        return Optional.empty();
    }

    /** A read of {@code key} was served by {@code region} and saw {@code version}: forget the mark once replicated. */
    void observeRead(String session, TableKey key, Region region, OptionalLong version) {
        MarkKey mk = new MarkKey(session, key.table(), key.partitionValue());
        Mark m = marks.getIfPresent(mk);
        if (m == null || m.region().equals(region) || m.version().isEmpty() || version.isEmpty()) {
            return;
        }
        if (version.getAsLong() >= m.version().getAsLong()) {
            marks.asMap().remove(mk, m);
            log.debug("Write of {} seen replicated in {}; read-your-writes pin released", key.table(), region);
        }
    }
}
