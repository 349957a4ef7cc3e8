package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.residency.CountryJurisdictions;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RegionFaults;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Invariant I1 on real components, property-based: a random public method of {@code DynamoDbClient} or
 * {@code DynamoDbAsyncClient} (enumerated by reflection), through a random door, under a random context (every ISO
 * country in upper or lower case, EEA members outside the EU, GB, CH, unknown codes, no country, no context at
 * all), a random topology (local region, strategy, eu-central-1 declared EU, CH or left to inference) and a random
 * fault on a random region (refused, black hole, slow answers — some beyond the attempt timeout, i.e. a read
 * timeout after the request was sent —, 500, 503, throttling, reset mid-body). The witness is each region's request
 * journal: no request of a RESTRICTED call ever reaches a region outside the subject's jurisdiction.
 */
class ResidencyInvariantPropertyIT {
    private static final String TABLE = "eu_orders";
    private static final List<String> IDS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    /** Short, so that a black-holed or slow region ends an attempt quickly; failover is what is under test. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(600);
    private static LocalRegions regions;

    @BeforeContainer
    static void start() {
        regions = LocalRegions.start(IDS.toArray(String[]::new));
        regions.createGlobalTable(TestRegions.table(TABLE));
    }

    @AfterContainer
    static void stop() {
        if (regions != null) {
            regions.close();
        }
    }

    record Call(Method method, boolean async, boolean viaWrap) {
        @Override
        public String toString() {
            return (async ? "async " : "") + method.getName() + Set.of(method.getParameterTypes())
                    + (viaWrap ? " via wrap" : "");
        }
    }

    record Topology(String local, String strategy, String centralJurisdiction) {
    }

    record Fault(String region, String kind) {
    }

    @Provide
    Arbitrary<Call> calls() {
        List<Call> all = new ArrayList<>();
        for (Method m : RoutedClientSources.methods(DynamoDbClient.class)) {
            if (!m.getName().equals("close")) {
                all.add(new Call(m, false, false));
                all.add(new Call(m, false, true));
            }
        }
        for (Method m : RoutedClientSources.methods(DynamoDbAsyncClient.class)) {
            if (!m.getName().equals("close")) {
                all.add(new Call(m, true, false));
            }
        }
        return Arbitraries.of(all);
    }

    @Provide
    Arbitrary<String> countries() {
        List<String> all = new ArrayList<>(List.of(Locale.getISOCountries()));
        all.addAll(List.of("NO", "IS", "LI", "CH", "GB", "ZZ"));
        return Arbitraries.of(all).flatMap(c -> Arbitraries.of(c, c.toLowerCase(Locale.ROOT))).injectNull(0.1);
    }

    @Provide
    Arbitrary<Topology> topologies() {
        return net.jqwik.api.Combinators.combine(Arbitraries.of(IDS),
                Arbitraries.of("local-first", "failover", "weighted", "latency", "home-by-key"),
                Arbitraries.of("inferred", "EU", "CH")).as(Topology::new);
    }

    @Provide
    Arbitrary<Fault> faults() {
        return net.jqwik.api.Combinators.combine(Arbitraries.of(IDS),
                Arbitraries.of("none", "down", "blackhole", "slow", "500", "503", "throttle", "reset")).as(Fault::new);
    }

    @Property(tries = 120)
    void noRestrictedRequestReachesARegionOutsideTheSubjectsJurisdiction(@ForAll("calls") Call call,
            @ForAll("countries") String country, @ForAll boolean restricted, @ForAll boolean noContext,
            @ForAll("topologies") Topology topology, @ForAll("faults") Fault fault) throws Exception {
        MultiRegionConfig config = config(topology);
        RoutingContext ctx = noContext ? null : RoutingContext.builder().subjectCountry(country)
                .dataClass(restricted ? DataClass.RESTRICTED : DataClass.INTERNAL).build();
        inject(fault);
        regions.journalsClear();
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                AutoCloseable client = client(call, runtime)) {
            Object made;
            if (ctx == null) {
                made = EveryMethod.invoke(client, call.method(), TABLE);
            } else {
                try (RoutingContext.Scope s = ctx.open()) {
                    made = EveryMethod.invoke(client, call.method(), TABLE);
                }
            }
            EveryMethod.useLater(made, TABLE);
        } finally {
            regions.faults(fault.region()).heal();
        }
        if (ctx != null && restricted) {
            Set<String> allowed = allowed(country, topology);
            for (String region : IDS) {
                if (!allowed.contains(region)) {
                    assertThat(regions.journal(region).count())
                            .as("%s for a RESTRICTED %s subject reached %s (allowed %s)", call, country, region,
                                    allowed)
                            .isZero();
                }
            }
        }
    }

    /** The regions RESTRICTED data of this subject may reach: the test's own reading of the documented rules. */
    private static Set<String> allowed(String country, Topology topology) {
        Set<String> out = new HashSet<>();
        String c = country == null ? "" : country.toUpperCase(Locale.ROOT);
        if (CountryJurisdictions.EU_EEA_COUNTRIES.contains(c)) {
            out.add("eu-west-1");
            if (!topology.centralJurisdiction().equals("CH")) {
                out.add("eu-central-1");
            }
        } else if (CountryJurisdictions.US_COUNTRIES.contains(c)) {
            out.add("us-east-1");
        }
        return out;
    }

    private static MultiRegionConfig config(Topology t) {
        RegionSpec central = RegionSpec.of(Region.EU_CENTRAL_1);
        if (!t.centralJurisdiction().equals("inferred")) {
            central = central.jurisdiction(t.centralJurisdiction());
        }
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(central)
                .region(RegionSpec.of(Region.US_EAST_1))
                .localRegion(Region.of(t.local()))
                .routing(RoutingStrategy.named(t.strategy()))
                .build();
    }

    private static AutoCloseable client(Call call, MultiRegion runtime) {
        if (call.async()) {
            return MultiRegionDynamoDb.builder().multiRegion(runtime)
                    .asyncClientFactory(r -> TestRegions.asyncClient(regions, r, ATTEMPT_TIMEOUT)).buildAsyncClient();
        }
        if (call.viaWrap()) {
            return runtime.wrapClient(DynamoDbClient.class, r -> TestRegions.client(regions, r, ATTEMPT_TIMEOUT),
                    (m, a) -> null);
        }
        return MultiRegionDynamoDb.builder().multiRegion(runtime)
                .clientFactory(r -> TestRegions.client(regions, r, ATTEMPT_TIMEOUT))
                .table(TableConfig.builder(TABLE).partitionKey("pk").build()).build();
    }

    private static void inject(Fault fault) {
        RegionFaults f = regions.faults(fault.region());
        switch (fault.kind()) {
            case "down" -> f.down();
            case "blackhole" -> f.blackhole();
            case "slow" -> f.latency(Duration.ofMillis(100), Duration.ofMillis(900));
            case "500" -> f.status(500);
            case "503" -> f.status(503);
            case "throttle" -> f.throttle();
            case "reset" -> f.resetMidResponse();
            default -> { }
        }
    }
}
