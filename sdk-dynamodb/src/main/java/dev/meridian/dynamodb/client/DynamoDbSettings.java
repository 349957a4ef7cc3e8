package dev.meridian.dynamodb.client;

import static dev.meridian.core.settings.SettingTypes.bool;
import static dev.meridian.core.settings.SettingTypes.oneOf;
import static dev.meridian.core.settings.SettingTypes.regionIds;
import static dev.meridian.core.settings.SettingTypes.text;
import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.settings.Setting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * The registry of sdk-dynamodb's settings, declared as sdk-core's are ({@link Setting}: key, type, default, rule,
 * doc line): the tables {@link TableConfig#fromEnvironment()} reads from {@code MERIDIAN_DYNAMODB_*} variables and
 * {@code meridian.dynamodb.*} system properties, and the Spring Boot starter from
 * {@code meridian.dynamodb.tables.<table>.*}. A table's settings hold the placeholder {@value #TABLE}; its variables
 * use the table name upper-cased with every character other than a letter or digit as {@code _}
 * ({@link #variableName(Setting, String)}). docs/configuration.md lists them (a test holds it to this list).
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class DynamoDbSettings {
    /** Placeholder of a table name in a table's keys. */
    public static final String TABLE = "<table>";
    private static final Map<String, Setting<?>> ALL = new LinkedHashMap<>();
    private static final String PREFIX = "dynamodb.table." + TABLE + '.';
    private static final List<String> WRITE_MODES = List.of("read-local-write-local", "write-home-by-key");

    /** The tables whose settings are read. */
    public static final Setting<List<String>> TABLES = add(Setting.<List<String>>builder("dynamodb.tables",
                    List.class, DynamoDbSettings::tableNames)
            .rule(names -> names.stream().allMatch(n -> n.length() >= 3 && n.length() <= 255),
                    "must list table names of 3 to 255 characters", "correct the tables' names")
            .derivedDefault("no tables (each is described on first use)")
            .doc("Comma-separated table names whose settings are read, e.g. orders,orders-idempotency."));
    /** A table's partition key attribute. */
    public static final Setting<String> TABLE_PARTITION_KEY = add(text(PREFIX + "partition-key",
            "name the table's partition key attribute, or leave it unset to describe the table")
            .derivedDefault("from DescribeTable")
            .doc("The partition key attribute of the table (saves a DescribeTable call)."));
    /** The regions holding a replica of a table. */
    public static final Setting<List<String>> TABLE_REPLICA_REGIONS = add(regionIds(PREFIX + "replica-regions",
            "list each region holding a replica once, e.g. eu-west-1,eu-central-1")
            .derivedDefault("from DescribeTable, else every configured region")
            .doc("Comma-separated regions holding a replica of the table (the residency footprint: its calls never go"
                    + " elsewhere)."));
    /** How a table's writes are spread. */
    public static final Setting<String> TABLE_WRITE_MODE = add(oneOf(PREFIX + "write-mode", WRITE_MODES,
            "read-local-write-local")
            .doc("How writes are spread over the replicas: read-local-write-local or write-home-by-key."));
    /** The data class of a table's calls without one. */
    public static final Setting<String> TABLE_DEFAULT_DATA_CLASS = add(Setting.<String>builder(
                    PREFIX + "default-data-class", String.class, t -> t)
            .rule(DynamoDbSettings::isDataClassName, "must be a data class name",
                    "use PUBLIC, INTERNAL, RESTRICTED or a custom class name")
            .derivedDefault("the configuration's default data class")
            .doc("Data class of the table's calls made without a RoutingContext or under one that sets no data class,"
                    + " e.g. RESTRICTED."));
    /** A table's numeric version attribute. */
    public static final Setting<String> TABLE_VERSION_ATTRIBUTE = add(text(PREFIX + "version-attribute",
            "name the table's numeric version attribute, or leave it unset")
            .doc("Numeric version or stamp attribute of the table's items (read-your-writes notices replication with"
                    + " it)."));
    /** Where a write-home-by-key table's consistent reads go. */
    public static final Setting<Boolean> TABLE_CONSISTENT_READS_AT_HOME = add(bool(
            PREFIX + "consistent-reads-at-home", true)
            .doc("true or false: strongly consistent reads of a write-home-by-key table go to the key's home"
                    + " region."));

    private DynamoDbSettings() {
    }

    /** Every setting, in documentation order. */
    public static List<Setting<?>> all() {
        return List.copyOf(ALL.values());
    }

    /** The setting with this key (placeholder as in {@link Setting#key()}), if any. */
    public static Optional<Setting<?>> find(String key) {
        return Optional.ofNullable(ALL.get(key));
    }

    /**
     * The environment variable of a table's {@code setting}: {@code MERIDIAN_DYNAMODB_TABLE_ORDERS_V2_PARTITION_KEY}
     * for {@code orders-v2} (every character of the name other than a letter or digit as {@code _}).
     */
    public static String variableName(Setting<?> setting, String table) {
        return setting.variableName().replace(TABLE.toUpperCase(Locale.ROOT), tableToken(table));
    }

    /** {@code orders-v2} → {@code ORDERS_V2}: the table's part of its variable names. */
    public static String tableToken(String table) {
        return Objects.requireNonNull(table, "table").toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The {@link WriteMode} a value of {@link #TABLE_WRITE_MODE} names. */
    @API(status = INTERNAL, since = "0.1")
    public static WriteMode writeMode(String name) {
        return WriteMode.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    private static boolean isDataClassName(String name) {
        try {
            DataClass.of(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Table names keep their case (DynamoDB's are case-sensitive). */
    private static List<String> tableNames(String text) {
        List<String> names = new ArrayList<>();
        for (String raw : text.split(",")) {
            if (!raw.isBlank()) {
                names.add(raw.trim());
            }
        }
        return List.copyOf(names);
    }

    private static <T> Setting<T> add(Setting<T> setting) {
        ALL.put(setting.key(), setting);
        return setting;
    }
}
