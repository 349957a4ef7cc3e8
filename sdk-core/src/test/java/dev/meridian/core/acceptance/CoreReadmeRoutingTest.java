package dev.meridian.core.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.slf4j.MDC;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

/**
 * sdk-core/README.md, read as a user: the routing claims that need no network, driven through the façade's own
 * doors ({@code MultiRegion.execute} / {@code executeAsync}). The function handed to them is the "regional call": it
 * records where it ran, which is the witness here (the wire-level witness, request journals, is in
 * {@link CoreReadmeWireIT}).
 */
class CoreReadmeRoutingTest {
    private static final Region WEST = Region.EU_WEST_1;
    private static final Region CENTRAL = Region.EU_CENTRAL_1;
    private static final Region US = Region.US_EAST_1;
    private static final Set<Region> EU = Set.of(WEST, CENTRAL);
    /** A regional call answering with the region it ran in. */
    private static final Function<Region, Region> HERE = r -> r;

    /** The README's three-region topology: two EU regions, one US region. */
    private static MultiRegionConfig.Builder topology() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(CENTRAL).jurisdiction("EU").priority(1))
                .region(RegionSpec.of(US).jurisdiction("US").priority(2))
                .localRegion(WEST);
    }

    /** A regional call that records each region it ran in and then fails with {@code failure}, or answers. */
    private static final class Recorder implements Function<Region, Region> {
        final List<Region> tried = Collections.synchronizedList(new ArrayList<>());
        private final RuntimeException failure;

        Recorder(RuntimeException failure) {
            this.failure = failure;
        }

        static Recorder answering() {
            return new Recorder(null);
        }

        @Override
        public Region apply(Region region) {
            tried.add(region);
            if (failure != null) {
                throw failure;
            }
            return region;
        }
    }

    /** The recorder as an asynchronous regional call: its failure as a failed future, as an SDK client's. */
    private static CompletableFuture<Region> answer(Recorder call, Region region) {
        try {
            return CompletableFuture.completedFuture(call.apply(region));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static RuntimeException status(int code, String errorCode) {
        return AwsServiceException.builder().statusCode(code).message(errorCode)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(errorCode).errorMessage(errorCode).build())
                .build();
    }

    private static RuntimeException refused() {
        return SdkClientException.create("Unable to execute HTTP request", new ConnectException("Connection refused"));
    }

    // ---- execution: "READ always fails over; WRITE only when the failure proves it was not applied;
    //      IDEMPOTENT_WRITE always; caller errors ... never"

    @Property(tries = 12)
    void failoverFollowsTheOperationKindAndTheFailure(@ForAll OperationKind kind, @ForAll("failures") String failure) {
        RuntimeException thrown = switch (failure) {
            case "500" -> status(500, "InternalServerError");
            // docs/exactly-once.md: a 503 proves the region did nothing (REGIONAL_NOT_APPLIED).
            case "503" -> status(503, "ServiceUnavailable");
            case "refused" -> refused();
            default -> status(400, "ValidationException");
        };
        boolean callerError = failure.equals("400");
        boolean notApplied = failure.equals("refused") || failure.equals("503");
        boolean movesOn = !callerError && (kind != OperationKind.WRITE || notApplied);
        try (MultiRegion runtime = MultiRegion.builder(topology().hedging(HedgingConfig.disabled()).build()).build()) {
            Recorder call = new Recorder(thrown);
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", kind), call)).isSameAs(thrown);
            assertThat(call.tried).as("%s after %s", kind, failure)
                    .isEqualTo(movesOn ? List.of(WEST, CENTRAL, US) : List.of(WEST));
        }
    }

    /** The same through executeAsync, whether the attempt's failure is a failed future or thrown by the call itself. */
    @Property(tries = 16)
    void asyncFailoverFollowsTheOperationKindAndTheFailure(@ForAll OperationKind kind,
            @ForAll("failures") String failure, @ForAll boolean thrown) {
        RuntimeException error = switch (failure) {
            case "500" -> status(500, "InternalServerError");
            case "503" -> status(503, "ServiceUnavailable");
            case "refused" -> refused();
            default -> status(400, "ValidationException");
        };
        boolean movesOn = !failure.equals("400")
                && (kind != OperationKind.WRITE || failure.equals("refused") || failure.equals("503"));
        try (MultiRegion runtime = MultiRegion.builder(topology().hedging(HedgingConfig.disabled()).build()).build()) {
            Recorder call = new Recorder(error);
            CompletableFuture<Region> f = runtime.executeAsync(Operation.of("op", kind),
                    r -> thrown ? CompletableFuture.completedFuture(call.apply(r)) : answer(call, r));
            assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).hasCauseReference(error);
            assertThat(call.tried).as("%s after %s (thrown: %s)", kind, failure, thrown)
                    .isEqualTo(movesOn ? List.of(WEST, CENTRAL, US) : List.of(WEST));
        }
    }

    @Provide
    Arbitrary<String> failures() {
        return Arbitraries.of("500", "503", "refused", "400");
    }

    // ---- residency: "RESTRICTED only in the subject's jurisdiction; ... fail closed"; the README's example:
    //      "EU regions only; NoRegionAvailableException if none is healthy (drained or breaker open), else the last EU
    //      region's own failure — never another region"

    @Property(tries = 30)
    void restrictedDataOfAnEuSubjectNeverLeavesTheEu(@ForAll("euCountries") String country,
            @ForAll OperationKind kind, @ForAll boolean async) {
        try (MultiRegion runtime = MultiRegion.builder(topology().hedging(HedgingConfig.disabled()).build()).build();
                RoutingContext.Scope s = RoutingContext.builder().subjectCountry(country)
                        .dataClass(DataClass.RESTRICTED).open()) {
            RuntimeException regional = refused();
            Recorder call = new Recorder(regional);
            if (async) {
                CompletableFuture<Region> f = runtime.executeAsync(Operation.of("op", kind), r -> answer(call, r));
                assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).hasCauseReference(regional);
            } else {
                assertThatThrownBy(() -> runtime.execute(Operation.of("op", kind), call)).isSameAs(regional);
            }
            assertThat(call.tried).as("regions tried").isNotEmpty().allMatch(EU::contains);
            assertThat(call.tried).last().as("the last EU region's own failure").isEqualTo(CENTRAL);
        }
    }

    @Property(tries = 10)
    void restrictedDataWithEveryEuRegionDrainedIsRefusedWithNoRegionAvailable(@ForAll OperationKind kind,
            @ForAll boolean async) {
        try (MultiRegion runtime = MultiRegion.builder(topology().build()).build();
                RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE")
                        .dataClass(DataClass.RESTRICTED).open()) {
            runtime.drain(WEST);
            runtime.drain(CENTRAL);
            Recorder call = Recorder.answering();
            if (async) {
                assertThatThrownBy(() -> runtime.executeAsync(Operation.of("op", kind),
                        r -> CompletableFuture.completedFuture(call.apply(r))).join())
                        .hasCauseInstanceOf(NoRegionAvailableException.class);
            } else {
                assertThatThrownBy(() -> runtime.execute(Operation.of("op", kind), call))
                        .isInstanceOf(NoRegionAvailableException.class);
            }
            assertThat(call.tried).isEmpty();
        }
    }

    @Property(tries = 10)
    void restrictedDataOfASubjectWithoutAJurisdictionFailsClosed(@ForAll("unknownCountries") String country) {
        try (MultiRegion runtime = MultiRegion.builder(topology().build()).build();
                RoutingContext.Scope s = RoutingContext.builder().subjectCountry(country)
                        .dataClass(DataClass.RESTRICTED).open()) {
            Recorder call = Recorder.answering();
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), call))
                    .isInstanceOf(ResidencyViolationException.class);
            assertThat(call.tried).isEmpty();
        }
    }

    @Property(tries = 10)
    void publicAndInternalDataGoAnywhere(@ForAll("euCountries") String country, @ForAll boolean internal) {
        try (MultiRegion runtime = MultiRegion.builder(topology().hedging(HedgingConfig.disabled()).build()).build();
                RoutingContext.Scope s = RoutingContext.builder().subjectCountry(country)
                        .dataClass(internal ? DataClass.INTERNAL : DataClass.PUBLIC).open()) {
            Recorder call = new Recorder(refused());
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), call));
            assertThat(call.tried).containsExactly(WEST, CENTRAL, US);
        }
    }

    /** "one naming a subject but no data class runs under the configured default data class". */
    @Property(tries = 10)
    void aSubjectWithoutADataClassRunsUnderTheDefaultDataClass(@ForAll("euCountries") String country) {
        try (MultiRegion runtime = MultiRegion.builder(topology().hedging(HedgingConfig.disabled())
                        .defaultDataClass(DataClass.RESTRICTED).build()).build();
                RoutingContext.Scope s = RoutingContext.builder().subjectCountry(country).open()) {
            assertThat(RoutingContext.current().isDeclared()).isTrue();
            assertThat(RoutingContext.current().isDataClassDeclared()).isFalse();
            Recorder call = new Recorder(refused());
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), call));
            assertThat(call.tried).containsExactly(WEST, CENTRAL);
        }
    }

    /**
     * "a context declaring neither data class nor subject is routed as no context (isDeclared())": with a RESTRICTED
     * default, a call without a subject is refused (docs/configuration.md: no subject, so no jurisdiction).
     */
    @Property(tries = 5)
    void aContextDeclaringNothingIsRoutedAsNoContext(@ForAll @AlphaChars @StringLength(min = 1, max = 12) String id) {
        try (MultiRegion runtime = MultiRegion.builder(topology().defaultDataClass(DataClass.RESTRICTED).build())
                        .build()) {
            Recorder call = Recorder.answering();
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), call))
                    .isInstanceOf(ResidencyViolationException.class);
            try (RoutingContext.Scope s = RoutingContext.builder().correlationId(id).open()) {
                assertThat(RoutingContext.current().isDeclared()).isFalse();
                assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), call))
                        .isInstanceOf(ResidencyViolationException.class);
            }
            assertThat(call.tried).isEmpty();
        }
    }

    /**
     * "Metrics (Micrometer, optional at runtime): meridian.calls, ..., meridian.breaker.state, ...,
     * meridian.residency.refused, ... — all tagged with region where one applies".
     */
    @Property(tries = 3)
    void callsFailoversBreakersAndRefusalsAreMetered(@ForAll("unknownCountries") String country) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (MultiRegion runtime = MultiRegion.builder(topology().hedging(HedgingConfig.disabled()).build())
                .meterRegistry(meters).build()) {
            Recorder failing = new Recorder(refused());
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), failing));
            runtime.execute(Operation.of("op", OperationKind.READ), HERE);
            try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry(country)
                    .dataClass(DataClass.RESTRICTED).open()) {
                assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), HERE))
                        .isInstanceOf(ResidencyViolationException.class);
            }
            assertThat(tagged(meters, "meridian.calls")).contains(WEST.id(), CENTRAL.id(), US.id());
            assertThat(tagged(meters, "meridian.call.latency")).contains(WEST.id());
            assertThat(tagged(meters, "meridian.failover")).isNotEmpty();
            assertThat(tagged(meters, "meridian.breaker.state")).contains(WEST.id(), CENTRAL.id(), US.id());
            assertThat(meters.find("meridian.residency.refused").counters())
                    .as("refusals").isNotEmpty().allSatisfy(c -> assertThat(c.count()).isPositive());
        }
    }

    /** The region tags of the meters named {@code name} (empty if it has none). */
    private static Set<String> tagged(SimpleMeterRegistry meters, String name) {
        return meters.find(name).meters().stream().map(m -> m.getId().getTag("region"))
                .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet());
    }

    @Provide
    Arbitrary<String> euCountries() {
        return Arbitraries.of(EuEea.COUNTRIES);
    }

    @Provide
    Arbitrary<String> unknownCountries() {
        return Arbitraries.of("ZZ", "XK", "QQ", "AQ");
    }

    // ---- per-call context: "captured at call time for async calls, whose futures run their dependents under it;
    //      correlation id in the SLF4J MDC"

    @Property(tries = 5)
    void theCorrelationIdIsInTheMdcDuringTheCall(@ForAll @AlphaChars @StringLength(min = 1, max = 16) String id) {
        try (MultiRegion runtime = MultiRegion.builder(topology().build()).build()) {
            try (RoutingContext.Scope s = RoutingContext.builder().correlationId(id).open()) {
                String seen = runtime.execute(Operation.of("op", OperationKind.READ),
                        r -> MDC.get(RoutingContext.MDC_KEY));
                assertThat(seen).isEqualTo(id);
                CompletableFuture<String> async = runtime.executeAsync(Operation.of("op", OperationKind.WRITE),
                        r -> CompletableFuture.completedFuture(MDC.get(RoutingContext.MDC_KEY)));
                assertThat(async.join()).as("an async call's attempt").isEqualTo(id);
            }
            assertThat(MDC.get(RoutingContext.MDC_KEY)).as("after the scope").isNull();
        }
    }

    /** "regions()/status() health view": every configured region, in configuration order, with its jurisdiction. */
    @Property(tries = 3)
    void theHealthViewListsEveryRegionInConfigurationOrder(@ForAll("regions") Region drained) {
        try (MultiRegion runtime = MultiRegion.builder(topology().build()).build()) {
            runtime.drain(drained);
            assertThat(runtime.regions()).extracting(RegionStatus::region).containsExactly(WEST, CENTRAL, US);
            assertThat(runtime.regions()).extracting(st -> st.jurisdiction().name()).containsExactly("EU", "EU", "US");
            assertThat(runtime.regions()).filteredOn(RegionStatus::drained).extracting(RegionStatus::region)
                    .containsExactly(drained);
            assertThat(runtime.status(drained).available()).isFalse();
        }
    }

    /** "registered with Micrometer Context Propagation when it is on the class path": a captured snapshot carries it. */
    @Property(tries = 3)
    void theContextTravelsWithMicrometerContextPropagation(
            @ForAll @AlphaChars @StringLength(min = 1, max = 16) String id) throws Exception {
        Runnable task;
        AtomicReference<RoutingContext> seen = new AtomicReference<>();
        try (RoutingContext.Scope s = restricted(id)) {
            task = ContextSnapshotFactory.builder().build().captureAll().wrap(() -> seen.set(RoutingContext.current()));
        }
        Thread other = new Thread(task);
        other.start();
        other.join();
        assertThat(seen.get().correlationId()).contains(id);
        assertThat(seen.get().dataClass()).isEqualTo(DataClass.RESTRICTED);
    }

    /** A dependent chained before the answer, which arrives on another thread (as an SDK's would). */
    @Property(tries = 5)
    void dependentsChainedBeforeTheAnswerRunUnderTheCallersContext(
            @ForAll @AlphaChars @StringLength(min = 1, max = 16) String id) {
        try (MultiRegion runtime = MultiRegion.builder(topology().hedging(HedgingConfig.disabled()).build()).build()) {
            CompletableFuture<String> answer = new CompletableFuture<>();
            CompletableFuture<String> call;
            CompletableFuture<RoutingContext> dependent;
            try (RoutingContext.Scope s = restricted(id)) {
                call = runtime.executeAsync(Operation.of("op", OperationKind.READ), r -> answer);
                dependent = call.thenApply(x -> RoutingContext.current());
            }
            Recorder next = new Recorder(refused());
            CompletableFuture<Region> chained = call.thenCompose(x -> runtime.executeAsync(
                    Operation.of("next", OperationKind.WRITE), r -> answer(next, r)));
            CompletableFuture.runAsync(() -> answer.complete("done")).join();
            assertThat(dependent.join().correlationId()).contains(id);
            assertThatThrownBy(chained::join).isInstanceOf(CompletionException.class);
            assertThat(next.tried).as("a write made in the continuation").isNotEmpty().allMatch(EU::contains);
        }
    }

    /** A dependent chained after the answer arrived, once the caller's scope is closed (a reactive chain's later step). */
    @Property(tries = 5)
    void dependentsChainedAfterTheAnswerRunUnderTheCallersContext(
            @ForAll @AlphaChars @StringLength(min = 1, max = 16) String id) {
        try (MultiRegion runtime = MultiRegion.builder(topology().hedging(HedgingConfig.disabled()).build()).build()) {
            CompletableFuture<String> call;
            try (RoutingContext.Scope s = restricted(id)) {
                call = runtime.executeAsync(Operation.of("op", OperationKind.READ),
                        r -> CompletableFuture.supplyAsync(() -> "done"));
            }
            call.join();
            assertThat(call.thenApply(x -> RoutingContext.current()).join().correlationId()).contains(id);
            Recorder next = new Recorder(refused());
            CompletableFuture<Region> chained = call.thenCompose(x -> runtime.executeAsync(
                    Operation.of("next", OperationKind.WRITE), r -> answer(next, r)));
            assertThatThrownBy(chained::join).isInstanceOf(CompletionException.class);
            assertThat(next.tried).as("a write made in the continuation").isNotEmpty().allMatch(EU::contains);
        }
    }

    private static RoutingContext.Scope restricted(String correlationId) {
        return RoutingContext.builder().correlationId(correlationId).subjectCountry("DE")
                .dataClass(DataClass.RESTRICTED).open();
    }

    /**
     * "NoRegionAvailableException if none is healthy (drained or breaker open)"; resetHealth() forgets the breakers
     * ("breakers and latency estimates reset; drains stay").
     */
    @Property(tries = 4)
    void restrictedDataWithEveryEuBreakerOpenIsRefusedAndResetHealthClosesThem(@ForAll boolean async) {
        MultiRegionConfig config = topology().hedging(HedgingConfig.disabled())
                .health(HealthConfig.builder().slidingWindowSize(2).minimumNumberOfCalls(2)
                        .waitInOpenState(java.time.Duration.ofMinutes(5)).build()).build();
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                RoutingContext.Scope s = RoutingContext.builder().subjectCountry("FR")
                        .dataClass(DataClass.RESTRICTED).open()) {
            Recorder failing = new Recorder(status(503, "ServiceUnavailable"));
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), failing));
            }
            assertThat(runtime.status(WEST).breaker()).isEqualTo(RegionStatus.BreakerState.OPEN);
            assertThat(runtime.status(CENTRAL).breaker()).isEqualTo(RegionStatus.BreakerState.OPEN);
            runtime.drain(US);
            Recorder call = Recorder.answering();
            if (async) {
                assertThatThrownBy(() -> runtime.executeAsync(Operation.of("op", OperationKind.READ),
                        r -> answer(call, r)).join()).hasCauseInstanceOf(NoRegionAvailableException.class);
            } else {
                assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), call))
                        .isInstanceOf(NoRegionAvailableException.class);
            }
            assertThat(call.tried).isEmpty();
            runtime.resetHealth();
            assertThat(runtime.status(WEST).breaker()).isEqualTo(RegionStatus.BreakerState.CLOSED);
            assertThat(runtime.status(US).drained()).as("drains stay").isTrue();
            assertThat(runtime.execute(Operation.of("op", OperationKind.READ), HERE)).isEqualTo(WEST);
        }
    }

    // ---- health: drain/undrain, maxRegionsPerCall

    @Property(tries = 6)
    void aDrainedRegionIsNotTriedUntilUndrained(@ForAll("regions") Region drained) {
        try (MultiRegion runtime = MultiRegion.builder(topology().hedging(HedgingConfig.disabled()).build()).build()) {
            runtime.drain(drained);
            assertThat(runtime.status(drained).drained()).isTrue();
            Recorder call = new Recorder(refused());
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), call));
            assertThat(call.tried).doesNotContain(drained).hasSize(2);
            runtime.undrain(drained);
            assertThat(runtime.status(drained).drained()).isFalse();
            Recorder again = new Recorder(refused());
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), again));
            assertThat(again.tried).contains(drained);
        }
    }

    @Property(tries = 6)
    void aCallMakesAtMostMaxRegionsPerCallAttempts(@ForAll("maxRegions") int max, @ForAll OperationKind kind) {
        try (MultiRegion runtime = MultiRegion.builder(topology().maxRegionsPerCall(max)
                .hedging(HedgingConfig.disabled()).build()).build()) {
            Recorder call = new Recorder(refused());
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", kind), call));
            assertThat(call.tried).hasSize(Math.min(max, 3));
        }
    }

    @Provide
    Arbitrary<Integer> maxRegions() {
        return Arbitraries.integers().between(1, 3);
    }

    // ---- strategies: localFirst, failover, weighted, homeByKey, preferring (the factories' Javadoc is the contract)

    @Property(tries = 6)
    void localFirstStartsInTheLocalRegion(@ForAll("regions") Region local) {
        try (MultiRegion runtime = MultiRegion.builder(topology().localRegion(local)
                .routing(RoutingStrategy.localFirst()).hedging(HedgingConfig.disabled()).build()).build()) {
            Recorder call = new Recorder(refused());
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), call));
            assertThat(call.tried).first().isEqualTo(local);
            assertThat(call.tried).containsExactlyInAnyOrder(WEST, CENTRAL, US);
        }
    }

    @Property(tries = 6)
    void failoverTriesRegionsByPriority(@ForAll("priorities") List<Integer> priorities) {
        List<Region> all = List.of(WEST, CENTRAL, US);
        MultiRegionConfig.Builder b = MultiRegionConfig.builder().localRegion(US)
                .routing(RoutingStrategy.failover()).hedging(HedgingConfig.disabled());
        for (int i = 0; i < 3; i++) {
            b.region(RegionSpec.of(all.get(i)).priority(priorities.get(i)));
        }
        List<Region> byPriority = new ArrayList<>(all);
        byPriority.sort((x, y) -> Integer.compare(priorities.get(all.indexOf(x)), priorities.get(all.indexOf(y))));
        try (MultiRegion runtime = MultiRegion.builder(b.build()).build()) {
            Recorder call = new Recorder(refused());
            assertThatThrownBy(() -> runtime.execute(Operation.of("op", OperationKind.READ), call));
            assertThat(call.tried).isEqualTo(byPriority);
        }
    }

    @Provide
    Arbitrary<List<Integer>> priorities() {
        return Arbitraries.of(0, 1, 2).list().ofSize(3).uniqueElements();
    }

    @Property(tries = 5)
    void weightedNeverStartsInARegionOfWeightZero(@ForAll("regions") Region heavy) {
        MultiRegionConfig.Builder b = MultiRegionConfig.builder().localRegion(WEST).routing(RoutingStrategy.weighted());
        for (Region r : List.of(WEST, CENTRAL, US)) {
            b.region(RegionSpec.of(r).weight(r.equals(heavy) ? 100 : 0));
        }
        try (MultiRegion runtime = MultiRegion.builder(b.build()).build()) {
            for (int i = 0; i < 50; i++) {
                assertThat(runtime.execute(Operation.of("op", OperationKind.READ), HERE)).isEqualTo(heavy);
            }
        }
    }

    @Property(tries = 20)
    void homeByKeyGivesTheSameHomeOnEveryNodeAndDrainingMovesOnlyItsKeys(
            @ForAll @AlphaChars @StringLength(min = 1, max = 20) String key, @ForAll("regions") Region removed) {
        MultiRegionConfig config = topology().routing(RoutingStrategy.homeByKey()).build();
        Operation op = Operation.builder("op", OperationKind.WRITE).routingKey(key).build();
        try (MultiRegion a = MultiRegion.builder(config).build(); MultiRegion b = MultiRegion.builder(config).build()) {
            Region home = a.execute(op, HERE);
            assertThat(b.execute(op, HERE)).as("another node").isEqualTo(home);
            b.drain(removed);
            Region after = b.execute(op, HERE);
            if (!home.equals(removed)) {
                assertThat(after).as("a key whose home stays keeps it").isEqualTo(home);
            } else {
                assertThat(after).isNotEqualTo(removed);
            }
        }
    }

    /** geo(): "Nearest region to the data subject's country first ...; falls back to local-first when the country ... is unknown". */
    @Property(tries = 12)
    void geoStartsInTheRegionNearestTheSubject(@ForAll("subjects") String countryAndNearest) {
        String[] cn = countryAndNearest.split(":");
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST)).region(RegionSpec.of(CENTRAL)).region(RegionSpec.of(US))
                .region(RegionSpec.of(Region.AP_NORTHEAST_1)).localRegion(US).routing(RoutingStrategy.geo()).build();
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                RoutingContext.Scope s = RoutingContext.builder().subjectCountry(cn[0]).dataClass(DataClass.PUBLIC)
                        .open()) {
            assertThat(runtime.execute(Operation.of("op", OperationKind.READ), HERE)).as(cn[0])
                    .isEqualTo(Region.of(cn[1]));
        }
    }

    @Provide
    Arbitrary<String> subjects() {
        return Arbitraries.of("DE:eu-central-1", "AT:eu-central-1", "IE:eu-west-1", "GB:eu-west-1", "JP:ap-northeast-1",
                "KR:ap-northeast-1", "US:us-east-1", "CA:us-east-1", "ZZ:us-east-1");
    }

    @Property(tries = 6)
    void preferringPutsItsRegionFirstUnlessDrained(@ForAll("regions") Region preferred) {
        try (MultiRegion runtime = MultiRegion.builder(topology()
                .routing(RoutingStrategy.preferring(preferred, RoutingStrategy.failover())).build()).build()) {
            assertThat(runtime.execute(Operation.of("op", OperationKind.READ), HERE)).isEqualTo(preferred);
            runtime.drain(preferred);
            assertThat(runtime.execute(Operation.of("op", OperationKind.READ), HERE)).isNotEqualTo(preferred);
        }
    }

    @Provide
    Arbitrary<Region> regions() {
        return Arbitraries.of(WEST, CENTRAL, US);
    }
}
