package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * The random source of routing's draws (the first region of {@link RoutingStrategy#weighted()}, the exploration of
 * {@link RoutingStrategy#latency()}), owned by one runtime and {@linkplain #reseed() reseeded} from the OS entropy
 * source after a process snapshot is restored (CRaC, Lambda SnapStart).
 *
 * <p>Why not {@code ThreadLocalRandom} or one {@code Random}: their state is part of a snapshot, so every copy restored
 * from one would continue the same sequence and sibling instances would make the same weighted and exploration
 * choices. Here each thread draws from its own {@link SplittableRandom}, split from a root generator and tagged with
 * the root's generation; {@link #reseed()} replaces the root and bumps the generation, so every thread's next draw
 * comes from a generator split from the new root. A draw costs a thread-local look-up and a volatile read: no lock, no
 * {@code SecureRandom} (the lock is taken once per thread and generation, to split). Thread-safe.
 */
@API(status = INTERNAL, since = "0.1")
public final class RoutingRandom {
    private final Object lock = new Object();
    /** Guarded by {@link #lock}; created on the first draw (local-first or failover routing never draws). */
    private @Nullable SplittableRandom root;
    /** Written under {@link #lock}; read without it on every draw. */
    private volatile long generation;
    private final ThreadLocal<PerThread> perThread = new ThreadLocal<>();

    private record PerThread(long generation, SplittableRandom random) {
    }

    private RoutingRandom(@Nullable SplittableRandom root) {
        this.root = root;
    }

    /**
     * A new source, what a runtime uses: seeded by {@link SplittableRandom}'s own default seeding (time-based, so every
     * process start differs) rather than {@code SecureRandom}, which would load and seed a security provider on the
     * cold-start path; {@link #reseed()} brings OS entropy where starts are not independent (restored snapshots).
     */
    public static RoutingRandom create() {
        return new RoutingRandom(null);
    }

    /**
     * A source seeded with {@code seed}: the same seed gives the same draws on a thread until {@link #reseed()}, as two
     * copies restored from one snapshot would (tests, reproducible simulations).
     */
    public static RoutingRandom seeded(long seed) {
        return new RoutingRandom(new SplittableRandom(seed));
    }

    /**
     * The calling thread's generator for the current generation. Use it on the calling thread only, for the draws of
     * one call (it is not thread-safe, and a later call should ask again to see a reseed).
     */
    public RandomGenerator current() {
        PerThread p = perThread.get();
        if (p == null || p.generation() != generation) {
            p = split();
            perThread.set(p);
        }
        return p.random();
    }

    /** Replaces the root generator with one seeded from the OS entropy source; every thread's next draw uses it. */
    public void reseed() {
        long seed = entropySeed();
        synchronized (lock) {
            root = new SplittableRandom(seed);
            generation++;
        }
    }

    private PerThread split() {
        synchronized (lock) {
            if (root == null) {
                root = new SplittableRandom();
            }
            return new PerThread(generation, root.split());
        }
    }

    /**
     * A new {@link SecureRandom} per seed (rare: once per restore), so that whatever the platform's
     * default algorithm, the seed comes from the OS entropy source of this process, not from a generator whose state
     * was in the snapshot.
     */
    private static long entropySeed() {
        return new SecureRandom().nextLong();
    }
}
