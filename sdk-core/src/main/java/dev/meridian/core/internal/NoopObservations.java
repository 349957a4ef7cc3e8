package dev.meridian.core.internal;

import software.amazon.awssdk.regions.Region;

/** Observes nothing and allocates nothing: used when no observation registry is given. */
final class NoopObservations implements Observations {
    static final NoopObservations INSTANCE = new NoopObservations();

    private NoopObservations() {
    }

    @Override
    public Object current() {
        return null;
    }

    @Override
    public Object start(Object parent, Region region, String operation, int attempt) {
        return null;
    }

    @Override
    public void stop(Object handle, String outcome, Throwable error) {
    }
}
