package dev.meridian.dynamodb.flags;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import software.amazon.awssdk.regions.Region;

/** {@link Flags}' Micrometer meters; only loaded when a registry is configured (Micrometer is optional). */
final class MicrometerFlagsMeters implements FlagsMeters {
    private final MeterRegistry registry;
    private final String localRegion;
    /** Evaluation counters by flag and outcome, looked up once: an evaluation is on the application's hot path. */
    private final Map<String, Counter> evaluations = new ConcurrentHashMap<>();
    private final Set<Meter> registered = ConcurrentHashMap.newKeySet();

    private MicrometerFlagsMeters(MeterRegistry registry, Region localRegion, DoubleSupplier ageSeconds) {
        this.registry = registry;
        this.localRegion = localRegion.id();
        registered.add(Gauge.builder("meridian.flags.read.age", ageSeconds, DoubleSupplier::getAsDouble)
                .description("Time since the flags were last read from the control table (NaN before the first read)")
                .baseUnit("seconds")
                .tag("region", this.localRegion)
                .strongReference(true)
                .register(registry));
    }

    /** Typed {@code Object} so that callers load no Micrometer class unless a registry was given. */
    static FlagsMeters create(Object registry, Region localRegion, DoubleSupplier ageSeconds) {
        return new MicrometerFlagsMeters((MeterRegistry) registry, localRegion, ageSeconds);
    }

    @Override
    public void evaluated(String flag, boolean known, boolean enabled) {
        String outcome = !known ? "unknown" : enabled ? "on" : "off";
        evaluations.computeIfAbsent(flag + '\n' + outcome, k -> track(Counter.builder("meridian.flags.evaluations")
                .description("Flag evaluations by outcome (unknown: the flag is not in the control table)")
                .tag("region", localRegion)
                .tag("flag", flag)
                .tag("outcome", outcome)
                .register(registry))).increment();
    }

    @Override
    public void read(Region region, boolean succeeded) {
        String name = succeeded ? "meridian.flags.reads" : "meridian.flags.read.failures";
        track(Counter.builder(name)
                .description(succeeded ? "Successful reads of the flags from the control table"
                        : "Failed reads of the flags from the control table (the next region is tried)")
                .tag("region", region.id())
                .register(registry)).increment();
    }

    @Override
    public void close() {
        registered.forEach(registry::remove);
        registered.clear();
    }

    private <M extends Meter> M track(M meter) {
        registered.add(meter);
        return meter;
    }
}
