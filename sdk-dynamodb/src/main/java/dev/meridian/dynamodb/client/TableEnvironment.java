package dev.meridian.dynamodb.client;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * Reads {@link TableConfig} from {@code MERIDIAN_DYNAMODB_*} environment variables and {@code meridian.dynamodb.*}
 * system properties (a property wins), the way sdk-core reads {@code MultiRegionConfig}: {@code MERIDIAN_DYNAMODB_TABLES}
 * lists the tables, and each table's settings are {@code MERIDIAN_DYNAMODB_TABLE_<TABLE>_<SETTING>} (the table name
 * upper-cased, every character other than a letter or digit replaced by {@code _}) or
 * {@code meridian.dynamodb.table.<table>.<setting>}. Errors name the variable or property that supplied the value.
 * The list lives in docs/configuration.md.
 */
final class TableEnvironment {
    private final Map<String, String> env;
    private final Properties props;

    private TableEnvironment(Map<String, String> env, Properties props) {
        this.env = Objects.requireNonNull(env, "env");
        this.props = Objects.requireNonNull(props, "props");
    }

    static List<TableConfig> load(Map<String, String> env, Properties props) {
        return new TableEnvironment(env, props).load();
    }

    /** {@code orders-v2} → {@code ORDERS_V2}: the table's part of its variable names. */
    static String envToken(String table) {
        return table.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private List<TableConfig> load() {
        Setting tables = get("meridian.dynamodb.tables", "MERIDIAN_DYNAMODB_TABLES");
        if (tables == null) {
            return List.of();
        }
        Map<String, String> tokens = new HashMap<>();
        List<TableConfig> out = new ArrayList<>();
        for (String raw : tables.value.split(",")) {
            String table = raw.trim();
            if (table.isEmpty()) {
                continue;
            }
            String token = envToken(table);
            String clash = tokens.putIfAbsent(token, table);
            SettingRules.check(clash == null, tables.name, "must list tables whose variables differ",
                    "'" + clash + "' and '" + table + "', both MERIDIAN_DYNAMODB_TABLE_" + token + "_*",
                    "configure one of them in code (TableConfig.builder)");
            out.add(table(table, token, tables));
        }
        return List.copyOf(out);
    }

    private TableConfig table(String table, String token, Setting listedBy) {
        SettingRules.check(table.length() >= 3 && table.length() <= 255, listedBy.name,
                "must list table names of 3 to 255 characters", SettingRules.quoted(table), "correct the table's name");
        TableConfig.Builder b = TableConfig.builder(table);
        Setting s;
        if ((s = setting(table, token, "partition-key")) != null) {
            b.partitionKey(s.value);
        }
        if ((s = setting(table, token, "replica-regions")) != null) {
            b.replicaRegions(regions(s));
        }
        if ((s = setting(table, token, "write-mode")) != null) {
            b.writeMode(writeMode(s));
        }
        if ((s = setting(table, token, "default-data-class")) != null) {
            try {
                b.defaultDataClass(DataClass.of(s.value));
            } catch (IllegalArgumentException e) {
                throw SettingRules.invalid(s.name, "must be a data class name", SettingRules.quoted(s.value),
                        "use PUBLIC, INTERNAL, RESTRICTED or a custom class name", e);
            }
        }
        if ((s = setting(table, token, "version-attribute")) != null) {
            b.versionAttribute(s.value);
        }
        if ((s = setting(table, token, "consistent-reads-at-home")) != null) {
            b.consistentReadsAtHome(booleanValue(s));
        }
        return b.build();
    }

    private static Set<Region> regions(Setting s) {
        Set<Region> regions = new LinkedHashSet<>();
        for (String raw : s.value.split(",")) {
            String id = raw.trim().toLowerCase(Locale.ROOT);
            if (!id.isEmpty()) {
                boolean first = regions.add(Region.of(id));
                SettingRules.check(first, s.name, "must name each region once", SettingRules.quoted(s.value),
                        "remove the second " + id);
            }
        }
        SettingRules.check(!regions.isEmpty(), s.name, "must name at least one region", SettingRules.quoted(s.value),
                "list the regions holding a replica, e.g. eu-west-1,eu-central-1");
        return regions;
    }

    private static WriteMode writeMode(Setting s) {
        String v = s.value.toUpperCase(Locale.ROOT).replace('-', '_');
        for (WriteMode m : WriteMode.values()) {
            if (m.name().equals(v)) {
                return m;
            }
        }
        throw SettingRules.invalid(s.name, "must be one of [read-local-write-local, write-home-by-key]",
                SettingRules.quoted(s.value), "use one of them, or remove it to use the default read-local-write-local");
    }

    /** Only {@code true} or {@code false} (any case): a typo must not silently mean false. */
    private static boolean booleanValue(Setting s) {
        if (s.value.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.value.equalsIgnoreCase("false")) {
            return false;
        }
        throw SettingRules.invalid(s.name, "must be true or false", SettingRules.quoted(s.value),
                "use true or false, or remove it to use the default true");
    }

    private @Nullable Setting setting(String table, String token, String key) {
        return get("meridian.dynamodb.table." + table + '.' + key,
                "MERIDIAN_DYNAMODB_TABLE_" + token + '_' + key.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    private @Nullable Setting get(String property, String variable) {
        String p = props.getProperty(property);
        if (p != null && !p.isBlank()) {
            return new Setting(property, p.trim());
        }
        String e = env.get(variable);
        if (e != null && !e.isBlank()) {
            return new Setting(variable, e.trim());
        }
        return null;
    }

    /** A value and the name (property or variable) it came from, for error messages. */
    private record Setting(String name, String value) {
    }
}
