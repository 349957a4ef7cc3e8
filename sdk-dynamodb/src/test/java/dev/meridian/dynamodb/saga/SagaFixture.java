package dev.meridian.dynamodb.saga;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.idempotency.IdempotencyClaim;
import dev.meridian.core.idempotency.IdempotencyRecord;
import dev.meridian.core.idempotency.IdempotencyStore;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.Tables;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The saga tests' set-up on their regions (started, reset and closed by the test's life cycle): log and step records
 * as global tables, a clock the test moves, runtimes with different local regions, and crash/failure injection per
 * saga id. Side effects are counted in a journal of the fixture's own (one counter per saga, step and direction,
 * outside Meridian, the regions and their faults: every instance runs in this process, and a crash is an
 * {@link Error} the journal outlives) — the witness that each action and compensation took effect at most once. In
 * memory rather than in a DynamoDB table: a count is then exact and free, so a property can afford a thousand runs.
 */
final class SagaFixture implements AutoCloseable {
    static final String LOG = "saga_log";
    static final String RECORDS = "saga_records";

    /** A crash: an Error, which neither Sagas nor Idempotency catch. */
    static final class Crash extends Error {
        private static final long serialVersionUID = 1L;

        Crash(String where) {
            super("injected crash " + where);
        }
    }

    /** What to do to one saga (by id); each crash fires once. */
    static final class Plan {
        volatile String failStep;
        volatile String failCompensationOf;
        volatile String crashBeforeDo;
        volatile String crashAfterDo;
        volatile String crashBeforeUndo;
        volatile String crashAfterUndo;
        volatile Duration sleepInDo = Duration.ZERO;
        volatile Runnable afterDo = () -> { };
        /** Steps after whose action's / compensation's effect the saga log's home refuses writes (once each). */
        volatile String refuseLogAfterDo;
        volatile String refuseLogAfterUndo;
        final List<String> order = Collections.synchronizedList(new ArrayList<>());
    }

    final LocalRegions regions;
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    final InstantSource clock = () -> now.get();
    final Map<String, Plan> plans = new ConcurrentHashMap<>();
    /** The side-effect journal: count per {@code <saga>/<id>/<step>/<do|undo>}. */
    private final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
    private final MultiRegion homesRuntime;
    private final DynamoDbClient homesClient;
    private final DynamoDbIdempotencyStore homes;

    SagaFixture(LocalRegions regions) {
        this.regions = regions;
        Tables.create(regions, LOG, "id", null);
        Tables.create(regions, RECORDS, "id", null);
        homesRuntime = MultiRegion.builder(config(TestRegions.EU_WEST_1)).build();
        homesClient = TestRegions.routed(homesRuntime, r -> TestRegions.client(regions, r));
        homes = DynamoDbIdempotencyStore.builder().table(RECORDS).client(homesClient).build();
    }

    static MultiRegionConfig config(Region local) {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(TestRegions.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(TestRegions.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(TestRegions.US_EAST_1).jurisdiction("US"))
                .localRegion(local)
                .routing(RoutingStrategy.localFirst())
                .build();
    }

    void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    Plan plan(String sagaId) {
        return plans.computeIfAbsent(sagaId, id -> new Plan());
    }

    /** The steps' side effect: one count per saga, step and direction. */
    void effect(SagaContext ctx, String direction) {
        effects.computeIfAbsent(ctx.effectKey(direction), k -> new AtomicInteger()).incrementAndGet();
        plan(ctx.sagaId()).order.add(direction + ":" + ctx.stepName());
    }

    int count(String saga, String id, String step, String direction) {
        AtomicInteger n = effects.get(saga + "/" + id + "/" + step + "/" + direction);
        return n == null ? 0 : n.get();
    }

    /** A saga of {@code steps} whose actions and compensations count their effect and obey the saga's plan. */
    Saga saga(String name, List<String> steps, UnaryOperator<Saga.Builder> customize) {
        Saga.Builder saga = Saga.builder(name);
        for (String step : steps) {
            saga.step(step, ctx -> {
                Plan plan = plan(ctx.sagaId());
                if (step.equals(plan.crashBeforeDo)) {
                    plan.crashBeforeDo = null;
                    throw new Crash("before " + step);
                }
                if (step.equals(plan.failStep)) {
                    throw new IllegalStateException("declined");
                }
                effect(ctx, "do");
                if (step.equals(plan.refuseLogAfterDo)) {
                    plan.refuseLogAfterDo = null;
                    refuseLogWrites(ctx.sagaId());
                }
                plan.afterDo.run();
                sleep(plan.sleepInDo);
                return "r-" + step + "<" + ctx.results().size() + ">";
            }, ctx -> {
                Plan plan = plan(ctx.sagaId());
                if (step.equals(plan.crashBeforeUndo)) {
                    plan.crashBeforeUndo = null;
                    throw new Crash("before undo " + step);
                }
                if (step.equals(plan.failCompensationOf)) {
                    throw new IllegalStateException("refund refused");
                }
                effect(ctx, "undo");
                if (step.equals(plan.refuseLogAfterUndo)) {
                    plan.refuseLogAfterUndo = null;
                    refuseLogWrites(ctx.sagaId());
                }
            });
        }
        return customize.apply(saga).build();
    }

    Saga saga(String name, List<String> steps) {
        return saga(name, steps, UnaryOperator.identity());
    }

    /**
     * From now until {@code LocalRegions.healAll()}, the saga's log home answers every PutItem (the log's writes, and
     * idempotency claims) with 503: the step's effect has happened, the log cannot record it — a crash between the
     * two, whatever the runner does in between.
     */
    void refuseLogWrites(String sagaId) {
        regions.faults(logHome(sagaId).id()).only("PutItem").status(503);
    }

    /** The saga's log home: sagas are homed by id over all three regions, as idempotency keys are. */
    Region logHome(String sagaId) {
        return homes.homeRegion(sagaId).orElseThrow();
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The idempotency store of a routed client, with the crash points after a record is completed. */
    IdempotencyStore store(DynamoDbClient routed, Set<Region> replicaRegions) {
        DynamoDbIdempotencyStore.Builder store = DynamoDbIdempotencyStore.builder().table(RECORDS).client(routed)
                .clock(clock);
        if (replicaRegions != null) {
            store.replicaRegions(replicaRegions);
        }
        return new CrashingStore(store.build());
    }

    /** One instance of the application: a runtime with its local region and a Sagas on it. */
    final class Instance implements AutoCloseable {
        final MultiRegion runtime;
        final DynamoDbClient routed;
        final Sagas sagas;

        Instance(Region local, Set<Region> replicaRegions, Saga... definitions) {
            runtime = MultiRegion.builder(config(local)).build();
            // Generous attempt timeouts: the machine running these tests may be loaded.
            routed = TestRegions.routed(runtime, r -> TestRegions.client(regions, r, Duration.ofSeconds(10)));
            Sagas.Builder b = Sagas.builder().client(routed).table(LOG)
                    .idempotencyStore(store(routed, replicaRegions)).clock(clock);
            if (replicaRegions != null) {
                b.replicaRegions(replicaRegions.toArray(Region[]::new));
            }
            for (Saga s : definitions) {
                b.saga(s);
            }
            sagas = b.build();
        }

        @Override
        public void close() {
            sagas.close();
            routed.close();
            runtime.close();
        }
    }

    Instance instance(Region local, Saga... definitions) {
        return new Instance(local, null, definitions);
    }

    /** An instance whose log and step record tables declare {@code replicaRegions} (null: undeclared). */
    Instance instance(Region local, Set<Region> replicaRegions, Saga... definitions) {
        return new Instance(local, replicaRegions, definitions);
    }

    /** A real store whose {@code complete} crashes after the record is written, once, for planned keys. */
    private final class CrashingStore implements IdempotencyStore {
        private final IdempotencyStore delegate;

        CrashingStore(IdempotencyStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public IdempotencyClaim claim(String key, String payloadHash, Instant inProgressExpiry, Instant expiry) {
            return delegate.claim(key, payloadHash, inProgressExpiry, expiry);
        }

        @Override
        public void complete(IdempotencyClaim claim, byte[] result, Instant expiry) {
            delegate.complete(claim, result, expiry);
            crashAfter(claim.key());
        }

        @Override
        public void completeWithoutResult(IdempotencyClaim claim, String reason, Instant expiry) {
            delegate.completeWithoutResult(claim, reason, expiry);
        }

        @Override
        public void fail(IdempotencyClaim claim) {
            delegate.fail(claim);
        }

        @Override
        public Optional<IdempotencyRecord> find(String key) {
            return delegate.find(key);
        }

        @Override
        public int maxResultBytes() {
            return delegate.maxResultBytes();
        }

        private void crashAfter(String key) {
            // Keys are <saga>/<id>/<step>/<do|undo>.
            String[] parts = key.split("/");
            Plan plan = plans.get(parts[1]);
            if (plan == null) {
                return;
            }
            if ("do".equals(parts[3]) && parts[2].equals(plan.crashAfterDo)) {
                plan.crashAfterDo = null;
                throw new Crash("after " + parts[2]);
            }
            if ("undo".equals(parts[3]) && parts[2].equals(plan.crashAfterUndo)) {
                plan.crashAfterUndo = null;
                throw new Crash("after undo " + parts[2]);
            }
        }
    }

    @Override
    public void close() {
        homesClient.close();
        homesRuntime.close();
    }
}
