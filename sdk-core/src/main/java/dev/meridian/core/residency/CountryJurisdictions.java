package dev.meridian.core.residency;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apiguardian.api.API;

/**
 * Maps ISO-3166 alpha-2 country codes to the {@link Jurisdiction} of a data subject living there.
 *
 * <p>Built-in table ({@link #defaults()}):
 * <ul>
 *   <li>EU: the 27 EU member states plus the EEA states Iceland, Liechtenstein and Norway (30 codes,
 *       {@link #EU_EEA_COUNTRIES}; Greece is {@code GR}, not {@code EL}).</li>
 *   <li>US: {@code US} and the inhabited US territories {@code PR, GU, VI, AS, MP} and {@code UM}.</li>
 *   <li>APAC: {@code JP, SG, AU, NZ, IN, KR, HK, TW, ID, MY, TH, PH, VN} — one coarse Asia-Pacific jurisdiction;
 *       where the law is per country (e.g. Indian or Australian localisation), override with
 *       {@link #with(String, Jurisdiction)} and give the regions matching jurisdictions.</li>
 * </ul>
 * Every other country (e.g. {@code GB}, {@code CH}, {@code CA}) is unknown by default: RESTRICTED data of such
 * a subject is refused until the application maps the country. Immutable and thread-safe; {@code with} returns a
 * copy.
 */
@API(status = STABLE, since = "0.1")
public final class CountryJurisdictions {
    /** The 27 EU member states plus IS, LI, NO. */
    public static final Set<String> EU_EEA_COUNTRIES = Collections.unmodifiableSet(new TreeSet<>(Set.of(
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
            "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
            "IS", "LI", "NO")));
    /** US and its territories. */
    public static final Set<String> US_COUNTRIES = Set.of("US", "PR", "GU", "VI", "AS", "MP", "UM");
    /** Asia-Pacific examples mapped to {@link Jurisdiction#APAC}. */
    public static final Set<String> APAC_COUNTRIES = Set.of(
            "JP", "SG", "AU", "NZ", "IN", "KR", "HK", "TW", "ID", "MY", "TH", "PH", "VN");

    private static final CountryJurisdictions DEFAULTS = buildDefaults();

    private final Map<String, Jurisdiction> table;

    private CountryJurisdictions(Map<String, Jurisdiction> table) {
        this.table = Collections.unmodifiableMap(table);
    }

    /** The built-in table described above. */
    public static CountryJurisdictions defaults() {
        return DEFAULTS;
    }

    /** An empty table: every country unknown until mapped. */
    public static CountryJurisdictions empty() {
        return new CountryJurisdictions(new HashMap<>());
    }

    private static CountryJurisdictions buildDefaults() {
        Map<String, Jurisdiction> m = new HashMap<>();
        put(m, EU_EEA_COUNTRIES, Jurisdiction.EU);
        put(m, US_COUNTRIES, Jurisdiction.US);
        put(m, APAC_COUNTRIES, Jurisdiction.APAC);
        return new CountryJurisdictions(m);
    }

    /** A loop, not a lambda: the first config of every process builds this table (no class spun at start-up). */
    private static void put(Map<String, Jurisdiction> table, Set<String> countries, Jurisdiction jurisdiction) {
        for (String c : countries) {
            table.put(c, jurisdiction);
        }
    }

    /** A copy with {@code country} mapped to {@code jurisdiction} (overrides the built-in entry). */
    public CountryJurisdictions with(String country, Jurisdiction jurisdiction) {
        Objects.requireNonNull(jurisdiction, "jurisdiction");
        Map<String, Jurisdiction> m = new HashMap<>(table);
        m.put(normalize(country), jurisdiction);
        return new CountryJurisdictions(m);
    }

    /** The jurisdiction of a subject living in {@code country} (ISO-3166 alpha-2, case-insensitive). */
    public Optional<Jurisdiction> jurisdictionOf(String country) {
        if (country == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(table.get(country.trim().toUpperCase(Locale.ROOT)));
    }

    /** Every mapped country code. */
    public Set<String> countries() {
        return Collections.unmodifiableSet(new TreeSet<>(table.keySet()));
    }

    static String normalize(String country) {
        Objects.requireNonNull(country, "country");
        String c = country.trim().toUpperCase(Locale.ROOT);
        SettingRules.check(c.length() == 2 && Character.isLetter(c.charAt(0)) && Character.isLetter(c.charAt(1)),
                "country", "must be an ISO-3166 alpha-2 code", SettingRules.quoted(country), "use two letters, e.g. DE");
        return c;
    }
}
