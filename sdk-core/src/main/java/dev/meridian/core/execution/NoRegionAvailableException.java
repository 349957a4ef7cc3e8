package dev.meridian.core.execution;

import dev.meridian.core.MeridianException;

/**
 * No region can take the call: every candidate is drained, behind an open circuit breaker or excluded by the
 * routing context. Residency-limited calls get {@link dev.meridian.core.residency.ResidencyViolationException}
 * instead. Nothing was sent.
 */
public class NoRegionAvailableException extends MeridianException {
    private static final long serialVersionUID = 1L;

    public NoRegionAvailableException(String message) {
        super(message);
    }
}
