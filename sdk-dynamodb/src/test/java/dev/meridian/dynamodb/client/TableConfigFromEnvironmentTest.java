package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.residency.DataClass;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class TableConfigFromEnvironmentTest {

    @Test
    void readsEveryListedTableFromItsVariables() {
        Map<String, String> env = Map.of(
                "MERIDIAN_DYNAMODB_TABLES", "orders, orders-idempotency",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_PARTITION_KEY", "pk",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_REPLICA_REGIONS", "eu-west-1, EU-CENTRAL-1",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_WRITE_MODE", "write-home-by-key",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_DEFAULT_DATA_CLASS", "RESTRICTED",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_VERSION_ATTRIBUTE", "version",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_CONSISTENT_READS_AT_HOME", "false",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_IDEMPOTENCY_PARTITION_KEY", "id");

        List<TableConfig> tables = TableConfig.fromEnvironment(env, new Properties());

        assertThat(tables).extracting(TableConfig::tableName).containsExactly("orders", "orders-idempotency");
        TableConfig orders = tables.get(0);
        assertThat(orders.partitionKey()).contains("pk");
        assertThat(orders.replicaRegions()).contains(Set.of(Region.EU_WEST_1, Region.EU_CENTRAL_1));
        assertThat(orders.writeMode()).isEqualTo(WriteMode.WRITE_HOME_BY_KEY);
        assertThat(orders.defaultDataClass()).contains(DataClass.RESTRICTED);
        assertThat(orders.versionAttribute()).contains("version");
        assertThat(orders.consistentReadsAtHome()).isFalse();
        TableConfig idempotency = tables.get(1);
        assertThat(idempotency.partitionKey()).contains("id");
        assertThat(idempotency.replicaRegions()).isEmpty();
        assertThat(idempotency.writeMode()).isEqualTo(WriteMode.READ_LOCAL_WRITE_LOCAL);
    }

    @Test
    void aSystemPropertyWinsOverAVariable() {
        Properties props = new Properties();
        props.setProperty("meridian.dynamodb.table.orders.partition-key", "orderId");
        List<TableConfig> tables = TableConfig.fromEnvironment(Map.of("MERIDIAN_DYNAMODB_TABLES", "orders",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_PARTITION_KEY", "pk"), props);

        assertThat(tables).singleElement().extracting(TableConfig::partitionKey).isEqualTo(Optional.of("orderId"));
    }

    @Test
    void noListedTablesMeansNoSettings() {
        assertThat(TableConfig.fromEnvironment(Map.of("MERIDIAN_DYNAMODB_TABLE_ORDERS_PARTITION_KEY", "pk"),
                new Properties())).isEmpty();
    }

    @Test
    void errorsNameTheVariableAndTheValue() {
        assertThatThrownBy(() -> TableConfig.fromEnvironment(Map.of("MERIDIAN_DYNAMODB_TABLES", "orders",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_WRITE_MODE", "everywhere"), new Properties()))
                .hasMessage("MERIDIAN_DYNAMODB_TABLE_ORDERS_WRITE_MODE must be one of"
                        + " [read-local-write-local, write-home-by-key], was 'everywhere';"
                        + " use one of them, or remove it to use the default read-local-write-local");
        assertThatThrownBy(() -> TableConfig.fromEnvironment(Map.of("MERIDIAN_DYNAMODB_TABLES", "orders",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_CONSISTENT_READS_AT_HOME", "ture"), new Properties()))
                .hasMessageStartingWith("MERIDIAN_DYNAMODB_TABLE_ORDERS_CONSISTENT_READS_AT_HOME must be true or false,"
                        + " was 'ture'; ");
        assertThatThrownBy(() -> TableConfig.fromEnvironment(Map.of("MERIDIAN_DYNAMODB_TABLES", "orders",
                "MERIDIAN_DYNAMODB_TABLE_ORDERS_REPLICA_REGIONS", "eu-west-1,eu-west-1"), new Properties()))
                .hasMessage("MERIDIAN_DYNAMODB_TABLE_ORDERS_REPLICA_REGIONS must name at least one region, each once, was"
                        + " 'eu-west-1,eu-west-1'; list each region holding a replica once, e.g. eu-west-1,eu-central-1");
        assertThatThrownBy(() -> TableConfig.fromEnvironment(Map.of("MERIDIAN_DYNAMODB_TABLES", "ab"),
                new Properties()))
                .hasMessageStartingWith("MERIDIAN_DYNAMODB_TABLES must list table names of 3 to 255 characters, was"
                        + " 'ab'; ");
    }

    @Test
    void tablesWhoseVariablesWouldCollideAreRefused() {
        assertThatThrownBy(() -> TableConfig.fromEnvironment(Map.of("MERIDIAN_DYNAMODB_TABLES", "orders-v1,orders.v1"),
                new Properties()))
                .hasMessageContaining("'orders-v1' and 'orders.v1'")
                .hasMessageContaining("MERIDIAN_DYNAMODB_TABLE_ORDERS_V1_*");
    }
}
