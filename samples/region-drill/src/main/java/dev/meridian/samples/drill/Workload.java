package dev.meridian.samples.drill;

import dev.meridian.aurora.datasource.WriterUnavailableException;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.idempotency.Idempotency;
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
 * execution, which Meridian's idempotency must prevent. Thread-safe.
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
    private volatile PhaseStats phase;
    private volatile boolean running;

    Workload(DynamoDbClient dynamo, Idempotency idempotency, LwwWrites lww, JdbcWorkload jdbc,
            DrillSettings settings) {
        this.dynamo = dynamo;
        this.jdbc = jdbc;
        this.idempotency = idempotency;
        this.lww = lww;
        this.settings = settings;
    }

    void start(PhaseStats first) {
        phase = first;
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

    /** Subsequent calls are recorded in {@code next}. */
    void phase(PhaseStats next) {
        phase = next;
    }

    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join();
        }
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
        PhaseStats stats = phase;
        Call call = Call.of(random.nextInt(100));
        long start = System.nanoTime();
        try {
            switch (call) {
                case READ -> readOrder(random);
                case PLACE_ORDER -> placeOrder(random);
                case LWW_STOCK -> updateStock(stats, random);
                case RESTRICTED -> restrictedCustomer(random);
                case JDBC_READ -> jdbc.read();
                case JDBC_WRITE -> jdbc.write();
                case JDBC_RESTRICTED -> jdbc.restrictedRead(random.nextInt(JdbcWorkload.PROFILES));
            }
            stats.succeeded(System.nanoTime() - start);
        } catch (ResidencyViolationException e) {
            stats.refused(System.nanoTime() - start);
        } catch (NoRegionAvailableException e) {
            if (call == Call.RESTRICTED) {
                // Every region the data may live in is down: Meridian holds it there rather than move it.
                stats.held(System.nanoTime() - start, "restricted: every region its jurisdiction allows is down");
            } else if (call == Call.PLACE_ORDER) {
                // STRICT idempotency: the key's home region is unavailable (the store says so in its own type, also
                // before the region's breaker opens); nothing executed.
                stats.held(System.nanoTime() - start, "place-order: idempotency key's home region down (STRICT)");
            } else {
                stats.failed(System.nanoTime() - start, call.label, e);
            }
        } catch (SQLException e) {
            if (call == Call.JDBC_WRITE && writerUnreachable(e)) {
                // The caller's retries with the same key spanned the switchover's writer gap; it keeps the key.
                stats.held(System.nanoTime() - start, "jdbc-write: Aurora writer unreachable (switchover), key kept");
            } else {
                stats.failed(System.nanoTime() - start, call.label, e);
            }
        } catch (RuntimeException e) {
            if (call == Call.RESTRICTED && FailureClassifier.aws().classify(e).isRegional()) {
                // The same hold before the breakers of those regions open: the last allowed region's own failure.
                stats.held(System.nanoTime() - start, "restricted: every region its jurisdiction allows is down");
            } else {
                stats.failed(System.nanoTime() - start, call.label, e);
            }
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
            first = place(requestId, payload);
        }
        if (random.nextInt(100) < 30) {
            callerRetries.increment(); // a retry after a lost response: must be replayed, not executed again
            String replayed = place(requestId, payload);
            if (!replayed.equals(first)) {
                throw new IllegalStateException("Replay of " + requestId + " returned a different result");
            }
        }
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

    private void updateStock(PhaseStats stats, Random random) {
        String sku = "sku-" + random.nextInt(HOT_SKUS);
        LwwResult result = lww.put(PutItemRequest.builder().tableName(STOCK).item(Map.of(
                "pk", AttributeValue.fromS(sku),
                "quantity", AttributeValue.fromN(Integer.toString(random.nextInt(100))))).build());
        if (!result.applied()) {
            stats.superseded.increment();
        }
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
