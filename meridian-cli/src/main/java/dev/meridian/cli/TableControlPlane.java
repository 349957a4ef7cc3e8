package dev.meridian.cli;

import dev.meridian.core.control.ControlState;
import dev.meridian.dynamodb.control.ControlTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The control table as the CLI's control plane: sdk-dynamodb's {@link ControlTable} (the schema and the version rule
 * every writer shares) through one client, its failures turned into the CLI's exit codes. Everything goes to the one
 * region the client is built for: conditions hold within a region, so writers of one table should use one region.
 */
final class TableControlPlane implements ControlPlane {
    private final DynamoDbClient client;
    private final ControlTable table;

    TableControlPlane(DynamoDbClient client, String table) {
        this.client = client;
        this.table = new ControlTable(table);
    }

    @Override
    public Map<String, RegionState> regions() {
        Map<String, RegionState> regions = new TreeMap<>();
        call(() -> table.readAll(client)).forEach((region, entry) -> regions.put(region.id(),
                new RegionState(region.id(), entry.isOn(), entry.weight().isPresent() ? entry.weight().getAsInt()
                        : null, entry.version(), true, entry.updatedAt().map(Instant::toString).orElse(null),
                        entry.updatedBy().orElse(null))));
        return regions;
    }

    /**
     * Every changed region in one transaction, each conditioned on the version read, and every region the change was
     * judged on checked at the version read (0: still no item): all or nothing, and never over a state the safety
     * rule did not see.
     */
    @Override
    public void write(Collection<RegionState> changed, Collection<RegionState> judgedOn, String by) {
        List<ControlTable.RegionWrite> writes = new ArrayList<>();
        for (RegionState s : changed) {
            writes.add(new ControlTable.RegionWrite(Region.of(s.region()), s.on() ? ControlState.ON : ControlState.OFF,
                    s.weight(), s.version()));
        }
        Map<Region, Long> versions = new LinkedHashMap<>();
        judgedOn.forEach(s -> versions.put(Region.of(s.region()), s.version()));
        call(() -> table.writeAll(client, writes, versions, by, Instant.now()));
    }

    /** The flag item, read consistently; empty when the table holds no such flag. */
    Optional<Map<String, AttributeValue>> flag(String name) {
        return call(() -> table.readFlag(client, name));
    }

    /**
     * Writes a flag item (attributes other than the key and the stamps), conditioned on the version it was read at
     * ({@code previous} null: on its absence).
     */
    void putFlag(String name, Map<String, AttributeValue> attributes, @Nullable Map<String, AttributeValue> previous,
            String by) {
        long version = previous == null ? 0 : ControlTable.version(previous);
        call(() -> {
            table.writeFlag(client, name, attributes, version, by, Instant.now());
            return name;
        });
    }

    @Override
    public boolean supportsWeights() {
        return true;
    }

    @Override
    public String describe() {
        return "control table " + table.tableName();
    }

    @Override
    public void close() {
        client.close();
    }

    /** Runs a table call, turning the AWS SDK's failures into the CLI's exit codes. */
    private <T> T call(Supplier<T> call) {
        String name = table.tableName();
        try {
            return call.get();
        } catch (ConditionalCheckFailedException e) {
            throw new CliFailure(ExitCodes.CONFLICT, "an item of table " + name + " changed since it was read (its "
                    + "version moved); nothing was written: re-run to apply to the new state", e);
        } catch (TransactionCanceledException e) {
            throw new CliFailure(ExitCodes.ERROR, "the write to table " + name + " was cancelled: " + e.getMessage()
                    + "; nothing was written", e);
        } catch (ResourceNotFoundException e) {
            throw new CliFailure(ExitCodes.NOT_FOUND, "control table " + name + " not found: " + e.getMessage()
                    + "; pass --table or create the table", e);
        } catch (SdkClientException e) {
            throw new CliFailure(ExitCodes.UNREACHABLE, "control table " + name + " unreachable: " + e.getMessage()
                    + "; nothing was written", e);
        } catch (DynamoDbException e) {
            if (e.statusCode() >= 500 || e.isThrottlingException()) {
                throw new CliFailure(ExitCodes.UNREACHABLE, "control table " + name + " unavailable: "
                        + e.getMessage() + "; nothing was written", e);
            }
            throw e;
        } catch (IllegalStateException e) {
            throw new CliFailure(ExitCodes.ERROR, e.getMessage() + "; fix the item (see docs/fleet-control.md)", e);
        }
    }
}
