package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * The public signatures a module's compiled classes offer (public and protected types reachable from outside the
 * module, with their public and protected constructors, methods and fields), one line each, sorted: a text file that
 * changes in the same commit as the signature it lists, so every change to the surface shows in review.
 *
 * <p>Each type's line carries its API status ({@code @API(STABLE)}, from apiguardian's {@link API}); a nested type
 * without its own annotation has its enclosing type's status, as apiguardian defines it for members. A member with
 * an annotation of its own (an {@code INTERNAL} constructor of a {@code STABLE} type) carries it too. A visible
 * top-level type without {@link API} fails {@link #check}: every public type says what it promises.
 *
 * <p>A module's test compares {@link #of(Path, ClassLoader)} with its checked-in file ({@code api/<module>.api}, the
 * name Kotlin's binary-compatibility validator uses) through {@link #check(Path, Path, ClassLoader)}, and rewrites
 * the file instead when the system property {@value #UPDATE_PROPERTY} is set. Written here rather than with
 * japicmp because japicmp compares against a released artifact, and Meridian has no release to compare with yet.
 */
@API(status = INTERNAL, since = "0.1")
public final class ApiSurface {
    /** Set this system property (any value) to rewrite the surface file instead of comparing. */
    public static final String UPDATE_PROPERTY = "meridian.api.update";

    private ApiSurface() {
    }

    /**
     * Compares the surface of {@code classesDir} with {@code surfaceFile}; rewrites the file when
     * {@value #UPDATE_PROPERTY} is set.
     *
     * @throws AssertionError naming the added and removed lines and the command that updates the file
     */
    public static void check(Path classesDir, Path surfaceFile, ClassLoader loader) {
        List<String> unmarked = withoutStatus(classesDir, loader);
        if (!unmarked.isEmpty()) {
            throw new AssertionError("Public types without an API status: " + unmarked + "\nAnnotate each with"
                    + " @org.apiguardian.api.API(status = STABLE | MAINTAINED | EXPERIMENTAL | INTERNAL, since = ...)");
        }
        List<String> actual = of(classesDir, loader);
        if (System.getProperty(UPDATE_PROPERTY) != null) {
            write(surfaceFile, actual);
            return;
        }
        List<String> expected = Files.exists(surfaceFile) ? read(surfaceFile) : List.of();
        if (expected.equals(actual)) {
            return;
        }
        List<String> added = actual.stream().filter(l -> !expected.contains(l)).collect(Collectors.toList());
        List<String> removed = expected.stream().filter(l -> !actual.contains(l)).collect(Collectors.toList());
        throw new AssertionError("The public API differs from " + surfaceFile + "\n"
                + added.stream().map(l -> "  + " + l).collect(Collectors.joining("\n", "", added.isEmpty() ? "" : "\n"))
                + removed.stream().map(l -> "  - " + l).collect(Collectors.joining("\n"))
                + "\nIf the change is intended, rewrite the file (mvn test -Dtest=ApiSurfaceTest -D" + UPDATE_PROPERTY
                + " in the module), commit it with the change and say so in CHANGELOG.md.");
    }

    /** The sorted signature lines of every class file under {@code classesDir}, loaded (not initialised) by {@code loader}. */
    public static List<String> of(Path classesDir, ClassLoader loader) {
        List<String> lines = new ArrayList<>();
        for (Class<?> type : visibleTypes(classesDir, loader)) {
            lines.addAll(describe(type));
        }
        lines.sort(Comparator.naturalOrder());
        return lines;
    }

    /** The names of the visible top-level types under {@code classesDir} that carry no {@link API} annotation. */
    public static List<String> withoutStatus(Path classesDir, ClassLoader loader) {
        return visibleTypes(classesDir, loader).stream()
                .filter(t -> t.getDeclaringClass() == null && !t.isAnnotationPresent(API.class))
                .map(Class::getName).sorted().collect(Collectors.toList());
    }

    private static List<Class<?>> visibleTypes(Path classesDir, ClassLoader loader) {
        Objects.requireNonNull(loader, "loader");
        if (!Files.isDirectory(classesDir)) {
            throw new IllegalArgumentException("classesDir must be a directory of compiled classes, was " + classesDir
                    + "; run the module's compile phase first");
        }
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classesDir)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class")).sorted()::iterator) {
                String name = classesDir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                name = name.substring(0, name.length() - ".class".length());
                if (name.endsWith("package-info") || name.endsWith("module-info")) {
                    continue;
                }
                Class<?> type = Class.forName(name, false, loader);
                if (visible(type)) {
                    types.add(type);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("class file without a loadable class: " + e.getMessage(), e);
        }
        return types;
    }

    private static boolean visible(Class<?> type) {
        if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
            return false;
        }
        for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
            int m = c.getModifiers();
            Class<?> outer = c.getDeclaringClass();
            boolean reachable = Modifier.isPublic(m)
                    || outer != null && Modifier.isProtected(m) && !Modifier.isFinal(outer.getModifiers());
            if (!reachable) {
                return false;
            }
        }
        return true;
    }

    private static List<String> describe(Class<?> type) {
        String owner = type.getName();
        List<String> lines = new ArrayList<>();
        lines.add(owner + " " + status(type) + header(type));
        boolean extensible = !Modifier.isFinal(type.getModifiers());
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (exposed(c.getModifiers(), extensible) && !c.isSynthetic()) {
                lines.add(owner + " " + memberStatus(c) + strip(c.toGenericString(), owner));
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (exposed(m.getModifiers(), extensible) && !m.isSynthetic() && !m.isBridge()) {
                lines.add(owner + " " + memberStatus(m) + strip(m.toGenericString(), owner));
            }
        }
        for (Field f : type.getDeclaredFields()) {
            if (exposed(f.getModifiers(), extensible) && !f.isSynthetic()) {
                lines.add(owner + " " + memberStatus(f) + strip(f.toGenericString(), owner));
            }
        }
        return lines;
    }

    /** The type's own status, else its enclosing type's; empty when none says (which {@link #check} refuses). */
    private static String status(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
            API api = c.getAnnotation(API.class);
            if (api != null) {
                return "@API(" + api.status() + ") ";
            }
        }
        return "";
    }

    private static String memberStatus(AnnotatedElement member) {
        API api = member.getAnnotation(API.class);
        return api == null ? "" : "@API(" + api.status() + ") ";
    }

    private static boolean exposed(int modifiers, boolean extensible) {
        return Modifier.isPublic(modifiers) || extensible && Modifier.isProtected(modifiers);
    }

    private static String header(Class<?> type) {
        StringBuilder b = new StringBuilder(Modifier.toString(type.getModifiers()
                & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC | Modifier.FINAL
                | (type.isInterface() ? 0 : Modifier.ABSTRACT))));
        b.append(b.length() == 0 ? "" : " ").append(kind(type));
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
            b.append(" extends ").append(superclass.getTypeName());
        }
        Type[] interfaces = type.getGenericInterfaces();
        if (interfaces.length > 0 && !type.isAnnotation()) {
            b.append(type.isInterface() ? " extends " : " implements ")
                    .append(Arrays.stream(interfaces).map(Type::getTypeName).collect(Collectors.joining(", ")));
        }
        return b.toString();
    }

    private static String kind(Class<?> type) {
        if (type.isAnnotation()) {
            return "@interface";
        }
        if (type.isInterface()) {
            return "interface";
        }
        if (type.isEnum()) {
            return "enum";
        }
        return type.isRecord() ? "record" : "class";
    }

    /** The owner is the line's prefix already; repeating it in every member would only add noise. */
    private static String strip(String signature, String owner) {
        return signature.replace(owner + ".", "");
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, List<String> lines) {
        try {
            Files.createDirectories(file.getParent());
            List<String> content = new ArrayList<>();
            content.add("# The module's public signatures, generated by its ApiSurfaceTest. Any change to a public");
            content.add("# signature fails the build until this file is rewritten (-D" + UPDATE_PROPERTY + ").");
            content.addAll(lines);
            Files.write(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
