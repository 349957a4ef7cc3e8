package dev.meridian.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Meridian's own work per routed call as the calling thread's CPU time: {@link WrapperOverheadBenchmark}'s
 * {@code wrappedNoopUnhedged} in batches, each timed with
 * {@link ThreadMXBean#getCurrentThreadCpuTime()}. On a machine shared with other work JMH's wall-clock figure is mostly
 * the scheduler's (a batch during which the thread waited for a core counts the wait); the thread's CPU time does not
 * count the wait, so two builds compared one after the other in the same window compare what the call does. It still
 * moves with the load (caches and the sibling hyperthread are shared): alternate the builds and read the lower
 * quartile.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.meridian.benchmarks.WrapperOverheadCpu [batches]
 * [calls per batch]} (defaults 30 and 500,000, after 10 batches of warm-up).
 */
public final class WrapperOverheadCpu {
    /** Keeps the calls' results reachable, so the loop cannot be optimized away. */
    private static volatile Object sink;

    private WrapperOverheadCpu() {
    }

    public static void main(String[] args) {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
        WrapperOverheadBenchmark b = new WrapperOverheadBenchmark();
        b.setUp();
        try {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 10; i++) {
                batch(b, calls, threads);
            }
            double[] ns = new double[batches];
            for (int i = 0; i < batches; i++) {
                ns[i] = batch(b, calls, threads);
            }
            Arrays.sort(ns);
            System.out.printf("wrappedNoopUnhedged thread CPU ns/call over %d batches of %d: min %.1f, p25 %.1f,"
                    + " median %.1f, p75 %.1f%n", batches, calls, ns[0], ns[batches / 4], ns[batches / 2],
                    ns[3 * batches / 4]);
        } finally {
            b.tearDown();
        }
    }

    private static double batch(WrapperOverheadBenchmark b, int calls, ThreadMXBean threads) {
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < calls; i++) {
            sink = b.wrappedNoopUnhedged();
        }
        return (threads.getCurrentThreadCpuTime() - start) / (double) calls;
    }
}
