package dev.meridian.spring;

import dev.meridian.core.MeridianSettings;
import dev.meridian.core.MultiRegionConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the {@link MultiRegionConfig} of {@link MeridianProperties} through {@code MultiRegionConfig.fromEnvironment}
 * (same validation and messages as without Spring), and turns a rejected value into a
 * {@link MeridianConfigurationException} naming the property and the fix.
 */
final class MeridianConfigs {
    /** The first {@code meridian.*} name in a core message: the setting that supplied the bad value. */
    private static final Pattern PROPERTY = Pattern.compile("meridian\\.[A-Za-z0-9.<>_-]*[A-Za-z0-9>]");
    private static final Pattern REGION_KEY = Pattern.compile("^region\\.[a-z0-9-]+\\.");
    private static final Pattern COUNTRY_KEY = Pattern.compile("^residency\\.country\\.[A-Za-z]{2}$");

    private MeridianConfigs() {
    }

    static MultiRegionConfig build(MeridianProperties properties) {
        return translated(() -> MultiRegionConfig.fromEnvironment(awsRegionVariables(), properties.toSettings()));
    }

    /** Runs {@code build}, translating a core validation failure into a {@link MeridianConfigurationException}. */
    static <T> T translated(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw translate(e);
        }
    }

    static MeridianConfigurationException translate(IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        Matcher m = PROPERTY.matcher(message);
        String property = m.find() ? m.group() : MeridianSettings.REGIONS.propertyName();
        String expected = setting(property.substring("meridian.".length()))
                .map(s -> "expected " + s.description())
                .orElse("see the sdk-spring-starter README for the values it takes.");
        // Core's messages end with "; <fix>": lead with it, then what the property takes.
        int at = message.lastIndexOf("; ");
        String fix = at < 0 ? expected : message.substring(at + 2) + " (" + expected + ")";
        return new MeridianConfigurationException(property, message, fix, e);
    }

    private static Optional<MeridianSettings.Setting> setting(String key) {
        String generic = REGION_KEY.matcher(key).replaceFirst("region." + MeridianSettings.REGION + ".");
        if (COUNTRY_KEY.matcher(key).matches()) {
            generic = MeridianSettings.RESIDENCY_COUNTRY.key();
        }
        return MeridianSettings.find(generic);
    }

    /**
     * Only AWS's own region variables, which the local-region default reads: everything else comes from Spring's
     * {@code meridian.*} properties.
     */
    private static Map<String, String> awsRegionVariables() {
        Map<String, String> env = new HashMap<>();
        for (String name : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
            String v = System.getenv(name);
            if (v != null) {
                env.put(name, v);
            }
        }
        return env;
    }
}
