package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A {@code meridian.*} property whose value Meridian cannot start with. {@link MeridianFailureAnalyzer} turns it into
 * the start-up report: what is wrong with which property, and how to fix it.
 */
@API(status = STABLE, since = "0.1")
public class MeridianConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String property;
    private final String fix;

    /**
     * @param property the offending property, e.g. {@code meridian.local-region}
     * @param problem what is wrong with its value
     * @param fix what to set instead
     */
    public MeridianConfigurationException(String property, String problem, String fix, @Nullable Throwable cause) {
        super(Objects.requireNonNull(problem, "problem"), cause);
        this.property = Objects.requireNonNull(property, "property");
        this.fix = Objects.requireNonNull(fix, "fix");
    }

    /**
     * A bad value of {@code property}, its message in the shape of every Meridian configuration error:
     * {@code <property> <rule>, was <value>; <fix>}.
     */
    static MeridianConfigurationException invalid(String property, String rule, @Nullable Object shownValue, String fix,
            @Nullable Throwable cause) {
        return new MeridianConfigurationException(property, SettingRules.message(property, rule, shownValue, fix), fix,
                cause);
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
