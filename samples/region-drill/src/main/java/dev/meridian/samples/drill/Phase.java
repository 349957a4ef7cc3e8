package dev.meridian.samples.drill;

import dev.meridian.testkit.LocalAuroraGlobal;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One step of the drill's timeline: a name and the faults it injects when it starts (the previous phase's faults
 * are healed first). Immutable.
 *
 * @param name   shown in the progress lines, the summary and the picture
 * @param inject applied to the local regions and the local Aurora global database at the start of the phase
 */
record Phase(String name, Consumer<Targets> inject) {
    static final String EU_WEST_1 = "eu-west-1";
    static final String EU_CENTRAL_1 = "eu-central-1";
    static final String US_EAST_1 = "us-east-1";
    static final List<String> REGIONS = List.of(EU_WEST_1, EU_CENTRAL_1, US_EAST_1);
    /** The Aurora writer at start-up; eu-west-1 (the local region) reads from its own replica. */
    static final String AURORA_FIRST_WRITER = EU_CENTRAL_1;
    /** Replica delay injected by the lag phase; well above {@link JdbcWorkload#MAX_REPLICA_LAG}. */
    static final Duration INJECTED_REPLICA_DELAY = Duration.ofSeconds(4);

    /**
     * What a phase can break: DynamoDB regions (with replication) and the Aurora global database, plus the replicas
     * given a replay delay (so healing resets only those). Used by the main thread only.
     */
    record Targets(LocalRegions regions, LocalAuroraGlobal aurora, Set<String> delayedReplicas) {
        Targets(LocalRegions regions, LocalAuroraGlobal aurora) {
            this(regions, aurora, new HashSet<>());
        }

        void replicaDelay(String region, Duration delay) {
            aurora.replicaDelay(region, delay);
            delayedReplicas.add(region);
        }
    }

    /**
     * The timeline: baseline; four kinds of trouble in the local DynamoDB region; the EU gone; a replication
     * partition; the local Aurora replica down, lagging, then promoted to writer; heal.
     */
    static List<Phase> timeline() {
        return List.of(
                new Phase("baseline", t -> { }),
                new Phase("eu-west-1 down", t -> t.regions().faults(EU_WEST_1).down()),
                new Phase("eu-west-1 slow", t -> t.regions().faults(EU_WEST_1)
                        .latency(Duration.ofMillis(300), Duration.ofMillis(700))),
                new Phase("eu-west-1 503s", t -> t.regions().faults(EU_WEST_1).status(503)),
                new Phase("eu-west-1 throttling", t -> t.regions().faults(EU_WEST_1).throttle()),
                new Phase("EU down", t -> {
                    t.regions().faults(EU_WEST_1).down();
                    t.regions().faults(EU_CENTRAL_1).down();
                }),
                new Phase("replication partition", t -> t.regions().pauseReplication(EU_WEST_1, US_EAST_1)),
                new Phase("aurora replica down", t -> t.aurora().stop(EU_WEST_1)),
                new Phase("aurora replica lag", t -> t.replicaDelay(EU_WEST_1, INJECTED_REPLICA_DELAY)),
                new Phase("aurora writer promotion", t -> t.aurora().promote(EU_WEST_1)),
                new Phase("heal + converge", t -> { }));
    }

    /**
     * Undoes every phase's faults: DynamoDB proxies healed, replication resumed, stopped Aurora servers started (an
     * old writer comes back as a replica of the current one), replica delays removed.
     */
    static void heal(Targets targets) {
        for (String region : REGIONS) {
            targets.regions().faults(region).heal();
        }
        targets.regions().resumeReplication();
        LocalAuroraGlobal aurora = targets.aurora();
        for (String region : aurora.regions()) {
            if (!aurora.isRunning(region)) {
                aurora.start(region);
            }
        }
        for (String region : targets.delayedReplicas()) {
            if (aurora.replicaRegions().contains(region)) {
                aurora.replicaDelay(region, Duration.ZERO);
            }
        }
        targets.delayedReplicas().clear();
    }
}
