package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.exception.InvalidSettingException;
import dev.meridian.core.settings.MeridianSettings;
import dev.meridian.core.settings.Setting;
import dev.meridian.dynamodb.client.DynamoDbSettings;
import dev.meridian.testkit.RepositoryFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The starter's {@code meridian.*} properties and the declarations of every setting stay one: sdk-core's
 * ({@link MeridianSettings}) bind typed and reach the configuration as they do through {@code fromEnvironment()}, a bad
 * value is refused with the same rule and fix naming the Spring property; the IDE metadata states the type, doc line
 * and default of every declaration — sdk-core's, sdk-dynamodb's ({@link DynamoDbSettings}, bound per table) and the
 * starter's own ({@link StarterSettings}) — and has no {@code meridian.*} key that none of them declares; and
 * docs/configuration.md lists the starter's own with their doc lines and defaults.
 */
class MeridianPropertiesCatalogTest {
    /** | `meridian.x` | value | default | (the starter's own properties in docs/configuration.md). */
    private static final Pattern STARTER_ROW = Pattern.compile("^\\| `(meridian\\.[a-z0-9.<>-]+)` \\| (.*) \\| (.*) \\|$");
    private static final String REGIONS = "eu-west-1,eu-central-1,us-east-1";
    /**
     * A good value of each setting and a bad one that Spring still binds to the property's type (so the declaration's
     * rule refuses it, not Spring's conversion); null when every bindable value is good.
     */
    private static final Map<String, String[]> SAMPLES = new LinkedHashMap<>();

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
        SAMPLES.put("breaker.per-resource", new String[] {"true", null});
        SAMPLES.put("breaker.eject-after-stalls", new String[] {"2", "-1"});
        SAMPLES.put("default-data-class", new String[] {"RESTRICTED", null});
        SAMPLES.put("require-context", new String[] {"true", null});
        SAMPLES.put("residency.country.<cc>", new String[] {"UK", null});
    }

    @Test
    void everyDeclaredSettingHasASample() {
        assertThat(SAMPLES.keySet()).containsExactlyElementsOf(
                MeridianSettings.all().stream().map(Setting::key).toList());
    }

    @Test
    void everyDeclaredSettingBindsTypedAndGivesTheConfigurationTheEnvironmentGives() {
        String baseline = fingerprint(bound(Map.of()));
        for (Setting<?> s : MeridianSettings.all()) {
            String property = MeridianSettings.propertyName(concrete(s));
            String good = SAMPLES.get(s.key())[0];

            MultiRegionConfig bySpring = bound(Map.of(property, good));

            assertThat(fingerprint(bySpring)).as("%s=%s changes the configuration", property, good)
                    .isNotEqualTo(baseline)
                    .isEqualTo(fingerprint(MultiRegionConfig.fromEnvironment(awsRegionVariables(),
                            properties(Map.of(property, good)))));
        }
    }

    @Test
    void aBadValueIsRefusedByItsDeclarationNamingTheSpringProperty() {
        for (Setting<?> s : MeridianSettings.all()) {
            String bad = SAMPLES.get(s.key())[1];
            if (bad == null) {
                continue;
            }
            String property = MeridianSettings.propertyName(concrete(s));

            MeridianConfigurationException bySpring = catchThrowableOfType(MeridianConfigurationException.class,
                    () -> bound(Map.of(property, bad)));
            InvalidSettingException byProperty = catchThrowableOfType(InvalidSettingException.class,
                    () -> MultiRegionConfig.fromEnvironment(Map.of(), properties(Map.of(property, bad))));

            assertThat(bySpring).as("failure of %s=%s", property, bad).isNotNull();
            assertThat(bySpring.property()).as("property named for %s", s).isEqualTo(property);
            String message = bySpring.getMessage();
            assertThat(message).as("rule of %s", s).startsWith(property + " must ")
                    .startsWith(byProperty.getMessage().substring(0, byProperty.getMessage().indexOf(", was ")))
                    .endsWith(byProperty.getMessage().substring(byProperty.getMessage().lastIndexOf("; ")));
            assertThat(bySpring.fix()).as("fix of %s", s).startsWith(byProperty.fix())
                    .contains("expected " + MeridianSettings.find(s.key()).orElseThrow().doc());
        }
    }

    @Test
    void metadataStatesEachDeclarationsTypeDocLineAndDefault() throws IOException {
        Map<String, ConfigurationMetadataProperty> metadata = metadata();
        for (Setting<?> s : declarations()) {
            Optional<String> property = StarterSettings.springProperty(s);
            if (property.isEmpty()) {
                continue; // meridian.dynamodb.tables lists no tables in Spring: it is the map of them
            }
            String name = s.isTemplate() ? mapProperty(property.get()) : property.get();
            ConfigurationMetadataProperty p = metadata.get(name);
            assertThat(p).as("metadata of %s", name).isNotNull();
            if (s.isTemplate()) {
                String subKey = property.get().substring(property.get().lastIndexOf('.') + 1);
                assertThat(p.getDescription()).as("%s names %s", name, subKey).containsIgnoringCase(
                        subKey.startsWith("<") ? placeholderWord(subKey) : subKey);
                continue;
            }
            assertThat(p.getType()).as("type of %s", name).startsWith(s.type().getName());
            assertThat(normalized(p.getDescription())).as("description of %s", name).isEqualTo(s.doc());
            Object dflt = p.getDefaultValue();
            assertThat(dflt == null ? null : String.valueOf(dflt)).as("default of %s", name)
                    .isEqualTo(s.defaultValue().isPresent() ? s.defaultText() : null);
        }
    }

    @Test
    void everyMetadataKeyIsADeclaredSettingOrTheStartersOwnAndIsDescribed() throws IOException {
        Set<String> declared = new HashSet<>();
        for (Setting<?> s : declarations()) {
            StarterSettings.springProperty(s).ifPresent(name -> declared.add(s.isTemplate() ? mapProperty(name) : name));
        }
        for (ConfigurationMetadataProperty p : metadata().values()) {
            assertThat(p.getDescription()).as("description of %s", p.getId()).isNotBlank();
            if (!p.getId().startsWith("meridian.")) {
                continue; // management.endpoint.meridian.*, generated for the Actuator endpoint
            }
            assertThat(declared).as("%s is declared (MeridianSettings, DynamoDbSettings, StarterSettings)", p.getId())
                    .contains(p.getId());
        }
    }

    @Test
    void docsListEveryStarterPropertyWithItsDocLineAndDefault() throws IOException {
        Map<String, String[]> rows = new TreeMap<>();
        for (String line : Files.readAllLines(configurationDoc(), StandardCharsets.UTF_8)) {
            Matcher m = STARTER_ROW.matcher(line);
            if (m.find()) {
                rows.put(m.group(1), new String[] {m.group(2), m.group(3)});
            }
        }
        for (Setting<?> s : StarterSettings.all()) {
            String[] row = rows.remove(s.propertyName());
            assertThat(row).as("row of %s in docs/configuration.md", s.propertyName()).isNotNull();
            assertThat(row[0].replace("`", "")).as("value column of %s", s).contains(withoutPeriod(s.doc()));
            assertThat(row[1].replace("`", "")).as("default column of %s", s).startsWith(s.defaultText());
        }
        assertThat(rows.keySet()).as("documented starter properties that are not declared").isEmpty();
    }

    @Test
    void aBadStarterValueIsRefusedByItsDeclarationNamingTheProperty() {
        MeridianConfigurationException e = catchThrowableOfType(MeridianConfigurationException.class,
                () -> StarterSettings.check(StarterSettings.AURORA_LAG_CHECK_INTERVAL, Duration.ZERO));

        assertThat(e.property()).isEqualTo("meridian.aurora.lag-check-interval");
        assertThat(e).hasMessage("meridian.aurora.lag-check-interval must be positive, was PT0S; use e.g. 50ms, 2s or"
                + " ISO-8601 PT0.05S, or remove it to use the default 1s");
        assertThat(e.fix()).endsWith("(expected " + StarterSettings.AURORA_LAG_CHECK_INTERVAL.doc() + ")");
    }

    /** Every declaration the starter binds: sdk-core's, sdk-dynamodb's and its own. */
    private static List<Setting<?>> declarations() {
        List<Setting<?>> all = new ArrayList<>(MeridianSettings.all());
        all.addAll(DynamoDbSettings.all());
        all.addAll(StarterSettings.all());
        return all;
    }

    private static String placeholderWord(String placeholder) {
        return placeholder.equals(Setting.COUNTRY) ? "country" : placeholder.substring(1, placeholder.length() - 1);
    }

    private static String withoutPeriod(String doc) {
        return doc.endsWith(".") ? doc.substring(0, doc.length() - 1) : doc;
    }

    private static Path configurationDoc() {
        return RepositoryFiles.find("docs/configuration.md");
    }

    /** Three regions and a 20 ms hedge delay, then {@code extra}. */
    private static Map<String, String> base(Map<String, String> extra) {
        Map<String, String> source = new HashMap<>();
        source.put("meridian.regions", REGIONS);
        source.put("meridian.hedge.delay", "20ms");
        source.putAll(extra);
        return source;
    }

    private static MultiRegionConfig bound(Map<String, String> extra) {
        MeridianProperties properties = new Binder(new MapConfigurationPropertySource(base(extra)))
                .bind("meridian", MeridianProperties.class).get();
        return MeridianSettingsBinding.build(properties);
    }

    private static Properties properties(Map<String, String> extra) {
        Properties props = new Properties();
        props.putAll(base(extra));
        return props;
    }

    /** The AWS region variables {@code fromSettings} reads for the local region's default, as the starter sees them. */
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

    private static String concrete(Setting<?> s) {
        return s.key(s.key().contains(Setting.COUNTRY) ? "GB" : "eu-west-1");
    }

    /** Everything a setting can change. */
    private static String fingerprint(MultiRegionConfig c) {
        return c + " " + c.regions() + " " + c.health() + " " + c.firstAttemptTimeout() + " " + c.defaultDataClass()
                + " " + c.requireContext() + " " + c.residency().countries().jurisdictionOf("GB")
                + " " + c.hedging().delay().map(Duration::toMillis);
    }

    private static String normalized(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }

    /** {@code meridian.region.<region>.weight} is bound as the map {@code meridian.region}. */
    private static String mapProperty(String name) {
        return name.substring(0, name.indexOf(".<"));
    }

    private static Map<String, ConfigurationMetadataProperty> metadata() throws IOException {
        try (InputStream in = MeridianPropertiesCatalogTest.class
                .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("spring-configuration-metadata.json generated by the processor").isNotNull();
            return ConfigurationMetadataRepositoryJsonBuilder.create(in).build().getAllProperties();
        }
    }
}
