package dev.meridian.samples.drill;

import dev.meridian.aurora.datasource.WriterUnavailableException;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.ResultCodec;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.lww.LwwResult;
import dev.meridian.dynamodb.lww.LwwWrites;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * The application traffic: a few paced worker threads calling the multi-region client, as a service would.
 * The mix: 30 % DynamoDB order reads, 20 % idempotent "place order" requests (30 % of them retried by the caller with
 * the same idempotency key, as after a lost response), 15 % last-writer-wins stock updates on a few hot keys (so
 * writes race and some are superseded), 10 % RESTRICTED customer data of German subjects (EU-only table), and through
 * JDBC ({@link JdbcWorkload}) 12 % read-only transactions, 8 % keyed writes and 5 % RESTRICTED reads.
 *
 * <p>Side effects of "place order" are counted per idempotency key: more than one for a key is a duplicate
 * execution, which Meridian's idempotency must prevent.
 *
 * <p>A call counts in the phase it <em>ended</em> in: its outcome is recorded under one lock with the running
 * {@link Totals}, and {@link #phase(PhaseStats)} switches phases under the same lock, so the totals read at a switch
 * split the calls exactly between the phases. Thread-safe.
 */
final class Workload {
    static final String ORDERS = "orders";
    static final String STOCK = "stock";
    static final String EU_CUSTOMERS = "eu_customers";
    static final String IDEMPOTENCY = "idempotency";
    private static final int HOT_SKUS = 20;
    private static final int CUSTOMERS = 50;

    private final DynamoDbClient dynamo;
    private final Idempotency idempotency;
    private final LwwWrites lww;
    private final JdbcWorkload jdbc;
    private final DrillSettings settings;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, AtomicInteger> sideEffects = new ConcurrentHashMap<>();
    private final AtomicLong requestSeq = new AtomicLong();
    private final AtomicReferenceArray<String> recentOrders = new AtomicReferenceArray<>(512);
    private final AtomicLong ordersPlaced = new AtomicLong();
    final LongAdder idempotentRequests = new LongAdder();
    final LongAdder callerRetries = new LongAdder();
    private final Object recording = new Object();
    private PhaseStats phase;
    private Totals totals = Totals.NONE;
    private volatile boolean running;

    /**
     * Calls ended since the workload started, by outcome (cumulative). Immutable.
     *
     * @param calls   every call
     * @param errors  of which failed with an application-visible error
     * @param refused of which refused by residency (RESTRICTED, no allowed region healthy)
     * @param held    of which kept by the application for later (nothing executed, key kept)
     */
    record Totals(long calls, long errors, long refused, long held) {
        static final Totals NONE = new Totals(0, 0, 0, 0);
    }

    Workload(DynamoDbClient dynamo, Idempotency idempotency, LwwWrites lww, JdbcWorkload jdbc,
            DrillSettings settings) {
        this.dynamo = dynamo;
        this.jdbc = jdbc;
        this.idempotency = idempotency;
        this.lww = lww;
        this.settings = settings;
    }

    void start(PhaseStats first) {
        synchronized (recording) {
            phase = first;
        }
        running = true;
        long interval = Math.round(settings.workers() * 1e9 / settings.opsPerSecond());
        for (int i = 0; i < settings.workers(); i++) {
            Random random = new Random(settings.seed() + i);
            long offset = interval * i / settings.workers();
            Thread t = new Thread(() -> loop(random, interval, offset), "drill-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Calls ending from now on are recorded in {@code next}; returns the totals of the calls ended before. */
    Totals phase(PhaseStats next) {
        synchronized (recording) {
            phase = next;
            return totals;
        }
    }

    /** The calls ended so far. */
    Totals totals() {
        synchronized (recording) {
            return totals;
        }
    }

    /** Stops issuing calls and waits for the calls under way to end; returns the totals of every call. */
    Totals stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join();
        }
        return totals();
    }

    /** Keys whose side effect ran more than once, summed as extra executions. */
    long duplicateExecutions() {
        return sideEffects.values().stream().mapToLong(c -> Math.max(0, c.get() - 1)).sum();
    }

    long sideEffectCount() {
        return sideEffects.values().stream().mapToLong(AtomicInteger::get).sum();
    }

    private void loop(Random random, long interval, long offset) {
        long next = System.nanoTime() + offset;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            runOne(random);
            next += interval;
            long now = System.nanoTime();
            if (now - next > interval) {
                next = now; // behind schedule (slow region): do not burst to catch up
            }
        }
    }

    /** The kinds of call in the mix, each with its share of the traffic in percent (they add up to 100). */
    private enum Call {
        READ("read", 30), PLACE_ORDER("place-order", 20), LWW_STOCK("lww-stock", 15), RESTRICTED("restricted", 10),
        JDBC_READ("jdbc-read", 12), JDBC_WRITE("jdbc-write", 8), JDBC_RESTRICTED("jdbc-restricted", 5);

        final String label;
        final int percent;

        Call(String label, int percent) {
            this.label = label;
            this.percent = percent;
        }

        /** The call for a roll of 0..99. */
        static Call of(int roll) {
            int upTo = 0;
            for (Call c : values()) {
                upTo += c.percent;
                if (roll < upTo) {
                    return c;
                }
            }
            throw new IllegalArgumentException("roll must be in 0..99 but was " + roll);
        }
    }

    private void runOne(Random random) {
        Call call = Call.of(random.nextInt(100));
        long start = System.nanoTime();
        Outcome outcome;
        try {
            boolean superseded = false;
            switch (call) {
                case READ -> readOrder(random);
                case PLACE_ORDER -> placeOrder(random);
                case LWW_STOCK -> superseded = !updateStock(random);
                case RESTRICTED -> restrictedCustomer(random);
                case JDBC_READ -> jdbc.read();
                case JDBC_WRITE -> jdbc.write();
                case JDBC_RESTRICTED -> jdbc.restrictedRead(random.nextInt(JdbcWorkload.PROFILES));
            }
            outcome = superseded ? Outcome.SUPERSEDED : Outcome.SUCCEEDED;
        } catch (ResidencyViolationException e) {
            outcome = Outcome.refused();
        } catch (InProgressHeld e) {
            outcome = Outcome.held("place-order: first attempt's outcome unknown (" + e.getMessage()
                    + "), same-key retry refused while its claim is kept (IdempotencyInProgressException); key kept");
        } catch (NoRegionAvailableException e) {
            if (call == Call.RESTRICTED) {
                // Every region the data may live in is down: Meridian holds it there rather than move it.
                outcome = Outcome.held("restricted: every region its jurisdiction allows is down");
            } else if (call == Call.PLACE_ORDER) {
                // STRICT idempotency: the key's home region is unavailable (the store says so in its own type, also
                // before the region's breaker opens); nothing executed.
                outcome = Outcome.held("place-order: idempotency key's home region down (STRICT)");
            } else {
                outcome = Outcome.failed(call.label, e);
            }
        } catch (SQLException e) {
            if (call == Call.JDBC_WRITE && writerUnreachable(e)) {
                // The caller's retries with the same key spanned the switchover's writer gap; it keeps the key.
                outcome = Outcome.held("jdbc-write: Aurora writer unreachable (switchover), key kept");
            } else {
                outcome = Outcome.failed(call.label, e);
            }
        } catch (RuntimeException e) {
            if (call == Call.RESTRICTED && FailureClassifier.aws().classify(e).isRegional()) {
                // The same hold before the breakers of those regions open: the last allowed region's own failure.
                outcome = Outcome.held("restricted: every region its jurisdiction allows is down");
            } else {
                outcome = Outcome.failed(call.label, e);
            }
        }
        record(outcome, System.nanoTime() - start);
    }

    /** How a call ended; {@code reason} for a held call, {@code operation} and {@code error} for a failed one. */
    private record Outcome(Kind kind, String reason, String operation, Throwable error) {
        enum Kind { SUCCEEDED, SUPERSEDED, REFUSED, HELD, FAILED }

        static final Outcome SUCCEEDED = new Outcome(Kind.SUCCEEDED, null, null, null);
        static final Outcome SUPERSEDED = new Outcome(Kind.SUPERSEDED, null, null, null);

        static Outcome refused() {
            return new Outcome(Kind.REFUSED, null, null, null);
        }

        static Outcome held(String reason) {
            return new Outcome(Kind.HELD, reason, null, null);
        }

        static Outcome failed(String operation, Throwable error) {
            return new Outcome(Kind.FAILED, null, operation, error);
        }
    }

    private void record(Outcome outcome, long nanos) {
        synchronized (recording) {
            Totals t = totals;
            switch (outcome.kind()) {
                case SUCCEEDED -> phase.succeeded(nanos);
                case SUPERSEDED -> {
                    phase.succeeded(nanos);
                    phase.superseded.increment();
                }
                case REFUSED -> phase.refused(nanos);
                case HELD -> phase.held(nanos, outcome.reason());
                case FAILED -> phase.failed(nanos, outcome.operation(), outcome.error());
            }
            totals = new Totals(t.calls() + 1, t.errors() + (outcome.kind() == Outcome.Kind.FAILED ? 1 : 0),
                    t.refused() + (outcome.kind() == Outcome.Kind.REFUSED ? 1 : 0),
                    t.held() + (outcome.kind() == Outcome.Kind.HELD ? 1 : 0));
        }
    }

    /** A connection-level failure (SQLState class 08, or the server shutting down: 57P01-57P03). */
    private static boolean writerUnreachable(SQLException e) {
        String state = e.getSQLState();
        return e instanceof WriterUnavailableException
                || (state != null && (state.startsWith("08") || state.startsWith("57P")));
    }

    private void readOrder(Random random) {
        long placed = ordersPlaced.get();
        if (placed == 0) {
            placeOrder(random);
            return;
        }
        String orderId = recentOrders.get((int) (random.nextInt((int) Math.min(placed, recentOrders.length()))));
        if (orderId != null) {
            dynamo.getItem(g -> g.tableName(ORDERS).key(Map.of("pk", AttributeValue.fromS(orderId))));
        }
    }

    private void placeOrder(Random random) {
        String requestId = "req-" + requestSeq.incrementAndGet();
        String payload = requestId + "|" + random.nextInt(1_000);
        idempotentRequests.increment();
        String first;
        try {
            first = place(requestId, payload);
        } catch (RuntimeException e) {
            callerRetries.increment(); // the caller retries a failed request with the same key
            try {
                first = place(requestId, payload);
            } catch (IdempotencyInProgressException inProgress) {
                // The first attempt has ended but may have applied its effect (a timeout after the request was sent):
                // the store keeps its claim and runs nothing under the key until the in-progress expiry. A client
                // keeps the key and retries after that; waiting for a stored result would be in vain.
                InProgressHeld held = new InProgressHeld(chain(e));
                held.addSuppressed(inProgress);
                throw held;
            }
        }
        if (random.nextInt(100) < 30) {
            callerRetries.increment(); // a retry after a lost response: must be replayed, not executed again
            String replayed = place(requestId, payload);
            if (!replayed.equals(first)) {
                throw new IllegalStateException("Replay of " + requestId + " returned a different result");
            }
        }
    }

    /** A "place order" whose same-key retry found the first attempt's claim kept; the message names its failure. */
    private static final class InProgressHeld extends RuntimeException {
        InProgressHeld(String firstFailure) {
            super(firstFailure);
        }
    }

    /** The simple names of a failure and its causes, e.g. "SdkClientException <- ApiCallAttemptTimeoutException". */
    private static String chain(Throwable error) {
        StringBuilder names = new StringBuilder();
        for (Throwable t = error; t != null && names.length() < 200; t = t.getCause() == t ? null : t.getCause()) {
            names.append(names.length() == 0 ? "" : " <- ").append(t.getClass().getSimpleName());
        }
        return names.toString();
    }

    private String place(String requestId, String payload) {
        try (RoutingContext.Scope s = RoutingContext.builder().idempotencyKey(requestId).open()) {
            return idempotency.execute(requestId, payload, () -> {
                String orderId = "order-" + requestId.substring(4);
                dynamo.putItem(p -> p.tableName(ORDERS).item(Map.of(
                        "pk", AttributeValue.fromS(orderId),
                        "request", AttributeValue.fromS(requestId),
                        "status", AttributeValue.fromS("PLACED"))));
                sideEffects.computeIfAbsent(requestId, k -> new AtomicInteger()).incrementAndGet();
                long n = ordersPlaced.getAndIncrement();
                recentOrders.set((int) (n % recentOrders.length()), orderId);
                return orderId;
            }, ResultCodec.string());
        }
    }

    /** Whether the write was applied (false: superseded by a newer one). */
    private boolean updateStock(Random random) {
        String sku = "sku-" + random.nextInt(HOT_SKUS);
        LwwResult result = lww.put(PutItemRequest.builder().tableName(STOCK).item(Map.of(
                "pk", AttributeValue.fromS(sku),
                "quantity", AttributeValue.fromN(Integer.toString(random.nextInt(100))))).build());
        return result.applied();
    }

    private void restrictedCustomer(Random random) {
        String customer = "de-customer-" + random.nextInt(CUSTOMERS);
        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                .open()) {
            if (random.nextBoolean()) {
                dynamo.putItem(p -> p.tableName(EU_CUSTOMERS).item(Map.of(
                        "pk", AttributeValue.fromS(customer),
                        "name", AttributeValue.fromS("Kundin " + customer.substring(12)))));
            } else {
                dynamo.getItem(g -> g.tableName(EU_CUSTOMERS).key(Map.of("pk", AttributeValue.fromS(customer))));
            }
        }
    }
}
