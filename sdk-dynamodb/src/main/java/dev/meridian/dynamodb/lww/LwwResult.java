package dev.meridian.dynamodb.lww;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.clock.HybridLogicalClock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Outcome of one {@link LwwWrites} write: {@link Outcome#APPLIED}, or {@link Outcome#SUPERSEDED} by a stored item with
 * a greater version (stamp, region, node), which is returned as the winner. A write is never superseded by itself:
 * when an SDK retry or a failover re-sends a write that an earlier attempt had applied, the outcome is APPLIED (with
 * no {@link #returnedAttributes()}: the earlier attempt's answer was lost). Immutable and thread-safe.
 */
@API(status = STABLE, since = "0.1")
public final class LwwResult {

    /** Whether the write took effect. */
    public enum Outcome {
        /**
         * The write is stored: its version was the greatest the region had seen for the item (or the stored item's
         * stamp was beyond the writer's drift bound), or an earlier attempt of this same write had stored it.
         */
        APPLIED,
        /** The region already held a newer write for the item; nothing was changed. */
        SUPERSEDED
    }

    private final Outcome outcome;
    private final long stamp;
    private final Map<String, AttributeValue> attributes;

    private LwwResult(Outcome outcome, long stamp, Map<String, AttributeValue> attributes) {
        this.outcome = outcome;
        this.stamp = stamp;
        this.attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    static LwwResult applied(long stamp, Map<String, AttributeValue> returnedAttributes) {
        return new LwwResult(Outcome.APPLIED, stamp, returnedAttributes);
    }

    static LwwResult superseded(long stamp, Map<String, AttributeValue> winner) {
        return new LwwResult(Outcome.SUPERSEDED, stamp, Objects.requireNonNull(winner, "winner"));
    }

    /** APPLIED or SUPERSEDED. */
    public Outcome outcome() {
        return outcome;
    }

    /** Whether the write took effect. */
    public boolean applied() {
        return outcome == Outcome.APPLIED;
    }

    /** The HLC stamp this write carried. */
    public long stamp() {
        return stamp;
    }

    /** For a superseded write, the stored item that won (including its stamp, region and node attributes). */
    public Optional<Map<String, AttributeValue>> winner() {
        return outcome == Outcome.SUPERSEDED ? Optional.of(attributes) : Optional.empty();
    }

    /** For an applied write, the attributes DynamoDB returned for the request's {@code ReturnValues} (often none). */
    public Map<String, AttributeValue> returnedAttributes() {
        return outcome == Outcome.APPLIED ? attributes : Map.of();
    }

    @Override
    public String toString() {
        return "LwwResult[" + outcome + ", stamp=" + HybridLogicalClock.toString(stamp) + "]";
    }
}
