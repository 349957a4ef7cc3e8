package dev.meridian.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The accessor's own scopes on one thread: a restore closes the scope its set opened (whatever value it is handed),
 * and only a restore without a set makes the handed value current.
 */
class RoutingContextAccessorScopesTest {
    private final RoutingContextAccessor accessor = new RoutingContextAccessor();
    private final RoutingContext a = RoutingContext.builder().routingKey("a").build();
    private final RoutingContext b = RoutingContext.builder().routingKey("b").build();
    private final RoutingContext c = RoutingContext.builder().routingKey("c").build();
    private final RoutingContext handed = RoutingContext.builder().routingKey("handed").build();

    @AfterEach
    void leaveTheThreadWithoutAContext() {
        accessor.restore();
        assertThat(accessor.getValue()).isNull();
    }

    @Test
    void pairedRestoresCloseTheScopesTheSetsOpenedInnermostFirst() {
        try (RoutingContext.Scope outer = a.open()) {
            accessor.setValue(b);
            accessor.setValue(c);
            assertThat(accessor.getValue()).isSameAs(c);
            accessor.restore(handed);
            assertThat(accessor.getValue()).isSameAs(b);
            accessor.restore(handed);
            assertThat(accessor.getValue()).isSameAs(a);
            // Nothing is left to close: this restore is unpaired and makes the handed value current.
            accessor.restore(handed);
            assertThat(accessor.getValue()).isSameAs(handed);
        }
    }

    @Test
    void aSetWithoutAValueClearsTheContextUntilItsRestore() {
        try (RoutingContext.Scope outer = a.open()) {
            accessor.setValue();
            assertThat(accessor.getValue()).isNull();
            assertThat(RoutingContext.current()).isSameAs(RoutingContext.empty());
            accessor.restore();
            assertThat(accessor.getValue()).isSameAs(a);
        }
    }

    @Test
    void anUnpairedRestoreWithoutAValueClearsTheContext() {
        try (RoutingContext.Scope outer = a.open()) {
            accessor.restore();
            assertThat(accessor.getValue()).isNull();
        }
    }
}
