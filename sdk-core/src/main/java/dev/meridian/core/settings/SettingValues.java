package dev.meridian.core.settings;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Typed values of {@link MeridianSettings}' settings as one source supplied them (environment variables and system
 * properties, Spring properties), each checked by its declaration when put, and named as that source names it: a bad
 * value, and a value that does not fit the others when {@code MultiRegionConfig.fromSettings} builds the
 * configuration, is an {@link dev.meridian.core.exception.InvalidSettingException} naming the variable or property.
 * Not thread-safe.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SettingValues {
    private final Function<String, String> names;
    /** By concrete key ({@code region.eu-west-1.weight}). */
    private final Map<String, Object> values = new LinkedHashMap<>();
    /** By template key: the region ids or country codes that have a value. */
    private final Map<String, List<String>> filled = new LinkedHashMap<>();

    private SettingValues(Function<String, String> names) {
        this.names = Objects.requireNonNull(names, "names");
    }

    /**
     * Values named by {@code names}, which takes a key ({@code local-region}, {@code region.eu-west-1.weight}, or a
     * template key such as {@code region.<region>.weight} for a rule over every region) and returns the setting as
     * the user set it, e.g. {@code MeridianSettings::propertyName}.
     */
    public static SettingValues namedBy(Function<String, String> names) {
        return new SettingValues(names);
    }

    /** Sets {@code setting} to {@code value} after checking it; {@code null} leaves it unset (its default applies). */
    public <T> SettingValues put(Setting<T> setting, @Nullable T value) {
        if (setting.isTemplate()) {
            throw new IllegalArgumentException(setting + " is set per region or country: use put(setting, id, value)");
        }
        return store(setting, setting.key(), value);
    }

    /** Sets {@code setting} of one region or country to {@code value}; {@code null} leaves it unset. */
    public <T> SettingValues put(Setting<T> setting, String regionOrCountry, @Nullable T value) {
        if (!setting.isTemplate()) {
            throw new IllegalArgumentException(setting + " is not set per region or country: use put(setting, value)");
        }
        if (value != null) {
            filled.computeIfAbsent(setting.key(), k -> new ArrayList<>()).add(regionOrCountry);
        }
        return store(setting, setting.key(regionOrCountry), value);
    }

    private <T> SettingValues store(Setting<T> setting, String key, @Nullable T value) {
        if (value != null) {
            values.put(key, setting.check(value, name(key)));
        }
        return this;
    }

    /** The value of {@code setting}, empty when unset. */
    public <T> Optional<T> get(Setting<T> setting) {
        return value(setting.key());
    }

    /** The value of {@code setting} for one region or country, empty when unset. */
    public <T> Optional<T> get(Setting<T> setting, String regionOrCountry) {
        return value(setting.key(regionOrCountry));
    }

    /** The region ids or country codes for which the per-region or per-country {@code setting} has a value. */
    public List<String> filled(Setting<?> setting) {
        return List.copyOf(filled.getOrDefault(setting.key(), List.of()));
    }

    /** {@code key} as the source that supplied the values names it. */
    public String name(String key) {
        return names.apply(key);
    }

    @SuppressWarnings("unchecked") // stored by put(Setting<T>, T) under the setting's own key
    private <T> Optional<T> value(String key) {
        return Optional.ofNullable((T) values.get(key));
    }
}
