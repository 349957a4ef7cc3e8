package dev.meridian.core.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class RegionControlTest {
    private static final Region EU_WEST = Region.EU_WEST_1;
    private static final Region EU_CENTRAL = Region.EU_CENTRAL_1;
    private static final List<Region> REGIONS = List.of(EU_WEST, EU_CENTRAL);

    /** A source a test can flip and break, counting its reads. */
    static final class FlakySource implements RegionControlSource {
        final AtomicReference<RegionControlState> state = new AtomicReference<>(RegionControlState.empty());
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public RegionControlState read() {
            reads.incrementAndGet();
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
            return state.get();
        }
    }

    static final class Recorder implements ControlObserver {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void read(String source) {
            events.add("read " + source);
        }

        @Override
        public void failed(String source) {
            events.add("failed " + source);
        }

        @Override
        public void applied(Region region, Duration delay) {
            events.add("applied " + region.id() + " " + delay.toMillis());
        }
    }

    private final FlakySource source = new FlakySource();
    private final Recorder recorder = new Recorder();
    private final Instant now = Instant.parse("2026-01-01T00:00:10Z");
    private final RegionControl control = new RegionControl(ControlConfig.builder(source).build(), REGIONS,
            recorder, Clock.fixed(now, ZoneOffset.UTC));

    @Test
    void beforeAnyGoodReadEveryConfiguredRegionIsOn() {
        source.failure.set(new IllegalStateException("unreachable"));
        assertThat(control.refreshNow()).isFalse();
        assertThat(control.isOn(EU_WEST)).isTrue();
        assertThat(control.status().outage()).isTrue();
        assertThat(control.status().lastGoodRead()).isEmpty();
        assertThat(recorder.events).containsExactly("failed flaky");
    }

    @Test
    void anUnreachableSourceKeepsTheLastKnownStateAndShowsTheOutage() {
        source.state.set(RegionControlState.of(Map.of(EU_WEST, RegionControlEntry.of(ControlState.OFF))));
        assertThat(control.refreshNow()).isTrue();
        source.failure.set(new IllegalStateException("unreachable"));
        assertThat(control.refreshNow()).isFalse();
        assertThat(control.refreshNow()).isFalse();
        assertThat(control.isOn(EU_WEST)).isFalse();
        assertThat(control.isOn(EU_CENTRAL)).isTrue();
        ControlStatus status = control.status();
        assertThat(status.outage()).isTrue();
        assertThat(status.lastFailure()).hasValueSatisfying(f -> assertThat(f).contains("unreachable"));
        assertThat(status.lastGoodRead()).contains(now);
        assertThat(recorder.events).containsExactly("read flaky", "failed flaky", "failed flaky");
        source.failure.set(null);
        assertThat(control.refreshNow()).isTrue();
        assertThat(control.status().outage()).isFalse();
    }

    @Test
    void aChangeIsMeteredFromItsUpdatedAtToItsFirstEffectOnce() {
        assertThat(control.refreshNow()).isTrue();
        source.state.set(RegionControlState.of(Map.of(EU_WEST, RegionControlEntry.of(ControlState.OFF, null,
                now.minusMillis(1500), "ops", 2))));
        control.refreshNow();
        control.refreshNow();
        assertThat(recorder.events).containsExactly("read flaky", "read flaky", "applied eu-west-1 1500",
                "read flaky");
    }

    @Test
    void thePollerReadsEveryIntervalUntilClosed() {
        RegionControl polled = new RegionControl(ControlConfig.builder(source).pollInterval(Duration.ofMillis(20))
                .build(), REGIONS, recorder, Clock.systemUTC());
        polled.start();
        source.state.set(RegionControlState.of(Map.of(EU_CENTRAL, RegionControlEntry.of(ControlState.OFF))));
        await().atMost(Duration.ofSeconds(10)).until(() -> !polled.isOn(EU_CENTRAL) && source.reads.get() >= 3);
        polled.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("meridian-control")));
    }

    @Test
    void aRegionFoundOffBringsTheNextReadForward() {
        RegionControl slow = new RegionControl(ControlConfig.builder(source).pollInterval(Duration.ofSeconds(600))
                .build(), REGIONS, recorder, Clock.systemUTC());
        source.state.set(RegionControlState.of(Map.of(EU_WEST, RegionControlEntry.of(ControlState.OFF))));
        try {
            slow.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> !slow.isOn(EU_WEST)
                    && slow.nextReadDelayNanos() > Duration.ofSeconds(400).toNanos());
            slow.refreshSoon();
            // Brought forward to half an interval after the last read, not made at once.
            assertThat(slow.nextReadDelayNanos()).isBetween(Duration.ofSeconds(200).toNanos(),
                    Duration.ofSeconds(300).toNanos());
            assertThat(source.reads.get()).isEqualTo(1);
            slow.refreshSoon();
            assertThat(slow.nextReadDelayNanos()).isLessThanOrEqualTo(Duration.ofSeconds(300).toNanos());
        } finally {
            slow.close();
        }
    }
}
