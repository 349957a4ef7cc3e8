package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.acceptance.conditions.AppClient.Maker;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * docs/exactly-once.md's promise for writes with nothing that makes their repeat harmless, across the conditions an
 * application meets: every fault the testkit makes in eu-west-1 (the local region) × every unguarded write shape ×
 * the HTTP clients the AWS SDK offers (Apache, Apache 5 and URL-connection sync, Netty async) × a client made by
 * {@code MultiRegionDynamoDb.builder()} or by {@code wrapClient} × the fault hitting a cold client's first call or a
 * warm client. A failure that proves nothing was applied moves the write, which is then applied exactly once; a
 * failure after which it may have been applied leaves it in eu-west-1, rethrown, never sent elsewhere. The request
 * journals count where the write reached DynamoDB Local (a faulted entry answered from the proxy never did, except
 * a lost answer's, which the test does not count as applied elsewhere, and a cut answer's: applied, then its answer
 * cut mid-body, it is applied in eu-west-1 only).
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
@AddLifecycleHook(ClientSourcesPerContainer.class)
class WritesUnderFaultsIT {
    private static final String TABLE = "cond_writes";
    /** The per-region clients of the READMEs' factory: {@code RegionalClientDefaults.overrideConfiguration()}. */
    private static final Duration DOCUMENTED_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(Regions3.ALL);
    private static ClientSource documented;
    private static ClientSource shortAttempts;
    private static ClientSource chain;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        List<TableConfig> tables = AppClient.pkTable(TABLE);
        Shape warmUp = Shape.reads(TABLE).get(0);
        documented = new ClientSource(regions, Regions3.config().health(Regions3.breakersThatStayClosed()).build(),
                DOCUMENTED_ATTEMPT_TIMEOUT, tables, warmUp);
        // Shorter clients for the ambiguous faults, whose tries wait an attempt out.
        shortAttempts = ClientSource.shortAttempts(regions,
                Regions3.config().health(Regions3.breakersThatStayClosed()), tables, warmUp);
        // The documented clients, whose cold first attempt is no longer than a warm one's: a black hole costs 2 s.
        chain = new ClientSource(regions, Regions3.config().health(Regions3.breakersThatStayClosed())
                .firstAttemptTimeout(DOCUMENTED_ATTEMPT_TIMEOUT).build(), DOCUMENTED_ATTEMPT_TIMEOUT, tables, warmUp);
    }

    @Provide
    Arbitrary<Shape> unguardedWrites() {
        return Arbitraries.of(Shape.unguardedWrites(TABLE));
    }

    @Provide
    Arbitrary<Fault> notApplied() {
        return Arbitraries.of(Fault.notApplied());
    }

    @Provide
    Arbitrary<Fault> maybeApplied() {
        return Arbitraries.of(Fault.maybeApplied());
    }

    @Property(tries = 20)
    void aWriteCertainlyNotAppliedMovesOnAndIsAppliedExactlyOnce(@ForAll HttpClientKind http, @ForAll Maker maker,
            @ForAll boolean cold, @ForAll("unguardedWrites") Shape write, @ForAll("notApplied") Fault fault) {
        AppClient client = documented.client(http, maker, cold);
        String key = "n-" + KEYS.incrementAndGet();
        regions.journalsClear();
        fault.inject(regions.faults(Regions3.LOCAL));

        Throwable thrown = catchThrowable(() -> client.run(write, key));

        assertThat(thrown).as("%s after %s in eu-west-1", write, fault).isNull();
        assertThat(applied(Regions3.LOCAL, write) + applied(Regions3.NEXT, write) + applied(Regions3.OUTSIDE, write))
                .as("times the write reached DynamoDB Local: %s", journals()).isEqualTo(1);
        assertThat(applied(Regions3.NEXT, write)).as("applied in the next region: %s", journals()).isEqualTo(1);
    }

    @Property(tries = 20)
    void aWriteThatMayHaveBeenAppliedIsNeverSentToAnotherRegion(@ForAll HttpClientKind http, @ForAll Maker maker,
            @ForAll boolean cold, @ForAll("unguardedWrites") Shape write, @ForAll("maybeApplied") Fault fault) {
        Assume.that(!fault.answersNettyWithSuccess(http));
        AppClient client = shortAttempts.client(http, maker, cold);
        String key = "m-" + KEYS.incrementAndGet();
        regions.journalsClear();
        fault.inject(regions.faults(Regions3.LOCAL));

        Throwable thrown = catchThrowable(() -> client.run(write, key));

        assertThat(thrown).as("%s after %s: the region's failure is rethrown", write, fault)
                .isInstanceOf(SdkException.class);
        assertThat(regions.journal(Regions3.LOCAL).count(write.operation())).as("sent to eu-west-1").isPositive();
        assertThat(regions.journal(Regions3.NEXT).count(write.operation())
                + regions.journal(Regions3.OUTSIDE).count(write.operation()))
                .as("never sent to another region: %s (thrown %s)", journals(), thrown).isZero();
        if (fault.cutsAnAppliedAnswer()) {
            assertThat(applied(Regions3.LOCAL, write)).as("applied in eu-west-1: %s", journals()).isPositive();
        }
    }

    /**
     * Every fault in the first call of a cold client, with every HTTP client (all pairs, for one write): the rule of
     * the two properties above.
     */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void everyFaultInAColdClientsFirstWrite(@ForAll HttpClientKind http, @ForAll Fault fault) {
        Assume.that(!fault.answersNettyWithSuccess(http));
        AppClient client = chain.client(http, Maker.BUILT, true);
        Shape put = Shape.unguardedWrites(TABLE).get(0);
        String key = "f-" + KEYS.incrementAndGet();
        regions.journalsClear();
        fault.inject(regions.faults(Regions3.LOCAL));

        Throwable thrown = catchThrowable(() -> client.run(put, key));

        if (fault.provesNotApplied()) {
            assertThat(thrown).as("after %s", fault).isNull();
            assertThat(applied(Regions3.NEXT, put)).as("applied once, in eu-central-1: %s", journals()).isEqualTo(1);
            assertThat(applied(Regions3.LOCAL, put) + applied(Regions3.OUTSIDE, put)).isZero();
        } else {
            assertThat(thrown).as("after %s", fault).isInstanceOf(SdkException.class);
            assertThat(regions.journal(Regions3.NEXT).count("PutItem") + regions.journal(Regions3.OUTSIDE)
                    .count("PutItem")).as("never sent elsewhere: %s", journals()).isZero();
            if (fault.cutsAnAppliedAnswer()) {
                assertThat(applied(Regions3.LOCAL, put)).as("applied in eu-west-1: %s", journals()).isPositive();
            }
        }
    }

    @Provide
    Arbitrary<Fault> cuts() {
        return Arbitraries.of(Fault.cuts());
    }

    @Provide
    Arbitrary<Fault> refusals() {
        return Arbitraries.of(Fault.HTTP_503, Fault.THROTTLING);
    }

    /**
     * A write applied in eu-west-1 whose answer is cut cleanly mid-body, and whose retry by the SDK there (the
     * documented clients make two attempts) is refused, throttled or HTTP 503: the call's last failure proves only that
     * the retry was not applied; the first attempt was. It stays in eu-west-1, rethrown, never sent elsewhere.
     */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void aWriteCutAfterItWasAppliedStaysWhereItWasWhenItsRetryIsRefused(@ForAll HttpClientKind http,
            @ForAll("cuts") Fault cut, @ForAll("refusals") Fault refusal) {
        AppClient client = documented.client(http, Maker.BUILT, false);
        Shape put = Shape.unguardedWrites(TABLE).get(0);
        String key = "cr-" + KEYS.incrementAndGet();
        regions.journalsClear();
        refusal.inject(regions.faults(Regions3.LOCAL));
        cut.inject(regions.faults(Regions3.LOCAL).once());

        Throwable thrown = catchThrowable(() -> client.run(put, key));

        assertThat(thrown).as("after %s, then %s", cut, refusal).isInstanceOf(SdkException.class);
        assertThat(applied(Regions3.LOCAL, put)).as("applied in eu-west-1: %s", journals()).isEqualTo(1);
        assertThat(regions.journal(Regions3.NEXT).count(put.operation())
                + regions.journal(Regions3.OUTSIDE).count(put.operation()))
                .as("never sent elsewhere after %s, then %s: %s (thrown %s)", cut, refusal, journals(), thrown)
                .isZero();
    }

    /**
     * A slow answer (well inside the attempt timeout; hedging on, as by default) is no failure: the write is answered
     * by eu-west-1 and never hedged, so it reaches DynamoDB Local once, there.
     */
    @Property(tries = 12)
    void aSlowWriteIsAnsweredWhereItWasSentAndNeverHedged(@ForAll HttpClientKind http, @ForAll Maker maker,
            @ForAll boolean cold, @ForAll("unguardedWrites") Shape write) {
        AppClient client = documented.client(http, maker, cold);
        String key = "s-" + KEYS.incrementAndGet();
        regions.journalsClear();
        regions.faults(Regions3.LOCAL).latency(Duration.ofMillis(200), Duration.ofMillis(500));

        client.run(write, key);

        assertThat(regions.journal(Regions3.LOCAL).count(write.operation())).as("%s", journals()).isEqualTo(1);
        assertThat(regions.journal(Regions3.NEXT).count(write.operation())
                + regions.journal(Regions3.OUTSIDE).count(write.operation())).as("%s", journals()).isZero();
    }

    /**
     * Along the plan: eu-west-1 proves the write was not applied, so it moves to eu-central-1, which fails too; a
     * failure there that proves nothing moves it on to us-east-1, applied once, and one after which it may have been
     * applied is rethrown, with nothing sent to us-east-1.
     */
    @Property(tries = 10)
    void theRuleHoldsAtEveryStepOfThePlan(@ForAll HttpClientKind http, @ForAll Maker maker, @ForAll boolean cold,
            @ForAll("unguardedWrites") Shape write, @ForAll("notApplied") Fault local, @ForAll Fault next) {
        Assume.that(!next.answersNettyWithSuccess(http));
        AppClient client = chain.client(http, maker, cold);
        String key = "c-" + KEYS.incrementAndGet();
        regions.journalsClear();
        local.inject(regions.faults(Regions3.LOCAL));
        next.inject(regions.faults(Regions3.NEXT));

        Throwable thrown = catchThrowable(() -> client.run(write, key));

        if (next.provesNotApplied()) {
            assertThat(thrown).as("%s after %s, then %s", write, local, next).isNull();
            assertThat(applied(Regions3.LOCAL, write) + applied(Regions3.NEXT, write)
                    + applied(Regions3.OUTSIDE, write)).as("applied once: %s", journals()).isEqualTo(1);
            assertThat(applied(Regions3.OUTSIDE, write)).as("in us-east-1: %s", journals()).isEqualTo(1);
        } else {
            assertThat(thrown).as("%s after %s, then %s", write, local, next).isInstanceOf(SdkException.class);
            assertThat(regions.journal(Regions3.OUTSIDE).count(write.operation()))
                    .as("never sent on after eu-central-1 may have applied it: %s", journals()).isZero();
        }
    }

    private static long applied(String region, Shape write) {
        return WriteJournals.applied(regions, region, write);
    }

    private static String journals() {
        return WriteJournals.describe(regions);
    }
}
