package dev.meridian.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The control table (a DynamoDB global table, partition key {@code pk}; schema in docs/fleet-control.md): region
 * items {@code region#<id>} and flag items {@code flag#<name>}, read with consistent reads and written with a
 * condition on {@code version} (new items: on their absence), so two operators cannot overwrite each other unseen.
 * Everything goes to the one region the client is built for: conditions hold within a region, so writers of one
 * table should use one region.
 */
final class ControlTable implements ControlPlane {
    static final String KEY = "pk";
    static final String REGION_PREFIX = "region#";
    static final String FLAG_PREFIX = "flag#";

    private final DynamoDbClient client;
    private final String table;

    ControlTable(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    @Override
    public Map<String, RegionState> regions() {
        Map<String, RegionState> regions = new TreeMap<>();
        call(() -> {
            ScanRequest scan = ScanRequest.builder().tableName(table).consistentRead(true)
                    .filterExpression("begins_with(#pk, :prefix)").expressionAttributeNames(Map.of("#pk", KEY))
                    .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(REGION_PREFIX))).build();
            client.scanPaginator(scan).items().forEach(item -> {
                RegionState state = regionState(item);
                regions.put(state.region(), state);
            });
            return regions;
        });
        return regions;
    }

    @Override
    public void write(Collection<RegionState> changed, String by) {
        String now = Instant.now().toString();
        List<TransactWriteItem> puts = new ArrayList<>();
        for (RegionState s : changed) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(KEY, AttributeValue.fromS(REGION_PREFIX + s.region()));
            item.put("state", AttributeValue.fromS(s.on() ? "ON" : "OFF"));
            if (s.weight() != null) {
                item.put("weight", AttributeValue.fromN(s.weight().toString()));
            }
            puts.add(TransactWriteItem.builder().put(conditional(stamped(item, now, by, s.version()), s.stored(),
                    s.version())).build());
        }
        call(() -> client.transactWriteItems(t -> t.transactItems(puts)));
    }

    /** The flag item, read consistently; empty when the table holds no such flag. */
    Optional<Map<String, AttributeValue>> flag(String name) {
        return call(() -> {
            var r = client.getItem(g -> g.tableName(table).consistentRead(true)
                    .key(Map.of(KEY, AttributeValue.fromS(FLAG_PREFIX + name))));
            return r.hasItem() && !r.item().isEmpty() ? Optional.of(r.item()) : Optional.empty();
        });
    }

    /**
     * Writes a flag item (attributes other than the key and the stamps), conditioned on the version it was read at
     * ({@code previous} null: on its absence).
     */
    void putFlag(String name, Map<String, AttributeValue> attributes, @Nullable Map<String, AttributeValue> previous,
            String by) {
        Map<String, AttributeValue> item = new HashMap<>(attributes);
        item.put(KEY, AttributeValue.fromS(FLAG_PREFIX + name));
        long version = previous == null ? 0 : version(previous);
        Put put = conditional(stamped(item, Instant.now().toString(), by, version), previous != null, version);
        call(() -> client.transactWriteItems(t -> t.transactItems(TransactWriteItem.builder().put(put).build())));
    }

    @Override
    public boolean supportsWeights() {
        return true;
    }

    @Override
    public String describe() {
        return "control table " + table;
    }

    @Override
    public void close() {
        client.close();
    }

    static long version(Map<String, AttributeValue> item) {
        AttributeValue v = item.get("version");
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    private static Map<String, AttributeValue> stamped(Map<String, AttributeValue> item, String now, String by,
            long version) {
        item.put("updatedAt", AttributeValue.fromS(now));
        item.put("updatedBy", AttributeValue.fromS(by));
        item.put("version", AttributeValue.fromN(Long.toString(version + 1)));
        return item;
    }

    private Put conditional(Map<String, AttributeValue> item, boolean stored, long version) {
        Put.Builder put = Put.builder().tableName(table).item(item).expressionAttributeNames(Map.of("#pk", KEY));
        if (!stored) {
            return put.conditionExpression("attribute_not_exists(#pk)").build();
        }
        return put.conditionExpression("#version = :version")
                .expressionAttributeNames(Map.of("#version", "version"))
                .expressionAttributeValues(Map.of(":version", AttributeValue.fromN(Long.toString(version)))).build();
    }

    private static RegionState regionState(Map<String, AttributeValue> item) {
        String region = Objects.requireNonNull(item.get(KEY), KEY).s().substring(REGION_PREFIX.length());
        AttributeValue state = item.get("state");
        AttributeValue weight = item.get("weight");
        AttributeValue at = item.get("updatedAt");
        AttributeValue by = item.get("updatedBy");
        return new RegionState(region, state == null || !"OFF".equals(state.s()),
                weight == null || weight.n() == null ? null : Integer.valueOf(weight.n()), version(item), true,
                at == null ? null : at.s(), by == null ? null : by.s());
    }

    /** Runs a table call, turning the AWS SDK's failures into the CLI's exit codes. */
    private <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (ConditionalCheckFailedException e) {
            throw conflict();
        } catch (TransactionCanceledException e) {
            boolean conditionFailed = e.hasCancellationReasons() && e.cancellationReasons().stream()
                    .map(CancellationReason::code).anyMatch("ConditionalCheckFailed"::equals);
            if (conditionFailed) {
                throw conflict();
            }
            throw new CliFailure(ExitCodes.ERROR, "the write to table " + table + " was cancelled: " + e.getMessage(), e);
        } catch (ResourceNotFoundException e) {
            throw new CliFailure(ExitCodes.NOT_FOUND, "control table " + table + " not found: " + e.getMessage()
                    + "; pass --table or create the table", e);
        } catch (SdkClientException e) {
            throw new CliFailure(ExitCodes.UNREACHABLE, "control table " + table + " unreachable: " + e.getMessage()
                    + "; nothing was written", e);
        } catch (DynamoDbException e) {
            if (e.statusCode() >= 500 || e.isThrottlingException()) {
                throw new CliFailure(ExitCodes.UNREACHABLE, "control table " + table + " unavailable: "
                        + e.getMessage() + "; nothing was written", e);
            }
            throw e;
        }
    }

    private CliFailure conflict() {
        return new CliFailure(ExitCodes.CONFLICT, "an item of table " + table
                + " changed since it was read (its version moved); nothing was written: re-run to apply to the new state");
    }
}
