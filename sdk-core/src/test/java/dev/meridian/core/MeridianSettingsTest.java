package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MeridianSettings.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The catalog is what {@link EnvironmentConfig} reads and docs/configuration.md documents (DocumentedVariablesTest
 * ties the document to what is read), and each default it states is the one the configuration really takes.
 */
class MeridianSettingsTest {
    private static final Pattern ROW =
            Pattern.compile("^\\| `(MERIDIAN_[A-Z0-9_<>]+)` \\| `(meridian\\.[a-z0-9.<>-]+)` \\|");

    @Test
    void catalogListsExactlyTheDocumentedSettings() throws IOException {
        Map<String, String> catalog = new TreeMap<>();
        for (Setting s : MeridianSettings.all()) {
            catalog.put(s.variableName(), s.propertyName());
        }

        assertThat(catalog).isEqualTo(documented());
    }

    @Test
    void everyStatedDefaultIsTheDefaultTheConfigurationTakes() {
        String baseline = fingerprint(new Properties());
        for (Setting s : MeridianSettings.all()) {
            if (s.isTemplate() || s.defaultValue().isEmpty()) {
                continue;
            }
            Properties explicit = new Properties();
            explicit.setProperty(s.propertyName(), s.defaultValue().get());

            assertThat(fingerprint(explicit)).as("%s set to its stated default %s", s, s.defaultValue().get())
                    .isEqualTo(baseline);
        }
    }

    @Test
    void namesFollowThePropertyAndVariableConventions() {
        assertThat(MeridianSettings.BREAKER_WAIT_IN_OPEN.propertyName()).isEqualTo("meridian.breaker.wait-in-open");
        assertThat(MeridianSettings.BREAKER_WAIT_IN_OPEN.variableName()).isEqualTo("MERIDIAN_BREAKER_WAIT_IN_OPEN");
        assertThat(MeridianSettings.REGION_WEIGHT.key("eu-west-1")).isEqualTo("region.eu-west-1.weight");
        assertThat(MeridianSettings.find("routing")).contains(MeridianSettings.ROUTING);
        assertThat(MeridianSettings.all()).allSatisfy(s -> assertThat(s.description()).isNotBlank());
    }

    /** Everything a setting with a default can change, for a three-region topology with hedging on. */
    private static String fingerprint(Properties extra) {
        Properties props = new Properties();
        props.setProperty("meridian.regions", "eu-west-1,eu-central-1,us-east-1");
        props.setProperty("meridian.hedge.delay", "50ms"); // hedge.mode only means something with a delay
        props.putAll(extra);
        MultiRegionConfig c = MultiRegionConfig.fromEnvironment(Map.of(), props);
        return c + " " + c.health() + " " + c.defaultDataClass() + " " + c.requireContext() + " "
                + c.residency().countries().jurisdictionOf("GB");
    }

    private static Map<String, String> documented() throws IOException {
        Map<String, String> documented = new TreeMap<>();
        Path doc = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && doc == null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs").resolve("configuration.md");
            doc = Files.isRegularFile(candidate) ? candidate : null;
        }
        assertThat(doc).as("docs/configuration.md above the working directory").isNotNull();
        for (String line : Files.readAllLines(doc, StandardCharsets.UTF_8)) {
            Matcher m = ROW.matcher(line);
            // sdk-dynamodb's table settings are read there (TableConfig.fromEnvironment) and checked there.
            if (m.find() && !m.group(1).startsWith("MERIDIAN_DYNAMODB_")) {
                documented.put(m.group(1), m.group(2));
            }
        }
        return documented;
    }
}
