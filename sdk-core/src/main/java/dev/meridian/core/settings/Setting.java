package dev.meridian.core.settings;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.internal.SettingRules;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One setting, declared once in its module's registry ({@link MeridianSettings} for sdk-core's, sdk-dynamodb's
 * {@code DynamoDbSettings}, the starter's own): its key, its type, its default, its rule and one doc line.
 * Every source that sets it validates through this declaration, so a bad value gets the same message whichever source it
 * came through, naming the setting as that source calls it: {@link #check} a typed value (a builder method, a bound
 * Spring property), {@link #parse} a text (an environment variable, a system property).
 *
 * <p>A key such as {@code breaker.wait-in-open} is the system property and Spring property {@code meridian.} + key
 * and the environment variable {@code MERIDIAN_} + the key upper-cased with {@code .} and {@code -} as {@code _}
 * ({@code MERIDIAN_BREAKER_WAIT_IN_OPEN}). Per-region keys hold the placeholder {@value #REGION} (the region id, e.g.
 * {@code region.eu-west-1.weight}); per-country keys hold {@value #COUNTRY} (an ISO-3166 alpha-2 code); other modules
 * declare their own placeholder the same way (sdk-dynamodb's {@code <table>}): one {@code <name>} segment. Immutable.
 *
 * @param <T> the type of the value, as the builder and the Spring property take it
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Setting<T> {
    /** Placeholder of a region id in per-region keys. */
    public static final String REGION = "<region>";
    /** Placeholder of a country code in per-country keys. */
    public static final String COUNTRY = "<cc>";

    private final String key;
    private final Class<?> type;
    private final Function<String, T> parser;
    private final String parseRule;
    private final Predicate<T> valid;
    private final String rule;
    private final String fix;
    private final @Nullable T defaultValue;
    private final String defaultText;
    private final String doc;

    private Setting(Builder<T> b) {
        this.key = b.key;
        this.type = b.type;
        this.parser = b.parser;
        this.parseRule = b.parseRule;
        this.valid = b.valid;
        this.rule = b.rule;
        this.fix = b.fix;
        this.defaultValue = b.defaultValue;
        this.defaultText = b.defaultText;
        this.doc = b.doc;
    }

    /**
     * Starts the declaration of {@code key}, whose values are of {@code type} and whose texts {@code parser} turns into
     * values (throwing for a text that is none); {@link SettingTypes} has the common kinds.
     */
    @API(status = INTERNAL, since = "0.1")
    public static <T> Builder<T> builder(String key, Class<?> type, Function<String, T> parser) {
        return new Builder<>(Objects.requireNonNull(key, "key"), Objects.requireNonNull(type, "type"),
                Objects.requireNonNull(parser, "parser"));
    }

    /** The key below {@code meridian.}, e.g. {@code breaker.wait-in-open} or {@code region.<region>.weight}. */
    public String key() {
        return key;
    }

    /** The key with the placeholder filled in, e.g. {@code region.eu-west-1.weight}. */
    public String key(String regionOrCountry) {
        Objects.requireNonNull(regionOrCountry, "regionOrCountry");
        int start = placeholderStart(key);
        return start < 0 ? key
                : key.substring(0, start) + regionOrCountry + key.substring(key.indexOf('>', start) + 1);
    }

    /** {@code meridian.} + {@link #key()}: the system property and the Spring property. */
    public String propertyName() {
        return MeridianSettings.propertyName(key);
    }

    /** The environment variable, placeholders upper-cased ({@code MERIDIAN_REGION_<REGION>_WEIGHT}). */
    public String variableName() {
        return MeridianSettings.variableName(key);
    }

    /** Whether the key holds a placeholder ({@value #REGION}, {@value #COUNTRY}, a module's own). */
    public boolean isTemplate() {
        return placeholderStart(key) >= 0;
    }

    /**
     * Where the first placeholder of {@code key} ({@code <}, lower-case ASCII letters, {@code >}) starts, or -1.
     * Scanned, not a regular expression: every application's first config initializes this class.
     */
    private static int placeholderStart(String key) {
        for (int open = key.indexOf('<'); open >= 0; open = key.indexOf('<', open + 1)) {
            int end = open + 1;
            while (end < key.length() && key.charAt(end) >= 'a' && key.charAt(end) <= 'z') {
                end++;
            }
            if (end > open + 1 && end < key.length() && key.charAt(end) == '>') {
                return open;
            }
        }
        return -1;
    }

    /** The type of the value, e.g. {@code Integer}, {@code Duration}, {@code List} (of region ids). */
    public Class<?> type() {
        return type;
    }

    /** The default value, empty when there is none or it is derived from other settings (see {@link #defaultText()}). */
    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /**
     * The default as documented: the value as it is written in a property ({@code 10s}, {@code local-first}) or,
     * when it is derived, what it is ({@code the highest-priority region}).
     */
    public String defaultText() {
        return defaultText;
    }

    /** What the setting means and which values it takes, in one line. */
    public String doc() {
        return doc;
    }

    /** What a value must be, as error messages say it, e.g. {@code must be an integer in 1..100}. */
    public String rule() {
        return rule;
    }

    /**
     * {@code value} when it keeps the rule, else an {@link dev.meridian.core.exception.InvalidSettingException}
     * {@code <name> <rule>, was <value>; <fix>} ({@link NullPointerException} for {@code null}).
     *
     * @param name the setting as the user set it, e.g. {@code HealthConfig.minimumNumberOfCalls} or
     *             {@code meridian.breaker.minimum-calls}
     */
    public T check(@Nullable T value, String name) {
        T v = SettingRules.required(value, name, fix());
        if (!valid.test(v)) {
            throw SettingRules.invalid(name, rule, shown(v), fix());
        }
        return v;
    }

    /**
     * The value of {@code text} (an environment variable or property value, trimmed), checked as {@link #check}
     * does; a text that is no value of the type is refused the same way, {@code was} showing the text.
     */
    public T parse(String text, String name) {
        String t = text.trim();
        T v;
        try {
            v = parser.apply(t);
        } catch (RuntimeException e) {
            throw SettingRules.invalid(name, parseRule, SettingRules.quoted(text), fix(), e);
        }
        if (!valid.test(v)) {
            throw SettingRules.invalid(name, rule, SettingRules.quoted(text), fix());
        }
        return v;
    }

    /** How to fix a bad value: the declaration's advice, and how to get the default when there is one. */
    private String fix() {
        return defaultValue == null ? fix : fix + ", or remove it to use the default " + defaultText;
    }

    private static String shown(Object value) {
        return value instanceof String ? SettingRules.quoted(value) : String.valueOf(value);
    }

    @Override
    public String toString() {
        return propertyName();
    }

    /** Assembles a declaration; the registries' declarations use it through {@link SettingTypes}. */
    @API(status = INTERNAL, since = "0.1")
    public static final class Builder<T> {
        private final String key;
        private final Class<?> type;
        private final Function<String, T> parser;
        private String parseRule = "";
        private Predicate<T> valid = SettingTypes.anyValue();
        private String rule = "";
        private String fix = "";
        private @Nullable T defaultValue;
        private String defaultText = "none";
        private String doc = "";

        private Builder(String key, Class<?> type, Function<String, T> parser) {
            this.key = key;
            this.type = type;
            this.parser = parser;
        }

        /** The rule: what {@link #check} accepts and how messages say it; also the rule of an unparsable text. */
        public Builder<T> rule(Predicate<T> valid, String rule, String fix) {
            this.valid = valid;
            this.rule = rule;
            this.fix = fix;
            if (parseRule.isEmpty()) {
                this.parseRule = rule;
            }
            return this;
        }

        /** What a text that is no value of the type is told, when it is not {@link #rule}'s text. */
        public Builder<T> parseRule(String parseRule) {
            this.parseRule = parseRule;
            return this;
        }

        /** The default, and how a property is written to get it ({@code 10s}, {@code local-first}). */
        public Builder<T> defaultValue(T value, String asWritten) {
            this.defaultValue = value;
            this.defaultText = asWritten;
            return this;
        }

        /** A default that is derived from other settings: documented, never applied by the declaration. */
        public Builder<T> derivedDefault(String what) {
            this.defaultText = what;
            return this;
        }

        /** Ends the declaration with its doc line: what the setting means and which values it takes. */
        public Setting<T> doc(String doc) {
            this.doc = doc;
            return new Setting<>(this);
        }
    }
}
