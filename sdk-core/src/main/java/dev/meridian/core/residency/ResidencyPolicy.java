package dev.meridian.core.residency;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * Decides which configured regions may serve a call, from its {@link DataClass} and the subject's
 * {@link Jurisdiction}.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>If the builder has rules ({@link Builder#allow}, {@link Builder#allowRegions}) for the pair
 *       (data class, subject jurisdiction), the allowed set is the union of those rules — they replace the default
 *       for that pair.</li>
 *   <li>Otherwise {@link DataClass#PUBLIC}, {@link DataClass#INTERNAL} and classes declared
 *       {@link Builder#unrestricted} may use any configured region.</li>
 *   <li>Otherwise ({@link DataClass#RESTRICTED} and custom classes: fail closed) only regions whose jurisdiction
 *       equals the subject's; an unknown subject jurisdiction allows no region.</li>
 * </ol>
 * Immutable and thread-safe.
 */
@API(status = STABLE, since = "0.1")
public final class ResidencyPolicy {
    /** Made without a builder, whose class an application taking the defaults then never loads (cold start). */
    private static final ResidencyPolicy DEFAULTS = new ResidencyPolicy();

    /** Null: the built-in table, looked up when a subject's country is first asked about (not at start-up). */
    private final @Nullable CountryJurisdictions countries;
    private final List<Rule> rules;
    private final Set<DataClass> unrestricted;

    /** The default policy: what an untouched builder builds. */
    private ResidencyPolicy() {
        this.countries = null;
        this.rules = Collections.unmodifiableList(new ArrayList<>());
        this.unrestricted = Collections.unmodifiableSet(new HashSet<>());
    }

    private ResidencyPolicy(Builder b) {
        this.countries = b.countries;
        this.rules = Collections.unmodifiableList(new ArrayList<>(b.rules));
        this.unrestricted = Collections.unmodifiableSet(new HashSet<>(b.unrestricted));
    }

    /** The default policy with the built-in {@link CountryJurisdictions#defaults() country table}. */
    public static ResidencyPolicy defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public CountryJurisdictions countries() {
        return countries != null ? countries : CountryJurisdictions.defaults();
    }

    /** The explicit rules, for validation against the configured topology. */
    public List<Rule> rules() {
        return rules;
    }

    /** The subject jurisdiction: the explicit one if given, else the one of the subject's country, if known. */
    public Optional<Jurisdiction> subjectJurisdiction(Optional<Jurisdiction> explicit, Optional<String> country) {
        if (explicit.isPresent()) {
            return explicit;
        }
        // Not country.flatMap(countries::jurisdictionOf): the bound method reference would be allocated on every call.
        return country.isEmpty() ? Optional.empty() : countries().jurisdictionOf(country.get());
    }

    /**
     * The regions of {@code topology} (each configured region and its jurisdiction) allowed for the data class and
     * subject, in the topology's order. Empty means the call must be refused.
     */
    public Set<Region> allowedRegions(DataClass dataClass, Optional<Jurisdiction> subject,
            Map<Region, Jurisdiction> topology) {
        Objects.requireNonNull(dataClass, "dataClass");
        Set<Region> allowed = new LinkedHashSet<>();
        boolean matchedRule = false;
        if (!rules.isEmpty() && subject.isPresent()) {
            Jurisdiction s = subject.get();
            for (Rule r : rules) {
                if (r.dataClass.equals(dataClass) && r.subject.equals(s)) {
                    matchedRule = true;
                    for (Map.Entry<Region, Jurisdiction> spec : topology.entrySet()) {
                        if (r.regions.contains(spec.getKey()) || r.regionJurisdictions.contains(spec.getValue())) {
                            allowed.add(spec.getKey());
                        }
                    }
                }
            }
        }
        if (matchedRule) {
            return allowed;
        }
        if (dataClass.equals(DataClass.PUBLIC) || dataClass.equals(DataClass.INTERNAL)
                || unrestricted.contains(dataClass)) {
            for (Map.Entry<Region, Jurisdiction> spec : topology.entrySet()) {
                allowed.add(spec.getKey());
            }
            return allowed;
        }
        if (subject.isEmpty()) {
            return allowed;
        }
        for (Map.Entry<Region, Jurisdiction> spec : topology.entrySet()) {
            if (spec.getValue().equals(subject.get())) {
                allowed.add(spec.getKey());
            }
        }
        return allowed;
    }

    /** One explicit allowance: data of {@code dataClass} about a subject in {@code subject} may use these regions. */
    public static final class Rule {
        private final DataClass dataClass;
        private final Jurisdiction subject;
        private final Set<Jurisdiction> regionJurisdictions;
        private final Set<Region> regions;

        Rule(DataClass dataClass, Jurisdiction subject, Set<Jurisdiction> regionJurisdictions, Set<Region> regions) {
            this.dataClass = dataClass;
            this.subject = subject;
            this.regionJurisdictions = Collections.unmodifiableSet(regionJurisdictions);
            this.regions = Collections.unmodifiableSet(regions);
        }

        public DataClass dataClass() {
            return dataClass;
        }

        public Jurisdiction subject() {
            return subject;
        }

        public Set<Jurisdiction> regionJurisdictions() {
            return regionJurisdictions;
        }

        public Set<Region> regions() {
            return regions;
        }

        @Override
        public String toString() {
            return "allow(" + dataClass + ", subject " + subject + " -> "
                    + (regions.isEmpty() ? regionJurisdictions : regions) + ')';
        }
    }

    /** Builder for {@link ResidencyPolicy}; not thread-safe. */
    public static final class Builder {
        /** Null: the built-in table, left unbuilt until used (see {@link ResidencyPolicy#countries()}). */
        private @Nullable CountryJurisdictions countries;
        private final List<Rule> rules = new ArrayList<>();
        private final Set<DataClass> unrestricted = new HashSet<>();

        private Builder() {
        }

        /** Replaces the country → jurisdiction table. */
        public Builder countries(CountryJurisdictions countries) {
            this.countries = Objects.requireNonNull(countries, "countries");
            return this;
        }

        /** Maps (or re-maps) one country. */
        public Builder country(String country, Jurisdiction jurisdiction) {
            CountryJurisdictions table = countries != null ? countries : CountryJurisdictions.defaults();
            this.countries = table.with(country, jurisdiction);
            return this;
        }

        /** Allows data of {@code dataClass} about subjects in {@code subject} in regions of these jurisdictions. */
        public Builder allow(DataClass dataClass, Jurisdiction subject, Jurisdiction... regionJurisdictions) {
            Objects.requireNonNull(dataClass, "dataClass");
            Objects.requireNonNull(subject, "subject");
            String rule = "ResidencyPolicy rule allow(" + dataClass + ", " + subject + ")";
            requireElements(regionJurisdictions, rule, "region jurisdiction", "Jurisdiction.EU");
            rules.add(new Rule(dataClass, subject, new LinkedHashSet<>(Arrays.asList(regionJurisdictions)),
                    Set.of()));
            return this;
        }

        /** Allows data of {@code dataClass} about subjects in {@code subject} in exactly these regions. */
        public Builder allowRegions(DataClass dataClass, Jurisdiction subject, Region... regions) {
            Objects.requireNonNull(dataClass, "dataClass");
            Objects.requireNonNull(subject, "subject");
            String rule = "ResidencyPolicy rule allowRegions(" + dataClass + ", " + subject + ")";
            requireElements(regions, rule, "region", "Region.EU_WEST_1");
            rules.add(new Rule(dataClass, subject, Set.of(), new LinkedHashSet<>(Arrays.asList(regions))));
            return this;
        }

        /** Lets a custom data class use any configured region (custom classes are restricted by default). */
        public Builder unrestricted(DataClass dataClass) {
            unrestricted.add(Objects.requireNonNull(dataClass, "dataClass"));
            return this;
        }

        public ResidencyPolicy build() {
            return new ResidencyPolicy(this);
        }

        private static void requireElements(Object[] values, String rule, String what, String example) {
            String fix = "name the " + what + "s the rule allows, e.g. " + example;
            SettingRules.required(values, rule, fix);
            SettingRules.check(values.length > 0, rule, "must name at least one " + what, "none", fix);
            for (int i = 0; i < values.length; i++) {
                SettingRules.required(values[i], what + " " + i + " of " + rule, fix);
            }
        }
    }
}
