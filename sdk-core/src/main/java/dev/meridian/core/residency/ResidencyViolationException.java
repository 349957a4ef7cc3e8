package dev.meridian.core.residency;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.exception.MeridianException;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Raised instead of routing a call outside the regions its data may live in: no allowed region is configured,
 * healthy or left after failures, or a store's replica footprint reaches outside the allowed set. Meridian never
 * falls back to a non-allowed region. The message names the data class and jurisdiction, never the payload.
 */
@API(status = STABLE, since = "0.1")
public class ResidencyViolationException extends MeridianException {
    private static final long serialVersionUID = 1L;

    private final transient DataClass dataClass;
    private final transient @Nullable Jurisdiction jurisdiction;

    public ResidencyViolationException(String message, DataClass dataClass, @Nullable Jurisdiction jurisdiction) {
        this(message, dataClass, jurisdiction, null);
    }

    public ResidencyViolationException(String message, DataClass dataClass, @Nullable Jurisdiction jurisdiction,
            @Nullable Throwable cause) {
        super(message, cause);
        this.dataClass = dataClass;
        this.jurisdiction = jurisdiction;
    }

    public DataClass dataClass() {
        return dataClass;
    }

    /** The subject's jurisdiction, or {@code null} when it was unknown. */
    public @Nullable Jurisdiction jurisdiction() {
        return jurisdiction;
    }
}
