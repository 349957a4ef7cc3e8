package dev.meridian.core;

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

/**
 * The cold-start tests' probe run: a fresh copy of a {@code Supplier<String>} probe class in a class loader of its own
 * (Meridian's classes loaded afresh), asked once while a JFR recording notes every class loaded, and once more after.
 *
 * @param first the probe's answer while the recording ran
 * @param again its answer after the recording stopped (classes it loads then are not in {@code loaded})
 * @param loaded the names of the classes loaded while the recording ran
 */
record ColdClassLoads(String first, String again, List<String> loaded) {

    @SuppressWarnings("unchecked")
    static ColdClassLoads of(Class<? extends Supplier<String>> probeClass) throws Exception {
        Path events = Files.createTempFile("cold-class-loads", ".jfr");
        String first;
        String again;
        try (URLClassLoader fresh = ClassPathWithout.packages("dev.meridian.no-such-package.");
                Recording recording = new Recording()) {
            recording.enable("jdk.ClassLoad").withoutStackTrace().withThreshold(java.time.Duration.ZERO);
            recording.start();
            Supplier<String> probe = (Supplier<String>) ClassPathWithout.newInstance(fresh, probeClass);
            first = probe.get();
            recording.stop();
            recording.dump(events);
            again = probe.get();
        }
        List<String> loaded = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(events)) {
            loaded.add(e.getClass("loadedClass").getName());
        }
        Files.delete(events);
        return new ColdClassLoads(first, again, loaded);
    }
}
