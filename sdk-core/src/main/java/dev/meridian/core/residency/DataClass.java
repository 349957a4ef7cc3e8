package dev.meridian.core.residency;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * How sensitive the data of a call is. Three built-in classes ({@link #PUBLIC}, {@link #INTERNAL},
 * {@link #RESTRICTED}); applications may define more with {@link #of(String)}. Names are case-insensitive
 * (stored upper-case). Immutable value; equal names are equal classes.
 */
@API(status = STABLE, since = "0.1")
public final class DataClass {
    /** May be served from any configured region. */
    public static final DataClass PUBLIC = new DataClass("PUBLIC");
    /** May be served from any configured region unless a rule says otherwise. The default of a call. */
    public static final DataClass INTERNAL = new DataClass("INTERNAL");
    /** Personal or regulated data: only regions in the subject's jurisdiction unless a rule says otherwise. */
    public static final DataClass RESTRICTED = new DataClass("RESTRICTED");

    private final String name;

    private DataClass(String name) {
        this.name = name;
    }

    public static DataClass of(String name) {
        SettingRules.notBlank(name, "data class name", "use PUBLIC, INTERNAL, RESTRICTED or a custom name");
        String n = name.trim().toUpperCase(Locale.ROOT);
        switch (n) {
            case "PUBLIC": return PUBLIC;
            case "INTERNAL": return INTERNAL;
            case "RESTRICTED": return RESTRICTED;
            default: return new DataClass(n);
        }
    }

    public String name() {
        return name;
    }

    /** True for the three built-in classes. */
    public boolean isBuiltIn() {
        return this == PUBLIC || this == INTERNAL || this == RESTRICTED;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataClass && ((DataClass) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
