package dev.meridian.dynamodb.saga;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/** Micrometer meters of {@link Sagas}; only loaded when a registry exists (Micrometer is optional). */
final class SagaMetrics implements Sagas.OutcomeListener {

    private final MeterRegistry registry;
    private final String region;

    SagaMetrics(MeterRegistry registry, String region) {
        this.registry = registry;
        this.region = region;
    }

    @Override
    public void outcome(String saga, SagaState state) {
        Counter.builder("meridian.saga.outcomes")
                .description("Sagas that ended a run completed, compensated, or failed (a compensation failed)")
                .tag("region", region)
                .tag("saga", saga)
                .tag("outcome", state.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }
}
