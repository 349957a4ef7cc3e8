package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meridian.core.exception.InvalidSettingException;
import dev.meridian.core.settings.MeridianSettings;
import dev.meridian.core.settings.Setting;
import dev.meridian.testkit.RepositoryFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * sdk-dynamodb's declarations ({@link DynamoDbSettings}) are what {@link TableConfig#fromEnvironment()} reads and
 * docs/configuration.md documents: every declared setting has a row with its variable, property, doc line and default;
 * a value gives the same table through its variable and its property, and a bad one the same error naming each.
 */
class DynamoDbSettingsTest {
    private static final Pattern ROW = Pattern.compile(
            "^\\| `(MERIDIAN_DYNAMODB_[A-Z0-9_<>]+)` \\| `(meridian\\.[a-z0-9.<>-]+)` \\| (.*) \\| (.*) \\|$");
    /** A good value of each setting and a bad one (null when every text that is not blank is good). */
    private static final Map<String, String[]> SAMPLES = new LinkedHashMap<>();

    static {
        SAMPLES.put("dynamodb.tables", new String[] {"orders-v2,orders-v3", "ab"});
        SAMPLES.put("dynamodb.table.<table>.partition-key", new String[] {"pk", null});
        SAMPLES.put("dynamodb.table.<table>.replica-regions", new String[] {"eu-west-1, EU-CENTRAL-1", "eu-west-1,eu-west-1"});
        SAMPLES.put("dynamodb.table.<table>.write-mode", new String[] {"write_home_by_key", "everywhere"});
        SAMPLES.put("dynamodb.table.<table>.default-data-class", new String[] {"RESTRICTED", null});
        SAMPLES.put("dynamodb.table.<table>.version-attribute", new String[] {"version", null});
        SAMPLES.put("dynamodb.table.<table>.consistent-reads-at-home", new String[] {"false", "ture"});
    }

    @Test
    void everyDeclaredSettingHasASample() {
        assertThat(SAMPLES.keySet()).containsExactlyElementsOf(
                DynamoDbSettings.all().stream().map(Setting::key).toList());
    }

    @Test
    void docsListEveryDeclaredSettingWithItsDocLineAndDefault() throws IOException {
        Map<String, String[]> rows = documentedRows();
        for (Setting<?> s : DynamoDbSettings.all()) {
            String[] row = rows.remove(s.variableName());
            assertThat(row).as("row of %s in docs/configuration.md", s.variableName()).isNotNull();
            assertThat(row[0]).as("property of %s", s.variableName()).isEqualTo(s.propertyName());
            assertThat(plain(row[1])).as("value column of %s", s).contains(withoutPeriod(s.doc()));
            assertThat(plain(row[2])).as("default column of %s", s).startsWith(s.defaultText());
        }
        assertThat(rows.keySet()).as("documented settings that are not declared").isEmpty();
    }

    @Test
    void aValueGivesTheSameTableThroughItsVariableAndItsProperty() {
        String baseline = TableConfig.fromEnvironment(Map.of("MERIDIAN_DYNAMODB_TABLES", "orders-v2"), new Properties())
                .toString() + versionAndReads(Map.of("MERIDIAN_DYNAMODB_TABLES", "orders-v2"), new Properties());
        for (Setting<?> s : DynamoDbSettings.all()) {
            String good = SAMPLES.get(s.key())[0];
            Map<String, String> byVariable = new HashMap<>(Map.of("MERIDIAN_DYNAMODB_TABLES", "orders-v2"));
            byVariable.put(variable(s), good);
            Properties byProperty = new Properties();
            byProperty.setProperty("meridian.dynamodb.tables", "orders-v2");
            byProperty.setProperty(property(s), good);

            String viaVariable = describe(byVariable, new Properties());
            assertThat(viaVariable).as("%s=%s changes the tables", variable(s), good).isNotEqualTo(baseline);
            assertThat(describe(Map.of(), byProperty)).as("%s as a property", s).isEqualTo(viaVariable);
        }
    }

    @Test
    void aBadValueGetsTheSameErrorThroughItsVariableAndItsPropertyNamingEach() {
        for (Setting<?> s : DynamoDbSettings.all()) {
            String bad = SAMPLES.get(s.key())[1];
            if (bad == null) {
                continue;
            }
            Map<String, String> env = new HashMap<>(Map.of("MERIDIAN_DYNAMODB_TABLES", "orders-v2"));
            env.put(variable(s), bad);
            Properties props = new Properties();
            props.setProperty("meridian.dynamodb.tables", "orders-v2");
            props.setProperty(property(s), bad);

            InvalidSettingException byVariable = catchThrowableOfType(InvalidSettingException.class,
                    () -> TableConfig.fromEnvironment(env, new Properties()));
            InvalidSettingException byProperty = catchThrowableOfType(InvalidSettingException.class,
                    () -> TableConfig.fromEnvironment(Map.of(), props));

            assertThat(byVariable).as("%s=%s refused", variable(s), bad).isNotNull();
            assertThat(byProperty).as("%s=%s refused", property(s), bad).isNotNull();
            assertThat(byVariable.setting()).isEqualTo(variable(s));
            assertThat(byProperty.setting()).isEqualTo(property(s));
            assertThat(byVariable.getMessage()).startsWith(variable(s) + " " + s.rule() + ", was ")
                    .isEqualTo(byProperty.getMessage().replace(property(s), variable(s)));
        }
    }

    @Test
    void aTablesVariablesUseItsNameWithEveryOtherCharacterAsUnderscore() {
        assertThat(DynamoDbSettings.variableName(DynamoDbSettings.TABLE_PARTITION_KEY, "orders.v2-eu"))
                .isEqualTo("MERIDIAN_DYNAMODB_TABLE_ORDERS_V2_EU_PARTITION_KEY");
    }

    private static String describe(Map<String, String> env, Properties props) {
        return TableConfig.fromEnvironment(env, props) + versionAndReads(env, props);
    }

    /** What {@link TableConfig#toString()} leaves out. */
    private static String versionAndReads(Map<String, String> env, Properties props) {
        StringBuilder s = new StringBuilder();
        for (TableConfig t : TableConfig.fromEnvironment(env, props)) {
            s.append(' ').append(t.versionAttribute()).append(' ').append(t.consistentReadsAtHome());
        }
        return s.toString();
    }

    private static String variable(Setting<?> s) {
        return s.isTemplate() ? DynamoDbSettings.variableName(s, "orders-v2") : s.variableName();
    }

    private static String property(Setting<?> s) {
        return s.isTemplate() ? MeridianSettings.propertyName(s.key("orders-v2")) : s.propertyName();
    }

    private static String plain(String cell) {
        return cell.replace("`", "");
    }

    private static String withoutPeriod(String doc) {
        return doc.endsWith(".") ? doc.substring(0, doc.length() - 1) : doc;
    }

    /** Variable → {property, value column, default column} of the DynamoDB rows. */
    private static Map<String, String[]> documentedRows() throws IOException {
        Map<String, String[]> rows = new TreeMap<>();
        for (String line : Files.readAllLines(configurationDoc(), StandardCharsets.UTF_8)) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                rows.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4)});
            }
        }
        return rows;
    }

    private static Path configurationDoc() {
        return RepositoryFiles.find("docs/configuration.md");
    }
}
