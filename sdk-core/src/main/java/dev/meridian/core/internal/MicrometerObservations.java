package dev.meridian.core.internal;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import software.amazon.awssdk.regions.Region;

/**
 * {@link Observations} backed by a Micrometer {@link ObservationRegistry}: one {@link Observation} per attempt with
 * the low-cardinality key values {@code region}, {@code operation}, {@code attempt} and {@code outcome}, a child of
 * the observation current where its call started.
 */
final class MicrometerObservations implements Observations {
    /** Attempts are bounded by maxRegionsPerCall (at most 100): their numbers are low-cardinality. */
    private static final String[] ATTEMPTS = new String[101];

    static {
        for (int i = 0; i < ATTEMPTS.length; i++) {
            ATTEMPTS[i] = Integer.toString(i);
        }
    }

    private final ObservationRegistry registry;

    private MicrometerObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    static Observations create(Object registry) {
        if (!(registry instanceof ObservationRegistry)) {
            throw new IllegalArgumentException("observation registry must be an"
                    + " io.micrometer.observation.ObservationRegistry but was " + registry.getClass().getName());
        }
        return new MicrometerObservations((ObservationRegistry) registry);
    }

    @Override
    public Object current() {
        return registry.isNoop() ? null : registry.getCurrentObservation();
    }

    @Override
    public Object start(Object parent, Region region, String operation, int attempt) {
        if (registry.isNoop()) {
            return null; // no handler: skip building key values nobody reads
        }
        // Set even when null: the starting thread's own current observation (a hedge or completion thread's) is not
        // the call's.
        return Observation.createNotStarted(NAME, registry)
                .parentObservation((Observation) parent)
                .contextualName(operation + ' ' + region.id())
                .lowCardinalityKeyValue(KeyValue.of("region", region.id()))
                .lowCardinalityKeyValue(KeyValue.of("operation", operation))
                .lowCardinalityKeyValue(KeyValue.of("attempt",
                        attempt >= 0 && attempt < ATTEMPTS.length ? ATTEMPTS[attempt] : Integer.toString(attempt)))
                .start();
    }

    @Override
    public void stop(Object handle, String outcome, Throwable error) {
        if (handle == null) {
            return;
        }
        Observation o = (Observation) handle;
        o.lowCardinalityKeyValue(KeyValue.of("outcome", outcome));
        if (error != null) {
            o.error(error);
        }
        o.stop();
    }
}
