package dev.meridian.dynamodb.client;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * What Meridian needs to know about one table: its partition key attribute, how writes are spread
 * ({@link WriteMode}) and which regions hold a replica (its residency footprint). Immutable and thread-safe.
 *
 * <p>Anything left unset is read from {@code DescribeTable} on first use and cached: the partition key from the key
 * schema, the footprint from {@code Replicas}. A configured value always wins, which matters for DynamoDB Local
 * (it reports no replicas) and for tables the application may not describe. When neither gives a footprint,
 * Meridian assumes the table replicates to every region of the configuration, so RESTRICTED data fails closed.
 */
@API(status = STABLE, since = "0.1")
public final class TableConfig {
    private final String tableName;
    private final @Nullable String partitionKey;
    private final WriteMode writeMode;
    private final @Nullable Set<Region> replicaRegions;
    private final boolean consistentReadsAtHome;
    private final @Nullable String versionAttribute;
    private final @Nullable RoutingContext defaultContext;
    /**
     * {@link #partitionKey()} and {@link #replicaRegions()} as returned: classifying and bounding a call asks for them
     * on every call, and a fresh {@code Optional} each time would be allocation on every call.
     */
    private final Optional<String> partitionKeyValue;
    private final Optional<Set<Region>> replicaRegionsValue;

    private TableConfig(Builder b) {
        this.tableName = b.tableName;
        this.partitionKey = b.partitionKey;
        this.writeMode = b.writeMode;
        this.replicaRegions = b.replicaRegions == null ? null : Set.copyOf(b.replicaRegions);
        this.consistentReadsAtHome = b.consistentReadsAtHome;
        this.versionAttribute = b.versionAttribute;
        this.defaultContext = b.defaultDataClass == null ? null
                : RoutingContext.builder().dataClass(b.defaultDataClass).build();
        this.partitionKeyValue = Optional.ofNullable(partitionKey);
        this.replicaRegionsValue = Optional.ofNullable(replicaRegions);
    }

    /** Starts settings for the table with this name. */
    public static Builder builder(String tableName) {
        return new Builder(tableName);
    }

    /**
     * The settings of the tables listed in {@code MERIDIAN_DYNAMODB_TABLES} (or {@code meridian.dynamodb.tables}),
     * each from its {@code MERIDIAN_DYNAMODB_TABLE_<TABLE>_*} variables, e.g.
     * {@code MERIDIAN_DYNAMODB_TABLE_ORDERS_PARTITION_KEY=pk}; a system property
     * ({@code meridian.dynamodb.table.orders.partition-key}) wins over a variable. Empty when no tables are listed.
     * Configure the partition key and replica regions of every table a Lambda function uses: its first call then
     * sends no {@code DescribeTable}. The settings are declared in {@link DynamoDbSettings} and listed in
     * docs/configuration.md.
     *
     * @throws IllegalArgumentException naming the variable or property whose value is invalid
     */
    public static List<TableConfig> fromEnvironment() {
        return fromEnvironment(System.getenv(), System.getProperties());
    }

    /** As {@link #fromEnvironment()}, reading the given maps (for tests). */
    public static List<TableConfig> fromEnvironment(Map<String, String> env, Properties props) {
        return TableEnvironment.load(env, props);
    }

    /** Settings for a multi-active table whose key schema and footprint come from {@code DescribeTable}. */
    public static TableConfig of(String tableName) {
        return builder(tableName).build();
    }

    /** The table name. */
    public String tableName() {
        return tableName;
    }

    /** The partition key attribute name, when configured. */
    public Optional<String> partitionKey() {
        return partitionKeyValue;
    }

    /** How writes are spread over the replicas (default {@link WriteMode#READ_LOCAL_WRITE_LOCAL}). */
    public WriteMode writeMode() {
        return writeMode;
    }

    /** The regions holding a replica of this table, when configured. */
    public Optional<Set<Region>> replicaRegions() {
        return replicaRegionsValue;
    }

    /**
     * Whether strongly consistent reads of a {@link WriteMode#WRITE_HOME_BY_KEY} table go to the key's home region
     * (default {@code true}): only the region that takes the writes can answer them consistently.
     */
    public boolean consistentReadsAtHome() {
        return consistentReadsAtHome;
    }

    /**
     * The numeric attribute holding the item's version or stamp (e.g. the Enhanced Client's
     * {@code @DynamoDbVersionAttribute}), when configured. Read-your-writes uses it to notice that a write has
     * replicated before its window ends.
     */
    public Optional<String> versionAttribute() {
        return Optional.ofNullable(versionAttribute);
    }

    /**
     * The data class of this table's calls made while no {@code RoutingContext} is open, when set: e.g.
     * {@code RESTRICTED} for a table of personal data, so that a call without a context fails closed instead of
     * going to any region. Wins over the configuration's {@code defaultDataClass}.
     */
    public Optional<DataClass> defaultDataClass() {
        return defaultContext == null ? Optional.empty() : Optional.of(defaultContext.dataClass());
    }

    /** The context a call on this table without an open context runs under, when a default data class is set. */
    Optional<RoutingContext> defaultContext() {
        return Optional.ofNullable(defaultContext);
    }

    /** A builder holding these settings, to derive modified ones. */
    public Builder toBuilder() {
        Builder b = new Builder(tableName);
        b.partitionKey = partitionKey;
        b.writeMode = writeMode;
        b.replicaRegions = replicaRegions;
        b.consistentReadsAtHome = consistentReadsAtHome;
        b.versionAttribute = versionAttribute;
        b.defaultDataClass = defaultContext == null ? null : defaultContext.dataClass();
        return b;
    }

    @Override
    public String toString() {
        return "TableConfig[" + tableName + " pk=" + partitionKey + ' ' + writeMode
                + (replicaRegions == null ? "" : " replicas=" + replicaRegions)
                + (defaultContext == null ? "" : " defaultDataClass=" + defaultContext.dataClass()) + ']';
    }

    /** Builder for {@link TableConfig}; not thread-safe. */
    public static final class Builder {
        private static final String TABLE_NAME_FIX = "pass the DynamoDB table's name (3 to 255 characters)";

        private final String tableName;
        private @Nullable String partitionKey;
        private WriteMode writeMode = WriteMode.READ_LOCAL_WRITE_LOCAL;
        private @Nullable Set<Region> replicaRegions;
        private boolean consistentReadsAtHome = true;
        private @Nullable String versionAttribute;
        private @Nullable DataClass defaultDataClass;

        private Builder(String tableName) {
            SettingRules.required(tableName, "TableConfig.tableName", TABLE_NAME_FIX);
            SettingRules.check(tableName.length() >= 3 && tableName.length() <= 255, "TableConfig.tableName",
                    "must have 3 to 255 characters", SettingRules.quoted(tableName), TABLE_NAME_FIX);
            this.tableName = tableName;
        }

        /** The partition key attribute name (saves a {@code DescribeTable} call). */
        public Builder partitionKey(String partitionKey) {
            this.partitionKey = SettingRules.notBlank(partitionKey, "TableConfig.partitionKey of table " + tableName,
                    "pass the table's partition key attribute, or leave it unset to describe the table");
            return this;
        }

        /** How writes are spread (default {@link WriteMode#READ_LOCAL_WRITE_LOCAL}). */
        public Builder writeMode(WriteMode writeMode) {
            this.writeMode = Objects.requireNonNull(writeMode, "writeMode");
            return this;
        }

        /** The regions holding a replica; RESTRICTED data is refused when any of them lies outside its jurisdiction. */
        public Builder replicaRegions(Set<Region> replicaRegions) {
            String setting = "TableConfig.replicaRegions of table " + tableName;
            String fix = "pass every region holding a replica, or leave it unset to describe the table";
            SettingRules.required(replicaRegions, setting, fix);
            boolean nullRegion = false; // a loop, not a stream: tables are configured on the start-up path
            for (Region r : replicaRegions) {
                nullRegion |= r == null;
            }
            SettingRules.check(!replicaRegions.isEmpty() && !nullRegion, setting,
                    "must be non-empty without null regions", replicaRegions, fix);
            this.replicaRegions = new LinkedHashSet<>(replicaRegions);
            return this;
        }

        /** Same as {@link #replicaRegions(Set)}. */
        public Builder replicaRegions(Region... replicaRegions) {
            Objects.requireNonNull(replicaRegions, "replicaRegions");
            return replicaRegions(new LinkedHashSet<>(Arrays.asList(replicaRegions)));
        }

        /** See {@link TableConfig#consistentReadsAtHome()} (default {@code true}). */
        public Builder consistentReadsAtHome(boolean consistentReadsAtHome) {
            this.consistentReadsAtHome = consistentReadsAtHome;
            return this;
        }

        /** See {@link TableConfig#versionAttribute()}. */
        public Builder versionAttribute(String versionAttribute) {
            this.versionAttribute = SettingRules.notBlank(versionAttribute, "TableConfig.versionAttribute of table "
                    + tableName, "pass the table's numeric version attribute, or leave it unset");
            return this;
        }

        /** See {@link TableConfig#defaultDataClass()}. */
        public Builder defaultDataClass(DataClass dataClass) {
            this.defaultDataClass = Objects.requireNonNull(dataClass, "defaultDataClass");
            return this;
        }

        /** The immutable settings. */
        public TableConfig build() {
            return new TableConfig(this);
        }
    }
}
