package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apiguardian.api.API;

/**
 * Every request that reached one simulated region's endpoint (its fault proxy), in arrival order.
 *
 * <p>A request is recorded as soon as the proxy has read it, before any injected delay or fault is applied, so
 * blackholed, throttled and failed calls are recorded too. Requests refused while the region is
 * {@link RegionFaults#down() down} never connect and are not recorded. The global-table replicator talks to
 * DynamoDB Local directly and is never recorded.
 *
 * <p>Thread-safe: the proxy appends from its own threads while tests read. The journal keeps the newest
 * {@value #CAPACITY} entries, and their request bodies only once {@link #keepBodies()} was called (a test that
 * identifies its items in the journal; a long run would hold every body).
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class RequestJournal {

    static final int CAPACITY = 100_000;

    private final String region;
    private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private volatile boolean keepBodies;

    RequestJournal(String region) {
        this.region = Objects.requireNonNull(region, "region");
    }

    /** The simulated region this journal belongs to. */
    public String region() {
        return region;
    }

    /** A snapshot of the recorded requests, oldest first. */
    public List<Entry> entries() {
        return new ArrayList<>(entries);
    }

    /**
     * From now on each entry keeps its request's body ({@link Entry#body()}), e.g. to tell which requests wrote one
     * item. Returns this journal.
     */
    public RequestJournal keepBodies() {
        keepBodies = true;
        return this;
    }

    boolean keepsBodies() {
        return keepBodies;
    }

    /** Number of recorded requests. */
    public int count() {
        return size.get();
    }

    /** Number of recorded requests for one operation, e.g. {@code "GetItem"}. */
    public int count(String operation) {
        Objects.requireNonNull(operation, "operation");
        int count = 0;
        for (Entry entry : entries) {
            if (entry.operation().equals(operation)) {
                count++;
            }
        }
        return count;
    }

    /** Whether nothing was recorded since the last {@link #clear()}. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Forgets every recorded request. */
    public void clear() {
        while (entries.poll() != null) {
            size.decrementAndGet();
        }
    }

    void record(Entry entry) {
        entries.add(entry);
        if (size.incrementAndGet() > CAPACITY && entries.poll() != null) {
            size.decrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "RequestJournal[" + region + ", " + entries() + "]";
    }

    /**
     * One recorded request: the DynamoDB operation (the suffix of the {@code X-Amz-Target} header, e.g.
     * {@code "PutItem"}, or {@code "unknown"} without that header), the table named in the request body when
     * there is one, when the proxy received it, and the injected fault that answered it, if any
     * (e.g. {@code "status(503)"}, {@code "throttle(ThrottlingException)"}, {@code "latency(PT0.2S)"}), and the AWS
     * SDK's invocation id ({@code amz-sdk-invocation-id}: one per SDK call, the same on its retries), which ties a
     * retry that arrives late to the call that sent it. Its body is kept when the journal
     * {@linkplain RequestJournal#keepBodies() keeps bodies}.
     */
    public static final class Entry {
        private final String operation;
        private final String table;
        private final Instant time;
        private final String fault;
        private final String invocationId;
        private final String body;

        Entry(String operation, String table, Instant time, String fault, String invocationId, String body) {
            this.operation = Objects.requireNonNull(operation, "operation");
            this.table = table;
            this.time = Objects.requireNonNull(time, "time");
            this.fault = fault;
            this.invocationId = invocationId;
            this.body = body;
        }

        public String operation() {
            return operation;
        }

        public Optional<String> table() {
            return Optional.ofNullable(table);
        }

        public Instant time() {
            return time;
        }

        /** The injected fault that answered this request; empty when it was passed to DynamoDB Local untouched. */
        public Optional<String> fault() {
            return Optional.ofNullable(fault);
        }

        public boolean faulted() {
            return fault != null;
        }

        /** The AWS SDK's invocation id of the SDK call that sent this request; empty without that header. */
        public Optional<String> invocationId() {
            return Optional.ofNullable(invocationId);
        }

        /** The request's body (DynamoDB JSON); empty unless the journal keeps bodies, or when there was none. */
        public Optional<String> body() {
            return Optional.ofNullable(body);
        }

        @Override
        public String toString() {
            return operation + (table == null ? "" : "(" + table + ")") + "@" + time
                    + (fault == null ? "" : " fault=" + fault);
        }
    }
}
