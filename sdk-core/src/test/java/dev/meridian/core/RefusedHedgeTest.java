package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * A hedge the budget refused is not final (pure logic, fake calls): it is asked for again after each further hedge
 * delay, and sent when a token came free, or past the budget once the first region was given up on (suspect, ejected,
 * or unheard for several hedge delays while the next region answered); when nothing was heard from the next region
 * either, one read at a time sends a proof hedge on a borrowed token. A read counts once: in
 * {@code meridian.hedge.sent} (and {@code retried}) when its hedge went out, in {@code meridian.hedge.refused} when its
 * run ended without it. The budget holds one token and earns 1 % of one per read.
 */
class RefusedHedgeTest {
    private static final Operation GET = Operation.of("Get", OperationKind.READ);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final CountDownLatch westAnswers = new CountDownLatch(1);
    private final AtomicInteger westSyncReads = new AtomicInteger();
    private RegionalExecutor executor;
    private RegionHealth health;

    private RegionalExecutor executor() {
        return executor(Duration.ofMillis(10));
    }

    private RegionalExecutor executor(Duration hedgeDelay) {
        MultiRegionConfig config = TestTopology.threeRegions()
                .hedging(HedgingConfig.fixed(hedgeDelay).withBudget(0.01, 1)).build();
        Metrics metrics = Metrics.forRegistry(meters);
        health = new RegionHealth(config.regionList(), config.health(), metrics);
        Router router = new Router(config, health, new LatencyTracker(), metrics);
        executor = new RegionalExecutor(config, router, health, FailureClassifier.aws(), metrics);
        return executor;
    }

    @AfterEach
    void close() {
        westAnswers.countDown();
        callers.shutdownNow();
        if (executor != null) {
            executor.close();
        }
    }

    /** eu-west-1 never answers an asynchronous read; the others answer at once. */
    private static CompletableFuture<String> westHangs(Region region) {
        return region.equals(EU_WEST) ? new CompletableFuture<>() : CompletableFuture.completedFuture(region.id());
    }

    /**
     * eu-west-1 never answers an asynchronous read but answers other calls meanwhile: it is heard, slow for this read
     * and not silent, so the read sends no proof hedge; the others answer at once.
     */
    private CompletableFuture<String> westSlow(Region region) {
        if (region.equals(EU_WEST)) {
            health.watched(EU_WEST).heard();
            return new CompletableFuture<>();
        }
        return CompletableFuture.completedFuture(region.id());
    }

    /**
     * eu-west-1 holds a synchronous read until it is interrupted (a hedge won) or the test ends, answering other calls
     * meanwhile (heard: no proof hedge).
     */
    private String westHangsSync(Region region) {
        if (region.equals(EU_WEST)) {
            health.watched(EU_WEST).heard();
            westSyncReads.incrementAndGet();
            try {
                westAnswers.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return region.id();
    }

    private double count(String meter, String... tags) {
        Counter c = meters.find(meter).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    /** The budget's only token goes to a first read's hedge; the next read's hedge is refused. */
    private CompletableFuture<String> aReadWhoseHedgeWasRefused(Function<Region, CompletableFuture<String>> read)
            throws Exception {
        assertThat(read.apply(null).get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        CompletableFuture<String> stuck = read.apply(null);
        assertThat(stuck).isNotDone();
        return stuck;
    }

    /**
     * An asynchronous read whose hedge the budget refused: its hedge timer (due after the 10 ms delay) has run, since
     * two later timer tasks in a row ran on the hedge timer's one thread (the first may find the hedge waiting out a
     * process stall once).
     */
    private CompletableFuture<String> anAsynchronousReadWhoseHedgeWasRefused(
            Function<Region, CompletableFuture<String>> call) throws Exception {
        CompletableFuture<String> stuck = aReadWhoseHedgeWasRefused(any -> executor.executeAsync(GET, call));
        Hedger timer = Objects.requireNonNull(executor.hedger(), "hedging is on");
        for (int i = 0; i < 2; i++) {
            CountDownLatch ran = new CountDownLatch(1);
            timer.schedule(ran::countDown, TimeUnit.MILLISECONDS.toNanos(30));
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(stuck).isNotDone();
        return stuck;
    }

    @Test
    void anAsynchronousReadWhoseHedgeWasRefusedIsHedgedOnceItsRegionIsEjected() throws Exception {
        executor();
        CompletableFuture<String> stuck = anAsynchronousReadWhoseHedgeWasRefused(this::westSlow);

        health.watched(EU_WEST).eject();

        assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "failover")).isEqualTo(1);
        assertThat(count("meridian.hedge.sent", "region", EU_CENTRAL.id())).isEqualTo(2);
        assertThat(count("meridian.hedge.refused", "region", EU_CENTRAL.id()))
                .as("sent after all: counted as sent and retried, not as refused").isZero();
    }

    @Test
    void aSynchronousReadWhoseHedgeWasRefusedIsHedgedOnceItsRegionIsSuspect() throws Exception {
        RegionalExecutor ex = executor();
        CompletableFuture<String> stuck = aReadWhoseHedgeWasRefused(any -> CompletableFuture.supplyAsync(
                () -> ex.execute(GET, this::westHangsSync), callers));
        await().atMost(Duration.ofSeconds(10)).until(() -> westSyncReads.get() == 2); // the stuck read is in eu-west-1

        assertThat(health.watched(EU_WEST).lostUnanswered(1, System.nanoTime()))
                .isEqualTo(WatchedBreaker.Stall.SUSPECTED);

        assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "failover")).isEqualTo(1);
    }

    @Test
    void aRefusedHedgeIsSentWhenATokenComesFreeAndNotBefore() throws Exception {
        RegionalExecutor ex = executor();
        CompletableFuture<String> stuck = anAsynchronousReadWhoseHedgeWasRefused(this::westSlow);

        // Reads answered at once in eu-west-1 earn 1 % of a token each; with the stuck read's own 1 %, the 99th makes
        // its token.
        for (int i = 0; i < 98; i++) {
            assertThat(ex.executeAsync(GET, region -> CompletableFuture.completedFuture(region.id())).join())
                    .isEqualTo("eu-west-1");
        }
        assertThat(stuck).as("no token yet: the budget still caps the hedges of a region that is not given up")
                .isNotDone();
        assertThat(count("meridian.hedge.sent", "region", EU_CENTRAL.id())).isEqualTo(1);
        ex.executeAsync(GET, region -> CompletableFuture.completedFuture(region.id())).join();

        assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "budget")).isEqualTo(1);
        assertThat(count("meridian.hedge.sent", "region", EU_CENTRAL.id())).isEqualTo(2);
        assertThat(count("meridian.hedge.refused", "region", EU_CENTRAL.id())).isZero();
    }

    @Test
    void aReadAnsweredWithoutItsRefusedHedgeCountsAsRefusedOnce() throws Exception {
        executor();
        CompletableFuture<String> westAnswersLater = new CompletableFuture<>();
        AtomicInteger westReads = new AtomicInteger();
        CompletableFuture<String> stuck = anAsynchronousReadWhoseHedgeWasRefused(region -> {
            if (!region.equals(EU_WEST)) {
                return CompletableFuture.completedFuture(region.id());
            }
            if (westReads.incrementAndGet() == 1) {
                return new CompletableFuture<>();
            }
            // eu-west-1 answers other calls meanwhile: it is slow for this read, not silent (no proof hedge).
            health.watched(EU_WEST).heard();
            return westAnswersLater;
        });
        assertThat(count("meridian.hedge.refused", "region", EU_CENTRAL.id()))
                .as("still asked again: not refused yet").isZero();

        westAnswersLater.complete("eu-west-1");

        assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo("eu-west-1");
        assertThat(count("meridian.hedge.refused", "region", EU_CENTRAL.id())).isEqualTo(1);
        assertThat(count("meridian.hedge.sent", "region", EU_CENTRAL.id())).as("the first read's").isEqualTo(1);
        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "budget")
                + count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "failover")).isZero();
    }

    /**
     * Two reads stuck in eu-west-1 at once: the budget's token hedges the first to eu-central-1, which answers; the
     * second's hedge is refused, but eu-west-1 has not been heard from since that read started, for four hedge delays
     * of the process's running time, while eu-central-1 answered: eu-west-1 is suspect and the read is hedged past
     * the budget.
     */
    @Test
    void aReadWhoseRegionIsUnheardWhileTheNextRegionAnswersIsHedgedPastTheBudget() throws Exception {
        RegionalExecutor ex = executor();
        CompletableFuture<String> first = ex.executeAsync(GET, RefusedHedgeTest::westHangs);
        CompletableFuture<String> second = ex.executeAsync(GET, RefusedHedgeTest::westHangs);

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(count("meridian.region.suspicion", "region", EU_WEST.id(), "outcome", "suspected")).isEqualTo(1);
        assertThat(health.watched(EU_WEST).suspect()).isTrue();
        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "failover")).isEqualTo(1);
        assertThat(count("meridian.hedge.sent", "region", EU_CENTRAL.id())).isEqualTo(2);
        assertThat(count("meridian.hedge.refused", "region", EU_CENTRAL.id())).isZero();
    }

    /** Waits for {@code n} further tasks of the hedge timer's one thread, each 30 ms (three hedge delays) on. */
    private void hedgeTimerRuns(int n) throws InterruptedException {
        Hedger timer = Objects.requireNonNull(executor.hedger(), "hedging is on");
        for (int i = 0; i < n; i++) {
            CountDownLatch ran = new CountDownLatch(1);
            timer.schedule(ran::countDown, TimeUnit.MILLISECONDS.toNanos(30));
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * The same stuck read while nothing else answers in eu-central-1 after it started (the budget's token went to an
     * earlier read, as when a brown-out spent the budget just before a black hole): nothing shows that the process
     * receives while eu-west-1 is silent, so the read sends a proof hedge on a borrowed token, the budget going into
     * debt; eu-central-1 answers it.
     */
    @Test
    void aReadWhoseRegionIsSilentWhileTheNextRegionIsUnheardTooSendsAProofHedgeOnABorrowedToken() throws Exception {
        RegionalExecutor ex = executor();
        CompletableFuture<String> stuck = aReadWhoseHedgeWasRefused(any -> ex.executeAsync(GET,
                RefusedHedgeTest::westHangs));

        assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "proof")).isEqualTo(1);
        assertThat(count("meridian.hedge.sent", "region", EU_CENTRAL.id())).isEqualTo(2);
        assertThat(count("meridian.hedge.refused", "region", EU_CENTRAL.id())).isZero();
        assertThat(Objects.requireNonNull(ex.hedgeBudget(), "hedging is on").available())
                .as("the borrowed token: the stuck read's share of 1 % less one").isCloseTo(0.01 - 1, within(1e-9));
    }

    /**
     * Two reads stuck in silent eu-west-1 with the budget spent: one proof hedge is out at a time (the other read's
     * refused hedge, asked again and again, stays refused while eu-central-1 has not answered the proof); once it
     * answers, eu-west-1 is silent while the next region answered, so it is suspect and the other read is hedged past
     * the budget.
     */
    @Test
    void oneProofHedgeIsOutAtATimeAndItsAnswerMakesTheSilentRegionSuspect() throws Exception {
        RegionalExecutor ex = executor();
        AtomicInteger centralReads = new AtomicInteger();
        CompletableFuture<String> proofAnswer = new CompletableFuture<>();
        Function<Region, CompletableFuture<String>> call = region -> {
            if (region.equals(EU_WEST)) {
                return new CompletableFuture<>();
            }
            // The first read's hedge (with the budget's token) answers at once, the proof only when the test says.
            return centralReads.incrementAndGet() == 2 ? proofAnswer : CompletableFuture.completedFuture(region.id());
        };
        assertThat(ex.executeAsync(GET, call).get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        CompletableFuture<String> second = ex.executeAsync(GET, call);
        CompletableFuture<String> third = ex.executeAsync(GET, call);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "proof") == 1);
        hedgeTimerRuns(3); // the other read's refused hedge was asked again several times since

        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "proof")).isEqualTo(1);
        assertThat(count("meridian.hedge.sent", "region", EU_CENTRAL.id())).isEqualTo(2);
        assertThat(second.isDone() || third.isDone()).isFalse();
        assertThat(health.watched(EU_WEST).suspect()).isFalse();

        proofAnswer.complete("eu-central-1");

        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(third.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(count("meridian.region.suspicion", "region", EU_WEST.id(), "outcome", "suspected")).isEqualTo(1);
        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "failover")).isEqualTo(1);
        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "proof")).isEqualTo(1);
    }

    /**
     * An answer from eu-central-1 to other traffic (here a write made there through {@code attempt}) after the stuck
     * read started is the evidence a proof hedge would bring: eu-west-1, silent, is suspect and the read is hedged past
     * the budget without borrowing. A 100 ms hedge delay leaves the test time to make the write before the read's
     * region has been silent for four of them.
     */
    @Test
    void anAnswerFromTheNextRegionToOtherTrafficMakesTheSilentRegionSuspectWithoutAProof() throws Exception {
        RegionalExecutor ex = executor(Duration.ofMillis(100));
        CompletableFuture<String> stuck = aReadWhoseHedgeWasRefused(any -> ex.executeAsync(GET,
                RefusedHedgeTest::westHangs));
        assertThat(ex.attempt(Operation.of("Put", OperationKind.WRITE), EU_CENTRAL, () -> "written",
                FailureClassifier.aws())).isEqualTo("written");

        assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1");
        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "failover")).isEqualTo(1);
        assertThat(count("meridian.hedge.retried", "region", EU_CENTRAL.id(), "outcome", "proof")).isZero();
        assertThat(health.watched(EU_WEST).suspect()).isTrue();
    }
}
