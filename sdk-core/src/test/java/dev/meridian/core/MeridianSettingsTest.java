package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meridian.core.exception.InvalidSettingException;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.settings.MeridianSettings;
import dev.meridian.core.settings.Setting;
import dev.meridian.core.settings.SettingValues;
import dev.meridian.testkit.RepositoryFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The registry is what {@link EnvironmentReader} reads and docs/configuration.md documents: every declared setting has
 * a row with its variable, property, doc line and default; each stated default is the one the configuration really
 * takes; a value set through a variable, a system property or {@link SettingValues} (the Spring source) gives the same
 * configuration, and a bad one the same error naming the setting as that source calls it.
 */
class MeridianSettingsTest {
    /** | `MERIDIAN_X` | `meridian.x` | value | default | */
    private static final Pattern ROW = Pattern.compile(
            "^\\| `(MERIDIAN_[A-Z0-9_<>]+)` \\| `(meridian\\.[a-z0-9.<>-]+)` \\| (.*) \\| (.*) \\|$");
    private static final String REGIONS = "eu-west-1,eu-central-1,us-east-1";

    /** A good and a bad value of each setting, as text; bad is null when every text that is not blank is good. */
    static final Map<String, String[]> SAMPLES = new LinkedHashMap<>();

    static {
        SAMPLES.put("regions", new String[] {"eu-west-1,us-east-1,eu-central-1", "eu-west-1,mars-1"});
        SAMPLES.put("region.<region>.jurisdiction", new String[] {"APAC", null});
        SAMPLES.put("region.<region>.priority", new String[] {"7", "-1"});
        SAMPLES.put("region.<region>.weight", new String[] {"100", "101"});
        SAMPLES.put("region.<region>.endpoint", new String[] {"http://localhost:8000", "relative/path"});
        SAMPLES.put("local-region", new String[] {"us-east-1", "ap-south-1"});
        SAMPLES.put("home-region", new String[] {"eu-central-1", "ap-south-1"});
        SAMPLES.put("routing", new String[] {"failover", "nearest"});
        SAMPLES.put("max-regions-per-call", new String[] {"2", "101"});
        SAMPLES.put("first-attempt-timeout", new String[] {"3s", "0s"});
        SAMPLES.put("hedge.delay", new String[] {"80ms", "-PT1S"});
        SAMPLES.put("hedge.mode", new String[] {"fixed", "sometimes"});
        SAMPLES.put("hedge.budget-percent", new String[] {"20", "0"});
        SAMPLES.put("hedge.budget-burst", new String[] {"3", "0"});
        SAMPLES.put("breaker.failure-rate-threshold", new String[] {"25", "0"});
        SAMPLES.put("breaker.sliding-window-size", new String[] {"40", "0"});
        SAMPLES.put("breaker.minimum-calls", new String[] {"5", "0"});
        SAMPLES.put("breaker.wait-in-open", new String[] {"30s", "0s"});
        SAMPLES.put("breaker.half-open-calls", new String[] {"1", "0"});
        SAMPLES.put("breaker.slow-call-rate-threshold", new String[] {"90", "100.5"});
        SAMPLES.put("breaker.slow-call-duration", new String[] {"1s", "0s"});
        SAMPLES.put("breaker.per-resource", new String[] {"true", "yes"});
        SAMPLES.put("breaker.eject-after-stalls", new String[] {"2", "-1"});
        SAMPLES.put("default-data-class", new String[] {"RESTRICTED", null});
        SAMPLES.put("require-context", new String[] {"true", "ture"});
        SAMPLES.put("residency.country.<cc>", new String[] {"UK", null});
    }

    @Test
    void everyDeclaredSettingHasASample() {
        assertThat(SAMPLES.keySet()).containsExactlyElementsOf(
                MeridianSettings.all().stream().map(Setting::key).toList());
    }

    @Test
    void docsListEveryDeclaredSettingWithItsDocLineAndDefault() throws IOException {
        Map<String, String[]> rows = documentedRows();
        for (Setting<?> s : MeridianSettings.all()) {
            String[] row = rows.remove(s.variableName());
            assertThat(row).as("row of %s in docs/configuration.md", s.variableName()).isNotNull();
            assertThat(row[0]).as("property of %s", s.variableName()).isEqualTo(s.propertyName());
            assertThat(plain(row[1])).as("value column of %s", s).contains(withoutPeriod(s.doc()));
            assertThat(plain(row[2])).as("default column of %s", s).startsWith(s.defaultText());
        }
        assertThat(rows.keySet()).as("documented settings that are not declared").isEmpty();
    }

    @Test
    void everyStatedDefaultIsTheDefaultTheConfigurationTakes() {
        String baseline = fingerprint(new Properties());
        for (Setting<?> s : MeridianSettings.all()) {
            if (s.isTemplate() || s.defaultValue().isEmpty()) {
                continue;
            }
            Properties explicit = new Properties();
            explicit.setProperty(s.propertyName(), s.defaultText());

            assertThat(fingerprint(explicit)).as("%s set to its stated default %s", s, s.defaultText())
                    .isEqualTo(baseline);
        }
    }

    /**
     * The builders write these defaults out (so that they do not load the catalogue at start-up): each must be its
     * declaration's default.
     */
    @Test
    void theDefaultsTheBuildersWriteOutAreTheDeclaredOnes() {
        HealthConfig health = HealthConfig.defaults();
        assertThat(MultiRegionConfig.DEFAULT_MAX_REGIONS_PER_CALL)
                .isEqualTo(MeridianSettings.MAX_REGIONS_PER_CALL.defaultValue().orElseThrow());
        assertThat(MultiRegionConfig.DEFAULT_FIRST_ATTEMPT_TIMEOUT)
                .isEqualTo(MeridianSettings.FIRST_ATTEMPT_TIMEOUT.defaultValue().orElseThrow());
        assertThat(health.failureRateThreshold())
                .isEqualTo(MeridianSettings.BREAKER_FAILURE_RATE_THRESHOLD.defaultValue().orElseThrow());
        assertThat(health.slidingWindowSize())
                .isEqualTo(MeridianSettings.BREAKER_SLIDING_WINDOW_SIZE.defaultValue().orElseThrow());
        assertThat(health.minimumNumberOfCalls())
                .isEqualTo(MeridianSettings.BREAKER_MINIMUM_CALLS.defaultValue().orElseThrow());
        assertThat(health.waitInOpenState())
                .isEqualTo(MeridianSettings.BREAKER_WAIT_IN_OPEN.defaultValue().orElseThrow());
        assertThat(health.permittedCallsInHalfOpenState())
                .isEqualTo(MeridianSettings.BREAKER_HALF_OPEN_CALLS.defaultValue().orElseThrow());
        assertThat(health.slowCallRateThreshold())
                .isEqualTo(MeridianSettings.BREAKER_SLOW_CALL_RATE_THRESHOLD.defaultValue().orElseThrow());
        assertThat(health.slowCallDuration())
                .isEqualTo(MeridianSettings.BREAKER_SLOW_CALL_DURATION.defaultValue().orElseThrow());
        assertThat(health.perResourceBreakers())
                .isEqualTo(MeridianSettings.BREAKER_PER_RESOURCE.defaultValue().orElseThrow());
        assertThat(health.ejectAfterStalls())
                .isEqualTo(MeridianSettings.BREAKER_EJECT_AFTER_STALLS.defaultValue().orElseThrow());
    }

    @Test
    void aValueGivesTheSameConfigurationThroughEverySource() {
        String baseline = fingerprint(new Properties());
        for (Setting<?> s : MeridianSettings.all()) {
            String good = SAMPLES.get(s.key())[0];
            String key = concrete(s);
            Properties props = new Properties();
            props.setProperty(MeridianSettings.propertyName(key), good);
            Map<String, String> env = new HashMap<>(baseEnv());
            env.put(MeridianSettings.variableName(key), good);

            String byProperty = fingerprint(props);
            assertThat(byProperty).as("%s=%s changes the configuration", s, good).isNotEqualTo(baseline);
            assertThat(fingerprint(MultiRegionConfig.fromEnvironment(env, baseWithout(key))))
                    .as("%s as a variable", s).isEqualTo(byProperty);
            assertThat(fingerprint(typed(s, key, good))).as("%s as a typed value", s).isEqualTo(byProperty);
        }
    }

    @Test
    void aBadValueGetsTheSameErrorThroughEverySourceNamingTheSettingAsThatSourceDoes() {
        for (Setting<?> s : MeridianSettings.all()) {
            String bad = SAMPLES.get(s.key())[1];
            if (bad == null) {
                continue;
            }
            String key = concrete(s);
            String property = MeridianSettings.propertyName(key);
            String variable = MeridianSettings.variableName(key);
            Properties props = base();
            props.setProperty(property, bad);
            Map<String, String> env = new HashMap<>(baseEnv());
            env.put(variable, bad);

            InvalidSettingException byProperty = failure(() -> MultiRegionConfig.fromEnvironment(baseEnv(), props));
            InvalidSettingException byVariable =
                    failure(() -> MultiRegionConfig.fromEnvironment(env, baseWithout(key)));
            assertThat(byProperty.setting()).as("setting named by the property source").isEqualTo(property);
            assertThat(byVariable.setting()).as("setting named by the variable source").isEqualTo(variable);
            assertThat(byProperty.getMessage()).as("error of %s", s).startsWith(property + " must ")
                    .isEqualTo(byVariable.getMessage().replace(variable, property));
            assertThat(byProperty.fix()).as("fix of %s", s).isNotBlank();
        }
    }

    @Test
    void namesFollowThePropertyAndVariableConventions() {
        assertThat(MeridianSettings.BREAKER_WAIT_IN_OPEN.propertyName()).isEqualTo("meridian.breaker.wait-in-open");
        assertThat(MeridianSettings.BREAKER_WAIT_IN_OPEN.variableName()).isEqualTo("MERIDIAN_BREAKER_WAIT_IN_OPEN");
        assertThat(MeridianSettings.REGION_WEIGHT.key("eu-west-1")).isEqualTo("region.eu-west-1.weight");
        assertThat(MeridianSettings.find("routing")).containsSame(MeridianSettings.ROUTING);
        assertThat(MeridianSettings.all()).allSatisfy(s -> assertThat(s.doc()).isNotBlank());
    }

    @Test
    void aTemplateSettingIsPutPerRegionOrCountry() {
        SettingValues values = SettingValues.namedBy(MeridianSettings::propertyName);
        assertThatThrownBy(() -> values.put(MeridianSettings.REGION_WEIGHT, 10))
                .hasMessageContaining("put(setting, id, value)");
        assertThatThrownBy(() -> values.put(MeridianSettings.ROUTING, "eu-west-1", "geo"))
                .hasMessageContaining("put(setting, value)");
    }

    /** The key with eu-west-1 / GB in place of the placeholder. */
    static String concrete(Setting<?> s) {
        return s.key(id(s));
    }

    /** The region or country a sample of a per-region or per-country setting is set for. */
    static String id(Setting<?> s) {
        return s.key().contains(Setting.COUNTRY) ? "GB" : "eu-west-1";
    }

    /** The sample parsed by its declaration and put as a typed value, the way the Spring starter puts bound values. */
    private static MultiRegionConfig typed(Setting<?> s, String key, String text) {
        SettingValues values = SettingValues.namedBy(MeridianSettings::propertyName);
        if (s != MeridianSettings.REGIONS) {
            values.put(MeridianSettings.REGIONS, List.of(REGIONS.split(",")));
        }
        put(values, s, key, text);
        return MultiRegionConfig.fromSettings(values);
    }

    private static <T> void put(SettingValues values, Setting<T> s, String key, String text) {
        T value = s.parse(text, MeridianSettings.propertyName(key));
        if (s.isTemplate()) {
            values.put(s, id(s), value);
        } else {
            values.put(s, value);
        }
    }

    private static InvalidSettingException failure(Runnable build) {
        InvalidSettingException thrown = catchThrowableOfType(InvalidSettingException.class, build::run);
        assertThat(thrown).as("refusal").isNotNull();
        return thrown;
    }

    private static Map<String, String> baseEnv() {
        return Map.of();
    }

    /** Three regions. */
    private static Properties base() {
        Properties props = new Properties();
        props.setProperty("meridian.regions", REGIONS);
        return props;
    }

    /** {@link #base()} without the property of {@code key}, which would win over its variable. */
    private static Properties baseWithout(String key) {
        Properties props = base();
        props.remove(MeridianSettings.propertyName(key));
        return props;
    }

    private static String fingerprint(Properties extra) {
        Properties props = base();
        props.putAll(extra);
        return fingerprint(MultiRegionConfig.fromEnvironment(baseEnv(), props));
    }

    /** Everything a setting can change. */
    static String fingerprint(MultiRegionConfig c) {
        return c + " " + c.regions() + " " + c.health() + " " + c.firstAttemptTimeout() + " " + c.defaultDataClass()
                + " " + c.requireContext() + " " + c.residency().countries().jurisdictionOf("GB");
    }

    private static String plain(String cell) {
        return cell.replace("`", "");
    }

    private static String withoutPeriod(String doc) {
        return doc.endsWith(".") ? doc.substring(0, doc.length() - 1) : doc;
    }

    /** Variable → {property, value column, default column}; sdk-dynamodb's table rows are its own. */
    private static Map<String, String[]> documentedRows() throws IOException {
        Map<String, String[]> rows = new TreeMap<>();
        for (String line : Files.readAllLines(configurationDoc(), StandardCharsets.UTF_8)) {
            Matcher m = ROW.matcher(line);
            if (m.find() && !m.group(1).startsWith("MERIDIAN_DYNAMODB_")) {
                rows.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4)});
            }
        }
        return rows;
    }

    static Path configurationDoc() {
        return RepositoryFiles.find("docs/configuration.md");
    }
}
