package dev.meridian.core.residency;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.util.Locale;
import java.util.Set;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * A legal area data may be bound to (EU, US, APAC, or any name via {@link #of(String)}). Regions belong to one
 * jurisdiction; data subjects are mapped to one by {@link CountryJurisdictions}. Immutable value, case-insensitive.
 */
@API(status = STABLE, since = "0.1")
public final class Jurisdiction {
    /** The European Union and the EEA (IS, LI, NO). */
    public static final Jurisdiction EU = new Jurisdiction("EU");
    /** The United States. */
    public static final Jurisdiction US = new Jurisdiction("US");
    /** Asia-Pacific (a coarse grouping; map countries individually if your rules are per country). */
    public static final Jurisdiction APAC = new Jurisdiction("APAC");

    /** AWS regions located in EU member states. */
    private static final Set<String> EU_REGIONS = Set.of("eu-west-1", "eu-west-3", "eu-central-1", "eu-north-1",
            "eu-south-1", "eu-south-2", "eusc-de-east-1");

    private final String name;

    private Jurisdiction(String name) {
        this.name = name;
    }

    public static Jurisdiction of(String name) {
        SettingRules.notBlank(name, "jurisdiction name", "use EU, US, APAC or another name");
        String n = name.trim().toUpperCase(Locale.ROOT);
        switch (n) {
            case "EU": return EU;
            case "US": return US;
            case "APAC": return APAC;
            default: return new Jurisdiction(n);
        }
    }

    /**
     * The jurisdiction a region belongs to when the configuration does not say. By the country the region is in, not
     * by its name: the EU regions (Ireland, Paris, Frankfurt, Stockholm, Milan, Spain, and the European Sovereign
     * Cloud) → EU; London ({@code eu-west-2}) → {@code GB} and Zurich ({@code eu-central-2}) → {@code CH}, which are
     * not in the EU; {@code us-*} (GovCloud included) → US; {@code ap-*} → APAC; a few single-country prefixes
     * ({@code ca} → CA, {@code sa} → BR, {@code il} → IL, {@code mx} → MX, {@code af} → ZA). Any other region, an
     * {@code eu-*} region this table does not know included, is a jurisdiction of its own named after its id, so
     * RESTRICTED data never reaches it unless the configuration names its jurisdiction.
     */
    public static Jurisdiction inferredFor(Region region) {
        String id = region.id();
        if (EU_REGIONS.contains(id)) {
            return EU;
        }
        switch (id) {
            case "eu-west-2": return of("GB");
            case "eu-central-2": return of("CH");
            default: break;
        }
        int dash = id.indexOf('-');
        String prefix = dash < 0 ? id : id.substring(0, dash);
        switch (prefix) {
            case "us": return US;
            case "ap": return APAC;
            case "ca": return of("CA");
            case "sa": return of("BR");
            case "il": return of("IL");
            case "mx": return of("MX");
            case "af": return of("ZA");
            default: return of(id);
        }
    }

    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Jurisdiction && ((Jurisdiction) o).name.equals(name);
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
