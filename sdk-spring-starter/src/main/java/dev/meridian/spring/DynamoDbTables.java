package dev.meridian.spring;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.client.WriteMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/** {@code meridian.dynamodb.tables.<name>.*} as sdk-dynamodb {@link TableConfig}; bad values name the property. */
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
        String prefix = "meridian.dynamodb.tables." + name + '.';
        TableConfig.Builder b = checked(prefix.substring(0, prefix.length() - 1),
                "a table name of 3 to 255 characters", () -> TableConfig.builder(name));
        String partitionKey = t.getPartitionKey();
        if (partitionKey != null) {
            checked(prefix + "partition-key", "the partition key attribute name", () -> b.partitionKey(partitionKey));
        }
        if (t.getWriteMode() != null) {
            b.writeMode(writeMode(prefix + "write-mode", t.getWriteMode()));
        }
        if (!t.getReplicaRegions().isEmpty()) {
            b.replicaRegions(regions(prefix + "replica-regions", t.getReplicaRegions()));
        }
        String dataClass = t.getDefaultDataClass();
        if (dataClass != null) {
            checked(prefix + "default-data-class", "PUBLIC, INTERNAL, RESTRICTED or a custom data class name",
                    () -> b.defaultDataClass(DataClass.of(dataClass)));
        }
        return b.build();
    }

    static WriteMode writeMode(String property, String value) {
        try {
            return WriteMode.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw MeridianConfigurationException.invalid(property, "must be a write mode",
                    SettingRules.quoted(value), "use one of " + Arrays.toString(WriteMode.values()), e);
        }
    }

    /** Region ids, each a known AWS region. */
    static Set<Region> regions(String property, List<String> ids) {
        Set<Region> known = Set.copyOf(Region.regions());
        Set<Region> out = new LinkedHashSet<>();
        for (String id : ids) {
            Region r = Region.of(id.trim().toLowerCase(Locale.ROOT));
            if (!known.contains(r)) {
                throw MeridianConfigurationException.invalid(property, "must list known AWS regions",
                        SettingRules.quoted(id), "list AWS region ids such as " + known.stream().limit(3)
                                .map(Region::id).collect(Collectors.joining(",")), null);
            }
            out.add(r);
        }
        return out;
    }

    private static <T> T checked(String property, String expected, Supplier<T> setting) {
        try {
            return setting.get();
        } catch (IllegalArgumentException e) {
            throw new MeridianConfigurationException(property, Objects.requireNonNull(e.getMessage(), "message"),
                    "expected " + expected, e);
        }
    }
}
