package dev.meridian.core;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named {@code prefix} and a number (hedge workers and timer, half-open trials). A class rather than
 * a lambda, which every hedged runtime's build would spin (cold start).
 */
final class NumberedDaemons implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger n = new AtomicInteger();

    NumberedDaemons(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, prefix + n.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
