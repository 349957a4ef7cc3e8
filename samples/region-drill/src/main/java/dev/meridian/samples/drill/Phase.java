package dev.meridian.samples.drill;

import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * One step of the drill's timeline: a name and the faults it injects into the local regions when it starts (the
 * previous phase's faults are healed first). Immutable.
 *
 * @param name   shown in the progress lines and the summary
 * @param inject applied to the regions at the start of the phase
 */
record Phase(String name, Consumer<LocalRegions> inject) {
    static final String EU_WEST_1 = "eu-west-1";
    static final String EU_CENTRAL_1 = "eu-central-1";
    static final String US_EAST_1 = "us-east-1";
    static final List<String> REGIONS = List.of(EU_WEST_1, EU_CENTRAL_1, US_EAST_1);

    /** The timeline: baseline, four kinds of trouble in the local region, the EU gone, a replication partition, heal. */
    static List<Phase> timeline() {
        return List.of(
                new Phase("baseline", regions -> { }),
                new Phase("eu-west-1 down", regions -> regions.faults(EU_WEST_1).down()),
                new Phase("eu-west-1 slow", regions -> regions.faults(EU_WEST_1)
                        .latency(Duration.ofMillis(300), Duration.ofMillis(700))),
                new Phase("eu-west-1 503s", regions -> regions.faults(EU_WEST_1).status(503)),
                new Phase("eu-west-1 throttling", regions -> regions.faults(EU_WEST_1).throttle()),
                new Phase("EU down", regions -> {
                    regions.faults(EU_WEST_1).down();
                    regions.faults(EU_CENTRAL_1).down();
                }),
                new Phase("replication partition", regions -> regions.pauseReplication(EU_WEST_1, US_EAST_1)),
                new Phase("heal + converge", regions -> regions.resumeReplication(EU_WEST_1, US_EAST_1)));
    }

    static void healFaults(LocalRegions regions) {
        for (String region : REGIONS) {
            regions.faults(region).heal();
        }
    }
}
