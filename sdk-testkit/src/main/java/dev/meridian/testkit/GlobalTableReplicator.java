package dev.meridian.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Replicates global tables between the simulated regions the way DynamoDB global tables do: asynchronously,
 * item by item, last writer wins.
 *
 * <p>One daemon thread polls every region's DynamoDB Stream (against DynamoDB Local directly, never through the
 * fault proxies) and applies each local write to the other regions after the configured delay. It polls when
 * {@link ReplicationSignal signalled} (a write passed a region's fault proxy, a link was resumed, a test awaits
 * convergence), again after {@value #BUSY_POLL_MILLIS} ms while records flow, when a delayed change falls due, and
 * otherwise every {@value #IDLE_POLL_MILLIS} ms for writes no proxy saw (made through the direct endpoint): an idle
 * replicator costs next to nothing, and a write through a proxy replicates as soon as its stream record exists.
 *
 * <p>Conflicts resolve like DynamoDB global tables: item-level last writer wins by the time each write was made. DynamoDB
 * Local's stream records carry no usable time ({@code ApproximateCreationDateTime} is truncated to the minute) and
 * their sequence numbers count per stream, so the replicator stamps each record itself, from one strictly increasing
 * clock for every region, as soon as a read of the stream returned it. A write through a fault proxy has its stream
 * read by {@link #writeSeen} while the proxy holds its answer, so its stamp lies between the moment DynamoDB Local
 * applied it and the moment its client was acknowledged: a write made after another was acknowledged, in any region,
 * is stamped later and wins. (A write through the direct endpoint is stamped when the replicator polls.) The
 * replicator keeps, per region and item, the version that region holds; a replicated write older than that version is
 * dropped. Consequence, as in DynamoDB: concurrent updates of different attributes of one item in two regions leave
 * one whole item, the other update is lost.
 *
 * <p>Writes made by the replicator itself show up in the target's stream; they are recognised by their image
 * and not replicated again. If a local write raced with a replicated one, the region is repaired to the winner.
 *
 * <p>All mutable state is guarded by {@code this}, except each stream's cursor, guarded by itself (a proxy thread in
 * {@link #writeSeen} reads the stream without waiting for a cycle); a poll cycle runs while holding {@code this}.
 * Pausing and resuming links, changing the delay and reading {@link #progress()} never wait for a cycle: a slow cycle
 * (DynamoDB Local on a busy machine) must not stall the caller that injects faults on a timeline.
 */
final class GlobalTableReplicator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GlobalTableReplicator.class);
    private static final long BUSY_POLL_MILLIS = 5;
    /** While a test awaits convergence or after a failed stream read: a direct write racing the wait is seen soon. */
    private static final long ATTENTIVE_POLL_MILLIS = 40;
    /**
     * The fallback for writes no proxy signals (only writes through the direct endpoint, which tests use for set-up
     * and reads). A second keeps such a write's replication well inside any test's patience (and
     * {@link #awaitConverged} polls attentively anyway): an idle replicator reads every stream of every global table
     * in every region per poll, a few ms of DynamoDB Local's CPU each, while most integration tests only read.
     */
    static final long IDLE_POLL_MILLIS = 1_000;
    private static final long DESCRIBE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final List<String> regions;
    private final Map<String, DynamoDbClient> direct;
    private final Map<String, DynamoDbStreamsClient> streams;
    private final Map<String, TableState> tables = new LinkedHashMap<>();
    /** Every region's stream cursors, for {@link #writeSeen} on proxy threads. */
    private final Map<String, List<StreamCursor>> cursorsByRegion = new ConcurrentHashMap<>();
    /** The last write stamp issued ({@link System#nanoTime()} scale); see {@link #stamp()}. */
    private final AtomicLong lastStamp = new AtomicLong(Long.MIN_VALUE);
    private final Map<RegionItem, Held> held = new HashMap<>();
    private final Map<RegionItem, List<Echo>> echoes = new HashMap<>();
    private final List<Delivery> pending = new ArrayList<>();
    private final Set<Link> paused = ConcurrentHashMap.newKeySet();
    private final ReplicationSignal signal;
    private final long idlePollNanos;
    /** Threads in {@link #awaitConverged}; while there are any, the replicator polls attentively. */
    private final AtomicInteger awaiting = new AtomicInteger();
    private ExecutorService executor;
    private volatile Duration delay;
    private volatile ReplicationProgress progress = new ReplicationProgress(0, 0, 0, Map.of(), Map.of(), List.of());
    private volatile long progressCycleStartNanos;
    private long recordsRead;
    private long cycles;
    private long superseded;
    private long writes;
    private volatile boolean closed;

    /**
     * @param signal   raised when a stream may have new records; the replicator polls at once
     * @param idlePoll how long the replicator waits without a signal when it has nothing to do
     */
    GlobalTableReplicator(List<String> regions, Map<String, DynamoDbClient> direct,
            Map<String, DynamoDbStreamsClient> streams, Duration delay, ReplicationSignal signal, Duration idlePoll) {
        this.regions = List.copyOf(regions);
        this.direct = Map.copyOf(direct);
        this.streams = Map.copyOf(streams);
        this.delay = Objects.requireNonNull(delay, "delay");
        this.signal = Objects.requireNonNull(signal, "signal");
        this.idlePollNanos = idlePoll.toNanos();
    }

    /** Starts replicating a table whose stream ARN in each region is given; starts the thread on first use. */
    synchronized void addTable(String table, Map<String, String> streamArnByRegion) {
        requireOpen();
        TableState state = new TableState(table);
        for (String region : streamArnByRegion.keySet()) {
            StreamCursor cursor = new StreamCursor(table, region,
                    Objects.requireNonNull(streams.get(region), "streams client for " + region),
                    Objects.requireNonNull(streamArnByRegion.get(region), "stream ARN for " + region));
            state.cursors.put(region, cursor);
            cursorsByRegion.computeIfAbsent(region, r -> new CopyOnWriteArrayList<>()).add(cursor);
        }
        tables.put(table, state);
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "meridian-testkit-replicator");
                thread.setDaemon(true);
                return thread;
            });
            executor.execute(this::pollUntilClosed);
        }
        signal.raise();
    }

    synchronized Set<String> tables() {
        return Set.copyOf(tables.keySet());
    }

    /** The regions a table has a replica in, in the simulated regions' order. */
    private synchronized List<String> replicasOf(String table) {
        return List.copyOf(tables.get(table).cursors.keySet());
    }

    /**
     * A write passed the region's fault proxy, which holds its answer until this returns. If DynamoDB Local may have
     * applied it, reads the region's stream of the table it wrote if that is a global table (of every global table
     * when it may have written several) now, so that the write is stamped before its client is acknowledged; then
     * wakes the replicator. Runs on the proxy's threads and never waits for a cycle.
     */
    void writeSeen(String region, @Nullable String table, boolean applied) {
        if (applied && !closed) {
            for (StreamCursor cursor : cursorsByRegion.getOrDefault(region, List.of())) {
                if (table == null || cursor.table.equals(table)) {
                    try {
                        cursor.read(this::stamp);
                    } catch (RuntimeException e) {
                        // The next cycle reads it (and stamps the write later); closing the regions ends up here too.
                        LOG.debug("Reading the stream of {} in {} after a write failed: {}", cursor.table, region,
                                e.toString());
                    }
                }
            }
        }
        signal.raise();
    }

    void delay(Duration newDelay) {
        this.delay = Objects.requireNonNull(newDelay, "delay");
    }

    Duration delay() {
        return delay;
    }

    void pause(String from, String to) {
        paused.add(new Link(from, to));
    }

    void resume(String from, String to) {
        paused.remove(new Link(from, to));
        signal.raise();
    }

    void resumeAll() {
        paused.clear();
        signal.raise();
    }

    /** The state at the end of the last completed cycle; never waits for a running one. */
    ReplicationProgress progress() {
        return progress;
    }

    synchronized int pending(String from, String to) {
        Link link = new Link(from, to);
        int count = 0;
        for (Delivery delivery : pending) {
            if (delivery.link.equals(link)) {
                count++;
            }
        }
        return count;
    }

    /** The writes the replicator made: replicated changes and repairs (its own cost, for the testkit's tests). */
    synchronized long writes() {
        return writes;
    }

    /** Replicated writes dropped because the target already held a newer version (LWW losers). */
    synchronized long supersededWrites() {
        return superseded;
    }

    /**
     * Waits until a poll cycle that started after this call read every stream to the end with no change pending or
     * delayed, and every region holds the same items in every global table. Calls {@code onProgress} about once a
     * second while waiting.
     *
     * @throws ReplicationTimeoutException naming the unread streams, the pending links or the differing table
     */
    void awaitConverged(Duration timeout, Consumer<ReplicationProgress> onProgress) {
        Objects.requireNonNull(onProgress, "onProgress");
        awaiting.incrementAndGet();
        try {
            signal.raise();
            awaitConvergedCycle(timeout, onProgress);
        } finally {
            awaiting.decrementAndGet();
        }
    }

    private void awaitConvergedCycle(Duration timeout, Consumer<ReplicationProgress> onProgress) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        String lastProblem;
        while (true) {
            ReplicationProgress now = progress;
            boolean fresh = now.cycles() > 0 && progressCycleStartNanos - start >= 0;
            if (tables().isEmpty()) {
                return;
            }
            if (fresh && now.caughtUp()) {
                String divergence = divergence();
                if (divergence == null) {
                    return;
                }
                lastProblem = divergence;
            } else {
                lastProblem = fresh ? now.describe() : "no poll cycle completed since the wait began ("
                        + now.describe() + ")";
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ReplicationTimeoutException("Global tables did not converge within " + timeout + ": "
                        + lastProblem);
            }
            if (System.nanoTime() - nextReport > 0) {
                onProgress.accept(now);
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
            try {
                Thread.sleep(BUSY_POLL_MILLIS * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReplicationTimeoutException("Interrupted while awaiting replication: " + lastProblem);
            }
        }
    }

    @Override
    public void close() {
        ExecutorService toStop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = executor;
        }
        if (toStop != null) {
            toStop.shutdownNow();
            try {
                if (!toStop.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("Replicator thread did not stop within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Scans every global table in every region; returns a description of the first difference, or null. */
    private String divergence() {
        for (String table : tables()) {
            Map<String, Set<Map<String, AttributeValue>>> contents = new LinkedHashMap<>();
            List<String> replicas = replicasOf(table);
            for (String region : replicas) {
                contents.put(region, scan(region, table));
            }
            Set<Map<String, AttributeValue>> reference = contents.get(replicas.get(0));
            for (Map.Entry<String, Set<Map<String, AttributeValue>>> entry : contents.entrySet()) {
                if (!entry.getValue().equals(reference)) {
                    return "table " + table + " differs between " + replicas.get(0) + " (" + reference.size()
                            + " items) and " + entry.getKey() + " (" + entry.getValue().size() + " items)";
                }
            }
        }
        return null;
    }

    private Set<Map<String, AttributeValue>> scan(String region, String table) {
        Set<Map<String, AttributeValue>> items = new HashSet<>();
        ScanRequest request = ScanRequest.builder().tableName(table).consistentRead(true).build();
        direct.get(region).scanPaginator(request).items().forEach(items::add);
        return items;
    }

    /**
     * The replicator thread: a cycle, then a wait that a signal cuts short, until closed (interrupted). Cycles are
     * {@value #BUSY_POLL_MILLIS} ms apart at least: a stream of writes wakes the replicator no more often than it
     * polls while records flow.
     */
    private void pollUntilClosed() {
        long waitNanos = 0;
        long minGapNanos = TimeUnit.MILLISECONDS.toNanos(BUSY_POLL_MILLIS);
        while (!closed) {
            try {
                long gap = Math.min(waitNanos, minGapNanos);
                TimeUnit.NANOSECONDS.sleep(gap);
                signal.await(waitNanos - gap);
            } catch (InterruptedException e) {
                return;
            }
            // A signal raised from here on announces something this cycle may miss: it makes the next wait short.
            signal.clear();
            try {
                waitNanos = cycle();
            } catch (RuntimeException e) {
                LOG.warn("Replication cycle failed: {}", e.toString());
                waitNanos = TimeUnit.MILLISECONDS.toNanos(ATTENTIVE_POLL_MILLIS);
            }
        }
    }

    /** One pass over every stream plus due deliveries; returns how long to wait for a signal before the next. */
    private synchronized long cycle() {
        if (closed) {
            return 0;
        }
        long started = System.nanoTime();
        int records = 0;
        Map<String, Boolean> streamsAtEnd = new LinkedHashMap<>();
        for (TableState table : tables.values()) {
            for (StreamCursor cursor : table.cursors.values()) {
                String region = cursor.region;
                try {
                    if (System.nanoTime() - cursor.lastDescribeNanos > DESCRIBE_EVERY_NANOS) {
                        cursor.discoverShards();
                    }
                    boolean atEnd = cursor.read(this::stamp);
                    List<StampedRecord> read = cursor.take();
                    for (StampedRecord record : read) {
                        onRecord(table, region, record);
                    }
                    records += read.size();
                    streamsAtEnd.put(table.name + "@" + region, atEnd && read.isEmpty());
                } catch (RuntimeException e) {
                    if (closed || Thread.currentThread().isInterrupted()) {
                        return 0;
                    }
                    streamsAtEnd.put(table.name + "@" + region, false);
                    LOG.warn("Reading the stream of {} in {} failed: {}", table.name, region, e.toString());
                }
            }
        }
        int delivered = deliverDue();
        cycles++;
        recordsRead += records;
        publishProgress(started, delivered, streamsAtEnd);
        if (records > 0 || delivered > 0) {
            return TimeUnit.MILLISECONDS.toNanos(BUSY_POLL_MILLIS);
        }
        boolean attentive = awaiting.get() > 0 || streamsAtEnd.containsValue(false);
        return Math.min(attentive ? TimeUnit.MILLISECONDS.toNanos(ATTENTIVE_POLL_MILLIS) : idlePollNanos,
                untilNextDue());
    }

    /** Time until the next delayed change on an unpaused link falls due; a held change waits for a resume. */
    private long untilNextDue() {
        long now = System.nanoTime();
        long wait = Long.MAX_VALUE;
        for (Delivery delivery : pending) {
            if (!paused.contains(delivery.link)) {
                wait = Math.min(wait, Math.max(0, delivery.dueNanos - now));
            }
        }
        return wait;
    }

    private void publishProgress(long cycleStartNanos, int delivered, Map<String, Boolean> streamsAtEnd) {
        Map<String, Integer> byLink = new TreeMap<>();
        for (Delivery delivery : pending) {
            byLink.merge(delivery.link.toString(), 1, Integer::sum);
        }
        List<String> pausedLinks = paused.stream().map(Link::toString).sorted().toList();
        progress = new ReplicationProgress(cycles, recordsRead, delivered, streamsAtEnd, byLink, pausedLinks);
        progressCycleStartNanos = cycleStartNanos;
    }

    private void onRecord(TableState table, String region, StampedRecord stamped) {
        Record record = stamped.record;
        Map<String, AttributeValue> key = Map.copyOf(record.dynamodb().keys());
        Map<String, AttributeValue> image = record.eventName() == OperationType.REMOVE
                || !record.dynamodb().hasNewImage() ? null : Map.copyOf(record.dynamodb().newImage());
        RegionItem item = new RegionItem(region, table.name, key);
        Echo echo = consumeEcho(item, image);
        if (echo != null) {
            Held current = held.get(item);
            if (current == null || current.version.compareTo(echo.version) < 0) {
                // A local write stamped before ours was applied before ours: the region holds ours.
                held.put(item, new Held(echo.version, echo.image));
            } else if (current.version.compareTo(echo.version) > 0 && !awaitsEcho(item, current.version)) {
                // A local write stamped after ours landed before ours; put the winner back. The key is item data:
                // not logged.
                LOG.debug("Repairing an item of {} in {} after a racing local write", table.name, region);
                write(item, current.version, current.image);
            }
            return;
        }
        Version version = new Version(stamped.stamp, region);
        held.put(item, new Held(version, image));
        long due = stamped.stamp + delay.toNanos();
        for (String target : table.cursors.keySet()) {
            if (!target.equals(region)) {
                pending.add(new Delivery(due, new Link(region, target), table.name, key, version, image));
            }
        }
    }

    /**
     * Whether the version the region holds is a write of ours whose stream record is still to come: then the region
     * stored it after the echo at hand, and a local write in between shows up in the stream before it (and is
     * repaired then). A burst of writes to one item replicated in order would otherwise cost one needless repair
     * write per intermediate version.
     */
    private boolean awaitsEcho(RegionItem item, Version version) {
        for (Echo echo : echoes.getOrDefault(item, List.of())) {
            if (echo.version.equals(version)) {
                return true;
            }
        }
        return false;
    }

    private Echo consumeEcho(RegionItem item, Map<String, AttributeValue> image) {
        List<Echo> expected = echoes.get(item);
        if (expected == null) {
            return null;
        }
        for (int i = 0; i < expected.size(); i++) {
            if (Objects.equals(expected.get(i).image, image)) {
                Echo match = expected.get(i);
                // Older expectations were no-op writes that produced no stream record.
                expected.subList(0, i + 1).clear();
                if (expected.isEmpty()) {
                    echoes.remove(item);
                }
                return match;
            }
        }
        return null;
    }

    private int deliverDue() {
        long now = System.nanoTime();
        int delivered = 0;
        for (Iterator<Delivery> it = pending.iterator(); it.hasNext(); ) {
            Delivery delivery = it.next();
            if (paused.contains(delivery.link) || delivery.dueNanos - now > 0) {
                continue;
            }
            it.remove();
            delivered++;
            deliver(delivery);
        }
        return delivered;
    }

    private void deliver(Delivery delivery) {
        RegionItem item = new RegionItem(delivery.link.to, delivery.table, delivery.key);
        Held current = held.get(item);
        if (current != null && current.version.compareTo(delivery.version) >= 0) {
            superseded++;
            LOG.debug("LWW: dropped {} write to {} in {}: {} holds a newer version", delivery.link.from,
                    delivery.table, delivery.link.to, delivery.link.to);
            return;
        }
        if (current != null && Objects.equals(current.image, delivery.image)) {
            held.put(item, new Held(delivery.version, delivery.image));
            return;
        }
        write(item, delivery.version, delivery.image);
    }

    private void write(RegionItem item, Version version, Map<String, AttributeValue> image) {
        DynamoDbClient client = direct.get(item.region);
        writes++;
        boolean changed;
        if (image == null) {
            DeleteItemResponse response = client.deleteItem(b -> b.tableName(item.table).key(item.key)
                    .returnValues(ReturnValue.ALL_OLD));
            changed = response.hasAttributes() && !response.attributes().isEmpty();
        } else {
            PutItemResponse response = client.putItem(b -> b.tableName(item.table).item(image)
                    .returnValues(ReturnValue.ALL_OLD));
            changed = !(response.hasAttributes() && image.equals(response.attributes()));
        }
        held.put(item, new Held(version, image));
        if (changed) {
            echoes.computeIfAbsent(item, k -> new ArrayList<>()).add(new Echo(version, image));
        }
    }

    /**
     * A write's stamp: the {@link System#nanoTime()} at which a read of its stream returned it (so at or after DynamoDB
     * Local applied it), made strictly increasing over every region and stream, so stamps never tie.
     */
    private long stamp() {
        return lastStamp.updateAndGet(last -> Math.max(last + 1, System.nanoTime()));
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("LocalRegions is closed");
        }
    }

    private record Link(String from, String to) implements Comparable<Link> {
        @Override
        public int compareTo(Link other) {
            int byFrom = from.compareTo(other.from);
            return byFrom != 0 ? byFrom : to.compareTo(other.to);
        }

        @Override
        public String toString() {
            return from + "->" + to;
        }
    }

    /** A write's position in LWW order: its stamp, then region name (never needed: stamps are unique). */
    private record Version(long stamp, String region) implements Comparable<Version> {
        @Override
        public int compareTo(Version other) {
            int byStamp = Long.compare(stamp, other.stamp);
            return byStamp != 0 ? byStamp : region.compareTo(other.region);
        }
    }

    private record RegionItem(String region, String table, Map<String, AttributeValue> key) {
    }

    /** The version (and content; null = deleted) a region holds for an item, as far as the replicator knows. */
    private record Held(Version version, Map<String, AttributeValue> image) {
    }

    private record Echo(Version version, Map<String, AttributeValue> image) {
    }

    /** A stream record and its write's stamp. */
    private record StampedRecord(Record record, long stamp) {
    }

    private record Delivery(long dueNanos, Link link, String table, Map<String, AttributeValue> key,
            Version version, Map<String, AttributeValue> image) {
    }

    private static final class TableState {
        private final String name;
        private final Map<String, StreamCursor> cursors = new LinkedHashMap<>();

        private TableState(String name) {
            this.name = name;
        }
    }

    /**
     * One table's stream in one region: where each shard was read to, and the records read (stamped, in stream order)
     * that the replicator has not taken yet. Guarded by itself: read by proxy threads and by the replicator.
     */
    private static final class StreamCursor {
        private static final int LIMIT = 1000;
        private final String table;
        private final String region;
        private final DynamoDbStreamsClient client;
        private final String streamArn;
        private final Map<String, ShardCursor> shards = new LinkedHashMap<>();
        private final List<StampedRecord> unread = new ArrayList<>();
        private volatile long lastDescribeNanos = System.nanoTime() - DESCRIBE_EVERY_NANOS - 1;

        private StreamCursor(String table, String region, DynamoDbStreamsClient client, String streamArn) {
            this.table = table;
            this.region = region;
            this.client = client;
            this.streamArn = streamArn;
        }

        /**
         * Reads every shard to its end and keeps the records, each stamped once the read that returned it is back.
         *
         * @return whether no shard had a record to read (or an iterator to renew)
         */
        synchronized boolean read(LongSupplier stamps) {
            if (shards.isEmpty()) {
                discoverShards();
            }
            boolean atEnd = true;
            for (ShardCursor shard : shards.values()) {
                while (!shard.finished) {
                    GetRecordsResponse response;
                    try {
                        if (shard.iterator == null) {
                            shard.iterator = iterator(shard);
                        }
                        String iterator = shard.iterator;
                        response = client.getRecords(b -> b.shardIterator(iterator).limit(LIMIT));
                    } catch (ExpiredIteratorException | TrimmedDataAccessException e) {
                        shard.iterator = null;
                        atEnd = false;
                        break;
                    }
                    for (Record record : response.records()) {
                        unread.add(new StampedRecord(record, stamps.getAsLong()));
                        shard.lastSequence = record.dynamodb().sequenceNumber();
                    }
                    atEnd &= response.records().isEmpty();
                    shard.iterator = response.nextShardIterator();
                    shard.finished = shard.iterator == null;
                    if (response.records().size() < LIMIT) {
                        break;
                    }
                }
            }
            return atEnd;
        }

        /** The records read and not taken yet, in stream order. */
        synchronized List<StampedRecord> take() {
            List<StampedRecord> taken = List.copyOf(unread);
            unread.clear();
            return taken;
        }

        synchronized void discoverShards() {
            String exclusiveStart = null;
            do {
                String start = exclusiveStart;
                DescribeStreamResponse response = client.describeStream(b -> b.streamArn(streamArn)
                        .exclusiveStartShardId(start));
                for (Shard shard : response.streamDescription().shards()) {
                    shards.computeIfAbsent(shard.shardId(), ShardCursor::new);
                }
                exclusiveStart = response.streamDescription().lastEvaluatedShardId();
            } while (exclusiveStart != null);
            lastDescribeNanos = System.nanoTime();
        }

        private String iterator(ShardCursor shard) {
            return client.getShardIterator(b -> {
                b.streamArn(streamArn).shardId(shard.shardId);
                if (shard.lastSequence == null) {
                    b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
                } else {
                    b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(shard.lastSequence);
                }
            }).shardIterator();
        }
    }

    private static final class ShardCursor {
        private final String shardId;
        private String iterator;
        private String lastSequence;
        private boolean finished;

        private ShardCursor(String shardId) {
            this.shardId = shardId;
        }
    }
}
