package dev.meridian.core;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * When the process itself was stalled — a GC pause, CPU starvation, a throttled container — measured by how late its
 * own timers fired: a timer due at {@code t} that runs at {@code t + d} says that for {@code d} the process did not
 * get to run. Lateness below {@link #NOISE_NANOS} is ordinary scheduling jitter and ignored.
 *
 * <p>The executor asks it about each attempt, so that a region is held accountable only for the time the process
 * was running: a slow attempt counts only its {@linkplain #unstalledNanos unstalled time} against the region, and a
 * timed-out attempt during which the process was stalled for at least a quarter of its time is
 * {@linkplain #excuses excused} (not recorded against the region). Its tick is run by a {@link StallMeter}; before
 * that runs nothing is ever excused, which is the behaviour of a runtime without this meter. Remembers the last
 * {@value #CAPACITY} stalls. Thread-safe; the common case (no stall since the attempt started) reads one volatile
 * field.
 */
final class ProcessStalls {
    /** Lateness below this is scheduling jitter, not a stall. */
    static final long NOISE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How often the meter's own tick runs. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int CAPACITY = 64;

    private final long[] from = new long[CAPACITY];
    private final long[] to = new long[CAPACITY];
    private int next;
    private int size;
    /** End of the latest stall recorded (nanoTime), or {@link Long#MIN_VALUE}. */
    private volatile long lastEnd = Long.MIN_VALUE;
    /**
     * When the meter's next tick is due (nanoTime), or {@link Long#MIN_VALUE} before the meter runs. A tick later than
     * the noise right now is a stall in progress that no tick has recorded yet: the threads of a stalled process
     * resume together, and an attempt's thread may judge its time before the meter's thread has run its late tick.
     */
    private volatile long tickDue = Long.MIN_VALUE;

    /** Records that a timer due at {@code dueNanos} ran at {@code firedNanos} (both {@link System#nanoTime()}). */
    void timerFired(long dueNanos, long firedNanos) {
        if (firedNanos - dueNanos < NOISE_NANOS) {
            return;
        }
        synchronized (this) {
            from[next] = dueNanos;
            to[next] = firedNanos;
            next = (next + 1) % CAPACITY;
            size = Math.min(size + 1, CAPACITY);
            if (lastEnd == Long.MIN_VALUE || firedNanos - lastEnd > 0) {
                lastEnd = firedNanos;
            }
        }
    }

    /**
     * How long the process was stalled within {@code [start, end]}: the union of the recorded stalls and the one in
     * progress. One stall is recorded by every timer it made late (an asynchronous read's hedge timers run on the
     * meter's thread, the tick among them), so the records overlap and must not be summed.
     */
    long stalledNanos(long start, long end) {
        long ongoing = ongoingNanos(start, end);
        if (lastEnd == Long.MIN_VALUE || lastEnd - start <= 0) {
            return ongoing;
        }
        long[][] within;
        int n = 0;
        synchronized (this) {
            within = new long[size + 1][];
            for (int i = 0; i < size; i++) {
                long a = Math.max(from[i], start);
                long b = Math.min(to[i], end);
                if (b - a > 0) {
                    within[n++] = new long[] {a, b};
                }
            }
        }
        if (ongoing > 0) {
            within[n++] = new long[] {end - ongoing, end};
        }
        Arrays.sort(within, 0, n, (x, y) -> Long.compare(x[0] - start, y[0] - start));
        long stalled = 0;
        long coveredTo = start;
        for (int i = 0; i < n; i++) {
            long a = within[i][0] - coveredTo > 0 ? within[i][0] : coveredTo;
            if (within[i][1] - a > 0) {
                stalled += within[i][1] - a;
                coveredTo = within[i][1];
            }
        }
        return stalled;
    }

    /**
     * The part of {@code [start, end]} since the meter's tick was due, when it is late by the noise or more at
     * {@code end}.
     */
    private long ongoingNanos(long start, long end) {
        long due = tickDue;
        if (due == Long.MIN_VALUE || end - due < NOISE_NANOS) {
            return 0;
        }
        long from = due - start > 0 ? due : start;
        return end - from > 0 ? end - from : 0;
    }

    /** The part of an attempt of {@code nanos} that ended at {@code end} during which the process was running. */
    long unstalledNanos(long end, long nanos) {
        return nanos - stalledNanos(end - nanos, end);
    }

    /**
     * Whether a timed-out attempt of {@code nanos} that ended at {@code end} is excused: the process was stalled for
     * at least a quarter of it, so the region did not get a fair share of the attempt's time to answer.
     */
    boolean excuses(long end, long nanos) {
        return nanos > 0 && stalledNanos(end - nanos, end) * 4 >= nanos;
    }

    /**
     * How much longer a hedge due at {@code now} waits for the first attempt, which started at {@code start}: the time
     * the process was stalled meanwhile (at most {@code delay}), or 0 when that was below {@link #NOISE_NANOS}. While
     * the process was not running the attempt's answer may have arrived unread, and a hedge sent now would be judged
     * on the process's time, not the region's; once the process runs again, that answer is read within the grace.
     */
    long hedgeGrace(long start, long now, long delay) {
        long stalled = stalledNanos(start, now);
        return stalled < NOISE_NANOS ? 0 : Math.min(stalled, delay);
    }

    /**
     * A tick to run every {@link #TICK_NANOS} with a fixed delay on one timer thread: each run reports how late it is
     * against the previous run plus the period.
     */
    Runnable meter(LongSupplier nanoClock) {
        return new Tick(nanoClock);
    }

    /** The meter's tick; run by one timer thread at a time (a fixed-delay schedule). */
    private final class Tick implements Runnable {
        private final LongSupplier clock;
        private long last;

        Tick(LongSupplier clock) {
            this.clock = clock;
            this.last = clock.getAsLong();
            tickDue = last + TICK_NANOS;
        }

        @Override
        public void run() {
            long now = clock.getAsLong();
            timerFired(last + TICK_NANOS, now);
            last = now;
            tickDue = now + TICK_NANOS;
        }
    }
}
