package dev.meridian.dynamodb.client;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.dynamodb.FakeRegionClient;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The cold-start tests' client: a routed client of an {@code orders} table (partition key {@code pk}, replicas in
 * {@code replicas}) over in-memory region clients, every region of {@code regions} configured, the first local, no
 * table described — the recommended Lambda shape the cold-start benchmark builds.
 */
final class ColdOrdersClient {

    private ColdOrdersClient() {
    }

    static DynamoDbClient over(Map<Region, FakeRegionClient> fakes, Region[] regions, Region... replicas) {
        MultiRegionConfig.Builder config = MultiRegionConfig.builder();
        for (Region r : regions) {
            config.region(RegionSpec.of(r));
        }
        return MultiRegionDynamoDb.builder()
                .config(config.localRegion(regions[0]).build())
                .clientFactory(r -> fakes.computeIfAbsent(r, FakeRegionClient::new))
                .table(TableConfig.builder("orders").partitionKey("pk").replicaRegions(replicas).build())
                .build();
    }
}
