package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link WriterWatch}: which waits a moved writer abandons, and that the interrupt it uses never leaks. */
class WriterWatchTest {
    private static final Endpoint OLD = new Endpoint(Role.WRITER, EU_WEST, "jdbc:postgresql://old:5432/db");
    private static final Endpoint NEW = new Endpoint(Role.WRITER, EU_CENTRAL, "jdbc:postgresql://new:5432/db");
    private static final Duration NEVER = Duration.ofHours(1);

    private final ExecutorService waiters = Executors.newCachedThreadPool();
    private final AtomicInteger lookUps = new AtomicInteger();
    private WriterWatch watch;

    @AfterEach
    void close() {
        waiters.shutdownNow();
        if (watch != null) {
            watch.close();
        }
    }

    /** A thread blocked as HikariCP blocks for a connection: an interruptible wait, here one nothing ends. */
    private CompletableFuture<Boolean> blockedWaitFor(Endpoint writer, CountDownLatch waiting) {
        return CompletableFuture.supplyAsync(() -> {
            WriterWatch.Wait wait = watch.begin(writer);
            waiting.countDown();
            try {
                new CountDownLatch(1).await(1, TimeUnit.HOURS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            boolean abandoned = wait.end();
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("the interrupt that abandoned the wait leaked to the caller");
            }
            return abandoned;
        }, waiters);
    }

    @Test
    void aMovedWriterAbandonsTheWaitsOnItAndClearsTheInterruptItUsed() throws Exception {
        watch = new WriterWatch(lookUps::incrementAndGet, e -> false, NEVER, "test-writer-watch");
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> abandoned = blockedWaitFor(OLD, waiting);
        waiting.await();

        watch.writerMoved(OLD);

        assertThat(abandoned.get(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void waitsOnTheNewWriterAndEndedWaitsAreLeftAlone() throws Exception {
        watch = new WriterWatch(lookUps::incrementAndGet, e -> false, NEVER, "test-writer-watch");
        WriterWatch.Wait onNew = watch.begin(NEW);
        WriterWatch.Wait ended = watch.begin(OLD);
        assertThat(ended.end()).isFalse();

        watch.writerMoved(OLD);

        assertThat(Thread.interrupted()).as("no wait of this thread was abandoned").isFalse();
        assertThat(onNew.end()).isFalse();
    }

    @Test
    void aWaitThatLastsTheIntervalLooksTheWriterUpAgainWhileItLasts() throws Exception {
        watch = new WriterWatch(lookUps::incrementAndGet, e -> false, Duration.ofMillis(20), "test-writer-watch");
        watch.begin(NEW).end();
        WriterWatch.Wait lasting = watch.begin(OLD);

        await().atMost(Duration.ofSeconds(30)).until(() -> lookUps.get() >= 2); // again while the wait lasts

        assertThat(lasting.end()).isFalse();
    }

    @Test
    void aWaitForASaturatedPoolLooksNothingUp() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        watch = new WriterWatch(lookUps::incrementAndGet, e -> checks.incrementAndGet() > 0, Duration.ofMillis(20),
                "test-writer-watch");
        WriterWatch.Wait wait = watch.begin(OLD);

        await().atMost(Duration.ofSeconds(30)).until(() -> checks.get() >= 3);

        assertThat(lookUps).hasValue(0);
        assertThat(wait.end()).isFalse();
    }
}
