package dev.meridian.testkit;

import java.io.File;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A class loader over the running test's class path minus the entries whose path contains any of the given
 * fragments (e.g. {@code "micrometer"}): proves that code works when an optional dependency is absent. Classes
 * loaded through it are distinct from the test's own; hand results back through JDK types (a {@code Supplier<String>}
 * loaded by name, say). The caller closes the loader.
 */
public final class ClassPathWithout {
    private ClassPathWithout() {
    }

    /**
     * A loader over the Surefire/Failsafe test class path (or {@code java.class.path}) without the matching entries,
     * parented to the platform class loader so nothing leaks in from the application class loader.
     */
    public static URLClassLoader loader(String... pathFragments) {
        Objects.requireNonNull(pathFragments, "pathFragments");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (!containsAny(entry, pathFragments)) {
                urls.add(url(entry));
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    private static boolean containsAny(String entry, String[] fragments) {
        for (String f : fragments) {
            if (entry.contains(f)) {
                return true;
            }
        }
        return false;
    }

    private static URL url(String entry) {
        try {
            return new File(entry).toURI().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException("class path entry " + entry + " is not a valid path", e);
        }
    }
}
