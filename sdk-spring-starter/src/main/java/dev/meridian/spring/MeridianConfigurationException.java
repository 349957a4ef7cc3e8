package dev.meridian.spring;

import java.util.Objects;

/**
 * A {@code meridian.*} property whose value Meridian cannot start with. {@link MeridianFailureAnalyzer} turns it into
 * the start-up report: what is wrong with which property, and how to fix it.
 */
public class MeridianConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String property;
    private final String fix;

    /**
     * @param property the offending property, e.g. {@code meridian.local-region}
     * @param problem what is wrong with its value
     * @param fix what to set instead
     */
    public MeridianConfigurationException(String property, String problem, String fix, Throwable cause) {
        super(Objects.requireNonNull(problem, "problem"), cause);
        this.property = Objects.requireNonNull(property, "property");
        this.fix = Objects.requireNonNull(fix, "fix");
    }

    /** The offending property. */
    public String property() {
        return property;
    }

    /** How to fix it. */
    public String fix() {
        return fix;
    }
}
