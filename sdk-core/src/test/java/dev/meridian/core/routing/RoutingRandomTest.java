package dev.meridian.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RoutingRandomTest {

    @Test
    void oneSeedGivesOneSequenceUntilReseeded() {
        RoutingRandom a = RoutingRandom.seeded(7);
        RoutingRandom b = RoutingRandom.seeded(7);
        assertThat(draws(a.current())).isEqualTo(draws(b.current()));

        a.reseed();
        b.reseed();

        assertThat(draws(a.current())).isNotEqualTo(draws(b.current()));
    }

    @Test
    void aThreadThatDrewBeforeTheReseedDrawsFromTheNewRootAfterIt() {
        RoutingRandom random = RoutingRandom.seeded(7);
        RandomGenerator before = random.current();
        assertThat(random.current()).as("one generator per thread and generation").isSameAs(before);

        random.reseed();

        assertThat(random.current()).isNotSameAs(before);
    }

    @Test
    void threadsDrawFromGeneratorsOfTheirOwn() {
        RoutingRandom random = RoutingRandom.seeded(7);
        long[] here = draws(random.current());
        long[] there = CompletableFuture.supplyAsync(() -> draws(random.current())).join();
        assertThat(here).isNotEqualTo(there);
    }

    private static long[] draws(RandomGenerator g) {
        long[] out = new long[4];
        for (int i = 0; i < out.length; i++) {
            out[i] = g.nextLong();
        }
        return out;
    }
}
