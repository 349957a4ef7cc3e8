package dev.meridian.dynamodb.lww;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Micrometer meters of {@link LwwWrites}; only loaded when a registry is configured (Micrometer is optional). */
final class LwwMetrics implements LwwWrites.SupersededListener {

    private final MeterRegistry registry;
    private final String region;

    LwwMetrics(MeterRegistry registry, String region) {
        this.registry = registry;
        this.region = region;
    }

    @Override
    public void superseded(String table) {
        Counter.builder("meridian.lww.superseded")
                .description("Last-writer-wins writes refused because the region held a newer write")
                .tag("region", region)
                .tag("table", table)
                .register(registry)
                .increment();
    }
}
