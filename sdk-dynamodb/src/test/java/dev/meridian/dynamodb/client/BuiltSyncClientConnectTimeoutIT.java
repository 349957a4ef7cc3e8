package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * docs/exactly-once.md's connect timeout through the synchronous client {@code MultiRegionDynamoDb} builds without a
 * client factory (the SDK's default HTTP client): a warm client whose local region starts dropping connects (the
 * testkit's connect black hole closes its open connections, so the next write must connect) moves an unguarded write
 * to the next region, applied there once. With the SDK's own 2 s connect timeout the 2 s call timeout ended the call
 * first, ambiguous, and the write was rethrown; Meridian gives its clients a connect timeout of a quarter of the
 * attempt timeout ({@code RegionalClientDefaults.boundConnect}).
 */
@LocalRegionsConfig
class BuiltSyncClientConnectTimeoutIT {
    private static final String TABLE = "built_sync_connect";
    static LocalRegions regions;

    @BeforeAll
    static void table() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        // The default per-region clients use the default credentials: the testkit's key.
        System.setProperty("aws.accessKeyId", "meridiantestkit");
        System.setProperty("aws.secretAccessKey", "meridiantestkit");
    }

    @Test
    void aWarmClientsWriteMovesWhenItsRegionDropsConnects() {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").endpoint(regions.endpoint("eu-west-1")))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU")
                        .endpoint(regions.endpoint("eu-central-1")))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").endpoint(regions.endpoint("us-east-1")))
                .localRegion(Region.EU_WEST_1).routing(RoutingStrategy.localFirst())
                .build();
        try (DynamoDbClient client = MultiRegionDynamoDb.builder().config(config)
                .table(TableConfig.builder(TABLE).partitionKey("pk").build()).buildClient()) {
            client.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("warm"))));
            assertThat(regions.journal("eu-west-1").count("PutItem")).as("warm: answered in eu-west-1").isEqualTo(1);

            regions.faults("eu-west-1").connectBlackhole();
            client.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("moved"))));
        }
        assertThat(regions.journal("eu-west-1").count("PutItem")).as("nothing more reached eu-west-1").isEqualTo(1);
        assertThat(regions.journal("eu-central-1").count("PutItem")).as("moved, applied once").isEqualTo(1);
        assertThat(regions.journal("us-east-1").count("PutItem")).isZero();
    }
}
