package dev.meridian.dynamodb.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.dynamodb.FakeRegionClient;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** A counter needs a single writer per item, so it only takes a client pinned to one region. */
class GlobalCounterTest {

    @Test
    void theMultiRegionClientIsRefusedAtBuildTimeAndItsPerRegionClientIsTaken() {
        try (MultiRegion runtime = MultiRegion.builder(TestRegions.config()).build();
                DynamoDbClient routed = TestRegions.routed(runtime, FakeRegionClient::new)) {
            assertThatThrownBy(() -> GlobalCounter.builder().client(routed))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("GlobalCounter.client must be pinned to one region")
                    .hasMessageContaining("DynamoDbClient.builder().region(region).build()");

            DynamoDbClient pinned = MultiRegionDynamoDb.shared(routed).orElseThrow().clients()
                    .get(TestRegions.EU_WEST_1);
            assertThat(GlobalCounter.builder().client(pinned).table("counters").region(TestRegions.EU_WEST_1)
                    .build()).isNotNull();
        }
    }
}
