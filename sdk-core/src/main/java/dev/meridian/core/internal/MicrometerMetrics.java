package dev.meridian.core.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;

/**
 * Micrometer-backed {@link Metrics}; meters are cached per tag combination so the hot path only does map lookups
 * (per region and operation for the per-attempt meters, which build no key string).
 */
final class MicrometerMetrics implements Metrics {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Region, ConcurrentHashMap<String, CallMeters>> calls = new ConcurrentHashMap<>();

    private MicrometerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    static Metrics create(Object registry) {
        SettingRules.check(registry instanceof MeterRegistry, "MultiRegion.meterRegistry",
                "must be an io.micrometer.core.instrument.MeterRegistry", registry.getClass().getName(),
                "pass the application's Micrometer registry");
        return new MicrometerMetrics((MeterRegistry) registry);
    }

    @Override
    public void call(Region region, String operation, String outcome, long nanos) {
        CallMeters m = callMeters(region, operation);
        m.outcome(outcome).increment();
        m.latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The meters of one region and operation. Looked up by the region, then the operation name, with plain gets: this
     * runs for every attempt, and a key string built per call (or a capturing mapping function) would allocate on
     * every one; the pairs in use are few and stable.
     */
    private CallMeters callMeters(Region region, String operation) {
        ConcurrentHashMap<String, CallMeters> byOperation = calls.get(region);
        if (byOperation == null) {
            byOperation = calls.computeIfAbsent(region, r -> new ConcurrentHashMap<>());
        }
        CallMeters m = byOperation.get(operation);
        if (m == null) {
            m = byOperation.computeIfAbsent(operation, op -> new CallMeters(region.id(), op));
        }
        return m;
    }

    /** {@code meridian.calls} per outcome and {@code meridian.call.latency} of one region and operation. */
    private final class CallMeters {
        private final String region;
        private final String operation;
        private final Timer latency;
        private final ConcurrentHashMap<String, Counter> outcomes = new ConcurrentHashMap<>(4);

        CallMeters(String region, String operation) {
            this.region = region;
            this.operation = operation;
            this.latency = Timer.builder("meridian.call.latency")
                    .description("Attempt latency per region and operation")
                    .tag("region", region).tag("operation", operation).register(registry);
        }

        Counter outcome(String outcome) {
            Counter c = outcomes.get(outcome);
            if (c == null) {
                c = outcomes.computeIfAbsent(outcome, o -> Counter.builder("meridian.calls")
                        .description("Attempts per region, operation and outcome")
                        .tag("region", region).tag("operation", operation).tag("outcome", o).register(registry));
            }
            return c;
        }
    }

    @Override
    public void failover(Region from, Region to, String operation) {
        counter("failover|" + from.id() + '|' + to.id() + '|' + operation, "meridian.failover",
                "Moves of a call to the next region (region: the one it left)", "region", from.id(), "from", from.id(),
                "to", to.id(), "operation", operation)
                .increment();
    }

    @Override
    public void hedgeSent(Region region) {
        counter("hedge.sent|" + region.id(), "meridian.hedge.sent", "Hedged reads sent", "region", region.id())
                .increment();
    }

    @Override
    public void hedgeWon(Region region) {
        counter("hedge.won|" + region.id(), "meridian.hedge.won", "Hedged reads that answered first", "region",
                region.id()).increment();
    }

    @Override
    public void hedgeCancelled(Region region) {
        counter("hedge.cancelled|" + region.id(), "meridian.hedge.cancelled", "Hedge losers cancelled", "region",
                region.id()).increment();
    }

    @Override
    public void hedgeRefused(Region region) {
        counter("hedge.refused|" + region.id(), "meridian.hedge.refused",
                "Reads that ended without their hedge because the hedge budget had no token left", "region", region.id()).increment();
    }

    @Override
    public void hedgeRetried(Region region, String outcome) {
        counter("hedge.retried|" + region.id() + '|' + outcome, "meridian.hedge.retried",
                "Hedges the budget had refused, sent later: a token came free (budget) or the first region was given "
                        + "up on (failover)", "region", region.id(), "outcome", outcome).increment();
    }

    @Override
    public void hedgeBudget(Supplier<Number> tokens) {
        Gauge.builder("meridian.hedge.budget", tokens)
                .description("Hedges the hedge budget would let out at once now (tokens left)").register(registry);
    }

    @Override
    public void processStall(Region region) {
        counter("process.stall|" + region.id(), "meridian.process.stall",
                "Timed-out attempts not held against their region: the process was stalled during them", "region",
                region.id()).increment();
    }

    @Override
    public void regionSuspicion(Region region, String outcome) {
        counter("suspicion|" + region.id() + '|' + outcome, "meridian.region.suspicion",
                "Regions made suspect by hedge losers left unanswered, and suspicions cleared by a trial answered in time",
                "region", region.id(), "outcome", outcome).increment();
    }

    @Override
    public void residencyRefused(String dataClass, String jurisdiction) {
        counter("residency|" + dataClass + '|' + jurisdiction, "meridian.residency.refused",
                "Calls refused because no allowed region could serve them", "data_class", dataClass,
                "jurisdiction", jurisdiction).increment();
    }

    @Override
    public void breakerTransition(Region region, String from, String to) {
        counter("breaker|" + region.id() + '|' + from + '|' + to, "meridian.breaker.transitions",
                "Circuit breaker state transitions", "region", region.id(), "from", from, "to", to).increment();
    }

    @Override
    public void breakerState(Region region, Supplier<Number> state) {
        Gauge.builder("meridian.breaker.state", state)
                .description("Circuit breaker state: 0 closed, 1 open, 2 half-open, 3 disabled, 4 forced open,"
                        + " 5 metrics only")
                .tag("region", region.id()).register(registry);
    }

    @Override
    public void controlRead(String source) {
        counter("control.reads|" + source, "meridian.control.reads", "Successful reads of the region control source",
                "source", source).increment();
    }

    @Override
    public void controlFailure(String source) {
        counter("control.failures|" + source, "meridian.control.failures",
                "Failed reads of the region control source (the last known state stays in force)", "source", source)
                .increment();
    }

    @Override
    public void controlApplied(Region region, long nanos) {
        timers.computeIfAbsent("control.propagation|" + region.id(), k -> Timer.builder("meridian.control.propagation")
                .description("Time from a region control change (its updatedAt) to its first effect in this process")
                .tag("region", region.id()).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void controlState(Region region, Supplier<Number> state) {
        Gauge.builder("meridian.control.state", state).description("Region control state in force: 1 ON, 0 OFF")
                .tag("region", region.id()).register(registry);
    }

    @Override
    public void controlAge(String source, Supplier<Number> seconds) {
        Gauge.builder("meridian.control.age", seconds).baseUnit("seconds")
                .description("Seconds since the region control source last answered (NaN before its first answer)")
                .tag("source", source).register(registry);
    }

    private Counter counter(String key, String name, String description, String... tags) {
        return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags)
                .register(registry));
    }
}
