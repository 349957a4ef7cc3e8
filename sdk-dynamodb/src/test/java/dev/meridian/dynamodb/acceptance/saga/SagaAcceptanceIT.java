package dev.meridian.dynamodb.acceptance.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.dynamodb.saga.Saga;
import dev.meridian.dynamodb.saga.SagaContext;
import dev.meridian.dynamodb.saga.SagaInProgressException;
import dev.meridian.dynamodb.saga.SagaResult;
import dev.meridian.dynamodb.saga.SagaState;
import dev.meridian.dynamodb.saga.SagaStep;
import dev.meridian.dynamodb.saga.SagaStepStatus;
import dev.meridian.dynamodb.saga.Sagas;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RequestJournal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * docs/sagas.md read as a user, on LocalRegions and the public API only: the model (retried starts, refused reuse of
 * an id, {@code null} results, size limits), the log homed by id in one region whatever instance runs it (the
 * journals witness), a down home stops a run before any step, which step failures are compensated, failures recorded
 * without messages, the lease, definitions that must match, the sweep and the outcome meter. Side effects are counted
 * in memory per {@code effectKey}: every instance runs in this process, and a crash is an {@link Error}.
 */
@LocalRegionsConfig
class SagaAcceptanceIT {
    private static final String LOG = "acc_saga_log";
    private static final String RECORDS = "acc_saga_records";
    private static final String EU_LOG = "acc_eu_saga_log";
    private static final String EU_RECORDS = "acc_eu_saga_records";
    private static final AtomicInteger IDS = new AtomicInteger();
    private static LocalRegions regions;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    private final InstantSource clock = now::get;
    private final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
    private final List<String> order = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void createTables() {
        regions.createGlobalTable(table(LOG));
        regions.createGlobalTable(table(RECORDS));
        regions.createGlobalTable(table(EU_LOG), List.of("eu-west-1", "eu-central-1"));
        regions.createGlobalTable(table(EU_RECORDS), List.of("eu-west-1", "eu-central-1"));
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private static CreateTableRequest table(String name) {
        return CreateTableRequest.builder().tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .build();
    }

    private static String newId() {
        return "order-" + IDS.incrementAndGet();
    }

    /** One application instance in {@code local}: runtime, routed client, step records and Sagas on the test clock. */
    private final class Instance {
        final MultiRegion runtime;
        final DynamoDbIdempotencyStore store;
        final Sagas sagas;
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();

        Instance(Region local, Saga... definitions) {
            this(local, false, definitions);
        }

        /** With {@code euOnly}, on the log and record tables that replicate only between the two EU regions. */
        Instance(Region local, boolean euOnly, Saga... definitions) {
            runtime = MultiRegion.builder(MultiRegionConfig.builder()
                    .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                    .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                    .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                    .localRegion(local)
                    .routing(RoutingStrategy.localFirst())
                    .hedging(HedgingConfig.disabled())
                    .build()).build();
            DynamoDbClient routed = TestRegions.routed(runtime,
                    r -> TestRegions.client(regions, r, Duration.ofSeconds(10)));
            DynamoDbIdempotencyStore.Builder records = DynamoDbIdempotencyStore.builder()
                    .table(euOnly ? EU_RECORDS : RECORDS).client(routed).clock(clock);
            Sagas.Builder b = Sagas.builder().client(routed).table(euOnly ? EU_LOG : LOG).clock(clock)
                    .meterRegistry(meters);
            if (euOnly) {
                records.replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1);
                b.replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1);
            }
            store = records.build();
            b.idempotencyStore(store);
            for (Saga s : definitions) {
                b.saga(s);
            }
            sagas = b.build();
            closing.add(runtime);
            closing.add(routed);
            closing.add(sagas);
        }
    }

    private void effect(SagaContext ctx, String direction) {
        effects.computeIfAbsent(ctx.effectKey(direction), k -> new AtomicInteger()).incrementAndGet();
        order.add(direction + ":" + ctx.stepName());
    }

    private int effects(String direction) {
        return effects.entrySet().stream().filter(e -> e.getKey().endsWith("/" + direction))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    /** Counts per step and direction, for a saga whose every effect must have happened at most once. */
    private Map<String, Integer> counts() {
        return effects.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    }

    /** A step that counts its effect and its compensation, and answers {@code result}. */
    private SagaStep counting(String name, Supplier<String> result) {
        return SagaStep.builder(name).action(ctx -> {
            effect(ctx, "do");
            return result.get();
        }).compensation(ctx -> effect(ctx, "undo")).build();
    }

    private SagaStep counting(String name) {
        return counting(name, () -> "r-" + name);
    }

    /** A step that counts its effect, then throws {@code failure}. */
    private SagaStep failingAfterEffect(String name, Supplier<RuntimeException> failure) {
        return SagaStep.builder(name).action(ctx -> {
            effect(ctx, "do");
            throw failure.get();
        }).compensation(ctx -> effect(ctx, "undo")).build();
    }

    private static boolean isLog(RequestJournal.Entry e) {
        return e.table().filter(LOG::equals).isPresent();
    }

    private static int logRequests(String region) {
        return (int) regions.journal(region).entries().stream().filter(SagaAcceptanceIT::isLog).count();
    }

    @Test
    void aRetriedStartReturnsTheOutcomeWithoutRunningAnyStepAgainAndAnotherInputOrSagaUnderThatIdIsRefused() {
        Saga order = Saga.builder("acc-order").step(counting("reserve")).step(counting("charge")).build();
        Saga other = Saga.builder("acc-other").step(counting("x")).build();
        Instance eu = new Instance(Region.EU_WEST_1, order, other);
        String id = newId();
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Saga probe = Saga.builder("acc-thread").step("t", ctx -> {
            ranOn.set(Thread.currentThread());
            return "";
        }, ctx -> { }).build();
        Instance withProbe = new Instance(Region.EU_WEST_1, probe);

        assertThat(eu.sagas.start(order, id, "{\"sku\":1}").state()).isEqualTo(SagaState.COMPLETED);
        SagaResult again = eu.sagas.start(order, id, "{\"sku\":1}");

        assertThat(again.state()).isEqualTo(SagaState.COMPLETED);
        assertThat(again.results()).containsEntry("reserve", "r-reserve").containsEntry("charge", "r-charge");
        assertThat(effects("do")).isEqualTo(2);
        assertThatThrownBy(() -> eu.sagas.start(order, id, "{\"sku\":2}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> eu.sagas.start(other, id, "{\"sku\":1}")).isInstanceOf(IllegalArgumentException.class);
        assertThat(effects("do")).isEqualTo(2);
        withProbe.sagas.start(probe, newId(), "");
        assertThat(ranOn.get()).as("start runs on the calling thread").isSameAs(caller);
    }

    @Test
    void aNullResultCountsAsEmptyAndAResultOver32KiBFailsTheStepWhichIsCompensatedWithTheStepsBefore() {
        AtomicReference<String> seenByNext = new AtomicReference<>();
        Saga saga = Saga.builder("acc-sizes")
                .step(counting("a", () -> null))
                .step(SagaStep.builder("b").action(ctx -> {
                    seenByNext.set(ctx.result("a").orElse("absent"));
                    effect(ctx, "do");
                    return "x".repeat(32 * 1024 + 1);
                }).compensation(ctx -> effect(ctx, "undo")).build())
                .step(counting("c"))
                .build();
        Instance eu = new Instance(Region.EU_WEST_1, saga);

        SagaResult r = eu.sagas.start(saga, newId(), "in");

        assertThat(seenByNext.get()).isEmpty();
        assertThat(r.state()).isEqualTo(SagaState.COMPENSATED);
        assertThat(r.results()).containsEntry("a", "");
        assertThat(order).containsExactly("do:a", "do:b", "undo:b", "undo:a");
    }

    /**
     * "Input up to 64 KiB, each result up to 32 KiB" in an item DynamoDB caps at 400 KB: thirteen results of 32 KiB
     * cannot all be logged. The step whose result no longer fits fails and the saga is compensated, as for a result
     * over 32 KiB, instead of a log write refused at every run (a saga stuck RUNNING, never compensated).
     */
    @Test
    void resultsThatTogetherOutgrowTheLogItemFailTheStepThatOverflowsAndTheSagaIsCompensated() {
        Saga.Builder b = Saga.builder("acc-overflow");
        for (int i = 0; i < 13; i++) {
            b.step(counting("s" + i, () -> "z".repeat(32 * 1024)));
        }
        Saga saga = b.build();
        Instance eu = new Instance(Region.EU_WEST_1, saga);
        String id = newId();

        SagaResult r = eu.sagas.start(saga, id, "i".repeat(64 * 1024));

        assertThat(r.state()).isEqualTo(SagaState.COMPENSATED);
        assertThat(effects("undo")).isEqualTo(effects("do"));
        assertThat(counts().values()).containsOnly(1);
        assertThat(r.failure()).hasValueSatisfying(f -> assertThat(f).contains("IllegalStateException"));
    }

    @Test
    void aResultOfExactly32KiBAndAnInputOfExactly64KiBAreKeptButA64KiBPlusOneInputIsRefusedBeforeAnythingIsWritten() {
        String big = "y".repeat(32 * 1024);
        Saga saga = Saga.builder("acc-limits").step(counting("a", () -> big)).build();
        Instance eu = new Instance(Region.EU_WEST_1, saga);

        SagaResult ok = eu.sagas.start(saga, newId(), "i".repeat(64 * 1024));
        assertThat(ok.state()).isEqualTo(SagaState.COMPLETED);
        assertThat(ok.results().get("a")).isEqualTo(big);

        regions.journalsClear();
        int before = effects("do");
        assertThatThrownBy(() -> eu.sagas.start(saga, newId(), "i".repeat(64 * 1024 + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(effects("do")).isEqualTo(before);
        for (String region : TestRegions.IDS) {
            assertThat(logRequests(region)).as(region).isZero();
        }
    }

    /**
     * "Homed by id": whichever instance runs or resumes the saga, every log request goes to one region, the same
     * home as {@code DynamoDbIdempotencyStore} gives the id; a resume before the crashed run's lease expired is
     * {@code SagaInProgressException}, one after it completes the saga with each step once.
     */
    @Test
    void everyLogRequestOfEveryInstanceGoesToTheIdsHomeAndAResumeWaitsForTheCrashedRunsLease() {
        String id = newId();
        Saga saga = Saga.builder("acc-home").step(counting("reserve")).step(SagaStep.builder("charge").action(ctx -> {
            effect(ctx, "do");
            if (effects.get(ctx.effectKey("do")).get() == 1) {
                throw new Error("crash mid-action");
            }
            return "paid";
        }).compensation(ctx -> effect(ctx, "undo")).build()).step(counting("ship")).build();
        Instance eu = new Instance(Region.EU_WEST_1, saga);
        Instance us = new Instance(Region.US_EAST_1, saga);
        Region home = eu.store.homeRegion(id).orElseThrow();

        assertThatThrownBy(() -> eu.sagas.start(saga, id, "in")).isInstanceOf(Error.class);
        assertThat(us.sagas.find(id).orElseThrow().state()).isEqualTo(SagaState.RUNNING);
        assertThatThrownBy(() -> us.sagas.resume(id)).isInstanceOf(SagaInProgressException.class);

        now.updateAndGet(t -> t.plus(Duration.ofMinutes(2)));
        // The claim of the crashed action has expired with the lease: the action runs again (documented), once.
        SagaResult r = us.sagas.resume(id);

        assertThat(r.state()).isEqualTo(SagaState.COMPLETED);
        assertThat(counts()).containsEntry(saga.name() + "/" + id + "/reserve/do", 1)
                .containsEntry(saga.name() + "/" + id + "/charge/do", 2)
                .containsEntry(saga.name() + "/" + id + "/ship/do", 1);
        for (String region : TestRegions.IDS) {
            if (region.equals(home.id())) {
                assertThat(logRequests(region)).as(region).isPositive();
            } else {
                assertThat(logRequests(region)).as("log requests in " + region + " (home " + home + ")").isZero();
            }
        }
        assertThat(regions.journal(home.id()).entries().stream().filter(SagaAcceptanceIT::isLog)
                .map(e -> e.operation()).distinct())
                .as("a whole-item put per write, consistent reads").isSubsetOf("PutItem", "GetItem");
    }

    /**
     * "A run whose lease expired and was taken over finds out at its next write and stops": a run stalled in a step
     * past its lease (and the step's claim) is taken over by a resume in another region, which completes the saga;
     * the stalled run, when its step returns, stops with an exception, runs nothing more and leaves the outcome alone.
     */
    @Test
    void aStalledRunWhoseLeaseWasTakenOverStopsAtItsNextWriteAndLeavesTheOutcomeAlone() throws Exception {
        String id = newId();
        CountDownLatch inStep = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Saga saga = Saga.builder("acc-takeover").step(counting("a")).step(SagaStep.builder("b").action(ctx -> {
            effect(ctx, "do");
            if (Thread.currentThread().getName().equals("stalled-run")) {
                inStep.countDown();
                await(release);
            }
            return "b";
        }).compensation(ctx -> effect(ctx, "undo")).build()).step(counting("c")).build();
        Instance eu = new Instance(Region.EU_WEST_1, saga);
        Instance us = new Instance(Region.US_EAST_1, saga);
        AtomicReference<Object> stalledOutcome = new AtomicReference<>();
        Thread stalled = new Thread(() -> {
            try {
                stalledOutcome.set(eu.sagas.start(saga, id, "in"));
            } catch (RuntimeException e) {
                stalledOutcome.set(e);
            }
        }, "stalled-run");
        stalled.start();
        assertThat(inStep.await(30, TimeUnit.SECONDS)).isTrue();

        now.updateAndGet(t -> t.plus(Duration.ofMinutes(3)));
        SagaResult taken = us.sagas.resume(id);
        release.countDown();
        stalled.join(30_000);

        assertThat(taken.state()).isEqualTo(SagaState.COMPLETED);
        assertThat(stalledOutcome.get()).isInstanceOf(RuntimeException.class);
        assertThat(counts()).containsEntry(saga.name() + "/" + id + "/a/do", 1)
                .containsEntry(saga.name() + "/" + id + "/c/do", 1);
        assertThat(effects("undo")).isZero();
        assertThat(us.sagas.find(id).orElseThrow().state()).isEqualTo(SagaState.COMPLETED);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * "The steps' own routed calls run under the same context; a resume with no context open uses the recorded one":
     * every action of a RESTRICTED saga started under a German context — a timed one (run on a pool thread) and one
     * resumed from another region with no context open — sees the saga's data class and the subject's country, and no
     * request reaches us-east-1.
     */
    @Test
    void everyStepRunsUnderTheSagasContextAlsoTimedAndAfterAResumeWithoutContext() {
        String id = newId();
        Map<String, RoutingContext> seen = new ConcurrentHashMap<>();
        AtomicBoolean crashed = new AtomicBoolean();
        Saga saga = Saga.builder("acc-context").dataClass(DataClass.RESTRICTED)
                .step(SagaStep.builder("plain").action(ctx -> {
                    seen.put("plain", RoutingContext.current());
                    return "";
                }).compensation(ctx -> { }).build())
                .step(SagaStep.builder("timed").action(ctx -> {
                    seen.put("timed", RoutingContext.current());
                    return "";
                }).compensation(ctx -> { }).timeout(Duration.ofSeconds(30)).build())
                .step(SagaStep.builder("resumed").action(ctx -> {
                    if (crashed.compareAndSet(false, true)) {
                        throw new Error("crash");
                    }
                    seen.put("resumed", RoutingContext.current());
                    return "";
                }).compensation(ctx -> { }).build())
                .build();
        Instance west = new Instance(Region.EU_WEST_1, true, saga);
        Instance central = new Instance(Region.EU_CENTRAL_1, true, saga);

        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").open()) {
            assertThatThrownBy(() -> west.sagas.start(saga, id, "in")).isInstanceOf(Error.class);
        }
        now.updateAndGet(t -> t.plus(Duration.ofMinutes(2)));
        assertThat(RoutingContext.current().isDeclared()).isFalse();
        assertThat(central.sagas.resume(id).state()).isEqualTo(SagaState.COMPLETED);

        assertThat(seen).containsOnlyKeys("plain", "timed", "resumed");
        seen.forEach((step, ctx) -> {
            assertThat(ctx.dataClass()).as(step).isEqualTo(DataClass.RESTRICTED);
            assertThat(ctx.subjectCountry()).as(step).contains("DE");
        });
        assertThat(regions.journal("us-east-1").isEmpty()).isTrue();
    }

    /**
     * "The sweep scans the log in one region": a sweep from an instance whose local region is down still finds and
     * resumes a crashed saga homed in a region that is up (the scan is a routed read).
     */
    @Test
    void aSweepFromAnInstanceWhoseLocalRegionIsDownStillResumesSagasHomedElsewhere() {
        Saga saga = Saga.builder("acc-sweep-outage").step(counting("a")).step(SagaStep.builder("b").action(ctx -> {
            effect(ctx, "do");
            if (effects.get(ctx.effectKey("do")).get() == 1) {
                throw new Error("crash");
            }
            return "";
        }).compensation(ctx -> effect(ctx, "undo")).build()).build();
        Instance west = new Instance(Region.EU_WEST_1, saga);
        String id = Stream.generate(SagaAcceptanceIT::newId)
                .filter(i -> !west.store.homeRegion(i).orElseThrow().equals(Region.EU_WEST_1)).findFirst()
                .orElseThrow();
        assertThatThrownBy(() -> west.sagas.start(saga, id, "in")).isInstanceOf(Error.class);
        now.updateAndGet(t -> t.plus(Duration.ofMinutes(10)));
        regions.awaitReplication();
        regions.faults("eu-west-1").down();

        List<SagaResult> swept = west.sagas.sweep(Duration.ofMinutes(5));

        assertThat(swept).extracting(SagaResult::id).contains(id);
        assertThat(west.sagas.find(id).orElseThrow().state()).isEqualTo(SagaState.COMPLETED);
    }

    /**
     * A compensation that throws leaves the saga FAILED and stops there (the steps before it stay uncompensated, so
     * the reverse order holds); the operator's resume retries the remaining compensations, each taking effect once.
     */
    @Test
    void aThrowingCompensationLeavesTheSagaFailedAndTheOperatorsResumeRunsEachRemainingCompensationOnce() {
        AtomicInteger refusals = new AtomicInteger(1);
        Saga saga = Saga.builder("acc-comp-fails").step(counting("a"))
                .step(SagaStep.builder("b").action(ctx -> {
                    effect(ctx, "do");
                    return "b";
                }).compensation(ctx -> {
                    if (refusals.getAndDecrement() > 0) {
                        throw new IllegalStateException("refund service down");
                    }
                    effect(ctx, "undo");
                }).build())
                .step(failingAfterEffect("c", () -> new IllegalStateException("declined"))).build();
        Instance eu = new Instance(Region.EU_WEST_1, saga);
        String id = newId();

        SagaResult first = eu.sagas.start(saga, id, "in");
        assertThat(first.state()).isEqualTo(SagaState.FAILED);
        List<String> afterFirst = List.copyOf(order);
        SagaResult fixed = eu.sagas.resume(id);

        assertThat(fixed.state()).isEqualTo(SagaState.COMPENSATED);
        assertThat(counts()).containsEntry(saga.name() + "/" + id + "/b/undo", 1)
                .containsEntry(saga.name() + "/" + id + "/a/undo", 1)
                .doesNotContainKey(saga.name() + "/" + id + "/c/undo");
        assertThat(afterFirst).as("compensation stops at the one that threw").containsExactly("do:a", "do:b", "do:c");
        assertThat(order).containsExactly("do:a", "do:b", "do:c", "undo:b", "undo:a");
    }

    @Test
    void withTheHomeRegionDownTheStartFailsAndNoStepRunsThenItRunsOnceWhenTheHomeIsBack() {
        String id = newId();
        Saga saga = Saga.builder("acc-home-down").step(counting("a")).step(counting("b")).build();
        Instance eu = new Instance(Region.EU_WEST_1, saga);
        Region home = eu.store.homeRegion(id).orElseThrow();
        regions.faults(home.id()).down();

        assertThat(catchThrowable(() -> eu.sagas.start(saga, id, "in"))).isInstanceOf(RuntimeException.class);
        assertThat(effects("do")).isZero();

        regions.faults(home.id()).heal();
        assertThat(eu.sagas.start(saga, id, "in").state()).isEqualTo(SagaState.COMPLETED);
        assertThat(effects("do")).isEqualTo(2);
    }

    private static DynamoDbException aws(int status, String code) {
        return (DynamoDbException) DynamoDbException.builder().statusCode(status).message("card 4111-secret")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("card 4111-secret").build())
                .build();
    }

    /**
     * A failure the AWS classifier calls a caller error did not apply the step: FAILED, not compensated; an ambiguous
     * AWS failure may have: FAILED_MAYBE_APPLIED, compensated. Either way the steps before are compensated in reverse
     * order, and the recorded failure names the step and the exception class, never the message.
     */
    @Test
    void aCallerErrorIsFailedAndNotCompensatedAnAmbiguousAwsFailureIsCompensatedAndNoMessageIsRecorded() {
        Saga callerError = Saga.builder("acc-caller-error").step(counting("a")).step(counting("b"))
                .step(failingAfterEffect("c", () -> aws(400, "ValidationException"))).build();
        Saga ambiguous = Saga.builder("acc-ambiguous").step(counting("a")).step(counting("b"))
                .step(failingAfterEffect("c", () -> aws(500, "InternalServerError"))).build();
        Saga businessError = Saga.builder("acc-business-error").step(counting("a")).step(counting("b"))
                .step(failingAfterEffect("c", () -> new IllegalStateException("card declined 4111"))).build();
        Instance eu = new Instance(Region.EU_WEST_1, callerError, ambiguous, businessError);

        SagaResult declined = eu.sagas.start(callerError, newId(), "in");
        assertThat(declined.state()).isEqualTo(SagaState.COMPENSATED);
        assertThat(declined.steps()).containsEntry("c", SagaStepStatus.FAILED)
                .containsEntry("a", SagaStepStatus.COMPENSATED).containsEntry("b", SagaStepStatus.COMPENSATED);
        assertThat(order).containsExactly("do:a", "do:b", "do:c", "undo:b", "undo:a");
        assertThat(declined.failure()).hasValueSatisfying(f -> assertThat(f).contains("c")
                .contains("DynamoDbException").doesNotContain("4111"));

        // An application's own exception is a caller error too: the step is not compensated (sagas.md says so).
        order.clear();
        SagaResult own = eu.sagas.start(businessError, newId(), "in");
        assertThat(own.steps()).containsEntry("c", SagaStepStatus.FAILED);
        assertThat(order).containsExactly("do:a", "do:b", "do:c", "undo:b", "undo:a");

        order.clear();
        SagaResult maybe = eu.sagas.start(ambiguous, newId(), "in");
        assertThat(maybe.state()).isEqualTo(SagaState.COMPENSATED);
        assertThat(maybe.steps()).containsEntry("c", SagaStepStatus.COMPENSATED);
        assertThat(order).containsExactly("do:a", "do:b", "do:c", "undo:c", "undo:b", "undo:a");
        assertThat(maybe.failure()).hasValueSatisfying(f -> assertThat(f).doesNotContain("4111"));
    }

    @Test
    void aResumeRefusesADefinitionWhoseStepsDifferFromTheLoggedOnesAndAnUnknownIdIsNoSuchElement() {
        String id = newId();
        Saga v1 = Saga.builder("acc-versioned").step(counting("a")).step(SagaStep.builder("b").action(ctx -> {
            throw new Error("crash");
        }).compensation(ctx -> { }).build()).build();
        Saga v2 = Saga.builder("acc-versioned").step(counting("a")).step(counting("b2")).build();
        Instance old = new Instance(Region.EU_WEST_1, v1);
        Instance redeployed = new Instance(Region.EU_CENTRAL_1, v2);
        assertThatThrownBy(() -> old.sagas.start(v1, id, "in")).isInstanceOf(Error.class);
        now.updateAndGet(t -> t.plus(Duration.ofMinutes(2)));

        assertThat(catchThrowable(() -> redeployed.sagas.resume(id))).isInstanceOf(RuntimeException.class)
                .isNotInstanceOf(SagaInProgressException.class);
        assertThat(effects("do")).isEqualTo(1);
        assertThat(redeployed.sagas.find(id).orElseThrow().state()).isEqualTo(SagaState.RUNNING);
        assertThatThrownBy(() -> redeployed.sagas.resume("no-such-" + id))
                .isInstanceOf(java.util.NoSuchElementException.class);
    }

    /**
     * The sweep resumes RUNNING and COMPENSATING sagas idle longer than its argument, leaves younger ones and FAILED
     * ones alone; the outcome meter counts per saga and outcome with the runtime's local region.
     */
    @Test
    void theSweepTakesOnlyIdleUnfinishedSagasAndLeavesFailedOnesToAnOperatorAndOutcomesAreMetered() {
        AtomicInteger compensationFailures = new AtomicInteger(1);
        Saga crashy = Saga.builder("acc-sweep").step(counting("a")).step(SagaStep.builder("b").action(ctx -> {
            effect(ctx, "do");
            if (ctx.input().startsWith("crash") && effects.get(ctx.effectKey("do")).get() == 1) {
                throw new Error("crash");
            }
            return "ok";
        }).compensation(ctx -> effect(ctx, "undo")).build()).build();
        Saga refund = Saga.builder("acc-sweep-failed").step(SagaStep.builder("pay").action(ctx -> "p")
                .compensation(ctx -> {
                    if (compensationFailures.getAndDecrement() > 0) {
                        throw new IllegalStateException("refund refused");
                    }
                }).build()).step(failingAfterEffect("ship", () -> aws(400, "ValidationException"))).build();
        Instance eu = new Instance(Region.EU_WEST_1, crashy, refund);
        Instance central = new Instance(Region.EU_CENTRAL_1, crashy, refund);

        String old = newId();
        assertThatThrownBy(() -> eu.sagas.start(crashy, old, "crash-old")).isInstanceOf(Error.class);
        String failed = newId();
        assertThat(eu.sagas.start(refund, failed, "in").state()).isEqualTo(SagaState.FAILED);
        now.updateAndGet(t -> t.plus(Duration.ofMinutes(10)));
        String young = newId();
        assertThatThrownBy(() -> eu.sagas.start(crashy, young, "crash-young")).isInstanceOf(Error.class);
        now.updateAndGet(t -> t.plus(Duration.ofMinutes(2)));
        regions.awaitReplication();

        List<SagaResult> swept = central.sagas.sweep(Duration.ofMinutes(5));

        // The log is shared with the other tests: only this test's sagas are looked at.
        assertThat(swept).extracting(SagaResult::id).contains(old).doesNotContain(young, failed);
        assertThat(central.sagas.find(old).orElseThrow().state()).isEqualTo(SagaState.COMPLETED);
        assertThat(central.sagas.find(young).orElseThrow().state()).isEqualTo(SagaState.RUNNING);
        assertThat(central.sagas.find(failed).orElseThrow().state()).isEqualTo(SagaState.FAILED);
        assertThat(central.sagas.resume(failed).state()).isEqualTo(SagaState.COMPENSATED);

        assertThat(eu.meters.get("meridian.saga.outcomes").tags("region", "eu-west-1", "saga", "acc-sweep-failed",
                "outcome", "failed").counter().count()).isEqualTo(1.0);
        assertThat(central.meters.get("meridian.saga.outcomes").tags("region", "eu-central-1", "saga", "acc-sweep",
                "outcome", "completed").counter().count()).isEqualTo(1.0);
        assertThat(central.meters.get("meridian.saga.outcomes").tags("region", "eu-central-1", "saga",
                "acc-sweep-failed", "outcome", "compensated").counter().count()).isEqualTo(1.0);
    }
}
