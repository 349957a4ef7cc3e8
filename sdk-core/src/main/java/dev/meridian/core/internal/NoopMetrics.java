package dev.meridian.core.internal;

import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;

/** Records nothing; used when no meter registry is configured. */
final class NoopMetrics implements Metrics {
    static final NoopMetrics INSTANCE = new NoopMetrics();

    private NoopMetrics() {
    }

    @Override
    public void call(Region region, String operation, String outcome, long nanos) {
    }

    @Override
    public void failover(Region from, Region to, String operation) {
    }

    @Override
    public void hedgeSent(Region region) {
    }

    @Override
    public void hedgeWon(Region region) {
    }

    @Override
    public void hedgeCancelled(Region region) {
    }

    @Override
    public void processStall(Region region) {
    }

    @Override
    public void residencyRefused(String dataClass, String jurisdiction) {
    }

    @Override
    public void breakerTransition(Region region, String from, String to) {
    }

    @Override
    public void breakerState(Region region, Supplier<Number> state) {
    }
}
