package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * The bounded-staleness rule of {@link LagMonitor}, on a fake monotonic clock: a reader may be as far behind as its
 * last measured lag plus the age of that measurement, counted from before the probe was sent.
 */
class LagMonitorTest {
    private static final Region REGION = Region.EU_WEST_1;
    private static final Connection CONNECTION = (Connection) Proxy.newProxyInstance(
            LagMonitorTest.class.getClassLoader(), new Class<?>[] {Connection.class},
            (proxy, method, args) -> method.getName().equals("getAutoCommit") ? Boolean.TRUE : null);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Deque<Duration> lags = new ArrayDeque<>();
    private long probes;
    private Duration probeTakes = Duration.ZERO;

    private LagMonitor monitor(Duration interval) {
        return new LagMonitor((connection, region) -> {
            probes++;
            advance(probeTakes);
            return lags.pop();
        }, interval, JdbcMetrics.NOOP, clock::get);
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void aMeasurementAgesWhileItIsReusedSoAnOldLowLagNoLongerProvesTheBound() throws SQLException {
        LagMonitor monitor = monitor(Duration.ofSeconds(10));
        lags.push(Duration.ofMillis(300));

        assertThat(monitor.staleness(REGION, CONNECTION)).isEqualTo(Duration.ofMillis(300));
        advance(Duration.ofMillis(600));
        assertThat(monitor.staleness(REGION, CONNECTION)).isEqualTo(Duration.ofMillis(900));
        advance(Duration.ofMillis(1_500));
        assertThat(monitor.staleness(REGION, CONNECTION)).as("2.1 s old, 0.3 s lag")
                .isEqualTo(Duration.ofMillis(2_400));
        assertThat(probes).as("not due yet: the measurement is reused, only its age grows").isEqualTo(1);
        assertThat(monitor.lastMeasured()).containsEntry(REGION, Duration.ofMillis(300));
    }

    @Test
    void theAgeCountsFromBeforeTheProbeWasSentSoASlowProbeCountsAgainstTheReader() throws SQLException {
        LagMonitor monitor = monitor(Duration.ofSeconds(10));
        lags.push(Duration.ofMillis(300));
        probeTakes = Duration.ofMillis(800);

        assertThat(monitor.staleness(REGION, CONNECTION)).isEqualTo(Duration.ofMillis(1_100));
    }

    @Test
    void aDueMeasurementReplacesTheOldOneAndItsAge() throws SQLException {
        LagMonitor monitor = monitor(Duration.ofMillis(500));
        lags.addLast(Duration.ofSeconds(3));
        lags.addLast(Duration.ofMillis(100));

        assertThat(monitor.staleness(REGION, CONNECTION)).isEqualTo(Duration.ofSeconds(3));
        advance(Duration.ofMillis(500));
        assertThat(monitor.staleness(REGION, CONNECTION)).isEqualTo(Duration.ofMillis(100));
        assertThat(probes).isEqualTo(2);
    }
}
