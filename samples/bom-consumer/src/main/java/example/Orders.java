package example;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/** The README's "Use it" example, verbatim in its calls, compiled against the BOM-managed artifacts. */
public final class Orders {
    private Orders() {
    }

    public static void put(PutItemRequest request) {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").priority(2))
                .localRegion(Region.EU_WEST_1)
                .routing(RoutingStrategy.localFirst())
                .build();

        DynamoDbClient orders = MultiRegionDynamoDb.builder()
                .config(config)
                .clientFactory(region -> DynamoDbClient.builder().region(region)
                        .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build())
                .build();

        try (RoutingContext.Scope s = RoutingContext.builder()
                .subjectCountry("DE").dataClass(DataClass.RESTRICTED).open()) {
            orders.putItem(request);
        }
    }
}
