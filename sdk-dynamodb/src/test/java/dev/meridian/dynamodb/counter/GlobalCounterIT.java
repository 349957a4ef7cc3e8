package dev.meridian.dynamodb.counter;

import dev.meridian.dynamodb.Tables;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@LocalRegionsConfig
class GlobalCounterIT {

    private static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    private static final int THREADS_PER_REGION = 2;
    private static final int OPS_PER_THREAD = 20;

    private static LocalRegions regions;

    @BeforeAll
    static void createTables() {
        Tables.create(regions, "counters", "pk", "sk");
        Tables.create(regions, "counters_composite", "pk", null);
    }

    @Test
    void concurrentIncrementsInAllRegionsSumExactlyEverywhere() throws Exception {
        assertExactUnderConcurrency(region -> GlobalCounter.builder().client(regions.client(region))
                .table("counters").region(region).build());
    }

    @Test
    void compositeKeyLayoutIsExactToo() throws Exception {
        assertExactUnderConcurrency(region -> GlobalCounter.builder().client(regions.client(region))
                .table("counters_composite").region(region).compositeKey(REGIONS).build());
    }

    private void assertExactUnderConcurrency(Function<String, GlobalCounter> counterIn) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(REGIONS.size() * THREADS_PER_REGION);
        long expected = 0;
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (String region : REGIONS) {
                GlobalCounter counter = counterIn.apply(region);
                for (int t = 0; t < THREADS_PER_REGION; t++) {
                    workers.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < OPS_PER_THREAD; i++) {
                            // Every fifth operation is a decrement: the PN half of the counter must sum too.
                            counter.add("likes", i % 5 == 4 ? -1 : 2);
                        }
                        return null;
                    }));
                    expected += OPS_PER_THREAD / 5 * (4 * 2 - 1);
                }
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        regions.awaitReplication();

        for (String region : REGIONS) {
            GlobalCounter counter = counterIn.apply(region);
            assertThat(counter.value("likes", true)).as(region).isEqualTo(expected);
            assertThat(counter.partials("likes", true)).as(region).containsOnlyKeys(REGIONS);
        }
    }
}
