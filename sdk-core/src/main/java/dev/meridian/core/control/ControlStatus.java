package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * The control view for health and operators: the source, the state in force, when it was last read successfully and
 * whether the source is in an outage (the last read failed: the state in force is the last known one). Immutable.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ControlStatus {
    private final String source;
    private final RegionControlState state;
    private final @Nullable Instant lastGoodRead;
    private final @Nullable Duration age;
    private final @Nullable String lastFailure;

    ControlStatus(String source, RegionControlState state, @Nullable Instant lastGoodRead, @Nullable Duration age,
            @Nullable String lastFailure) {
        this.source = source;
        this.state = state;
        this.lastGoodRead = lastGoodRead;
        this.age = age;
        this.lastFailure = lastFailure;
    }

    /** The source's kind ({@code static}, {@code arc}, {@code table}). */
    public String source() {
        return source;
    }

    /** The state in force: the last good read, or empty (every region ON) before one. */
    public RegionControlState state() {
        return state;
    }

    /** When the source last answered. */
    public Optional<Instant> lastGoodRead() {
        return Optional.ofNullable(lastGoodRead);
    }

    /** How long ago the source last answered. */
    public Optional<Duration> age() {
        return Optional.ofNullable(age);
    }

    /** Whether the last read failed: the state in force is the last known one (fail static). */
    public boolean outage() {
        return lastFailure != null;
    }

    /** The last read's failure, while in an outage. */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    @Override
    public String toString() {
        return "ControlStatus{source=" + source + ", state=" + state + ", age=" + age
                + (lastFailure == null ? "" : ", outage: " + lastFailure) + "}";
    }
}
