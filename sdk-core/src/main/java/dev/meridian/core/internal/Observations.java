package dev.meridian.core.internal;

import static org.apiguardian.api.API.Status.INTERNAL;

import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Internal seam between Meridian and the Micrometer Observation API, kept apart from {@link Metrics} because an
 * application may give an observation registry without a meter registry (or the other way round). Only
 * {@link MicrometerObservations} references {@code io.micrometer.observation} types, and it is loaded only when an
 * observation registry was given; {@link #none()} allocates nothing. Not part of the public API. Implementations are
 * thread-safe.
 */
@API(status = INTERNAL, since = "0.1")
public interface Observations {

    /** Name of the observation of one regional attempt. */
    String NAME = "meridian.call";

    /**
     * The calling thread's current observation, taken when a routed call starts to be the parent of all its attempts
     * (see {@link #start}). Null when there is none or nothing is observed.
     */
    Object current();

    /**
     * Starts the observation of one attempt of {@code operation} in {@code region}, the {@code attempt}-th (1-based)
     * of its call, as a child of {@code parent} (a {@link #current()} of the call; null: no parent), whatever thread
     * starts it; the handle goes to {@link #stop}. Null when nothing is observed.
     */
    Object start(Object parent, Region region, String operation, int attempt);

    /**
     * Ends the attempt observed by {@code handle} (null: nothing to do) with one of {@link Metrics}' outcome tags,
     * recording {@code error} when it is not null.
     */
    void stop(Object handle, String outcome, Throwable error);

    /** Observes nothing. */
    static Observations none() {
        return NoopObservations.INSTANCE;
    }

    /**
     * Observations in {@code observationRegistry} (an {@code io.micrometer.observation.ObservationRegistry}), or
     * {@link #none()} when it is {@code null}.
     */
    static Observations forRegistry(Object observationRegistry) {
        return observationRegistry == null ? NoopObservations.INSTANCE
                : MicrometerObservations.create(observationRegistry);
    }
}
