package dev.meridian.samples.drill;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * How long and how hard the drill runs. Read from system properties ({@code -Ddrill.phaseSeconds=5},
 * {@code -Ddrill.workers=4}, {@code -Ddrill.opsPerSecond=100}, {@code -Ddrill.seed=42}). Immutable.
 *
 * @param phaseDuration how long each phase runs
 * @param workers       worker threads issuing calls
 * @param opsPerSecond  total paced call rate of all workers
 * @param seed          seed of the workload's random choices (reproducible mix)
 */
public record DrillSettings(Duration phaseDuration, int workers, int opsPerSecond, long seed) {

    /** Validates every setting; the messages name the system property. */
    public DrillSettings {
        Objects.requireNonNull(phaseDuration, "phaseDuration");
        if (phaseDuration.toMillis() < 200) {
            throw new IllegalArgumentException("drill.phaseSeconds must be at least 0.2 but was "
                    + phaseDuration.toMillis() / 1000.0);
        }
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("drill.workers must be in 1..64 but was " + workers);
        }
        if (opsPerSecond < 1 || opsPerSecond > 5_000) {
            throw new IllegalArgumentException("drill.opsPerSecond must be in 1..5000 but was " + opsPerSecond);
        }
    }

    /**
     * The settings given as system properties, with the defaults (5 s phases, 4 workers, 100 calls/s, seed 42).
     *
     * @throws IllegalArgumentException naming the property when a value is not a number or out of range
     */
    public static DrillSettings fromSystemProperties() {
        double seconds = number("drill.phaseSeconds", "5", Double::parseDouble);
        return new DrillSettings(Duration.ofMillis(Math.round(seconds * 1000)),
                number("drill.workers", "4", Integer::parseInt),
                number("drill.opsPerSecond", "100", Integer::parseInt),
                number("drill.seed", "42", Long::parseLong));
    }

    private static <T> T number(String property, String defaultValue, Function<String, T> parse) {
        String value = System.getProperty(property, defaultValue).trim();
        try {
            return parse.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a number but was '" + value + "'", e);
        }
    }
}
