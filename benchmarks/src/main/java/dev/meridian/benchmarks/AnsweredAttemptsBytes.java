package dev.meridian.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Per-call bytes of {@code AnsweredAttempts} on a successful call, measured exactly: the thread's allocated bytes
 * ({@code com.sun.management.ThreadMXBean}) over batches of {@code GetItem}s through the two clients of
 * {@link AnsweredAttemptsBenchmark} (with and without the interceptor), batches alternating so that drift cancels.
 * JMH's {@code gc.alloc.rate.norm} cannot resolve it: a call on the canned client allocates about 49 KB and its
 * iterations differ by ±1 KB.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.meridian.benchmarks.AnsweredAttemptsBytes [calls per
 * batch, default 20000] [rounds, default 10]}
 */
public final class AnsweredAttemptsBytes {
    private AnsweredAttemptsBytes() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        AnsweredAttemptsBenchmark clients = new AnsweredAttemptsBenchmark();
        clients.setUp();
        try {
            for (int i = 0; i < calls; i++) {
                clients.defaults();
                clients.defaultsWithoutAnsweredAttempts();
            }
            double[] with = new double[rounds];
            double[] without = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long start = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < calls; i++) {
                    clients.defaultsWithoutAnsweredAttempts();
                }
                long middle = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < calls; i++) {
                    clients.defaults();
                }
                long end = threads.getThreadAllocatedBytes(thread);
                without[r] = (middle - start) / (double) calls;
                with[r] = (end - middle) / (double) calls;
            }
            System.out.printf(Locale.ROOT, "calls per batch %d, rounds %d%n", calls, rounds);
            System.out.printf(Locale.ROOT, "without AnsweredAttempts: %s B/call (median %.1f)%n",
                    Arrays.toString(round(without)), median(without));
            System.out.printf(Locale.ROOT, "with AnsweredAttempts:    %s B/call (median %.1f)%n",
                    Arrays.toString(round(with)), median(with));
            double[] diff = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                diff[r] = with[r] - without[r];
            }
            System.out.printf(Locale.ROOT, "difference per round:     %s B/call (median %.1f)%n",
                    Arrays.toString(round(diff)), median(diff));
        } finally {
            clients.tearDown();
        }
    }

    private static double[] round(double[] values) {
        return Arrays.stream(values).map(v -> Math.round(v * 10) / 10.0).toArray();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
