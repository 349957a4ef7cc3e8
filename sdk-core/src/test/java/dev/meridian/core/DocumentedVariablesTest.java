package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.settings.MeridianSettings;
import dev.meridian.testkit.RepositoryFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md and {@link EnvironmentReader} agree: every variable/property pair in the document's tables
 * is read, and every {@code MERIDIAN_*} variable and {@code meridian.*} property read is documented.
 */
class DocumentedVariablesTest {
    /** A table row: | `MERIDIAN_X` | `meridian.x` | ... */
    private static final Pattern ROW =
            Pattern.compile("^\\| `(MERIDIAN_[A-Z0-9_<>]+)` \\| `(meridian\\.[a-z0-9.<>-]+)` \\|");
    /** Read by sdk-dynamodb's {@code TableConfig.fromEnvironment()}; its own test checks those rows. */
    private static final String DYNAMODB_PREFIX = "MERIDIAN_DYNAMODB_";
    /** Read by scanning every variable for a pattern rather than by name; checked by its effect instead. */
    private static final String COUNTRY_VARIABLE = "MERIDIAN_RESIDENCY_COUNTRY_<CC>";

    @Test
    void everyDocumentedVariableIsReadAndEveryVariableReadIsDocumented() throws IOException {
        Map<String, String> documented = documentedVariables();
        assertThat(documented).containsEntry(COUNTRY_VARIABLE, "meridian.residency.country.<cc>");
        documented.remove(COUNTRY_VARIABLE);

        Map<String, String> read = variablesRead();

        assertThat(read).as("variable → property read by EnvironmentReader vs documented in docs/configuration.md")
                .isEqualTo(documented);
    }

    @Test
    void documentedCountryVariableAndPropertyAssignJurisdictions() throws IOException {
        Map<String, String> documented = documentedVariables();
        Map<String, String> env = new HashMap<>(Map.of("MERIDIAN_REGIONS", "eu-west-1"));
        env.put(COUNTRY_VARIABLE.replace("<CC>", "GB"), "UK");
        Properties props = new Properties();
        props.setProperty(documented.get(COUNTRY_VARIABLE).replace("<cc>", "ch"), "EU");

        MultiRegionConfig c = MultiRegionConfig.fromEnvironment(env, props);

        assertThat(c.residency().countries().jurisdictionOf("GB")).contains(Jurisdiction.of("UK"));
        assertThat(c.residency().countries().jurisdictionOf("CH")).contains(Jurisdiction.EU);
    }

    /** Loads a one-region configuration through maps that record every name looked up. */
    private static Map<String, String> variablesRead() {
        Set<String> variables = new TreeSet<>();
        Set<String> properties = new TreeSet<>();
        Map<String, String> env = new HashMap<>(Map.of("MERIDIAN_REGIONS", "eu-west-1")) {
            @Override
            public String get(Object key) {
                variables.add(String.valueOf(key));
                return super.get(key);
            }
        };
        Properties props = new Properties() {
            @Override
            public String getProperty(String key) {
                properties.add(key);
                return super.getProperty(key);
            }
        };
        MultiRegionConfig.fromEnvironment(env, props);

        // Each setting is looked up as its property, then as its variable: pair them and name the region generically.
        Map<String, String> read = new TreeMap<>();
        for (String property : properties) {
            String variable = MeridianSettings.variableName(property.substring("meridian.".length()));
            assertThat(variables).as("variable of %s", property).contains(variable);
            read.put(variable.replace("EU_WEST_1", "<REGION>"), property.replace("eu-west-1", "<region>"));
        }
        variables.removeIf(v -> !v.startsWith("MERIDIAN_")); // AWS_REGION, AWS_DEFAULT_REGION are AWS's own
        assertThat(read.keySet()).as("variables read without a property")
                .containsExactlyInAnyOrderElementsOf(variables.stream().map(v -> v.replace("EU_WEST_1", "<REGION>"))
                        .collect(Collectors.toSet()));
        return read;
    }

    private static Map<String, String> documentedVariables() throws IOException {
        Map<String, String> documented = new TreeMap<>();
        for (String line : Files.readAllLines(configurationDoc(), StandardCharsets.UTF_8)) {
            Matcher m = ROW.matcher(line);
            if (m.find() && !m.group(1).startsWith(DYNAMODB_PREFIX)) {
                documented.put(m.group(1), m.group(2));
            }
        }
        assertThat(documented).as("variable rows in docs/configuration.md").hasSizeGreaterThan(10);
        return documented;
    }

    private static Path configurationDoc() {
        return RepositoryFiles.find("docs/configuration.md");
    }
}
