package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
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
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (!entry.contains("micrometer")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader isolated = new URLClassLoader(urls.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> isolated.loadClass("io.micrometer.core.instrument.MeterRegistry"))
                    .isInstanceOf(ClassNotFoundException.class);
            @SuppressWarnings("unchecked")
            Supplier<String> probe = (Supplier<String>) isolated.loadClass(Probe.class.getName())
                    .getDeclaredConstructor().newInstance();
            assertThat(probe.get()).isEqualTo("routed, registry present: false");
        }
    }
}
