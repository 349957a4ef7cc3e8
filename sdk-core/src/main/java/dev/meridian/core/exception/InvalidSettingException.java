package dev.meridian.core.exception;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A configuration value Meridian refuses, with the message every configuration error has:
 * {@code <setting> <rule>, was <value>; <how to fix it>}. {@link #setting()} names the setting as the user set it (a
 * builder method, an environment variable, a system or Spring property), so a caller such as the Spring Boot starter
 * reports the offending property without reading the message. An {@link IllegalArgumentException}, as the JDK's bad
 * arguments are, rather than a {@link MeridianException}. Immutable once thrown.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;
    private final String fix;

    /**
     * @param setting the setting as the user set it, e.g. {@code meridian.local-region}
     * @param message the whole message, {@code <setting> <rule>, was <value>; <fix>}
     * @param fix     how to fix it
     */
    public InvalidSettingException(String setting, String message, String fix, @Nullable Throwable cause) {
        super(message, cause);
        this.setting = Objects.requireNonNull(setting, "setting");
        this.fix = Objects.requireNonNull(fix, "fix");
    }

    /** The offending setting as the user set it. */
    public String setting() {
        return setting;
    }

    /** How to fix it (the end of the message). */
    public String fix() {
        return fix;
    }
}
