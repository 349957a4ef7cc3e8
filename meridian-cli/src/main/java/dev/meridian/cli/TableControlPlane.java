package dev.meridian.cli;

import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.execution.FailureClassifier;
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
import software.amazon.awssdk.core.exception.SdkException;
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
        Instant now = Instant.now();
        try {
            call(() -> table.writeAll(client, writes, versions, by, now));
        } catch (CliFailure failure) {
            if (!mayHaveApplied(failure) || !readBack(() -> applied(writes, by, now))) {
                throw failure;
            }
        }
    }

    /**
     * Whether a failed write may still have been applied: sdk-core's rule for a failed request says so (its answer was
     * lost: a timeout or broken connection after the request went out, a 500), or the SDK's retry of an applied attempt
     * found its own version already moved (a conflict).
     */
    private static boolean mayHaveApplied(CliFailure failure) {
        Throwable cause = failure.getCause();
        return failure.exitCode() == ExitCodes.CONFLICT || (failure.exitCode() == ExitCodes.UNREACHABLE
                && cause != null && FailureClassifier.aws().classify(cause).mayHaveBeenApplied());
    }

    /**
     * Reads the written items back after a write whose outcome is unknown: true when they hold exactly what this write
     * stamped (it was applied; only its answer was lost), false when they do not (the failure stands as reported:
     * nothing of it was written). When the read-back fails too, the outcome cannot be known and the operator is told
     * so instead of "nothing was written".
     */
    private boolean readBack(Supplier<Boolean> applied) {
        try {
            return applied.get();
        } catch (SdkException | IllegalStateException e) {
            throw new CliFailure(ExitCodes.UNREACHABLE, "the answer to the write to table " + table.tableName()
                    + " was lost and the table cannot be read back (" + e.getMessage() + "): the change may have "
                    + "been applied; read it (status, flag get) before re-running", e);
        }
    }

    /** Whether every changed region item holds exactly what this transaction stamped (all or nothing). */
    private boolean applied(List<ControlTable.RegionWrite> writes, String by, Instant now) {
        Map<Region, RegionControlEntry> items = table.readAll(client);
        for (ControlTable.RegionWrite w : writes) {
            RegionControlEntry expected = RegionControlEntry.of(w.state(), w.weight(), now, by,
                    w.expectedVersion() + 1);
            RegionControlEntry found = items.get(w.region());
            if (found == null || !expected.equals(found)) {
                return false;
            }
        }
        return true;
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
        Instant now = Instant.now();
        try {
            call(() -> {
                table.writeFlag(client, name, attributes, version, by, now);
                return name;
            });
        } catch (CliFailure failure) {
            if (!mayHaveApplied(failure) || !readBack(() -> table.readFlag(client, name)
                    .filter(item -> stampedBy(item, by, now, version + 1)).isPresent())) {
                throw failure;
            }
        }
    }

    /** Whether a flag item holds exactly the stamp this write gave it. */
    private static boolean stampedBy(Map<String, AttributeValue> item, String by, Instant now, long version) {
        return ControlTable.version(item) == version
                && AttributeValue.fromS(now.toString()).equals(item.get("updatedAt"))
                && AttributeValue.fromS(by).equals(item.get("updatedBy"));
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
