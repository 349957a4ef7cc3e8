package dev.meridian.core.routing;

import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Operations are values: equal exactly when every routing-relevant part is equal. */
class OperationTest {
    private static final Operation PUT = Operation.builder("PutItem", OperationKind.IDEMPOTENT_WRITE)
            .resource("orders").routingKey("k").strategy(RoutingStrategy.failover()).maxRegions(2)
            .within(Set.of(EU_WEST)).build();

    @Test
    void operationsAreEqualExactlyWhenEveryPartIsEqual() {
        assertThat(PUT).isEqualTo(PUT).isEqualTo(PUT.toBuilder().build()).isNotEqualTo("PutItem")
                .isNotEqualTo(Operation.builder("UpdateItem", OperationKind.IDEMPOTENT_WRITE).resource("orders")
                        .routingKey("k").strategy(RoutingStrategy.failover()).maxRegions(2).within(Set.of(EU_WEST))
                        .build())
                .isNotEqualTo(Operation.builder("PutItem", OperationKind.READ).resource("orders").routingKey("k")
                        .strategy(RoutingStrategy.failover()).maxRegions(2).within(Set.of(EU_WEST)).build())
                .isNotEqualTo(PUT.toBuilder().resource("carts").build())
                .isNotEqualTo(PUT.toBuilder().routingKey("other").build())
                .isNotEqualTo(PUT.toBuilder().strategy(RoutingStrategy.localFirst()).build())
                .isNotEqualTo(PUT.toBuilder().maxRegions(1).build())
                .isNotEqualTo(PUT.toBuilder().within(Set.of(EU_WEST, US_EAST)).build())
                .isNotEqualTo(PUT.toBuilder().homeOnly().build())
                .isNotEqualTo(PUT.toBuilder().breakerPerResource().build());
        assertThat(PUT.toBuilder().breakerPerResource().build().breakerPerResource()).isTrue();
        assertThat(PUT.breakerPerResource()).isFalse();
    }

    @Test
    void aRoutingKeyJoinedOnReadIsTheSameKeyAsTheJoinedString() {
        Operation joined = PUT.toBuilder().routingKey("orders", "k").build();
        Operation eager = PUT.toBuilder().routingKey("orders#k").build();

        assertThat(joined).isEqualTo(eager).hasSameHashCodeAs(eager).isNotEqualTo(PUT);
        assertThat(joined.routingKey()).contains("orders#k");
        assertThat(joined.routingKey()).contains("orders#k");
        assertThat(joined.toBuilder().build().routingKey()).contains("orders#k");
        assertThat(joined.toBuilder().routingKey("other").build().routingKey()).contains("other");
        assertThat(eager.toBuilder().routingKey("carts", "k").build().routingKey()).contains("carts#k");
    }
}
