package dev.meridian.dynamodb.flags;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Reads every flag item of the control table with one consistent scan, in the first region of {@code order} that
 * answers (the local region first: a consistent read there sees every write acknowledged there, and the next
 * region serves when it is down). The scan reads the whole (small) table, so one request per refresh serves every
 * flag. Not thread-safe: {@link Flags} reads under its own lock.
 */
final class FlagTableReader {
    private static final Logger log = LoggerFactory.getLogger(FlagTableReader.class);

    private final String table;
    private final List<Region> order;
    private final Function<Region, DynamoDbClient> clients;
    private final FlagsMeters meters;
    /** Malformed items already logged ({@code name@version}), so that a bad item is reported once, not per read. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    FlagTableReader(String table, List<Region> order, Function<Region, DynamoDbClient> clients, FlagsMeters meters) {
        this.table = table;
        this.order = List.copyOf(order);
        this.clients = clients;
        this.meters = meters;
    }

    /**
     * Every flag, from the first region that answers; empty when none does. A malformed item keeps its
     * {@code previous} definition (or stays unknown), logged once.
     */
    Optional<Map<String, FlagDefinition>> read(Map<String, FlagDefinition> previous) {
        for (Region region : order) {
            try {
                Map<String, FlagDefinition> flags = scan(clients.apply(region), previous);
                meters.read(region, true);
                return Optional.of(flags);
            } catch (SdkException | IllegalStateException e) {
                // IllegalStateException: the region's client is closed (the routed client was closed first).
                meters.read(region, false);
                log.debug("Reading flags from table {} in {} failed: {}", table, region, e.toString());
            }
        }
        return Optional.empty();
    }

    private Map<String, FlagDefinition> scan(DynamoDbClient client, Map<String, FlagDefinition> previous) {
        ScanRequest request = ScanRequest.builder().tableName(table).consistentRead(true)
                .filterExpression("begins_with(#pk, :prefix)")
                .expressionAttributeNames(Map.of("#pk", FlagItems.KEY))
                .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(FlagItems.PREFIX)))
                .build();
        Map<String, FlagDefinition> flags = new HashMap<>();
        for (Map<String, AttributeValue> item : client.scanPaginator(request).items()) {
            try {
                FlagDefinition flag = FlagItems.parse(item);
                flags.put(flag.name(), flag);
            } catch (IllegalArgumentException e) {
                keepPrevious(item, previous, flags, e);
            }
        }
        return Map.copyOf(flags);
    }

    private void keepPrevious(Map<String, AttributeValue> item, Map<String, FlagDefinition> previous,
            Map<String, FlagDefinition> flags, IllegalArgumentException problem) {
        String name;
        try {
            name = FlagItems.name(item);
        } catch (IllegalArgumentException e) {
            return;
        }
        FlagDefinition known = previous.get(name);
        if (known != null) {
            flags.put(name, known);
        }
        AttributeValue version = item.get("version");
        if (reported.add(name + "@" + (version == null ? "" : version.n()))) {
            log.warn("Ignoring malformed flag item in table {} ({}): {}", table,
                    known == null ? "the flag stays unknown" : "its last good definition stays", problem.getMessage());
        }
    }
}
