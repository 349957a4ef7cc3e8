package dev.meridian.dynamodb.merge;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.dynamodb.FakeRegionClient;
import dev.meridian.dynamodb.TestRegions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Each region's item has one writer region, so the store only takes a client pinned to one region. */
class MergeableItemsTest {

    @Test
    void theMultiRegionClientIsRefused() {
        try (MultiRegion runtime = MultiRegion.builder(TestRegions.config()).build();
                DynamoDbClient routed = TestRegions.routed(runtime, FakeRegionClient::new)) {
            assertThatThrownBy(() -> MergeableItems.builder(OrSet.TYPE).client(routed))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("MergeableItems.client must be pinned to one region");
        }
    }

    @Test
    void missingSettingsAreNamed() {
        assertThatThrownBy(() -> MergeableItems.builder(LwwMap.TYPE).table("t").region("eu-west-1").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MergeableItems.client is required");
        assertThatThrownBy(() -> MergeableItems.builder(LwwMap.TYPE).maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MergeableItems.maxAttempts");
    }
}
