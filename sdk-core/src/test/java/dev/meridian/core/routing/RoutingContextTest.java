package dev.meridian.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.TestTopology;
import dev.meridian.core.residency.DataClass;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class RoutingContextTest {

    @Test
    void withoutAnOpenScopeTheContextIsEmptyAndInternal() {
        RoutingContext c = RoutingContext.current();
        assertThat(c.dataClass()).isEqualTo(DataClass.INTERNAL);
        assertThat(c.subjectCountry()).isEmpty();
        assertThat(c.correlationId()).isEmpty();
        assertThat(c.excludedRegions()).isEmpty();
    }

    @Test
    void nestedScopesRestoreTheOuterContextAndCorrelationId() {
        try (RoutingContext.Scope outer = RoutingContext.builder().subjectCountry("de")
                .dataClass(DataClass.RESTRICTED).correlationId("outer-1").open()) {
            assertThat(RoutingContext.current().subjectCountry()).contains("DE");
            assertThat(MDC.get("correlationId")).isEqualTo("outer-1");
            try (RoutingContext.Scope inner = RoutingContext.builder().correlationId("inner-2").open()) {
                assertThat(RoutingContext.current().dataClass()).isEqualTo(DataClass.INTERNAL);
                assertThat(MDC.get("correlationId")).isEqualTo("inner-2");
            }
            assertThat(RoutingContext.current().dataClass()).isEqualTo(DataClass.RESTRICTED);
            assertThat(MDC.get("correlationId")).isEqualTo("outer-1");
        }
        assertThat(RoutingContext.current()).isSameAs(RoutingContext.empty());
        assertThat(MDC.get("correlationId")).isNull();
    }

    @Test
    void innerScopeWithoutCorrelationIdKeepsTheOuterOneInMdc() {
        try (RoutingContext.Scope outer = RoutingContext.builder().correlationId("c-1").open();
                RoutingContext.Scope inner = RoutingContext.builder().excludeRegion(TestTopology.US_EAST).open()) {
            assertThat(MDC.get("correlationId")).isEqualTo("c-1");
            assertThat(RoutingContext.current().excludedRegions()).containsExactly(TestTopology.US_EAST);
        }
        assertThat(MDC.get("correlationId")).isNull();
    }

    @Test
    void closingAScopeTwiceIsHarmless() {
        RoutingContext.Scope s = RoutingContext.builder().correlationId("x").open();
        s.close();
        s.close();
        assertThat(RoutingContext.current()).isSameAs(RoutingContext.empty());
    }

    @Test
    void contextIsThreadBound() throws Exception {
        try (RoutingContext.Scope s = RoutingContext.builder().routingKey("k").open()) {
            RoutingContext[] seen = new RoutingContext[1];
            Thread t = new Thread(() -> seen[0] = RoutingContext.current());
            t.start();
            t.join();
            assertThat(seen[0].routingKey()).isEmpty();
            assertThat(RoutingContext.current().routingKey()).contains("k");
        }
    }
}
