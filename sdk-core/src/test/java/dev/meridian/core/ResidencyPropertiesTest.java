package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.residency.CountryJurisdictions;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.routing.RoutingStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import software.amazon.awssdk.regions.Region;

/**
 * Invariant I1 at the routing decision, over random topologies (EU and non-EU regions named eu-*, regions with and
 * without an explicit jurisdiction), random contexts (every ISO country, EEA members outside the EU, GB and CH, lower
 * case, unknown, none at all), random health and every strategy: a RESTRICTED call of an EU/EEA subject is planned
 * only in regions that are in the EU (likewise US and APAC subjects), and is refused — never routed elsewhere —
 * when there is none. The oracle of where a region is comes from this test, not from the code under test.
 */
class ResidencyPropertiesTest {
    /** Where each region of the pool physically is: the test's own oracle. */
    private static final Map<String, String> LOCATED_IN = Map.ofEntries(
            Map.entry("eu-west-1", "EU"), Map.entry("eu-west-3", "EU"), Map.entry("eu-central-1", "EU"),
            Map.entry("eu-north-1", "EU"), Map.entry("eu-south-2", "EU"),
            Map.entry("eu-west-2", "GB"), Map.entry("eu-central-2", "CH"),
            Map.entry("us-east-1", "US"), Map.entry("us-west-2", "US"), Map.entry("ap-southeast-2", "AU"),
            Map.entry("ca-central-1", "CA"), Map.entry("me-central-1", "AE"), Map.entry("sa-east-1", "BR"));
    private static final List<String> STRATEGIES =
            List.of("local-first", "failover", "weighted", "geo", "latency", "home-by-key");

    record Topology(List<String> regions, List<Boolean> explicit, String local, String strategy,
            Set<String> drained) {
    }

    @Provide
    Arbitrary<Topology> topologies() {
        Arbitrary<List<String>> regions = Arbitraries.of(List.copyOf(LOCATED_IN.keySet())).list().uniqueElements()
                .ofMinSize(1).ofMaxSize(6);
        return regions.flatMap(rs -> Combinators.combine(
                Arbitraries.of(true, false).list().ofSize(rs.size()),
                Arbitraries.of(rs),
                Arbitraries.of(STRATEGIES),
                Arbitraries.of(rs).set().ofMaxSize(rs.size()))
                .as((explicit, local, strategy, drained) -> new Topology(rs, explicit, local, strategy, drained)));
    }

    @Provide
    Arbitrary<String> countries() {
        List<String> all = new ArrayList<>(List.of(Locale.getISOCountries()));
        all.addAll(List.of("NO", "IS", "LI", "CH", "GB", "ZZ", "XK"));
        return Arbitraries.of(all).flatMap(c -> Arbitraries.of(c, c.toLowerCase(Locale.ROOT))).injectNull(0.1);
    }

    @Property(tries = 500)
    void restrictedDataOfAnEuSubjectIsPlannedOnlyInTheEuOrRefused(@ForAll("topologies") Topology t,
            @ForAll("countries") String country, @ForAll boolean noContextAtAll) {
        MultiRegionConfig.Builder b = MultiRegionConfig.builder().environment(name -> null)
                .localRegion(Region.of(t.local())).routing(RoutingStrategy.named(t.strategy()));
        for (int i = 0; i < t.regions().size(); i++) {
            String id = t.regions().get(i);
            RegionSpec spec = RegionSpec.of(Region.of(id));
            if (t.explicit().get(i)) {
                spec = spec.jurisdiction("EU".equals(LOCATED_IN.get(id)) ? "EU" : LOCATED_IN.get(id));
            }
            b.region(spec);
        }
        MultiRegionConfig config = b.build();
        RegionHealth health = new RegionHealth(config.regionList(), HealthConfig.defaults());
        t.drained().forEach(r -> health.drain(Region.of(r)));
        Router router = new Router(config, health);
        RoutingContext ctx = noContextAtAll ? RoutingContext.empty()
                : RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry(country)
                        .routingKey("k-" + country).build();
        Operation op = Operation.builder("PutItem", OperationKind.WRITE).routingKey("order-1").build();

        String subject = noContextAtAll ? null : subjectJurisdiction(country);
        List<String> sameJurisdiction = new ArrayList<>();
        for (int i = 0; i < t.regions().size(); i++) {
            if (subject != null && subject.equals(jurisdiction(t.regions().get(i), t.explicit().get(i)))) {
                sameJurisdiction.add(t.regions().get(i));
            }
        }
        try {
            RoutingPlan plan = router.plan(op, ctx);
            if (noContextAtAll) {
                return; // INTERNAL by default: may go anywhere
            }
            assertThat(plan.regions()).as("RESTRICTED data of a %s subject (%s)", country, subject)
                    .allMatch(r -> sameJurisdiction.contains(r.id()));
        } catch (ResidencyViolationException refused) {
            assertThat(sameJurisdiction).as("refused %s although %s share its jurisdiction", country,
                    sameJurisdiction).isEmpty();
        } catch (NoRegionAvailableException outage) {
            assertThat(noContextAtAll || t.drained().containsAll(sameJurisdiction))
                    .as("outage reported while a region of the subject's jurisdiction was up").isTrue();
        }
    }

    /** The subject's jurisdiction by the documented country table: EU/EEA, US, APAC, else unknown. */
    private static String subjectJurisdiction(String country) {
        if (country == null) {
            return null;
        }
        String c = country.toUpperCase(Locale.ROOT);
        if (CountryJurisdictions.EU_EEA_COUNTRIES.contains(c)) {
            return "EU";
        }
        if (CountryJurisdictions.US_COUNTRIES.contains(c)) {
            return "US";
        }
        return CountryJurisdictions.APAC_COUNTRIES.contains(c) ? "APAC" : null;
    }

    /** A region's jurisdiction: the explicit one this test configured, else where it is (ap-* counts as APAC). */
    private static String jurisdiction(String region, boolean explicit) {
        String located = LOCATED_IN.get(region);
        if (explicit || "EU".equals(located) || "US".equals(located)) {
            return located;
        }
        return region.startsWith("ap-") ? "APAC" : located;
    }
}
