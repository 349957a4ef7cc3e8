package dev.meridian.spring;

import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_CONSISTENT_READS_AT_HOME;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_DEFAULT_DATA_CLASS;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_PARTITION_KEY;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_REPLICA_REGIONS;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_VERSION_ATTRIBUTE;
import static dev.meridian.dynamodb.client.DynamoDbSettings.TABLE_WRITE_MODE;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.settings.Setting;
import dev.meridian.dynamodb.client.DynamoDbSettings;
import dev.meridian.dynamodb.client.TableConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * {@code meridian.dynamodb.tables.<table>.*} as sdk-dynamodb {@link TableConfig}, each value checked by its
 * declaration in {@link DynamoDbSettings} (the same rules as {@code MERIDIAN_DYNAMODB_TABLE_<TABLE>_*}); bad values
 * name the property.
 */
final class DynamoDbTables {
    private DynamoDbTables() {
    }

    static List<TableConfig> of(MeridianProperties properties) {
        List<TableConfig> out = new ArrayList<>();
        for (Map.Entry<String, MeridianProperties.Table> e : properties.getDynamodb().getTables().entrySet()) {
            out.add(table(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static TableConfig table(String name, MeridianProperties.Table t) {
        TableConfig.Builder b;
        try {
            b = TableConfig.builder(name);
        } catch (IllegalArgumentException e) {
            throw new MeridianConfigurationException("meridian.dynamodb.tables." + name,
                    Objects.requireNonNull(e.getMessage(), "message"), "expected a table name of 3 to 255 characters",
                    e);
        }
        put(name, TABLE_PARTITION_KEY, t.getPartitionKey(), b::partitionKey);
        put(name, TABLE_WRITE_MODE, t.getWriteMode(), mode -> b.writeMode(DynamoDbSettings.writeMode(mode)));
        if (!t.getReplicaRegions().isEmpty()) {
            b.replicaRegions(regions(TABLE_REPLICA_REGIONS, property(name, TABLE_REPLICA_REGIONS),
                    t.getReplicaRegions()));
        }
        put(name, TABLE_DEFAULT_DATA_CLASS, t.getDefaultDataClass(), c -> b.defaultDataClass(DataClass.of(c)));
        put(name, TABLE_VERSION_ATTRIBUTE, t.getVersionAttribute(), b::versionAttribute);
        put(name, TABLE_CONSISTENT_READS_AT_HOME, t.getConsistentReadsAtHome(), b::consistentReadsAtHome);
        return b.build();
    }

    private static <T> void put(String table, Setting<T> setting, @Nullable T value, Consumer<T> apply) {
        if (value != null) {
            apply.accept(StarterSettings.check(setting, property(table, setting), value));
        }
    }

    /** {@code meridian.dynamodb.tables.<table>.<setting>}. */
    private static String property(String table, Setting<?> setting) {
        return StarterSettings.springProperty(setting).orElseThrow().replace(DynamoDbSettings.TABLE, table);
    }

    /** Region ids checked by {@code declaration} (at least one, each once), each a known AWS region. */
    static Set<Region> regions(Setting<List<String>> declaration, String property, List<String> ids) {
        List<String> normal = ids.stream().map(id -> id.trim().toLowerCase(Locale.ROOT)).toList();
        Set<Region> out = new LinkedHashSet<>();
        for (String id : StarterSettings.check(declaration, property, normal)) {
            Region r = Region.of(id);
            if (!SettingRules.isKnownRegion(r)) {
                throw MeridianConfigurationException.invalid(property, "must list known AWS regions",
                        SettingRules.quoted(id), "list AWS region ids such as " + Region.regions().stream().limit(3)
                                .map(Region::id).collect(Collectors.joining(",")), null);
            }
            out.add(r);
        }
        return out;
    }
}
