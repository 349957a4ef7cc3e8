package dev.meridian.core;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.residency.ResidencyPolicy;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.settings.MeridianSettings;
import dev.meridian.core.settings.SettingValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * The multi-region topology and routing settings: regions ({@link RegionSpec}), the local region, the home
 * (primary) region, the routing strategy, the residency policy, breaker, hedging settings and the cross-region
 * attempt budget. Immutable and thread-safe; validated when built (each problem is an
 * {@link IllegalArgumentException} naming the setting and the value).
 *
 * <p>Defaults: local region = {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION} (ignored with a warning when it
 * is not configured), else the home region; home region = the highest-priority region; routing = local-first;
 * at most 3 regions per call; hedged reads on ({@link HedgingConfig#defaults()}: adaptive, 50 ms floor, under a budget of
 * 10 % of reads; writes are never hedged); {@link ResidencyPolicy#defaults()}; {@link HealthConfig#defaults()}.
 * {@link #fromEnvironment()} builds the same from {@code MERIDIAN_*} variables (see docs/configuration.md).
 */
@API(status = STABLE, since = "0.1")
public final class MultiRegionConfig {
    // The two defaults are written out, not read from the settings catalogue, so that an application configured by
    // the builders does not load the catalogue at start-up; MeridianSettingsTest holds them equal to the declarations.
    /** Default of {@link #maxRegionsPerCall()}: {@link MeridianSettings#MAX_REGIONS_PER_CALL}'s. */
    public static final int DEFAULT_MAX_REGIONS_PER_CALL = 3;
    /** Default of {@link #firstAttemptTimeout()}: {@link MeridianSettings#FIRST_ATTEMPT_TIMEOUT}'s. */
    public static final Duration DEFAULT_FIRST_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

    private final List<RegionSpec> regions;
    private final Map<Region, RegionSpec> byRegion;
    private final Map<Region, Jurisdiction> jurisdictions;
    private final List<Region> byPriority;
    private final List<Region> regionIds;
    private final Region localRegion;
    private final Region homeRegion;
    private final RoutingStrategy routing;
    private final ResidencyPolicy residency;
    private final HealthConfig health;
    private final HedgingConfig hedging;
    private final int maxRegionsPerCall;
    private final Duration firstAttemptTimeout;
    private final boolean weightsSet;
    private final DataClass defaultDataClass;
    private final boolean requireContext;

    private MultiRegionConfig(Builder b, List<RegionSpec> regions, Region local, Region home, boolean weightsSet) {
        this.regions = Collections.unmodifiableList(regions);
        // Loops rather than streams and lambdas, here and in the builder: every application builds a config at
        // start-up, and each lambda and stream stage would be a class loaded or spun on that cold path.
        Map<Region, RegionSpec> m = new LinkedHashMap<>();
        Map<Region, Jurisdiction> j = new LinkedHashMap<>();
        for (RegionSpec s : regions) {
            m.put(s.region(), s);
            j.put(s.region(), s.jurisdiction());
        }
        this.byRegion = Collections.unmodifiableMap(m);
        this.jurisdictions = Collections.unmodifiableMap(j);
        this.regionIds = List.copyOf(m.keySet());
        this.byPriority = List.of(byPriority(regions));
        this.localRegion = local;
        this.homeRegion = home;
        this.routing = b.routing;
        this.residency = b.residency;
        this.health = b.health;
        this.hedging = b.hedging;
        this.maxRegionsPerCall = b.maxRegionsPerCall;
        this.firstAttemptTimeout = b.firstAttemptTimeout;
        this.weightsSet = weightsSet;
        this.defaultDataClass = b.defaultDataClass;
        this.requireContext = b.requireContext;
    }

    /** The regions sorted by priority, ties in declaration order (a stable insertion sort: a handful of regions). */
    static Region[] byPriority(List<RegionSpec> regions) {
        RegionSpec[] sorted = regions.toArray(new RegionSpec[0]);
        for (int i = 1; i < sorted.length; i++) {
            RegionSpec s = sorted[i];
            int k = i - 1;
            for (; k >= 0 && sorted[k].priority() > s.priority(); k--) {
                sorted[k + 1] = sorted[k];
            }
            sorted[k + 1] = s;
        }
        Region[] ids = new Region[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            ids[i] = sorted[i].region();
        }
        return ids;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** From {@code MERIDIAN_*} environment variables and {@code meridian.*} system properties (property wins). */
    public static MultiRegionConfig fromEnvironment() {
        return fromEnvironment(System.getenv(), System.getProperties());
    }

    /** As {@link #fromEnvironment()}, reading the given maps (for tests). */
    public static MultiRegionConfig fromEnvironment(Map<String, String> env, Properties props) {
        return EnvironmentReader.load(env, props);
    }

    /**
     * From typed values of {@link MeridianSettings}' settings, as a source other than the environment supplied them
     * (the Spring Boot starter's bound {@code meridian.*} properties); unset settings take their defaults, and a value
     * that does not fit the others is refused naming the setting as {@code values} names it. The local region's
     * default reads {@code AWS_REGION} / {@code AWS_DEFAULT_REGION} from the process environment.
     */
    public static MultiRegionConfig fromSettings(SettingValues values) {
        return ConfigAssembly.build(Objects.requireNonNull(values, "values"), System::getenv);
    }

    /** The regions in declaration order, priorities filled in. */
    public List<RegionSpec> regions() {
        return regions;
    }

    /** Each region's jurisdiction, in declaration order. */
    public Map<Region, Jurisdiction> jurisdictions() {
        return jurisdictions;
    }

    /** The region ids in declaration order. */
    public List<Region> regionList() {
        return regionIds;
    }

    /** The regions sorted by priority (ties: declaration order). */
    public List<Region> regionsByPriority() {
        return byPriority;
    }

    public Optional<RegionSpec> spec(Region region) {
        return Optional.ofNullable(byRegion.get(region));
    }

    public boolean contains(Region region) {
        return byRegion.containsKey(region);
    }

    /** The weight of a region for weighted routing: its configured weight, 0 when unset, 0 for every region when no weights are set (equal chances). */
    public int weight(Region region) {
        RegionSpec s = byRegion.get(region);
        return s == null || !weightsSet ? 0 : s.weight().orElse(0);
    }

    public Region localRegion() {
        return localRegion;
    }

    public Region homeRegion() {
        return homeRegion;
    }

    public RoutingStrategy routing() {
        return routing;
    }

    public ResidencyPolicy residency() {
        return residency;
    }

    public HealthConfig health() {
        return health;
    }

    public HedgingConfig hedging() {
        return hedging;
    }

    /**
     * The data class of a call made while no {@code RoutingContext} is open ({@link DataClass#INTERNAL} unless set):
     * {@code RESTRICTED} makes context-less calls fail closed instead of going anywhere.
     */
    public DataClass defaultDataClass() {
        return defaultDataClass;
    }

    /** Whether a call made while no {@code RoutingContext} is open is refused. */
    public boolean requireContext() {
        return requireContext;
    }

    /** Cross-region attempt budget: the most regions one call tries (caps amplification during outages). */
    public int maxRegionsPerCall() {
        return maxRegionsPerCall;
    }

    /**
     * The time budget of the first attempt through a region's newly built client, in place of the client's own
     * attempt and call timeouts when they are shorter: the first call pays the client's start-up (class loading,
     * credentials, connection and TLS setup), which must not fail a call that a warm client would have answered. Its
     * time counts neither as slow nor in the region's latency. Applied by the routed clients to AWS SDK requests that
     * set no timeout of their own.
     */
    public Duration firstAttemptTimeout() {
        return firstAttemptTimeout;
    }

    @Override
    public String toString() {
        return "MultiRegionConfig[regions=" + regions + ", local=" + localRegion.id() + ", home=" + homeRegion.id()
                + ", routing=" + routing.name() + ", maxRegionsPerCall=" + maxRegionsPerCall
                + (requireContext ? ", requireContext" : "")
                + (defaultDataClass.equals(DataClass.INTERNAL) ? "" : ", defaultDataClass=" + defaultDataClass)
                + ", " + hedging + ']';
    }

    /** Builder for {@link MultiRegionConfig}; not thread-safe. */
    public static final class Builder {
        private final List<RegionSpec> regions = new ArrayList<>();
        private @Nullable Region localRegion;
        private @Nullable Region homeRegion;
        private RoutingStrategy routing = RoutingStrategy.localFirst();
        private ResidencyPolicy residency = ResidencyPolicy.defaults();
        private HealthConfig health = HealthConfig.defaults();
        private HedgingConfig hedging = HedgingConfig.defaults();
        private int maxRegionsPerCall = DEFAULT_MAX_REGIONS_PER_CALL;
        private Duration firstAttemptTimeout = DEFAULT_FIRST_ATTEMPT_TIMEOUT;
        private DataClass defaultDataClass = DataClass.INTERNAL;
        private boolean requireContext;
        /** Null: the process environment (not a method reference, to spin no lambda class at start-up). */
        private @Nullable Function<String, String> env;
        /** Null: {@link #defaultName}. */
        private @Nullable Function<String, String> names;

        private Builder() {
        }

        public Builder region(RegionSpec spec) {
            regions.add(Objects.requireNonNull(spec, "spec"));
            return this;
        }

        public Builder region(Region region) {
            return region(RegionSpec.of(region));
        }

        public Builder regions(RegionSpec... specs) {
            for (RegionSpec s : specs) {
                region(s);
            }
            return this;
        }

        public Builder localRegion(Region region) {
            this.localRegion = Objects.requireNonNull(region, "localRegion");
            return this;
        }

        public Builder localRegion(String region) {
            return localRegion(Region.of(region));
        }

        public Builder homeRegion(Region region) {
            this.homeRegion = Objects.requireNonNull(region, "homeRegion");
            return this;
        }

        public Builder homeRegion(String region) {
            return homeRegion(Region.of(region));
        }

        public Builder routing(RoutingStrategy routing) {
            this.routing = Objects.requireNonNull(routing, "routing");
            return this;
        }

        public Builder residency(ResidencyPolicy residency) {
            this.residency = Objects.requireNonNull(residency, "residency");
            return this;
        }

        public Builder health(HealthConfig health) {
            this.health = Objects.requireNonNull(health, "health");
            return this;
        }

        public Builder hedging(HedgingConfig hedging) {
            this.hedging = Objects.requireNonNull(hedging, "hedging");
            return this;
        }

        /** The cross-region attempt budget of one call, 1..100 (default 3); see {@link #maxRegionsPerCall()}. */
        public Builder maxRegionsPerCall(int max) {
            String key = MeridianSettings.MAX_REGIONS_PER_CALL.key();
            this.maxRegionsPerCall = MeridianSettings.MAX_REGIONS_PER_CALL.check(max, name(key));
            return this;
        }

        /** The first attempt's time budget on a region's new client (default 10 s); see {@link #firstAttemptTimeout()}. */
        public Builder firstAttemptTimeout(Duration timeout) {
            String key = MeridianSettings.FIRST_ATTEMPT_TIMEOUT.key();
            this.firstAttemptTimeout = MeridianSettings.FIRST_ATTEMPT_TIMEOUT.check(timeout, name(key));
            return this;
        }

        /**
         * The data class of calls made while no {@code RoutingContext} is open (default INTERNAL). With
         * {@code RESTRICTED}, such calls are refused unless a rule allows RESTRICTED data of an unknown subject
         * somewhere: nothing is routed on a guess.
         */
        public Builder defaultDataClass(DataClass dataClass) {
            this.defaultDataClass = Objects.requireNonNull(dataClass, "defaultDataClass");
            return this;
        }

        /** Refuse every call made while no {@code RoutingContext} is open (default false). */
        public Builder requireContext(boolean requireContext) {
            this.requireContext = requireContext;
            return this;
        }

        /** Where {@code AWS_REGION}/{@code AWS_DEFAULT_REGION} are read from (tests). */
        Builder environment(Function<String, String> env) {
            this.env = Objects.requireNonNull(env, "env");
            return this;
        }

        /** How settings are named in error messages (environment variables vs properties vs builder methods). */
        Builder settingNames(Function<String, String> names) {
            this.names = Objects.requireNonNull(names, "names");
            return this;
        }

        /** How a bad value of {@code key} is named in the error. */
        private String name(String key) {
            return names == null ? ConfigProblems.builderName(key) : names.apply(key);
        }

        public MultiRegionConfig build() {
            // Each check builds its message only when it fails (ConfigProblems): every application builds a config.
            if (regions.isEmpty()) {
                throw ConfigProblems.noRegion(name("regions"));
            }
            Set<Region> seen = new LinkedHashSet<>();
            for (RegionSpec s : regions) {
                if (!SettingRules.isKnownRegion(s.region())) {
                    throw ConfigProblems.unknownRegion(name("regions"), s.region());
                }
                if (!seen.add(s.region())) {
                    throw ConfigProblems.regionTwice(name("regions"), s.region());
                }
            }

            List<RegionSpec> filled = new ArrayList<>();
            for (int i = 0; i < regions.size(); i++) {
                RegionSpec s = regions.get(i);
                filled.add(s.hasPriority() ? s : s.filledPriority(i));
            }

            boolean weightsSet = false;
            int sum = 0;
            for (RegionSpec s : filled) {
                weightsSet |= s.weight().isPresent();
                sum += s.weight().orElse(0);
            }
            if (weightsSet && sum != 100) {
                throw ConfigProblems.weightsNotHundred(name(MeridianSettings.REGION_WEIGHT.key()), filled, sum);
            }

            Region home = homeRegion;
            if (home == null) {
                home = byPriority(filled)[0];
            } else if (!seen.contains(home)) {
                throw ConfigProblems.notConfigured(name("home-region"), seen, home);
            }

            Region local = localRegion;
            if (local != null && !seen.contains(local)) {
                throw ConfigProblems.notConfigured(name("local-region"), seen, local);
            }
            if (local == null) {
                local = fromEnvironment(seen, home);
            }

            validateResidency(filled, seen);
            return new MultiRegionConfig(this, filled, local, home, weightsSet);
        }

        private Region fromEnvironment(Set<Region> seen, Region home) {
            for (String var : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
                String v = env == null ? System.getenv(var) : env.apply(var);
                if (v != null && !v.isBlank()) {
                    Region r = Region.of(v.trim());
                    if (seen.contains(r)) {
                        return r;
                    }
                    ConfigProblems.localNotConfigured(var, v, seen, home);
                    return home;
                }
            }
            return home;
        }

        private void validateResidency(List<RegionSpec> specs, Set<Region> seen) {
            if (residency.rules().isEmpty()) {
                return;
            }
            Set<Jurisdiction> jurisdictions = new LinkedHashSet<>();
            for (RegionSpec s : specs) {
                jurisdictions.add(s.jurisdiction());
            }
            for (ResidencyPolicy.Rule rule : residency.rules()) {
                for (Region r : rule.regions()) {
                    if (!seen.contains(r)) {
                        throw ConfigProblems.ruleRegion(name("residency"), seen, rule, r);
                    }
                }
                for (Jurisdiction j : rule.regionJurisdictions()) {
                    if (!jurisdictions.contains(j)) {
                        throw ConfigProblems.ruleJurisdiction(name("residency"), jurisdictions, rule, j);
                    }
                }
            }
        }
    }
}
