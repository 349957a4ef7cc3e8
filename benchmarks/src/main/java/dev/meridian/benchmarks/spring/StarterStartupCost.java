package dev.meridian.benchmarks.spring;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Start-up cost of the Meridian starter: a minimal non-web Spring Boot context started in a fresh JVM with the
 * starter's auto-configuration active (three regions; the routed {@code DynamoDbClient} and {@code MultiRegion} beans)
 * and without it (the same class path, Meridian's auto-configurations excluded), in pairs, alternating which goes
 * first. Each child reports the time {@code SpringApplication.run} took and its own JVM-start-to-ready time; the
 * parent prints every pair and the medians and median ratios.
 *
 * <p>{@code mvn -B -q -pl benchmarks -am package -DskipTests exec:java
 * -Dexec.mainClass=dev.meridian.benchmarks.spring.StarterStartupCost [-Dexec.args=PAIRS]}
 */
public final class StarterStartupCost {
    private static final String EXCLUDE_MERIDIAN = "spring.autoconfigure.exclude="
            + "dev.meridian.spring.MeridianAutoConfiguration,dev.meridian.spring.MeridianDynamoDbAutoConfiguration,"
            + "dev.meridian.spring.MeridianAuroraAutoConfiguration,dev.meridian.spring.MeridianWebAutoConfiguration,"
            + "dev.meridian.spring.MeridianActuatorAutoConfiguration,"
            + "dev.meridian.spring.MeridianIdempotentAutoConfiguration";

    private StarterStartupCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--child")) {
            child(Boolean.parseBoolean(args[1]));
            return;
        }
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 12;
        String classPath = classPath();
        child(classPath, true); // warm the OS file cache once; not counted
        child(classPath, false);
        List<double[]> with = new ArrayList<>();
        List<double[]> without = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            boolean starterFirst = i % 2 == 0;
            double[] a = child(classPath, starterFirst);
            double[] b = child(classPath, !starterFirst);
            double[] w = starterFirst ? a : b;
            double[] wo = starterFirst ? b : a;
            with.add(w);
            without.add(wo);
            System.out.printf("pair %2d (%s first): run() with %.0f ms, without %.0f ms; JVM ready with %.0f ms,"
                    + " without %.0f ms%n", i + 1, starterFirst ? "with" : "without", w[0], wo[0], w[1], wo[1]);
        }
        for (int m = 0; m < 2; m++) {
            int k = m;
            double medWith = median(with.stream().mapToDouble(x -> x[k]).toArray());
            double medWithout = median(without.stream().mapToDouble(x -> x[k]).toArray());
            double[] ratios = new double[pairs];
            for (int i = 0; i < pairs; i++) {
                ratios[i] = with.get(i)[k] / without.get(i)[k];
            }
            System.out.printf("%s: median with %.0f ms, without %.0f ms, median of paired ratios %.2f×"
                    + " (min %.2f, max %.2f)%n", k == 0 ? "SpringApplication.run" : "JVM start to ready", medWith,
                    medWithout, median(ratios), Arrays.stream(ratios).min().orElse(0),
                    Arrays.stream(ratios).max().orElse(0));
        }
    }

    /** One measured start in this JVM: prints "run-ms jvm-ready-ms". */
    private static void child(boolean withStarter) {
        long start = System.nanoTime();
        SpringApplication app = new SpringApplication(Minimal.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setLogStartupInfo(false);
        List<String> props = new ArrayList<>(List.of("--spring.main.banner-mode=off",
                "--logging.level.root=warn", "--meridian.regions=eu-west-1,eu-central-1,us-east-1",
                "--meridian.local-region=eu-west-1"));
        if (!withStarter) {
            props.add("--" + EXCLUDE_MERIDIAN);
        }
        try (ConfigurableApplicationContext ctx = app.run(props.toArray(String[]::new))) {
            double runMs = (System.nanoTime() - start) / 1e6;
            double readyMs = System.currentTimeMillis()
                    - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
            boolean hasMeridian = ctx.containsBean("multiRegion");
            if (hasMeridian != withStarter) {
                throw new IllegalStateException("expected the starter " + (withStarter ? "on" : "off"));
            }
            System.out.println("RESULT " + runMs + " " + readyMs);
        }
    }

    private static double[] child(String classPath, boolean withStarter) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, StarterStartupCost.class.getName(), "--child", Boolean.toString(withStarter))
                .redirectErrorStream(true).start();
        String result = null;
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
                if (line.startsWith("RESULT ")) {
                    result = line;
                }
            }
        }
        if (p.waitFor() != 0 || result == null) {
            throw new IllegalStateException("child failed:\n" + out);
        }
        String[] f = result.split(" ");
        return new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    }

    /** The class path of this program: exec:java's class loader's URLs, else java.class.path. */
    private static String classPath() throws Exception {
        if (Thread.currentThread().getContextClassLoader() instanceof URLClassLoader urls && urls.getURLs().length > 1) {
            List<String> entries = new ArrayList<>();
            for (URL u : urls.getURLs()) {
                entries.add(new File(u.toURI()).getPath());
            }
            return entries.stream().collect(Collectors.joining(File.pathSeparator));
        }
        return System.getProperty("java.class.path");
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The application: nothing but auto-configuration. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    public static class Minimal {
    }
}
