package dev.meridian.dynamodb.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.control.RegionControlSource;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.internal.SettingRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Reads the fleet's region controls from the control table: one consistent {@code BatchGetItem} of the region items
 * in the first of the table's regions (the local one), and, when that region cannot answer, in the next. A consistent
 * read sees every write acknowledged in that region; a write made in another region arrives with the global table's
 * replication. Give it per-region clients with a short timeout and few retries (a read that waits long only delays
 * the next poll; the state in force stays meanwhile). Closes the clients it was given only if told so.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ControlTableSource implements RegionControlSource {
    private static final Logger LOG = LoggerFactory.getLogger(ControlTableSource.class);

    private final ControlTable table;
    private final List<Region> readOrder;
    private final List<Region> controlled;
    private final Map<Region, DynamoDbClient> clients;
    private final boolean closeClients;

    private ControlTableSource(Builder b) {
        this.table = new ControlTable(b.tableName);
        SettingRules.check(!b.readOrder.isEmpty(), "meridian.control.table-regions", "must name at least one region",
                b.readOrder, "list the control table's regions, local first");
        SettingRules.check(!b.controlled.isEmpty(), "controlled regions", "must name at least one region", b.controlled,
                "pass the runtime's configured regions");
        Function<Region, DynamoDbClient> factory = SettingRules.required(b.clientFactory, "clientFactory",
                "give a factory of per-region DynamoDbClients");
        this.readOrder = List.copyOf(b.readOrder);
        this.controlled = List.copyOf(b.controlled);
        Map<Region, DynamoDbClient> built = new LinkedHashMap<>();
        for (Region r : readOrder) {
            built.put(r, Objects.requireNonNull(factory.apply(r), "clientFactory returned null for " + r));
        }
        this.clients = built;
        this.closeClients = b.closeClients;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The table this source reads. */
    public ControlTable table() {
        return table;
    }

    /** The table's regions in the order they are tried. */
    public List<Region> readOrder() {
        return readOrder;
    }

    /** The client this source reads {@code region} with. */
    DynamoDbClient client(Region region) {
        return Objects.requireNonNull(clients.get(region), region.id());
    }

    @Override
    public String name() {
        return "table";
    }

    /**
     * The region items, from the first region that answers.
     *
     * @throws IllegalStateException when no region answers (each region's failure suppressed in it) or an item
     *         breaks the schema
     */
    @Override
    public RegionControlState read() {
        List<SdkException> failures = new ArrayList<>();
        for (Region r : readOrder) {
            try {
                RegionControlState state = table.read(client(r), controlled);
                if (!failures.isEmpty()) {
                    LOG.debug("Control table read in {} after {} region(s) failed", r.id(), failures.size());
                }
                return state;
            } catch (SdkException e) {
                failures.add(e);
            }
        }
        IllegalStateException e = new IllegalStateException("Control table " + table.tableName()
                + " cannot be read in any of " + readOrder);
        failures.forEach(e::addSuppressed);
        throw e;
    }

    @Override
    public void close() {
        if (closeClients) {
            clients.values().forEach(DynamoDbClient::close);
        }
    }

    /** Builder of {@link ControlTableSource}; not thread-safe. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private String tableName = ControlTable.DEFAULT_TABLE_NAME;
        private List<Region> readOrder = List.of();
        private List<Region> controlled = List.of();
        private @Nullable Function<Region, DynamoDbClient> clientFactory;
        private boolean closeClients = true;

        private Builder() {
        }

        /** The control table's name (default {@value ControlTable#DEFAULT_TABLE_NAME}). */
        public Builder tableName(String tableName) {
            this.tableName = tableName;
            return this;
        }

        /** The regions the table is read in, in order: the local region first, then its fallbacks. */
        public Builder readOrder(List<Region> regions) {
            this.readOrder = List.copyOf(regions);
            return this;
        }

        /** The regions whose items are read: the runtime's configured regions. */
        public Builder controlledRegions(List<Region> regions) {
            this.controlled = List.copyOf(regions);
            return this;
        }

        /** Builds one client per read region, once, at {@link #build()}. */
        public Builder clientFactory(Function<Region, DynamoDbClient> factory) {
            this.clientFactory = factory;
            return this;
        }

        /** Whether {@link ControlTableSource#close()} closes the clients (default true: the factory built them). */
        public Builder closeClients(boolean close) {
            this.closeClients = close;
            return this;
        }

        public ControlTableSource build() {
            return new ControlTableSource(this);
        }
    }
}
