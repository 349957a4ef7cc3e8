package dev.meridian.core;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.residency.ResidencyPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * What {@link MultiRegionConfig.Builder#build()} says about a configuration it refuses (or a local region it ignores).
 * Loaded only then: kept off the first read (cold start). Errors are returned for the builder to throw.
 */
final class ConfigProblems {
    private static final Logger LOG = LoggerFactory.getLogger(MultiRegionConfig.class);

    private ConfigProblems() {
    }

    /** The builder method that sets {@code key}, as a user of the builder wrote it. */
    static String builderName(String key) {
        switch (key) {
            case "region.<region>.weight":
                // Weights are set per region: the rule over all of them names them all.
                return "RegionSpec.weight of the regions";
            case "max-regions-per-call":
                return "MultiRegionConfig.maxRegionsPerCall";
            case "first-attempt-timeout":
                return "MultiRegionConfig.firstAttemptTimeout";
            case "local-region":
                return "MultiRegionConfig.localRegion";
            case "home-region":
                return "MultiRegionConfig.homeRegion";
            default:
                return "MultiRegionConfig." + key;
        }
    }

    static RuntimeException noRegion(String setting) {
        return SettingRules.invalid(setting, "must name at least one region", "none",
                "add the AWS regions to use, e.g. eu-west-1 and us-east-1");
    }

    static RuntimeException unknownRegion(String setting, Region region) {
        return SettingRules.invalid(setting, "must name known AWS regions", SettingRules.quoted(region.id()),
                "check the spelling of the region id, e.g. eu-west-1");
    }

    static RuntimeException regionTwice(String setting, Region region) {
        return SettingRules.invalid(setting, "must name each region once",
                SettingRules.quoted(region.id()) + " twice", "remove the second " + region.id());
    }

    static RuntimeException weightsNotHundred(String setting, List<RegionSpec> specs, int sum) {
        StringJoiner weights = new StringJoiner(", ", sum + " (", ")");
        for (RegionSpec s : specs) {
            weights.add(s.region().id() + "=" + s.weight().orElse(0));
        }
        return SettingRules.invalid(setting, "must add up to 100",
                weights.toString(), "give every region a weight so that they add up to 100, or set none for equal chances");
    }

    /** {@code region}, set as {@code setting} (home or local region), is not among the configured {@code seen}. */
    static RuntimeException notConfigured(String setting, Set<Region> seen, Region region) {
        return SettingRules.invalid(setting, "must be one of the configured regions " + ids(seen),
                SettingRules.quoted(region.id()), "name one of them, or add " + region.id() + " to the regions");
    }

    static void localNotConfigured(String variable, String value, Set<Region> seen, Region home) {
        LOG.warn("{} '{}' is not one of the configured regions {}; using home region {} as local region", variable,
                value.trim(), ids(seen), home.id());
    }

    static RuntimeException ruleRegion(String setting, Set<Region> seen, ResidencyPolicy.Rule rule,
            Region region) {
        return SettingRules.invalid(setting, "rules must name configured regions " + ids(seen),
                "rule " + rule + " naming region '" + region.id() + "'",
                "add " + region.id() + " to the regions, or remove it from the rule");
    }

    static RuntimeException ruleJurisdiction(String setting, Set<Jurisdiction> jurisdictions,
            ResidencyPolicy.Rule rule, Jurisdiction j) {
        return SettingRules.invalid(setting,
                "rules must name jurisdictions of configured regions " + jurisdictions,
                "rule " + rule + " naming jurisdiction '" + j + "'",
                "configure a region in " + j + ", or remove " + j + " from the rule");
    }

    private static List<String> ids(Set<Region> regions) {
        List<String> ids = new ArrayList<>();
        for (Region r : regions) {
            ids.add(r.id());
        }
        return ids;
    }
}
