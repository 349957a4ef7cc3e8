package dev.meridian.benchmarks.coldstart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cold start side by side: runs {@link ColdStartRun} for a baseline and a candidate variant in fresh JVMs, in
 * pairs whose order alternates (baseline first, then candidate first) so that a slow stretch of a shared machine
 * cannot land on one side only, and prints each run plus the medians and median paired ratios of
 *
 * <ul>
 *   <li>{@code wall}: fork of the child JVM to its result line (JVM boot, class loading, the first call),
 *       measured here;</li>
 *   <li>{@code main}: the child's own time from {@code main} to the first response;</li>
 *   <li>{@code cpu}: the child's CPU time, all threads (JIT and GC included), when it had the first response;</li>
 *   <li>{@code rss}: the child's peak resident set ({@code VmHWM}) at that moment.</li>
 * </ul>
 *
 * <p>Per metric it prints the median of the paired ratios (candidate / baseline of the same pair) with their
 * interquartile range and a bootstrap 95 % interval of that median (resampling the pairs; a fixed seed, so a rerun
 * over the same figures prints the same interval), and the system's load averages at the start and the end.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.meridian.benchmarks.coldstart.ColdStartBenchmark
 * [PAIRS] [-- CHILD_COMMAND_PREFIX...]}. Without a command prefix the child runs as
 * {@code java -cp <this classpath> dev.meridian.benchmarks.coldstart.ColdStartRun <variant>}; with one, the variant
 * name is appended to the prefix (so another harness whose child prints a {@code COLDSTART} line can be compared).
 * Variants default to {@code raw} and {@code meridian}; set {@code -Dcoldstart.variants=a,b} to change them.
 * {@code -Dcoldstart.jars=before.jar,after.jar} runs the children of each jar instead, a pair of each jar per round
 * (which jar goes first alternates too), so that two builds are compared in the same window of a shared machine.
 *
 * <p>{@code -Dcoldstart.jit=true} also starts the children with {@code -XX:+CITime} and reports the JIT compilers'
 * time ({@code jit-c1}, {@code jit-c2}: standard and on-stack-replacement compilations, in ms), which the {@code cpu}
 * figure includes: the JVM prints it at exit, so it also counts the few compilations between the first response and
 * the end of the child. A child command given after {@code --} reports it when it has the flag itself.
 */
public final class ColdStartBenchmark {
    private static final Pattern RESULT = Pattern.compile(
            "COLDSTART variant=(\\S+) main_ms=([\\d.]+) cpu_ms=(\\d+) hwm_kb=(\\d+) classes=(\\d+).*");
    /** A compiler's line of {@code -XX:+CITime}'s report: its standard and its on-stack-replacement seconds. */
    private static final Pattern COMPILER = Pattern.compile(
            "(?m)^\\s*(C[12]) \\{speed: [\\d.]+ bytes/s; standard:\\s+([\\d.]+) s, .*; osr:\\s+([\\d.]+) s,");

    private ColdStartBenchmark() {
    }

    /** The figures of one child run; the compilers' times are NaN when the child did not report them. */
    record Run(String variant, double wallMs, double mainMs, double cpuMs, double rssKb, double classes, double c1Ms,
            double c2Ms) {
        double get(String metric) {
            switch (metric) {
                case "wall": return wallMs;
                case "main": return mainMs;
                case "cpu": return cpuMs;
                case "rss": return rssKb;
                case "classes": return classes;
                case "jit-c1": return c1Ms;
                case "jit-c2": return c2Ms;
                default: throw new IllegalArgumentException("unknown metric " + metric);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 && !args[0].equals("--") ? Integer.parseInt(args[0]) : 10;
        int sep = Arrays.asList(args).indexOf("--");
        String[] variants = System.getProperty("coldstart.variants", "raw,meridian").split(",");
        if (variants.length != 2) {
            throw new IllegalArgumentException("-Dcoldstart.variants needs two names (baseline,candidate) but was "
                    + Arrays.toString(variants));
        }
        Map<String, List<String>> prefixes = new LinkedHashMap<>();
        String jars = System.getProperty("coldstart.jars");
        boolean jit = Boolean.getBoolean("coldstart.jit");
        if (jars != null) {
            for (String jar : jars.split(",")) {
                prefixes.put(jar, child(jit, jar));
            }
        } else {
            prefixes.put("", sep < 0 ? child(jit, System.getProperty("java.class.path"))
                    : List.of(args).subList(sep + 1, args.length));
        }
        String loadAtStart = loadAverage();
        Map<String, Map<String, List<Run>>> runs = new LinkedHashMap<>();
        List<String> sides = new ArrayList<>(prefixes.keySet());
        for (String side : sides) {
            // One unmeasured run of each first: fills the page cache with the jars, as a deployed function has them.
            run(prefixes.get(side), variants[0]);
            run(prefixes.get(side), variants[1]);
            Map<String, List<Run>> byVariant = new LinkedHashMap<>();
            byVariant.put(variants[0], new ArrayList<>());
            byVariant.put(variants[1], new ArrayList<>());
            runs.put(side, byVariant);
        }
        for (int i = 0; i < pairs; i++) {
            String first = variants[i % 2];
            String second = variants[(i + 1) % 2];
            for (int j = 0; j < sides.size(); j++) {
                String side = sides.get((i / 2 + j) % sides.size());
                for (String v : List.of(first, second)) {
                    Run r = run(prefixes.get(side), v);
                    runs.get(side).get(v).add(r);
                    System.out.printf("pair %2d %s%-10s wall %7.1f ms  main %7.1f ms  cpu %6.0f ms  rss %7.0f KB"
                            + "  classes %5.0f%s%n", i + 1, side.isEmpty() ? "" : side + " ", v, r.wallMs, r.mainMs,
                            r.cpuMs, r.rssKb, r.classes, Double.isNaN(r.c1Ms) ? ""
                                    : String.format("  jit C1 %4.0f ms  C2 %4.0f ms", r.c1Ms, r.c2Ms));
                }
            }
        }
        System.out.printf("%nload average at the start: %s, at the end: %s%n", loadAtStart, loadAverage());
        for (String side : sides) {
            if (!side.isEmpty()) {
                System.out.printf("%n%s%n", side);
            }
            List<Run> base = runs.get(side).get(variants[0]);
            List<Run> cand = runs.get(side).get(variants[1]);
            List<String> metrics = new ArrayList<>(List.of("wall", "main", "cpu", "rss", "classes"));
            if (base.stream().noneMatch(r -> Double.isNaN(r.c1Ms)) && cand.stream().noneMatch(r -> Double.isNaN(r.c1Ms))) {
                metrics.addAll(List.of("jit-c1", "jit-c2"));
            }
            report(base, cand, variants, metrics);
        }
    }

    /** The default child command of a class path, with the compilers' timing when {@code jit}. */
    private static List<String> child(boolean jit, String classPath) {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java()));
        if (jit) {
            cmd.add("-XX:+CITime");
        }
        cmd.addAll(List.of("-cp", classPath, ColdStartRun.class.getName()));
        return cmd;
    }

    /**
     * Prints, per metric, both medians, the ratio of the medians and the median of the paired ratios with their
     * interquartile range and a bootstrap 95 % interval of that median.
     */
    static void report(List<Run> base, List<Run> cand, String[] variants, List<String> metrics) {
        System.out.printf("%n%-8s %14s %14s %12s %16s %14s %16s%n", "metric", variants[0] + " (med)",
                variants[1] + " (med)", "ratio of med", "median of pairs", "pairs' IQR", "median's 95% CI");
        for (String m : metrics) {
            double b = median(base.stream().mapToDouble(r -> r.get(m)).toArray());
            double c = median(cand.stream().mapToDouble(r -> r.get(m)).toArray());
            double[] ratios = new double[base.size()];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = cand.get(i).get(m) / base.get(i).get(m);
            }
            double[] ci = bootstrapMedianInterval(ratios);
            System.out.printf("%-8s %14.1f %14.1f %11.3fx %15.3fx %6.3f-%.3fx %8.3f-%.3fx%n", m, b, c, c / b,
                    median(ratios), quantile(ratios, 0.25), quantile(ratios, 0.75), ci[0], ci[1]);
        }
    }

    /** The 2.5th and 97.5th percentiles of the medians of 2,000 resamples (with replacement) of {@code values}. */
    static double[] bootstrapMedianInterval(double[] values) {
        Random random = new Random(19);
        double[] medians = new double[2000];
        double[] sample = new double[values.length];
        for (int b = 0; b < medians.length; b++) {
            for (int i = 0; i < sample.length; i++) {
                sample[i] = values[random.nextInt(values.length)];
            }
            medians[b] = median(sample);
        }
        return new double[] {quantile(medians, 0.025), quantile(medians, 0.975)};
    }

    /** The {@code q} quantile of {@code values}, linear between the two nearest ranks. */
    static double quantile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, v.length - 1);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }

    /** The first three fields of {@code /proc/loadavg} (1, 5 and 15 minutes), or "unknown" off Linux. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static Run run(List<String> prefix, String variant) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(variant);
        long start = System.nanoTime();
        ChildJvm.Report report = ChildJvm.run(cmd, RESULT);
        MatchResult m = report.line();
        double wall = (report.readNanos() - start) / 1e6;
        double[] jitMs = {Double.NaN, Double.NaN};
        Matcher compiler = COMPILER.matcher(report.rest());
        while (compiler.find()) {
            jitMs[compiler.group(1).equals("C1") ? 0 : 1] = (Double.parseDouble(compiler.group(2))
                    + Double.parseDouble(compiler.group(3))) * 1000;
        }
        Run result = new Run(m.group(1), wall, Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)), jitMs[0], jitMs[1]);
        if (!Objects.equals(result.variant, variant)) {
            throw new IllegalStateException("child reported variant " + result.variant + ", expected " + variant);
        }
        return result;
    }
}
