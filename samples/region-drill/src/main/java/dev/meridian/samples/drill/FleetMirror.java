package dev.meridian.samples.drill;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.arc.ArcControlSource;
import dev.meridian.dynamodb.control.ControlTableSource;
import dev.meridian.dynamodb.control.MirroringControlSource;
import dev.meridian.testkit.LocalRegions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Mirror mode in the drill: per region a few candidate instances, each a runtime whose control source is a
 * {@link MirroringControlSource} (ARC upstream, the control table read in its own region first). At every poll each
 * candidate takes or renews its region's lease; the holder copies ARC's state into the table, the serving fleet reads
 * the table. A candidate can die ({@link #kill}): it stops renewing, and another candidate of its region takes the
 * lease when it expires.
 */
final class FleetMirror implements AutoCloseable {
    static final int CANDIDATES_PER_REGION = 2;
    /** Short for the drill, so that a takeover fits in the phase; production default 10 s. */
    static final Duration LEASE = Duration.ofSeconds(3);
    /**
     * The candidates poll twice as often as the fleet: a change crosses two polls (ARC → the holder → the table →
     * each instance), and a few candidates reading ARC faster cost ARC little whatever the fleet's size.
     */
    static final Duration POLL = Duration.ofMillis(500);

    /** One candidate: its runtime (the poller) and its mirroring source. */
    static final class Candidate implements AutoCloseable {
        final String name;
        final String region;
        final MirroringControlSource source;
        final MultiRegion runtime;
        volatile boolean alive = true;

        Candidate(String name, String region, LocalRegions regions, ArcStub arc) {
            this.name = name;
            this.region = region;
            Region home = Region.of(region);
            List<Region> readOrder = new ArrayList<>(List.of(home));
            Phase.REGIONS.stream().map(Region::of).filter(r -> !r.equals(home)).forEach(readOrder::add);
            ControlTableSource table = ControlTableSource.builder().tableName(FleetDrain.CONTROL_TABLE)
                    .readOrder(readOrder).controlledRegions(Phase.REGIONS.stream().map(Region::of).toList())
                    .clientFactory(r -> regions.clientBuilder(r.id()).overrideConfiguration(
                            RegionalClientDefaults.overrideConfiguration(1, Duration.ofMillis(500))).build())
                    .build();
            ArcControlSource.Builder upstream = ArcControlSource.builder().endpoint(arc.uri(), Region.EU_WEST_1)
                    .timeout(Duration.ofMillis(500))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("drill", "drill")));
            Phase.REGIONS.forEach(r -> upstream.control(Region.of(r), ArcStub.arn(r)));
            source = new MirroringControlSource(upstream.build(), table, home, LEASE, Clock.systemUTC());
            runtime = MultiRegion.builder(FleetDrain.config())
                    .control(ControlConfig.builder(source).pollInterval(POLL).build()).build();
        }

        /** Whether this live candidate held its region's lease at its last read. */
        boolean holds() {
            return alive && source.holdsLease();
        }

        @Override
        public void close() {
            alive = false;
            runtime.close();
        }
    }

    private final List<Candidate> candidates = new ArrayList<>();

    FleetMirror(LocalRegions regions, ArcStub arc) {
        for (String region : Phase.REGIONS) {
            for (int k = 0; k < CANDIDATES_PER_REGION; k++) {
                candidates.add(new Candidate("mirror-" + region + "-" + (char) ('a' + k), region, regions, arc));
            }
        }
    }

    /** The live lease holder of {@code region}, if one holds it now. */
    Optional<Candidate> holder(String region) {
        return candidates.stream().filter(c -> c.region.equals(region) && c.holds()).findFirst();
    }

    /** Region → its holder's name, for the regions where exactly one live candidate holds the lease. */
    Map<String, String> holders() {
        Map<String, String> holders = new LinkedHashMap<>();
        for (String region : Phase.REGIONS) {
            List<Candidate> holding = candidates.stream().filter(c -> c.region.equals(region) && c.holds()).toList();
            if (holding.size() == 1) {
                holders.put(region, holding.get(0).name);
            }
        }
        return holders;
    }

    /** Whether every region has exactly one live lease holder. */
    boolean everyRegionHeld() {
        return holders().size() == Phase.REGIONS.size();
    }

    /** Stops {@code region}'s holder as a crash would: no release, its lease simply stops being renewed. */
    Candidate kill(String region) {
        Candidate holder = holder(region).orElseThrow(() -> new IllegalStateException("no mirror holds " + region));
        holder.close();
        return holder;
    }

    @Override
    public void close() {
        candidates.forEach(Candidate::close);
    }
}
