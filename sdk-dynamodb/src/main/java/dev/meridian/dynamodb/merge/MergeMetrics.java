package dev.meridian.dynamodb.merge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Micrometer meters of {@link MergeableItems}; only loaded when a registry is configured (Micrometer is optional). */
final class MergeMetrics implements MergeableItems.ConflictListener {

    private final MeterRegistry registry;
    private final String region;

    MergeMetrics(MeterRegistry registry, String region) {
        this.registry = registry;
        this.region = region;
    }

    @Override
    public void conflict(String table) {
        Counter.builder("meridian.merge.conflicts")
                .description("Mergeable-item writes that lost to a concurrent writer of the region's item and merged again")
                .tag("region", region)
                .tag("table", table)
                .register(registry)
                .increment();
    }
}
