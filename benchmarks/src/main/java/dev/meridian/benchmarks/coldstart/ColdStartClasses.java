package dev.meridian.benchmarks.coldstart;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a cold {@link ColdStartRun} child loads, deterministically: Meridian's own classes (count and class-file bytes,
 * read from this class path), the Meridian lambdas it spins, the JDK's {@code LambdaForm} classes it spins, and all
 * classes — from the child's {@code -Xlog:class+load}. A cold start pays for each class file and each lambda (the
 * lambda machinery's JDK code is then compiled too); these counts move when the first read's code does, where the
 * timed comparison ({@link ColdStartBenchmark}) needs many pairs to see a point.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.meridian.benchmarks.coldstart.ColdStartClasses [variant] [--list]}
 * (variant as {@link ColdStartRun}'s, default {@code meridian}; {@code --list} also prints each own class with its
 * size, largest first, and each lambda).
 */
public final class ColdStartClasses {
    private static final Pattern LOADED = Pattern.compile("\\[class,load\\] (\\S+) ");

    private ColdStartClasses() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String variant = args.length > 0 && !args[0].startsWith("--") ? args[0] : "meridian";
        boolean list = List.of(args).contains("--list");
        Path log = Files.createTempFile("coldstart-classes", ".log");
        try {
            ChildJvm.run(List.of(ChildJvm.java(), "-Xlog:class+load=info:file=" + log, "-cp",
                    System.getProperty("java.class.path"), ColdStartRun.class.getName(), variant),
                    Pattern.compile("COLDSTART .*"));
            List<String> names = new ArrayList<>();
            for (String line : Files.readAllLines(log)) {
                var m = LOADED.matcher(line);
                if (m.find()) {
                    names.add(m.group(1));
                }
            }
            Map<String, Integer> own = new TreeMap<>();
            List<String> lambdas = new ArrayList<>();
            int forms = 0;
            for (String name : names) {
                if (name.startsWith("java.lang.invoke.LambdaForm$")) {
                    forms++;
                } else if (name.startsWith("dev.meridian.") && !name.startsWith("dev.meridian.benchmarks.")) {
                    if (name.contains("$$Lambda")) {
                        lambdas.add(name.replaceAll("/0x.*", ""));
                    } else {
                        own.put(name, classFileBytes(name));
                    }
                }
            }
            System.out.printf("CLASSES variant=%s own_classes=%d own_bytes=%d own_lambdas=%d lambda_forms=%d"
                    + " all_classes=%d%n", variant, own.size(), own.values().stream().mapToInt(Integer::intValue).sum(),
                    lambdas.size(), forms, names.size());
            if (list) {
                own.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                        .forEach(e -> System.out.printf("%8d %s%n", e.getValue(), e.getKey()));
                lambdas.forEach(l -> System.out.println("  lambda " + l));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int classFileBytes(String name) throws IOException {
        URL file = ColdStartClasses.class.getClassLoader().getResource(name.replace('.', '/') + ".class");
        if (file == null) {
            throw new IllegalStateException(name + " was loaded by the child but is not on this class path");
        }
        try (InputStream in = file.openStream()) {
            return in.readAllBytes().length;
        }
    }
}
