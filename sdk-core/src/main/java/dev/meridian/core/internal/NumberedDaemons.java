package dev.meridian.core.internal;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apiguardian.api.API;

/**
 * How every thread Meridian starts is made: a daemon that inherits no thread-locals. Meridian's threads start on
 * demand from a caller's thread, often inside its scope, and an inheritable MDC (slf4j's {@code BasicMDCAdapter},
 * reload4j) would otherwise keep that caller's correlation id on the thread for every later call it runs. As a
 * factory, threads named {@code prefix} and a number (hedge workers and timer, half-open trials, saga steps): a class
 * rather than a lambda, which every hedged runtime's build would spin (cold start).
 */
@API(status = INTERNAL, since = "0.1")
public final class NumberedDaemons implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger n = new AtomicInteger();

    /** Threads named {@code prefix} followed by 1, 2, ... */
    public NumberedDaemons(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
        return daemon(r, prefix + n.incrementAndGet());
    }

    /** A daemon thread named {@code name} running {@code r}, inheriting no thread-locals. */
    public static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(null, r, name, 0, false);
        t.setDaemon(true);
        return t;
    }
}
