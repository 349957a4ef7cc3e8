package dev.meridian.dynamodb.acceptance.idempotency;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.routing.RoutingStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** What the idempotency suites set up alike: the store's table and an application instance's runtime. */
final class IdempotencySetUp {
    private IdempotencySetUp() {
    }

    /** The idempotency store's table: partition key {@code id} (S), on demand. */
    static CreateTableRequest storeTable(String name) {
        return CreateTableRequest.builder().tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST).build();
    }

    /**
     * An application instance local in {@code local}, with the three regions local first, no hedging, and breakers
     * that never open: faults come and go every try, so breakers opened by one try must not refuse the next one's
     * calls.
     */
    static MultiRegionConfig instance(Region local) {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(local).routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.disabled())
                .health(HealthConfig.builder().slidingWindowSize(10_000).minimumNumberOfCalls(10_000)
                        .ejectAfterStalls(0).build())
                .build();
    }
}
