package dev.meridian.dynamodb.client;

import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLES;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_CONSISTENT_READS_AT_HOME;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_DEFAULT_DATA_CLASS;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_PARTITION_KEY;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_REPLICA_REGIONS;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_VERSION_ATTRIBUTE;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_WRITE_MODE;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.settings.MeridianSettings;
import dev.meridian.core.settings.Setting;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;
import software.amazon.awssdk.regions.Region;

/**
 * Reads {@link TableConfig} from {@code MERIDIAN_DYNAMODB_*} environment variables and {@code meridian.dynamodb.*}
 * system properties (a property wins), the way sdk-core reads {@code MultiRegionConfig}: each value is parsed and
 * checked by its declaration in {@link DynamoDbSettings}, and an error names the variable or property that supplied
 * it.
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

    private List<TableConfig> load() {
        List<TableConfig> out = new ArrayList<>();
        read(TABLES.propertyName(), TABLES.variableName(), TABLES, tables -> {
            Map<String, String> tokens = new HashMap<>();
            for (String table : tables) {
                String token = DynamoDbSettings.tableToken(table);
                String clash = tokens.putIfAbsent(token, table);
                SettingRules.check(clash == null, name(TABLES.propertyName(), TABLES.variableName()),
                        "must list tables whose variables differ",
                        "'" + clash + "' and '" + table + "', both MERIDIAN_DYNAMODB_TABLE_" + token + "_*",
                        "configure one of them in code (TableConfig.builder)");
                out.add(table(table));
            }
        });
        return List.copyOf(out);
    }

    private TableConfig table(String table) {
        TableConfig.Builder b = TableConfig.builder(table);
        read(table, TABLE_PARTITION_KEY, b::partitionKey);
        read(table, TABLE_REPLICA_REGIONS, ids -> {
            LinkedHashSet<Region> regions = new LinkedHashSet<>();
            ids.forEach(id -> regions.add(Region.of(id)));
            b.replicaRegions(regions);
        });
        read(table, TABLE_WRITE_MODE, mode -> b.writeMode(DynamoDbSettings.writeMode(mode)));
        read(table, TABLE_DEFAULT_DATA_CLASS, dataClass -> b.defaultDataClass(DataClass.of(dataClass)));
        read(table, TABLE_VERSION_ATTRIBUTE, b::versionAttribute);
        read(table, TABLE_CONSISTENT_READS_AT_HOME, b::consistentReadsAtHome);
        return b.build();
    }

    private <T> void read(String table, Setting<T> setting, Consumer<T> apply) {
        read(MeridianSettings.propertyName(setting.key(table)), DynamoDbSettings.variableName(setting, table), setting,
                apply);
    }

    /** Gives {@code apply} the value of {@code setting}, when the property or the variable sets it. */
    private <T> void read(String property, String variable, Setting<T> setting, Consumer<T> apply) {
        String p = props.getProperty(property);
        if (p != null && !p.isBlank()) {
            apply.accept(setting.parse(p, property));
            return;
        }
        String e = env.get(variable);
        if (e != null && !e.isBlank()) {
            apply.accept(setting.parse(e, variable));
        }
    }

    /** The name the tables were listed by: the property when it is set, else the variable. */
    private String name(String property, String variable) {
        String p = props.getProperty(property);
        return p != null && !p.isBlank() ? property : variable;
    }
}
