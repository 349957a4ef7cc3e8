package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.io.File;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Class loaders over the running test's class path that cannot see some packages (e.g. {@code io.micrometer.}): they
 * prove that code works when an optional dependency is left out. Every class loaded through such a loader, Meridian's
 * included, resolves its references through it, as in an application without the dependency. Classes loaded there
 * are distinct from the test's own; hand results back through JDK types (a {@code Supplier<String>}, say). The
 * caller closes the loader.
 */
@API(status = INTERNAL, since = "0.1")
public final class ClassPathWithout {
    private ClassPathWithout() {
    }

    /**
     * A loader over the Surefire/Failsafe test class path (or {@code java.class.path}), parented to the platform class
     * loader, that throws {@link ClassNotFoundException} for every class whose name starts with one of
     * {@code packagePrefixes}.
     */
    public static URLClassLoader packages(String... packagePrefixes) {
        List<String> hidden = List.of(Objects.requireNonNull(packagePrefixes, "packagePrefixes"));
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String[] entries = cp.split(File.pathSeparator);
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            urls[i] = url(entries[i]);
        }
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (hidden.stream().anyMatch(name::startsWith)) {
                    throw new ClassNotFoundException(name + " is hidden: optional dependency left out");
                }
                return super.loadClass(name, resolve);
            }
        };
    }

    /**
     * A new instance of {@code loader}'s own copy of {@code type} (a public class with a public no-argument
     * constructor), for the test to call through an interface both loaders share.
     */
    public static Object newInstance(ClassLoader loader, Class<?> type) {
        try {
            return loader.loadClass(type.getName()).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException | IllegalAccessException
                | InvocationTargetException e) {
            throw new IllegalStateException("Cannot instantiate " + type.getName() + " in the isolated class loader", e);
        }
    }

    private static URL url(String entry) {
        try {
            return new File(entry).toURI().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException("class path entry " + entry + " is not a valid path", e);
        }
    }
}
