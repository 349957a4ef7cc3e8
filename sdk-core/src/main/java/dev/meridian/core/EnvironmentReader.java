package dev.meridian.core;

import dev.meridian.core.settings.MeridianSettings;
import dev.meridian.core.settings.Setting;
import dev.meridian.core.settings.SettingValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@link MultiRegionConfig} from {@code MERIDIAN_*} environment variables and {@code meridian.*} system
 * properties (a property wins over a variable): every setting {@link MeridianSettings} declares, parsed and checked by
 * its declaration. Errors name whichever variable or property supplied the value; a rule over settings that were not
 * set names both forms.
 */
final class EnvironmentReader {
    private static final Pattern COUNTRY_ENV = Pattern.compile("MERIDIAN_RESIDENCY_COUNTRY_([A-Z]{2})");
    private static final Pattern COUNTRY_PROP = Pattern.compile("meridian\\.residency\\.country\\.([a-zA-Z]{2})");

    private final Map<String, String> env;
    private final Properties props;
    /** Setting key → the name (property or variable) its value came from. */
    private final Map<String, String> sources = new HashMap<>();
    private final SettingValues values = SettingValues.namedBy(this::name);

    private EnvironmentReader(Map<String, String> env, Properties props) {
        this.env = Objects.requireNonNull(env, "env");
        this.props = Objects.requireNonNull(props, "props");
    }

    static MultiRegionConfig load(Map<String, String> env, Properties props) {
        EnvironmentReader reader = new EnvironmentReader(env, props);
        return ConfigAssembly.build(reader.read(), env::get);
    }

    private SettingValues read() {
        for (Setting<?> s : MeridianSettings.all()) {
            if (!s.isTemplate()) {
                read(s);
            }
        }
        List<String> regions = values.get(MeridianSettings.REGIONS).orElse(List.of());
        for (String id : regions) {
            read(MeridianSettings.REGION_JURISDICTION, id);
            read(MeridianSettings.REGION_PRIORITY, id);
            read(MeridianSettings.REGION_WEIGHT, id);
            read(MeridianSettings.REGION_ENDPOINT, id);
        }
        for (String cc : countries()) {
            read(MeridianSettings.RESIDENCY_COUNTRY, cc);
        }
        return values;
    }

    private <T> void read(Setting<T> s) {
        String text = text(s.key());
        if (text != null) {
            values.put(s, s.parse(text, name(s.key())));
        }
    }

    private <T> void read(Setting<T> s, String id) {
        String text = text(s.key(id));
        if (text != null) {
            values.put(s, id, s.parse(text, name(s.key(id))));
        }
    }

    /** The countries named by a {@code residency.country.<cc>} variable or property: read by scanning, not by name. */
    private List<String> countries() {
        List<String> countries = new ArrayList<>();
        for (String name : env.keySet()) {
            Matcher m = COUNTRY_ENV.matcher(name);
            if (m.matches()) {
                countries.add(m.group(1));
            }
        }
        for (String key : props.stringPropertyNames()) {
            Matcher m = COUNTRY_PROP.matcher(key);
            if (m.matches() && !countries.contains(m.group(1).toUpperCase(Locale.ROOT))) {
                countries.add(m.group(1));
            }
        }
        return countries;
    }

    /** The value of {@code key}: its property, else its variable; blank counts as unset. */
    private @Nullable String text(String key) {
        String propName = MeridianSettings.propertyName(key);
        String p = props.getProperty(propName);
        if (p == null) {
            // A country property may be written lower- or upper-case (meridian.residency.country.gb).
            p = props.getProperty(propName.toLowerCase(Locale.ROOT));
        }
        if (p != null && !p.isBlank()) {
            sources.put(key, propName);
            return p;
        }
        String varName = MeridianSettings.variableName(key);
        String e = env.get(varName);
        if (e != null && !e.isBlank()) {
            sources.put(key, varName);
            return e;
        }
        return null;
    }

    /** The variable or property that supplied {@code key}; both forms when none did. */
    private String name(String key) {
        String s = sources.get(key);
        return s != null ? s : MeridianSettings.variableName(key) + " (" + MeridianSettings.propertyName(key) + ")";
    }
}
