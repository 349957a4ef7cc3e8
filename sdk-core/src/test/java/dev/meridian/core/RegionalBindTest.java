package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.FailureDecision;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.spi.RegionalBind;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * {@link RegionalExecutor#bind}: the failover walk integrations use to take something they then hold (a JDBC
 * connection), with the breakers, budget and move rule of every routed call.
 */
class RegionalBindTest {
    /** What a JDBC classifier says: refused connections are regional, interrupts abort, the rest is the caller's. */
    private static final FailureClassifier CLASSIFIER = t -> t instanceof InterruptedException
            ? FailureDecision.ABORTED
            : t instanceof IOException ? FailureDecision.REGIONAL_NOT_APPLIED : FailureDecision.CALLER_ERROR;
    private static final Operation READ = Operation.of("connect", OperationKind.READ);

    private final List<Region> tried = new ArrayList<>();
    private final List<Region> passed = new ArrayList<>();
    private RegionalExecutor executor;
    private RegionHealth health;

    private RegionalExecutor executor(MultiRegionConfig config) {
        Metrics metrics = Metrics.forRegistry(null);
        health = new RegionHealth(config.regionList(), config.health(), metrics);
        executor = new RegionalExecutor(config, new Router(config, health, new LatencyTracker(), metrics), health,
                FailureClassifier.aws(), metrics);
        return executor;
    }

    @AfterEach
    void close() {
        if (executor != null) {
            executor.close();
        }
    }

    /** Work that fails in some regions, turns others down and takes the region's name elsewhere. */
    private RegionalBind<String, Exception> work(Set<Region> served, Function<Region, Exception> failures,
            Set<Region> turnedDown) {
        return new RegionalBind<>() {
            @Override
            public Optional<String> in(Region region) throws Exception {
                tried.add(region);
                Exception failure = failures.apply(region);
                if (failure != null) {
                    throw failure;
                }
                return turnedDown.contains(region) ? Optional.empty() : Optional.of(region.id());
            }

            @Override
            public boolean servedIn(Region region) {
                return served.contains(region);
            }

            @Override
            public void movedPast(Region region, Throwable failure) {
                passed.add(region);
            }
        };
    }

    private static final Set<Region> ALL = Set.of(EU_WEST, EU_CENTRAL, US_EAST);

    @Test
    void aRegionalFailureMovesToTheNextPlannedRegionAndCountsAgainstItsBreaker() throws Exception {
        RegionalExecutor exec = executor(TestTopology.threeRegions().build());
        String taken = exec.bind(READ, RoutingContext.empty(),
                work(ALL, r -> r.equals(EU_WEST) ? new IOException("refused") : null, Set.of()), CLASSIFIER);
        assertThat(taken).isEqualTo(EU_CENTRAL.id());
        assertThat(tried).containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(passed).containsExactly(EU_WEST);
        assertThat(health.circuitBreaker(EU_WEST).getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    void aRegionTurnedDownIsPassedWithoutABreakerFailure() throws Exception {
        RegionalExecutor exec = executor(TestTopology.threeRegions().build());
        String taken = exec.bind(READ, RoutingContext.empty(), work(ALL, r -> null, Set.of(EU_WEST)), CLASSIFIER);
        assertThat(taken).isEqualTo(EU_CENTRAL.id());
        assertThat(passed).isEmpty();
        assertThat(health.circuitBreaker(EU_WEST).getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(health.circuitBreaker(EU_WEST).getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    }

    @Test
    void regionsTheWorkIsNotServedInCostNoAttempt() throws Exception {
        RegionalExecutor exec = executor(TestTopology.threeRegions().maxRegionsPerCall(1).build());
        String taken = exec.bind(READ, RoutingContext.empty(), work(Set.of(US_EAST), r -> null, Set.of()),
                CLASSIFIER);
        assertThat(taken).isEqualTo(US_EAST.id());
        assertThat(tried).containsExactly(US_EAST);
    }

    @Test
    void anAbortedAttemptEndsTheCallAtOnceAndBlamesNoRegion() {
        RegionalExecutor exec = executor(TestTopology.threeRegions().build());
        InterruptedException interrupted = new InterruptedException("caller gave up");
        assertThatThrownBy(() -> exec.bind(READ, RoutingContext.empty(),
                work(ALL, r -> interrupted, Set.of()), CLASSIFIER)).isSameAs(interrupted);
        assertThat(tried).containsExactly(EU_WEST);
        assertThat(health.circuitBreaker(EU_WEST).getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void aCallerErrorIsRethrownUnchangedWithoutMoving() {
        RegionalExecutor exec = executor(TestTopology.threeRegions().build());
        IllegalStateException bug = new IllegalStateException("not regional");
        assertThatThrownBy(() -> exec.bind(READ, RoutingContext.empty(), work(ALL, r -> bug, Set.of()), CLASSIFIER))
                .isSameAs(bug);
        assertThat(tried).containsExactly(EU_WEST);
    }

    @Test
    void theAttemptBudgetBoundsTheWalkAndTheFailuresAreAttached() {
        RegionalExecutor exec = executor(TestTopology.threeRegions().maxRegionsPerCall(2).build());
        assertThatThrownBy(() -> exec.bind(READ, RoutingContext.empty(),
                work(ALL, r -> new IOException("refused in " + r.id()), Set.of()), CLASSIFIER))
                .isInstanceOf(NoRegionAvailableException.class)
                .hasMessageContaining("connect")
                .hasRootCauseMessage("refused in " + EU_CENTRAL.id())
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                        .containsExactly("refused in " + EU_WEST.id()));
        assertThat(tried).containsExactly(EU_WEST, EU_CENTRAL);
    }

    @Test
    void aWriteMovesOnlyAfterAFailureThatProvesItWasNotApplied() {
        RegionalExecutor exec = executor(TestTopology.threeRegions().build());
        FailureClassifier maybeApplied = t -> FailureDecision.REGIONAL_MAYBE_APPLIED;
        IOException reset = new IOException("reset");
        assertThatThrownBy(() -> exec.bind(Operation.of("write", OperationKind.WRITE), RoutingContext.empty(),
                work(ALL, r -> reset, Set.of()), maybeApplied)).isSameAs(reset);
        assertThat(tried).containsExactly(EU_WEST);
    }

    @Test
    void anOpenBreakerIsPassedLikeARegionalFailure() throws Exception {
        RegionalExecutor exec = executor(TestTopology.threeRegions().build());
        Operation op = Operation.builder("connect", OperationKind.READ).resource("reader").breakerPerResource()
                .build();
        // Opened after planning would have seen it: the walk meets the refusal at the gate.
        RegionalBind<String, Exception> inner = work(ALL, r -> null, Set.of());
        RegionalBind<String, Exception> opening = new RegionalBind<>() {
            @Override
            public Optional<String> in(Region region) throws Exception {
                return inner.in(region);
            }

            @Override
            public boolean servedIn(Region region) {
                health.circuitBreaker(EU_WEST, "reader").transitionToForcedOpenState();
                return true;
            }

            @Override
            public void movedPast(Region region, Throwable failure) {
                assertThat(failure).isInstanceOf(CallNotPermittedException.class);
                inner.movedPast(region, failure);
            }
        };
        assertThat(exec.bind(op, RoutingContext.empty(), opening, CLASSIFIER)).isEqualTo(EU_CENTRAL.id());
        assertThat(passed).containsExactly(EU_WEST);
        assertThat(tried).containsExactly(EU_CENTRAL);
    }
}
