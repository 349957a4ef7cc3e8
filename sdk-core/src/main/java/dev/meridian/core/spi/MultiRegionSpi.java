package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.control.RegionControl;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.routing.RoutingRequest;
import dev.meridian.core.routing.RoutingStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * The integration face of a {@link MultiRegion} runtime ({@link #of(MultiRegion)}): what a data module needs beyond
 * the user façade — execution under a given context or failure classifier, one breaker-guarded attempt in a region
 * the caller chose, routing plans and residency checks, snapshot participation, the breakers and registries — without
 * exposing the engine (router, executor, breakers) itself. Every call is answered by the runtime's one router and
 * executor, as the façade's are. Thread-safe.
 *
 * <p>For Meridian's own modules; may change in any release.
 */
@API(status = INTERNAL, since = "0.1", consumers = {"dev.meridian.dynamodb", "dev.meridian.aurora", "dev.meridian.spring"})
public abstract class MultiRegionSpi {
    private static volatile Function<MultiRegion, MultiRegionSpi> access;

    /** Only the runtime's own implementation: the façade hands out no other. */
    protected MultiRegionSpi() {
    }

    /** The integration face of {@code runtime}. */
    public static MultiRegionSpi of(MultiRegion runtime) {
        Objects.requireNonNull(runtime, "runtime");
        return access.apply(runtime);
    }

    /**
     * Installs how {@link #of} reaches a runtime's face; called once, by the runtime's implementation of this class
     * when it is loaded (before any runtime exists). A second call fails.
     */
    protected static synchronized void grant(Function<MultiRegion, MultiRegionSpi> faceOfRuntime) {
        if (access != null) {
            throw new IllegalStateException("MultiRegionSpi access is granted once, by MultiRegion's implementation");
        }
        access = Objects.requireNonNull(faceOfRuntime, "faceOfRuntime");
    }

    /**
     * As {@link MultiRegion#execute} under {@code ctx} (e.g. one captured when a paginator was made): runs
     * {@code call} in the regions of the routing plan for {@code op}, every attempt through its region's circuit
     * breaker, moving on after a failure the runtime's {@link FailureClassifier} calls regional (for a
     * {@link OperationKind#WRITE} only when it was certainly not applied). A {@code call} that is also a
     * {@link ServedRegion} is told which region's answer is returned.
     *
     * @throws ResidencyViolationException when no region the data may live in can be planned
     * @throws NoRegionAvailableException when health leaves no region to try
     */
    public abstract <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call);

    /** As {@link #execute(Operation, RoutingContext, Function)}, classifying failures with {@code classifier}. */
    public abstract <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call,
            FailureClassifier classifier);

    /**
     * As {@link #execute(Operation, RoutingContext, Function)}; {@code cold} tells which regions' clients have not
     * answered a call yet, whose first attempt pays the client's start-up rather than the region's slowness.
     */
    public abstract <T> T execute(Operation op, RoutingContext ctx, Function<Region, T> call, Predicate<Region> cold);

    /** As {@link MultiRegion#executeAsync} under {@code ctx}. */
    public abstract <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
            Function<Region, CompletableFuture<T>> call);

    /** As {@link #executeAsync(Operation, RoutingContext, Function)}; {@code cold} tells which clients are cold. */
    public abstract <T> CompletableFuture<T> executeAsync(Operation op, RoutingContext ctx,
            Function<Region, CompletableFuture<T>> call, Predicate<Region> cold);

    /**
     * As {@link #executeAsync(Operation, RoutingContext, Function, Predicate)} for a call told its attempts' outcomes
     * and its answer ({@link AnsweredCall}): the returned future is a
     * {@link dev.meridian.core.routing.ContextualFuture} of {@code ctx} that the runtime completes itself (after
     * {@link AnsweredCall#answered}, or exceptionally with the failure wrapped in a
     * {@link java.util.concurrent.CompletionException}, as a chained stage would be), under {@code ctx}; cancelling
     * it abandons the call and cancels its attempts in flight. A call's own work then chains no stage: what a routed
     * client's async methods use.
     */
    public abstract <T> CompletableFuture<T> callAsync(Operation op, RoutingContext ctx, AnsweredCall<T> call,
            Predicate<Region> cold);

    /**
     * Takes something the caller then holds (a JDBC connection) in the first region of {@code op}'s routing plan that
     * gives it: the runtime walks the plan as {@link #execute} does — residency, health and strategy order the
     * regions, every attempt goes through its breaker, at most {@code maxRegionsPerCall} regions are tried, and a
     * failure moves on only when {@code classifier}'s decision allows it for {@code op}'s kind
     * ({@link dev.meridian.core.execution.FailureDecision#movesOn}) — one attempt at a time on the caller's thread,
     * never hedged. {@code work} only takes the thing in one region; it may leave regions out or turn one down
     * ({@link RegionalBind}). A failure that stops the call (a caller error, an interrupted attempt) is rethrown
     * unchanged.
     *
     * @throws NoRegionAvailableException when no region gave a result, the failures attached: the caller may fall back
     * @throws ResidencyViolationException when no region the data may live in can be planned
     */
    public abstract <T, E extends Exception> T bind(Operation op, RoutingContext ctx, FailureClassifier classifier,
            RegionalBind<T, E> work) throws E;

    /**
     * One attempt of {@code op} in a region the caller chose (after {@link #plan}), through that region's circuit
     * breaker (region × resource for {@link Operation#breakerPerResource()}), with its latency recorded and its
     * failure classified by {@code classifier}; what {@code call} throws is rethrown unchanged. For integrations that
     * pick their own region, such as a JDBC data source binding a connection.
     *
     * @throws io.github.resilience4j.circuitbreaker.CallNotPermittedException when the breaker refuses the attempt
     */
    public abstract <T, E extends Exception> T attempt(Operation op, Region region, FailureClassifier classifier,
            RegionalAttempt<T, E> call) throws E;

    /**
     * Reports a failure seen after an {@link #attempt} had succeeded (a pooled connection that died mid-statement):
     * counts against the breaker {@code op} uses in {@code region} when {@code classifier} calls it regional.
     */
    public abstract void recordFailure(Operation op, Region region, Throwable failure, FailureClassifier classifier);

    /**
     * The routing plan for {@code op} under {@code ctx}: the regions to try, in order.
     *
     * @throws ResidencyViolationException when no region the data may live in is available
     * @throws NoRegionAvailableException when every region is drained, open or excluded
     */
    public abstract RoutingPlan plan(Operation op, RoutingContext ctx);

    /**
     * Every region residency allows for {@code ctx}, healthy or not, in configuration order; a context that does not
     * set its data class is under the configured default data class.
     */
    public abstract Set<Region> allowedRegions(RoutingContext ctx);

    /**
     * Whether a data store's replica footprint matters for {@code ctx} (RESTRICTED data, or a context residency
     * limits): lets an integration skip finding the footprint (a {@code DescribeTable}) when it cannot matter.
     */
    public abstract boolean footprintMatters(RoutingContext ctx);

    /**
     * Refuses {@code op}, before anything is sent, when its data store replicates to a region outside those
     * residency allows for {@code ctx}.
     *
     * @throws ResidencyViolationException naming the regions outside the allowed set
     */
    public abstract void checkResidency(Operation op, RoutingContext ctx, Set<Region> replicaFootprint);

    /**
     * A residency refusal of {@code op} under {@code ctx}, counted ({@code meridian.residency.refused}) and logged
     * like the router's own, for an integration that decides a refusal itself (e.g. a key's home region outside the
     * allowed ones). The caller throws it.
     */
    public abstract ResidencyViolationException refuse(Operation op, RoutingContext ctx, String reason);

    /**
     * The region a {@link Operation#homeOnly()} operation is pinned to, whatever the health of the regions: the first
     * of its strategy's order over {@link Operation#within()} (every configured region when unset). Independent of
     * any context: residency decides only whether a call may use it.
     */
    public abstract Region homeRegion(Operation op);

    /** What a {@link RoutingStrategy} would see for {@code op} under {@code ctx}, to order regions as routing does. */
    public abstract RoutingRequest routingRequest(Operation op, RoutingContext ctx);

    /**
     * Registers {@code participant} to act around a process snapshot of the runtime: its
     * {@link dev.meridian.core.SnapshotHooks} call {@link SnapshotParticipant#quiesce()} and
     * {@link SnapshotParticipant#beforeCheckpoint()} before a checkpoint and {@link SnapshotParticipant#afterRestore()}
     * after a restore. For the parts built on the runtime (routed clients, data sources) that hold connections or
     * cached remote facts; close the registration when the part is closed. Closing the runtime drops every
     * registration.
     *
     * @throws IllegalStateException when the runtime is closed
     */
    public abstract SnapshotParticipant.Registration onSnapshot(SnapshotParticipant participant);

    /** The runtime's region control (its status for health and the actuator), when a control source is configured. */
    public abstract Optional<RegionControl> control();

    /** Resilience4j's registry of the runtime's breakers (e.g. for its own Micrometer binding). */
    public abstract CircuitBreakerRegistry circuitBreakers();

    /** The registry Meridian's meters are recorded in, when the runtime was given one. */
    public abstract Optional<MeterRegistry> meterRegistry();

    /** The registry each regional attempt is observed in, when the runtime was given one. */
    public abstract Optional<ObservationRegistry> observationRegistry();
}
