package dev.meridian.core.acceptance.realconditions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import software.amazon.awssdk.regions.Region;

/**
 * sdk-core/README.md: the correlation id is in the SLF4J MDC while a scope is open, and a pooled thread keeps no
 * context after a call (docs/architecture.md, I1). Meridian's own threads — the hedge workers here — are started on
 * demand by whatever thread first needs one, usually a caller's inside its scope; under slf4j's
 * {@code BasicMDCAdapter} (slf4j-simple, slf4j-jdk14; reload4j's MDC is inheritable too) the MDC is an
 * {@code InheritableThreadLocal}, so a worker must not start with its creator's correlation id, or every later
 * attempt it runs for a call without one logs under that first request's id. Pure logic: the calls are functions.
 */
class MeridianThreadsKeepNoContextTest {
    private static final Region FIRST = Region.EU_WEST_1;
    private static final Region SECOND = Region.EU_CENTRAL_1;
    private static final Operation READ = Operation.builder("read", OperationKind.READ).build();

    /** What a hedge attempt saw: its thread's name and MDC correlation id. */
    private record Seen(String thread, String correlationId) {
    }

    @Test
    void aHedgeWorkerStartedInsideACallersScopeKeepsNoCorrelationIdForLaterCalls() {
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(FIRST)).region(RegionSpec.of(SECOND))
                .localRegion(FIRST).routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.fixed(Duration.ofMillis(50)))
                .build();
        try (MultiRegion runtime = MultiRegion.builder(config).build()) {
            Seen first;
            try (RoutingContext.Scope s = RoutingContext.builder().correlationId("first-request").open()) {
                first = hedgedRead(runtime);
            }
            Seen later = hedgedRead(runtime);   // no scope, no correlation id

            assertThat(first.correlationId()).as("the call's own id inside its scope").isEqualTo("first-request");
            assertThat(later.thread()).as("the hedge ran on Meridian's worker").startsWith("meridian-");
            assertThat(later.correlationId()).as("the MDC of %s on a later call without a context", later.thread())
                    .isNull();
        }
    }

    /**
     * A read whose first region answers only once its hedge has run: the hedge's attempt, on a hedge worker, reports
     * what its thread held.
     */
    private static Seen hedgedRead(MultiRegion runtime) {
        CountDownLatch hedged = new CountDownLatch(1);
        AtomicReference<Seen> seen = new AtomicReference<>();
        runtime.execute(READ, region -> {
            if (region.equals(SECOND)) {
                seen.set(new Seen(Thread.currentThread().getName(), MDC.get(RoutingContext.MDC_KEY)));
                hedged.countDown();
                return "hedge";
            }
            try {
                hedged.await(30, TimeUnit.SECONDS);   // a bound so that a broken hedge cannot hang the build
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();   // cancelled: the hedge answered
            }
            return "first";
        });
        assertThat(seen.get()).as("the read was hedged").isNotNull();
        return seen.get();
    }
}
