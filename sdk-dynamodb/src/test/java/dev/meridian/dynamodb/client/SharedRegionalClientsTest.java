package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.spi.RegionalClients;
import dev.meridian.dynamodb.FakeRegionClient;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class SharedRegionalClientsTest {
    private final MultiRegionConfig config = MultiRegionConfig.builder()
            .region(RegionSpec.of(Region.EU_WEST_1))
            .region(RegionSpec.of(Region.EU_CENTRAL_1))
            .localRegion(Region.EU_WEST_1)
            .build();

    @Test
    void theRoutedClientUsesTheSharedClientsAndLeavesThemOpen() {
        AtomicInteger built = new AtomicInteger();
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                RegionalClients<DynamoDbClient> shared = new RegionalClients<>("DynamoDbClient", config,
                        (region, spec) -> {
                            built.incrementAndGet();
                            return new FakeRegionClient(region);
                        })) {
            FakeRegionClient local = (FakeRegionClient) shared.get(Region.EU_WEST_1);
            DynamoDbClient routed = MultiRegionDynamoDb.builder().multiRegion(runtime).regionalClients(shared)
                    .table(TableConfig.builder("orders").partitionKey("pk").build()).build();

            routed.putItem(p -> p.tableName("orders").item(Map.of("pk", AttributeValue.fromS("o1"))));
            routed.close();

            assertThat(local.received).containsExactly("PutItem");
            assertThat(built).hasValue(1);
            assertThat(local.closed).isFalse();
        }
    }

    @Test
    void sharedClientsAndAFactoryTogetherAreRefused() {
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                RegionalClients<DynamoDbClient> shared = new RegionalClients<>("DynamoDbClient", config,
                        (region, spec) -> new FakeRegionClient(region))) {
            assertThatThrownBy(() -> MultiRegionDynamoDb.builder().multiRegion(runtime).regionalClients(shared)
                    .clientFactory(FakeRegionClient::new).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("regionalClients(..) or a client factory");
        }
    }
}
