package dev.meridian.samples.lambda;

import dev.meridian.testkit.LocalRegions;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The function's tables on {@link LocalRegions} and the environment a deployment in one region would have. */
final class OrdersTestSupport {
    private OrdersTestSupport() {
    }

    /** Creates the orders and idempotency global tables in every local region. */
    static void createTables(LocalRegions regions) {
        regions.createGlobalTable(table(Orders.DEFAULT_ORDERS_TABLE, "pk"));
        regions.createGlobalTable(table(Orders.DEFAULT_IDEMPOTENCY_TABLE, "id"));
    }

    private static CreateTableRequest table(String name, String key) {
        return CreateTableRequest.builder().tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName(key).keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName(key)
                        .attributeType(ScalarAttributeType.S).build())
                .build();
    }

    /**
     * The function's environment in {@code localRegion}: three regions through the local proxies, both tables
     * declared as replicated to the two EU regions only (so no DescribeTable), dummy credentials.
     */
    static Map<String, String> environment(LocalRegions regions, String localRegion) {
        Map<String, String> env = new HashMap<>();
        env.put("MERIDIAN_REGIONS", String.join(",", regions.regions()));
        for (String r : regions.regions()) {
            env.put("MERIDIAN_REGION_" + r.toUpperCase(Locale.ROOT).replace('-', '_') + "_ENDPOINT",
                    regions.endpoint(r).toString());
        }
        env.put("MERIDIAN_LOCAL_REGION", localRegion);
        env.put("MERIDIAN_DYNAMODB_TABLES", Orders.DEFAULT_ORDERS_TABLE + ',' + Orders.DEFAULT_IDEMPOTENCY_TABLE);
        env.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_PARTITION_KEY", "pk");
        env.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_REPLICA_REGIONS", "eu-west-1,eu-central-1");
        env.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_IDEMPOTENCY_PARTITION_KEY", "id");
        env.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_IDEMPOTENCY_REPLICA_REGIONS", "eu-west-1,eu-central-1");
        env.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_DEFAULT_DATA_CLASS", "RESTRICTED");
        env.put("MERIDIAN_DYNAMODB_TABLE_ORDERS_IDEMPOTENCY_DEFAULT_DATA_CLASS", "RESTRICTED");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        return env;
    }
}
