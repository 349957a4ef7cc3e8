package dev.meridian.core.residency;

import java.util.Locale;
import java.util.Objects;
import software.amazon.awssdk.regions.Region;

/**
 * A legal area data may be bound to (EU, US, APAC, or any name via {@link #of(String)}). Regions belong to one
 * jurisdiction; data subjects are mapped to one by {@link CountryJurisdictions}. Immutable value, case-insensitive.
 */
public final class Jurisdiction {
    /** The European Union and the EEA (IS, LI, NO). */
    public static final Jurisdiction EU = new Jurisdiction("EU");
    /** The United States. */
    public static final Jurisdiction US = new Jurisdiction("US");
    /** Asia-Pacific (a coarse grouping; map countries individually if your rules are per country). */
    public static final Jurisdiction APAC = new Jurisdiction("APAC");

    private final String name;

    private Jurisdiction(String name) {
        this.name = name;
    }

    public static Jurisdiction of(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.isEmpty()) {
            throw new IllegalArgumentException("jurisdiction name must not be blank");
        }
        switch (n) {
            case "EU": return EU;
            case "US": return US;
            case "APAC": return APAC;
            default: return new Jurisdiction(n);
        }
    }

    /**
     * The jurisdiction a region belongs to when the configuration does not say: {@code eu-*} → EU,
     * {@code us-*} (including GovCloud) → US, {@code ap-*} → APAC; otherwise the region's partition prefix
     * upper-cased (e.g. {@code ca-central-1} → CA, {@code me-south-1} → ME).
     */
    public static Jurisdiction inferredFor(Region region) {
        String id = region.id();
        int dash = id.indexOf('-');
        String prefix = dash < 0 ? id : id.substring(0, dash);
        switch (prefix) {
            case "eu": return EU;
            case "us": return US;
            case "ap": return APAC;
            default: return of(prefix);
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
