package dev.meridian.core.execution;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.exception.MeridianException;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * No region can take the call: every candidate is drained, behind an open circuit breaker or excluded by the
 * routing context — nothing was sent — or the regions tried failed and the last one's breaker opened before the call
 * reached it (the cause is Resilience4j's {@code CallNotPermittedException}; the earlier failures are suppressed on
 * this exception). Residency-limited calls whose allowed regions all failed get it too (or the last regional failure):
 * only a call for which no allowed region could be planned is a
 * {@link dev.meridian.core.residency.ResidencyViolationException}.
 */
@API(status = STABLE, since = "0.1")
public class NoRegionAvailableException extends MeridianException {
    private static final long serialVersionUID = 1L;

    public NoRegionAvailableException(String message) {
        super(message);
    }

    public NoRegionAvailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
