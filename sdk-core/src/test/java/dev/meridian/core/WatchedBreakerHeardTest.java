package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** Whether a region answered since an attempt started decides if the attempt's silence was the region's. */
class WatchedBreakerHeardTest {
    private final WatchedBreaker breaker = new WatchedBreaker(CircuitBreaker.ofDefaults("eu-west-1"),
            Region.EU_WEST_1, null, (b, from, to) -> { });

    @Test
    void aRegionNeverHeardFromHasNotAnsweredSinceAnyTime() {
        assertThat(breaker.heardSince(System.nanoTime() - 1_000_000_000L)).isFalse();
    }

    @Test
    void anAnswerCountsForAttemptsStartedBeforeItNotAfterIt() {
        long before = System.nanoTime();
        breaker.heard();
        long after = System.nanoTime() + 1;
        assertThat(breaker.heardSince(before)).isTrue();
        assertThat(breaker.heardSince(after)).isFalse();
    }
}
