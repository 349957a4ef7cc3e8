package dev.meridian.samples.drill;

import java.time.Duration;

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

    public DrillSettings {
        if (phaseDuration.toMillis() < 200) {
            throw new IllegalArgumentException("drill.phaseSeconds must be at least 0.2 but was " + phaseDuration);
        }
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("drill.workers must be in 1..64 but was " + workers);
        }
        if (opsPerSecond < 1 || opsPerSecond > 5_000) {
            throw new IllegalArgumentException("drill.opsPerSecond must be in 1..5000 but was " + opsPerSecond);
        }
    }

    /** The settings given as system properties, with the defaults (5 s phases, 4 workers, 100 calls/s). */
    public static DrillSettings fromSystemProperties() {
        double seconds = Double.parseDouble(System.getProperty("drill.phaseSeconds", "5"));
        return new DrillSettings(Duration.ofMillis(Math.round(seconds * 1000)),
                Integer.getInteger("drill.workers", 4),
                Integer.getInteger("drill.opsPerSecond", 100),
                Long.getLong("drill.seed", 42L));
    }

    public DrillSettings withPhaseDuration(Duration phaseDuration) {
        return new DrillSettings(phaseDuration, workers, opsPerSecond, seed);
    }
}
