package dev.meridian.dynamodb.lww;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The LWW invariant (I4) over the pure logic of {@link LwwVersion#blocks} — the negation of the condition
 * {@link LwwWrites} sends — with random writes (stamps from a small range so that ties are common, random regions and
 * node ids, items written before node ids) delivered to every replica in its own random order, some of them twice
 * (an SDK retry or a failover re-sending an applied write), over replicas that may start with a corrupt far-future
 * stamp: replicas converge on the greatest write, and no acknowledged write is lost.
 */
class LwwConvergencePropertiesTest {

    /** The writers' {@code maxAcceptableStamp}: every write LwwWrites sends carries a stamp at or below it. */
    private static final long BOUND = 40;

    @Property(tries = 500)
    void replicasConvergeAndNoAcknowledgedWriteIsLost(
            @ForAll("writes") @Size(min = 1, max = 25) List<LwwVersion> writes,
            @ForAll @IntRange(min = 1, max = 4) int replicas,
            @ForAll("corruptStamps") @Size(4) List<Optional<LwwVersion>> initial,
            @ForAll("seeds") @Size(4) List<Long> orders) {
        LwwVersion greatest = Collections.max(writes);
        Set<LwwVersion> acknowledged = new HashSet<>();
        List<LwwVersion> finals = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            List<LwwVersion> deliveries = new ArrayList<>(writes);
            Random random = new Random(orders.get(r));
            deliveries.addAll(writes.subList(0, random.nextInt(writes.size() + 1)));
            Collections.shuffle(deliveries, random);
            Optional<LwwVersion> stored = initial.get(r);
            for (LwwVersion write : deliveries) {
                if (stored.isEmpty() || !stored.get().blocks(write, BOUND)) {
                    stored = Optional.of(write);
                    acknowledged.add(write);
                } else if (stored.get().equals(write)) {
                    acknowledged.add(write); // its own earlier delivery: APPLIED, never superseded by itself
                } else {
                    assertThat(stored.get()).as("a superseded write reports a newer winner").isGreaterThan(write);
                }
            }
            finals.add(stored.orElseThrow());
        }
        assertThat(finals).as("replicas converge on the greatest write").containsOnly(greatest);
        for (LwwVersion ack : acknowledged) {
            assertThat(greatest).as("acknowledged %s is not lost", ack).isGreaterThanOrEqualTo(ack);
        }
        assertThat(acknowledged).contains(greatest);
    }

    @Provide
    Arbitrary<List<LwwVersion>> writes() {
        Arbitrary<Long> stamps = Arbitraries.longs().between(0, BOUND);
        Arbitrary<String> regions = Arbitraries.of("eu-central-1", "eu-west-1", "us-east-1");
        Arbitrary<String> nodes = Arbitraries.of("0a1b2c3d4e5f6071", "ffffffffffffffff", "pod-7").injectNull(0.2);
        return Combinators.combine(stamps, regions, nodes).as(LwwVersion::new).list();
    }

    @Provide
    Arbitrary<List<Optional<LwwVersion>>> corruptStamps() {
        Arbitrary<LwwVersion> corrupt = Arbitraries.of(BOUND + 1, Long.MAX_VALUE)
                .map(stamp -> new LwwVersion(stamp, "us-east-1", null));
        return corrupt.optional(0.3).list();
    }

    @Provide
    Arbitrary<List<Long>> seeds() {
        return Arbitraries.longs().list();
    }
}
