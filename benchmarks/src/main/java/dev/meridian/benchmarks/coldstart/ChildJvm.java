package dev.meridian.benchmarks.coldstart;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A fresh JVM of the harness's own class path that reports its figures in one line of its output. */
final class ChildJvm {
    private static final int KEPT_OUTPUT = 20_000;

    /**
     * The child's result line, when it was read ({@link System#nanoTime()}, for wall times that end there), and the
     * rest of its output (the first {@value #KEPT_OUTPUT} characters).
     */
    record Report(MatchResult line, long readNanos, String rest) {
    }

    private ChildJvm() {
    }

    /** The {@code java} of the running JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Runs {@code cmd} to its end and returns its first line matching {@code result}.
     *
     * @throws IllegalStateException with the child's output when it exits non-zero or prints no such line
     */
    static Report run(List<String> cmd, Pattern result) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        MatchResult found = null;
        long readNanos = 0;
        StringBuilder output = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = result.matcher(line);
                if (found == null && m.matches()) {
                    found = m.toMatchResult();
                    readNanos = System.nanoTime();
                } else if (output.length() < KEPT_OUTPUT) {
                    output.append(line).append('\n');
                }
            }
        }
        int exit = p.waitFor();
        if (found == null || exit != 0) {
            throw new IllegalStateException("child " + cmd + " exited " + exit + " without a line matching " + result
                    + ":\n" + output);
        }
        return new Report(found, readNanos, output.toString());
    }
}
