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
        return daemon(r, prefix + n.incrementAndGet());
    }

    /**
     * A daemon thread named {@code name} that inherits no thread-locals: Meridian's threads start on demand from a
     * caller's thread, often inside its scope, and an inheritable MDC (slf4j's {@code BasicMDCAdapter}, reload4j)
     * would otherwise keep that caller's correlation id on the thread for every later call it runs.
     */
    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(null, r, name, 0, false);
        t.setDaemon(true);
        return t;
    }
}
