package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md and {@link TableConfig#fromEnvironment(Map, Properties)} agree: every
 * {@code MERIDIAN_DYNAMODB_*} variable/property pair in the document's tables is read, and every one read is
 * documented.
 */
class DocumentedTableVariablesTest {
    private static final Pattern ROW =
            Pattern.compile("^\\| `(MERIDIAN_DYNAMODB_[A-Z0-9_<>]+)` \\| `(meridian\\.dynamodb\\.[a-z0-9.<>-]+)` \\|");

    @Test
    void everyDocumentedTableVariableIsReadAndEveryOneReadIsDocumented() throws IOException {
        Set<String> variables = new TreeSet<>();
        Set<String> properties = new TreeSet<>();
        Map<String, String> env = new HashMap<>(Map.of("MERIDIAN_DYNAMODB_TABLES", "orders")) {
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
        TableConfig.fromEnvironment(env, props);

        Map<String, String> read = new TreeMap<>();
        for (String variable : variables) {
            read.put(variable.replace("_ORDERS_", "_<TABLE>_"), null);
        }
        for (String property : properties) {
            String generic = property.replace(".orders.", ".<table>.");
            String variable = "MERIDIAN_" + generic.substring("meridian.".length()).toUpperCase(java.util.Locale.ROOT)
                    .replace('.', '_').replace('-', '_');
            assertThat(read).as("variable of %s", property).containsKey(variable);
            read.put(variable, generic);
        }
        assertThat(read).isEqualTo(documented());
    }

    private static Map<String, String> documented() throws IOException {
        Map<String, String> documented = new TreeMap<>();
        for (String line : Files.readAllLines(configurationDoc(), StandardCharsets.UTF_8)) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                documented.put(m.group(1), m.group(2));
            }
        }
        return documented;
    }

    private static Path configurationDoc() {
        return RepositoryFiles.find("docs/configuration.md");
    }
}
