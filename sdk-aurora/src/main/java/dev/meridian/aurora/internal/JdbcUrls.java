package dev.meridian.aurora.internal;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.internal.SettingRules;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * Checks JDBC URLs and hides the secrets they may carry before a URL (or a driver message quoting it) reaches a log
 * line or an exception message. Not API: this package is sdk-aurora's own and may change without notice. Stateless.
 */
@API(status = INTERNAL, since = "0.1")
public final class JdbcUrls {
    /** {@code password=...}, {@code sslpassword=...}: any parameter whose name mentions a password. */
    private static final Pattern PASSWORD_PARAMETER =
            Pattern.compile("(?i)([?&;][^?&;=#]*password[^&;=#]*=)[^&;#]*");
    /** {@code //user:secret@host}. */
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/:@?&;]*):[^/@?&;]*@");
    private static final String MASK = "****";

    private JdbcUrls() {
    }

    /** {@code url} with password parameters and the password of a {@code user:password@} part masked. */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        String masked = PASSWORD_PARAMETER.matcher(url).replaceAll("$1" + MASK);
        return USER_INFO_PASSWORD.matcher(masked).replaceAll("$1:" + MASK + "@");
    }

    /** {@code message} with every occurrence of {@code url} redacted (driver messages often quote the whole URL). */
    public static String redact(String message, String url) {
        if (message == null || url == null || url.isEmpty()) {
            return message;
        }
        return message.replace(url, redact(url));
    }

    /**
     * Rejects what cannot be a JDBC URL (a bare host name is the usual mistake), naming the setting and the redacted
     * value; blank values are rejected too.
     */
    public static String require(String url, String setting) {
        String fix = "pass a JDBC URL such as jdbc:postgresql://host:5432/db";
        SettingRules.notBlank(url, setting, fix);
        SettingRules.check(url.startsWith("jdbc:"), setting, "must be a JDBC URL starting with jdbc:", redact(url), fix);
        return url;
    }
}
