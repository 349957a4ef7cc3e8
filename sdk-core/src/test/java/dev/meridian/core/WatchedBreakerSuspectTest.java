package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.WatchedBreaker.Stall;
import dev.meridian.core.WatchedBreaker.Trial;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * A run of hedge losers left unanswered makes a region suspect, not ejected: a burst of slow reads and a black hole
 * look the same until something answers. Its trial decides; a timeout of an attempt started after the suspicion
 * ejects it at once. Times are {@link System#nanoTime()} values, as the executor passes them.
 */
class WatchedBreakerSuspectTest {
    private static final int LIMIT = 3;
    private static final long HOUR = 3_600_000_000_000L;

    private final WatchedBreaker breaker = new WatchedBreaker(CircuitBreaker.ofDefaults("eu-west-1"),
            Region.EU_WEST_1, null, (b, from, to) -> { });

    private long suspect() {
        long start = System.nanoTime() - 1_000_000L;
        assertThat(breaker.lostUnanswered(LIMIT, start)).isEqualTo(Stall.COUNTED);
        assertThat(breaker.lostUnanswered(LIMIT, start)).isEqualTo(Stall.COUNTED);
        assertThat(breaker.lostUnanswered(LIMIT, start)).isEqualTo(Stall.SUSPECTED);
        return start;
    }

    @Test
    void theRunOfUnansweredLosersMakesTheRegionSuspectAndLeavesItsBreakerClosed() {
        suspect();
        assertThat(breaker.suspect()).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void losersThatStartedBeforeTheSuspicionAreTheSameSilenceNotNewEvidence() {
        long start = suspect();
        for (int i = 0; i < 2 * LIMIT; i++) {
            assertThat(breaker.lostUnanswered(LIMIT, start)).isEqualTo(Stall.COUNTED);
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.suspect()).isTrue();
    }

    @Test
    void aRegionFoundUnheardIsSuspectOnceAndItsBreakerStaysClosed() {
        assertThat(breaker.suspectUnheard()).isTrue();
        assertThat(breaker.suspectUnheard()).as("already suspect: reported once").isFalse();
        assertThat(breaker.suspect()).isTrue();
        assertThat(breaker.givenUp()).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.lostUnanswered(LIMIT, System.nanoTime() - HOUR)).as("a loser started before it")
                .isEqualTo(Stall.COUNTED);
        assertThat(breaker.tryTrial(LIMIT, HOUR)).as("its trial decides, as after a run of losers")
                .isEqualTo(Trial.SEND);
    }

    @Test
    void anEjectedRegionIsNotMadeSuspectByTheUnheardRule() {
        breaker.eject();
        assertThat(breaker.suspectUnheard()).isFalse();
        assertThat(breaker.suspect()).isFalse();
        assertThat(breaker.givenUp()).isTrue();
    }

    @Test
    void oneTrialPerHedgeDelayAndAnAnswerInTimeClearsTheSuspicion() {
        suspect();
        assertThat(breaker.tryTrial(LIMIT, HOUR)).isEqualTo(Trial.SEND);
        assertThat(breaker.tryTrial(LIMIT, HOUR)).as("the trial is within its delay").isEqualTo(Trial.NONE);
        breaker.trialAnsweredInTime();
        assertThat(breaker.suspect()).isFalse();
        assertThat(breaker.tryTrial(LIMIT, HOUR)).isEqualTo(Trial.NONE);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aSlowTrialLetsTheNextReadTryAndTheRunOfThemEjects() {
        suspect();
        assertThat(breaker.tryTrial(LIMIT, 0)).isEqualTo(Trial.SEND);
        assertThat(breaker.tryTrial(LIMIT, 0)).as("the first was not answered within its delay").isEqualTo(Trial.SEND);
        assertThat(breaker.tryTrial(LIMIT, 0)).isEqualTo(Trial.SEND);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.tryTrial(LIMIT, 0)).as("three trials in a row not answered in time")
                .isEqualTo(Trial.EJECTED);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.suspect()).isFalse();
    }

    @Test
    void aTrialThatTimesOutEjectsTheSuspectRegionAtOnce() {
        suspect();
        assertThat(breaker.tryTrial(LIMIT, HOUR)).isEqualTo(Trial.SEND);
        assertThat(breaker.stalled(LIMIT, System.nanoTime())).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.suspect()).isFalse();
    }

    @Test
    void aLoserStartedAfterTheSuspicionEjectsTheRegion() {
        suspect();
        assertThat(breaker.lostUnanswered(LIMIT, System.nanoTime())).isEqualTo(Stall.EJECTED);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void timeoutsStillEjectAfterTheRunWithoutASuspicion() {
        long start = System.nanoTime();
        assertThat(breaker.stalled(LIMIT, start)).isFalse();
        assertThat(breaker.stalled(LIMIT, start)).isFalse();
        assertThat(breaker.stalled(LIMIT, start)).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void aResetForgetsTheSuspicion() {
        suspect();
        breaker.breaker().reset();
        breaker.wasReset();
        assertThat(breaker.suspect()).isFalse();
    }

    @Test
    void writesGoElsewhereWhileTheRegionIsSuspectOrHalfOpenForAtMostTheGivenTime() {
        assertThat(breaker.writesGoElsewhere(HOUR)).isFalse();
        suspect();
        assertThat(breaker.writesGoElsewhere(HOUR)).isTrue();
        assertThat(breaker.writesGoElsewhere(0)).as("suspect for longer than that").isFalse();
        breaker.trialAnsweredInTime();
        assertThat(breaker.writesGoElsewhere(HOUR)).isFalse();

        breaker.breaker().transitionToOpenState();
        assertThat(breaker.writesGoElsewhere(HOUR)).as("open: the router plans no call there").isFalse();
        breaker.breaker().transitionToHalfOpenState();
        assertThat(breaker.writesGoElsewhere(HOUR)).isTrue();
        assertThat(breaker.writesGoElsewhere(0)).as("half-open for longer than that").isFalse();
        breaker.breaker().transitionToClosedState();
        assertThat(breaker.writesGoElsewhere(HOUR)).isFalse();
    }
}
