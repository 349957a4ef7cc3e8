package dev.meridian.samples.drill;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.residency.DataClass;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.spring.MeridianDynamoDbSessionRepository;
import dev.meridian.spring.MeridianDynamoDbSessionRepository.RegionalSession;
import dev.meridian.spring.SessionNotReadableException;
import dev.meridian.testkit.LocalRegions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The phase "session store with the session region failing", run after the timeline on the same local regions:
 * RESTRICTED sessions of German subjects (data class allows eu-west-1 and eu-central-1) live in a DynamoDB global table
 * through the starter's {@link MeridianDynamoDbSessionRepository}, built directly (no Spring context). One worker reads
 * and saves them in turn while eu-west-1, where they were created, goes down — first with eu-central-1 behind it
 * (replication partitioned: the fallback cannot show a session's last version and the read is refused), then with
 * replication caught up (reads are served there, saves move there) — and comes back. The drill keeps its own ledger
 * of every acknowledged save: a read older than it is stale. The table has replicas in the EU only; the us-east-1
 * journal is the residency witness; after healing every session's stored version is checked against the ledger.
 */
final class SessionPhase {
    static final String TABLE = "drill-sessions";
    static final int SESSIONS = 12;
    private static final Duration HEALTHY = Duration.ofMillis(1500);
    private static final Duration BEHIND = Duration.ofSeconds(1);
    private static final Duration PARTITIONED = Duration.ofMillis(1500);
    private static final Duration CAUGHT_UP = Duration.ofSeconds(3);
    private static final Duration HEALED = Duration.ofMillis(1500);
    private static final Duration READ_WAIT = Duration.ofMillis(400);

    private final MeridianDynamoDbSessionRepository repository;
    private final List<String> ids = new ArrayList<>();
    /** The drill's own record of each session's last acknowledged save: version and the value it wrote. */
    private final Map<String, long[]> ledger = new HashMap<>();
    private long reads;
    private long served;
    private long refused;
    private long stale;
    private long saves;
    private long saved;
    private long savedElsewhere;
    private long next;

    private SessionPhase(MeridianDynamoDbSessionRepository repository) {
        this.repository = repository;
    }

    /** Runs the phase on {@code regions} (healed, the timeline's traffic stopped) and prints its lines to {@code out}. */
    static SessionPhaseOutcome run(LocalRegions regions, PrintStream out, long started) throws InterruptedException {
        // Replicas in the EU only, as the table's declaration below says: the data cannot reach us-east-1 by
        // replication, so a session request there (the us-east-1 journal) is the only way out and is counted.
        regions.createGlobalTable(RegionDrill.table(TABLE, "id"), List.of("eu-west-1", "eu-central-1"));
        try (MultiRegion runtime = MultiRegion.builder(FleetDrain.config()).build();
                DynamoDbClient dynamo = MultiRegionDynamoDb.builder().multiRegion(runtime)
                        .clientFactory(r -> regions.clientBuilder(r.id()).overrideConfiguration(
                                RegionalClientDefaults.overrideConfiguration(1, Duration.ofSeconds(1))).build())
                        // declared EU-only: a RESTRICTED session may be stored in the EU regions only
                        .table(TableConfig.builder(TABLE).partitionKey("id")
                                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build())
                        .buildClient()) {
            SessionPhase phase = new SessionPhase(MeridianDynamoDbSessionRepository.builder().client(dynamo)
                    .table(TABLE).dataClass(DataClass.RESTRICTED).subjectCountry("DE").readWait(READ_WAIT).build());
            phase.create();
            out.printf(Locale.ROOT, "[%5.1fs] session store: %d RESTRICTED sessions (subject DE) created in eu-west-1;"
                    + " reading and saving them in turn%n", RegionDrill.seconds(started), SESSIONS);
            phase.serve(HEALTHY, true);
            // eu-central-1 falls behind on the sessions saved from now on, then eu-west-1 fails
            regions.pauseReplication(Phase.EU_WEST_1, Phase.EU_CENTRAL_1);
            phase.serve(BEHIND, true);
            regions.faults(Phase.EU_WEST_1).down();
            out.printf(Locale.ROOT, "[%5.1fs] session store: eu-west-1 down, eu-central-1 behind it (replication"
                    + " partitioned)%n", RegionDrill.seconds(started));
            // Time only: a read of a session behind waits READ_WAIT before it is refused, so a whole round could take
            // seconds; the first read of the step is of the session saved first while eu-central-1 fell behind.
            phase.serve(PARTITIONED, false);
            regions.resumeReplication(Phase.EU_WEST_1, Phase.EU_CENTRAL_1);
            out.printf(Locale.ROOT, "[%5.1fs] session store: eu-west-1 still down, replication caught up%n",
                    RegionDrill.seconds(started));
            phase.serve(CAUGHT_UP, true);
            regions.faults(Phase.EU_WEST_1).heal();
            runtime.resetHealth();
            out.printf(Locale.ROOT, "[%5.1fs] session store: eu-west-1 back%n", RegionDrill.seconds(started));
            phase.serve(HEALED, true);
            regions.awaitReplication();
            SessionPhaseOutcome outcome = phase.outcome(regions);
            outcome.printProgress(out);
            return outcome;
        } finally {
            regions.faults(Phase.EU_WEST_1).heal();
            regions.resumeReplication();
        }
    }

    private void create() {
        for (int i = 0; i < SESSIONS; i++) {
            RegionalSession s = repository.createSession();
            s.setAttribute("n", next);
            repository.save(s);
            ledger.put(s.getId(), new long[] {s.version(), next++});
            ids.add(s.getId());
        }
    }

    /**
     * Reads each session in turn, and saves it when the read returned it, for {@code duration}; with
     * {@code wholeRound} for at least one read of every session, however slowly the calls go.
     */
    private void serve(Duration duration, boolean wholeRound) {
        long end = System.nanoTime() + duration.toNanos();
        for (int i = 0; System.nanoTime() - end < 0 || wholeRound && i < ids.size(); i++) {
            String id = ids.get(i % ids.size());
            long[] acknowledged = ledger.get(id);
            reads++;
            RegionalSession read;
            try {
                read = repository.findById(id);
            } catch (SessionNotReadableException e) {
                refused++;
                continue;
            }
            served++;
            if (read == null || read.version() < acknowledged[0]
                    || read.version() == acknowledged[0] && !Long.valueOf(acknowledged[1]).equals(read.getAttribute("n"))) {
                stale++;
                continue;
            }
            long value = next++;
            read.setAttribute("n", value);
            saves++;
            try {
                repository.save(read);
            } catch (SessionNotReadableException e) {
                continue; // not acknowledged: the ledger keeps the last acknowledged save
            }
            saved++;
            if (!read.region().equals(Region.EU_WEST_1)) {
                savedElsewhere++;
            }
            ledger.put(id, new long[] {read.version(), value});
        }
    }

    private SessionPhaseOutcome outcome(LocalRegions regions) {
        long lost = 0;
        for (String id : ids) {
            for (String region : List.of(Phase.EU_WEST_1, Phase.EU_CENTRAL_1)) {
                Map<String, AttributeValue> item = regions.client(region).getItem(g -> g.tableName(TABLE)
                        .key(Map.of("id", AttributeValue.fromS(id))).consistentRead(true)).item();
                if (item == null || item.isEmpty() || Long.parseLong(item.get("version").n()) < ledger.get(id)[0]) {
                    lost++;
                    break;
                }
            }
        }
        long outsideEu = 0;
        long writesOutsideEu = 0;
        for (var e : regions.journal(Phase.US_EAST_1).entries()) {
            if (e.table().filter(TABLE::equals).isPresent()) {
                outsideEu++;
                if (e.operation().equals("PutItem") || e.operation().equals("DeleteItem")) {
                    writesOutsideEu++;
                }
            }
        }
        return new SessionPhaseOutcome(ids.size(), reads, served, refused, stale, saves, saved, savedElsewhere, lost,
                outsideEu, writesOutsideEu);
    }
}
