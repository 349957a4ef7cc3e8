package dev.meridian.dynamodb.acceptance.realconditions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Busy threads beside a test's calls, so that the calling threads (and the runtime's timers) get the CPU late: spinners
 * at maximum priority and, optionally, an allocation and {@code System.gc()} storm (stop-the-world pauses). Started by
 * {@link #start}, stopped and joined by {@link #close()} — use it in try-with-resources, or CI's two cores suffer.
 * The acceptance suites' one busy-threads helper (public for the sibling packages').
 */
public final class Starvation implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    /** Where the spinners put their work, so that the JIT cannot drop the loop. */
    private volatile long sink;

    private Starvation() {
    }

    /** {@code spinners} busy threads at maximum priority, and a GC storm when {@code gcStorm}. */
    public static Starvation start(int spinners, boolean gcStorm) {
        Starvation s = new Starvation();
        for (int i = 0; i < spinners; i++) {
            s.begin("starvation-spinner-" + i, s::spin);
        }
        if (gcStorm) {
            s.begin("starvation-gc-storm", s::storm);
        }
        return s;
    }

    private void begin(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY);
        threads.add(t);
        t.start();
    }

    private void spin() {
        long x = 0;
        while (running.get()) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            sink = x;
        }
    }

    /** Allocates about 64 MB between full collections: each {@code System.gc()} is a stop-the-world pause. */
    private void storm() {
        while (running.get()) {
            List<byte[]> garbage = new ArrayList<>();
            for (int i = 0; i < 64 && running.get(); i++) {
                garbage.add(new byte[1 << 20]);
            }
            sink += garbage.size();
            System.gc();
        }
    }

    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
