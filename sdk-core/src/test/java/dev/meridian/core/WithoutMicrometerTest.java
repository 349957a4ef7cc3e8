package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.testkit.ClassPathWithout;
import java.net.URLClassLoader;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Meridian must load and route when Micrometer is not on the classpath (it is an optional dependency). */
class WithoutMicrometerTest {

    /** Runs inside a class loader without Micrometer. */
    public static final class Probe implements Supplier<String> {
        @Override
        public String get() {
            MultiRegionConfig config = TestTopology.threeRegions().build();
            Runnable client = MultiRegion.wrap(Runnable.class, region -> () -> { }, config,
                    (m, a) -> Operation.of(m.getName(), OperationKind.READ));
            client.run();
            try (MultiRegion runtime = MultiRegion.builder(config).build()) {
                return "routed, registry present: " + runtime.meterRegistry().isPresent();
            }
        }
    }

    @Test
    void meridianWorksWithoutMicrometerOnTheClasspath() throws Exception {
        try (URLClassLoader isolated = ClassPathWithout.packages("io.micrometer.")) {
            assertThatThrownBy(() -> isolated.loadClass("io.micrometer.core.instrument.MeterRegistry"))
                    .isInstanceOf(ClassNotFoundException.class);
            @SuppressWarnings("unchecked")
            Supplier<String> probe = (Supplier<String>) ClassPathWithout.newInstance(isolated, Probe.class);
            assertThat(probe.get()).isEqualTo("routed, registry present: false");
        }
    }
}
