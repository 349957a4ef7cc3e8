package dev.meridian.core.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class HybridLogicalClockPropertiesTest {

    private static final long BASE = 1_700_000_000_000L;

    /** One step: the physical clock moves (possibly backwards), then a local event or a receive happens. */
    record Step(long physicalOffset, boolean receive, long remoteOffset, int remoteLogical) {
    }

    @Property(tries = 300)
    void stampsStrictlyIncreaseAndFollowEveryObservedStamp(@ForAll("steps") @Size(max = 200) List<Step> steps) {
        AtomicLong physical = new AtomicLong(BASE);
        HybridLogicalClock clock = new HybridLogicalClock(physical::get);
        long previous = -1;
        for (Step step : steps) {
            physical.set(BASE + step.physicalOffset());
            long stamp;
            if (step.receive()) {
                long remote = HybridLogicalClock.encode(BASE + step.remoteOffset(), step.remoteLogical());
                stamp = clock.observe(remote);
                assertThat(stamp).isGreaterThan(remote);
            } else {
                stamp = clock.now();
            }
            assertThat(stamp).isGreaterThan(previous);
            assertThat(stamp).as("within the default drift bound").isLessThanOrEqualTo(clock.maxAcceptableStamp());
            assertThat(HybridLogicalClock.physicalMillis(stamp)).isGreaterThanOrEqualTo(physical.get());
            previous = stamp;
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Long> offsets = Arbitraries.longs().between(-10_000, 10_000);
        Arbitrary<Integer> logicals = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(HybridLogicalClock.MAX_LOGICAL - 2, HybridLogicalClock.MAX_LOGICAL));
        Arbitrary<Step> step = Combinators.combine(offsets, Arbitraries.of(true, false), offsets, logicals)
                .as(Step::new);
        return step.list();
    }
}
