package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.health.HealthConfig;
import dev.meridian.testkit.ClassPathWithout;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * Cold start: the first {@link RegionHealth} of a process (the breakers' Resilience4j configuration, a breaker per
 * region, the first read's permission and success) spins no lambda class of Meridian's and does not make
 * Resilience4j's shared scheduler, which only automatic open → half-open transitions use (Meridian's breakers move when
 * asked). Before: three lambda classes and the scheduler factory's executor with its thread-factory lambda. Checked
 * with JFR's class-load events, in a class loader of its own so that nothing was linked before.
 */
class RegionHealthColdStartTest {

    /** Runs inside the fresh class loader: what the first client build and first read do with health. */
    public static final class Probe implements Supplier<String> {
        @Override
        public String get() {
            try (RegionHealth health = new RegionHealth(
                    List.of(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1), HealthConfig.defaults())) {
                WatchedBreaker local = health.watched(Region.EU_WEST_1);
                boolean permitted = local.tryAcquire();
                local.success(1_000_000);
                return permitted + " " + health.state(Region.EU_WEST_1) + " "
                        + local.breaker().getMetrics().getNumberOfSuccessfulCalls();
            }
        }
    }

    @Test
    void theFirstHealthSpinsNoLambdaClassAndMakesNoBreakerScheduler() throws Exception {
        Path events = Files.createTempFile("health-cold-start", ".jfr");
        String seen;
        try (URLClassLoader fresh = ClassPathWithout.packages("dev.meridian.no-such-package.");
                Recording recording = new Recording()) {
            recording.enable("jdk.ClassLoad").withoutStackTrace().withThreshold(java.time.Duration.ZERO);
            recording.start();
            @SuppressWarnings("unchecked")
            Supplier<String> probe = (Supplier<String>) ClassPathWithout.newInstance(fresh, Probe.class);
            seen = probe.get();
            recording.stop();
            recording.dump(events);
        }
        List<String> loaded = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(events)) {
            loaded.add(e.getClass("loadedClass").getName());
        }
        Files.delete(events);

        assertThat(seen).isEqualTo("true CLOSED 1");
        assertThat(loaded).as("the probe's classes were loaded afresh").contains(
                "dev.meridian.core.RegionHealth", "io.github.resilience4j.circuitbreaker.CircuitBreakerConfig");
        assertThat(loaded).as("lambda classes spun by health")
                .noneMatch(name -> name.startsWith("dev.meridian.core.") && name.contains("$$Lambda"));
        assertThat(loaded).as("Resilience4j's scheduler")
                .noneMatch(name -> name.startsWith("io.github.resilience4j.circuitbreaker.internal.SchedulerFactory"));
    }
}
