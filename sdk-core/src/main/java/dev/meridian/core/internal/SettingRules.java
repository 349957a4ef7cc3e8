package dev.meridian.core.internal;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.exception.InvalidSettingException;
import java.time.Duration;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Validation of configuration settings, shared by every Meridian module so that every configuration error has the
 * same shape: {@code <setting> <rule>, was <value>; <how to fix it>}. The setting is named as the user wrote it: a
 * builder method ({@code HealthConfig.minimumNumberOfCalls}), or the environment variable or property that supplied
 * the value ({@code MERIDIAN_MAX_REGIONS_PER_CALL}, {@code meridian.max-regions-per-call}). A missing required
 * setting is a {@link NullPointerException}, any other bad value an {@link InvalidSettingException} (an
 * {@link IllegalArgumentException} that names the setting, so no caller has to read the message). Callers pass
 * values that may carry secrets (JDBC URLs) already redacted.
 *
 * <p>Not API: sdk-dynamodb, sdk-aurora and the Spring Boot starter use it so that their messages have sdk-core's
 * shape, but it may change in any release. Stateless.
 */
@API(status = INTERNAL, since = "0.1")
public final class SettingRules {
    private SettingRules() {
    }

    /**
     * {@code value}, or a {@link NullPointerException} saying {@code setting is required, was null; fix}.
     *
     * @param setting the setting's name as the user wrote it, e.g. {@code multiRegion} or
     *                {@code jdbcUrl of node eu-west-1}
     * @param fix     what to do, e.g. {@code set it with RoutingDataSource.builder().multiRegion(..)}
     */
    public static <T> T required(T value, String setting, String fix) {
        if (value == null) {
            throw new NullPointerException(message(setting, "is required", "null", fix));
        }
        return value;
    }

    /** A required duration that must be longer than zero. */
    public static Duration positive(Duration value, String setting, String fix) {
        required(value, setting, fix);
        if (value.isNegative() || value.isZero()) {
            throw invalid(setting, "must be positive", value, fix);
        }
        return value;
    }

    /** An optional duration ({@code null} switches the feature off) that must be longer than zero when set. */
    public static Duration positiveOrNull(Duration value, String setting, String fix) {
        return value == null ? null : positive(value, setting, fix);
    }

    /** A required duration that may be zero but not negative. */
    public static Duration notNegative(Duration value, String setting, String fix) {
        required(value, setting, fix);
        check(!value.isNegative(), setting, "must not be negative", value, fix);
        return value;
    }

    /** A required string that must not be blank. */
    public static String notBlank(String value, String setting, String fix) {
        required(value, setting, fix);
        if (value.isBlank()) {
            throw invalid(setting, "must not be blank", quoted(value), fix);
        }
        return value;
    }

    /** A number that must be {@code min} or more. */
    public static int atLeast(int value, int min, String setting, String fix) {
        if (value < min) {
            throw invalid(setting, "must be >= " + min, value, fix);
        }
        return value;
    }

    /** A number that must be {@code min} or more. */
    public static long atLeast(long value, long min, String setting, String fix) {
        if (value < min) {
            throw invalid(setting, "must be >= " + min, value, fix);
        }
        return value;
    }

    /** A number that must be in {@code min..max}, both included. */
    public static int inRange(int value, int min, int max, String setting, String fix) {
        if (value < min || value > max) {
            throw invalid(setting, "must be in " + min + ".." + max, value, fix);
        }
        return value;
    }

    /**
     * Throws {@link #invalid} unless {@code valid}. The arguments are evaluated before the check: on a per-call path,
     * build a message only when the value is invalid ({@code if (..) throw invalid(..)}).
     */
    public static void check(boolean valid, String setting, String rule, Object shownValue, String fix) {
        if (!valid) {
            throw invalid(setting, rule, shownValue, fix);
        }
    }

    /**
     * The error for a bad value, for the caller to throw: {@code setting rule, was shownValue; fix}.
     *
     * @param rule       what the value must be, e.g. {@code must be a JDBC URL starting with jdbc:}
     * @param shownValue the value as it may be shown (redacted when it can carry a secret)
     */
    public static InvalidSettingException invalid(String setting, String rule, Object shownValue, String fix) {
        return new InvalidSettingException(setting, message(setting, rule, shownValue, fix), fix, null);
    }

    /** {@link #invalid(String, String, Object, String)} caused by {@code cause}, e.g. a parse failure. */
    public static InvalidSettingException invalid(String setting, String rule, Object shownValue, String fix,
            Throwable cause) {
        return new InvalidSettingException(setting, message(setting, rule, shownValue, fix), fix, cause);
    }

    /** The message of every configuration error: {@code setting rule, was shownValue; fix}. */
    public static String message(String setting, String rule, Object shownValue, String fix) {
        return setting + " " + rule + ", was " + shownValue + "; " + fix;
    }

    /** {@code 'text'}: how a value typed as text (a name, a variable's value) is shown, so blanks stay visible. */
    public static String quoted(Object text) {
        return "'" + text + "'";
    }

    /**
     * Whether {@code region} is one the AWS SDK knows: what every list of regions Meridian is given must hold to
     * (a configuration, the starter's region properties, the CLI's arguments), so that a typo fails where it was
     * written rather than never matching a region at run time.
     */
    public static boolean isKnownRegion(Region region) {
        return Region.regions().contains(region);
    }
}
