package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What the global-table replicator had done at the end of its last poll cycle: for every table's stream in every
 * region whether that cycle read it to the end, and how many changes wait on each replication link. Published by
 * the replicator after each cycle, so reading it never waits for replication work. Immutable.
 *
 * @param cycles      poll cycles completed so far
 * @param recordsRead stream records read so far, over every table and region
 * @param lastApplied changes the last cycle applied to other regions (their stream records are read next cycle)
 * @param streams     per "table@region": true when the last cycle found no unread record in that stream
 * @param pending     per link "from->to": changes observed and not yet applied (paused, or not yet due)
 * @param paused      links currently paused, "from->to"
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record ReplicationProgress(long cycles, long recordsRead, int lastApplied, Map<String, Boolean> streams,
        Map<String, Integer> pending, List<String> paused) {

    /** Copies the maps and lists; every argument is required. */
    public ReplicationProgress {
        Objects.requireNonNull(streams, "streams");
        Objects.requireNonNull(pending, "pending");
        Objects.requireNonNull(paused, "paused");
        streams = Map.copyOf(streams);
        pending = Map.copyOf(pending);
        paused = List.copyOf(paused);
    }

    /**
     * Whether the last cycle read every stream to the end, applied nothing (so no record of its own writes is
     * unread) and left no change waiting on any link.
     */
    public boolean caughtUp() {
        return streams.values().stream().allMatch(Boolean::booleanValue) && pendingChanges() == 0 && lastApplied == 0;
    }

    public int pendingChanges() {
        return pending.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Streams with records the last cycle did not reach, as "table@region". */
    public List<String> unreadStreams() {
        return streams.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).sorted().toList();
    }

    /** "caught up", or what is still outstanding: unread streams and the changes pending per link. */
    public String describe() {
        if (caughtUp()) {
            return "caught up after " + cycles + " cycles, " + recordsRead + " records read";
        }
        List<String> parts = new ArrayList<>();
        if (lastApplied > 0) {
            parts.add(lastApplied + " changes just applied");
        }
        if (!unreadStreams().isEmpty()) {
            parts.add("streams not read to the end: " + unreadStreams());
        }
        pending.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.comparingByKey())
                .forEach(e -> parts.add(e.getKey() + " " + e.getValue() + " pending"
                        + (paused.contains(e.getKey()) ? " (link paused)" : "")));
        return String.join("; ", parts);
    }
}
