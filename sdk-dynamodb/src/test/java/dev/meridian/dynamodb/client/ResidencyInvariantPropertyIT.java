package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.residency.CountryJurisdictions;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RegionFaults;
import dev.meridian.testkit.RequestJournal;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Invariant I1 on real components, property-based: a random public method of {@code DynamoDbClient} or
 * {@code DynamoDbAsyncClient} (enumerated by reflection), on a client made a random way, under a random context (every ISO
 * country in upper or lower case, EEA members outside the EU, GB, CH, unknown codes, no country, no context at
 * all), a random topology (local region, strategy, eu-central-1 declared EU, CH or left to inference) and a random
 * fault on a random region (refused, black hole, slow answers — some beyond the attempt timeout, i.e. a read
 * timeout after the request was sent —, 500, 503, throttling, reset mid-body). The witness is each region's request
 * journal: no request of a RESTRICTED call ever reaches a region outside the subject's jurisdiction.
 *
 * <p>The journals are never cleared: each request is tied to the try that sent it by the SDK's invocation id (which
 * the journal records and each try's clients register, see {@link TryStamp}), so a request that lands after its try
 * ended is still judged against its own try's allowed regions — by a later try's check or by the sweep after the
 * property — and is never blamed on the try that happens to be running. A request no try's client sent fails the
 * property too.
 */
class ResidencyInvariantPropertyIT {
    private static final String TABLE = "eu_orders";
    private static final List<String> IDS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    /** Short, so that a black-holed or slow region ends an attempt quickly; failover is what is under test. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(600);
    /**
     * The first attempt's budget on a try's new clients (10 s by default): still beyond the attempt timeout and the
     * slowest answer of the slow fault, as the default is, so the same attempts succeed or time out; only a black hole
     * met first ends sooner.
     */
    private static final Duration FIRST_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    /** The SDK's id of one call (the same on its retries), which the request journals record. */
    private static final String INVOCATION_ID = "amz-sdk-invocation-id";
    /** The try each SDK call (by invocation id) was sent by. */
    private static final Map<String, Integer> TRY_OF_CALL = new ConcurrentHashMap<>();
    /** What each try (by id) may reach; a try without RESTRICTED data may reach every region. */
    private static final Map<Integer, Verdict> TRIES = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT_TRY = new AtomicInteger();
    /** Per region, how many journal entries (oldest first) have been judged. */
    private static final Map<String, Integer> JUDGED = new HashMap<>();
    private static LocalRegions regions;

    @BeforeContainer
    static void start() {
        regions = LocalRegions.start(IDS.toArray(String[]::new));
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        // From here on every request must come from a try's client.
        regions.journalsClear();
    }

    @AfterContainer
    static void stop() {
        if (regions != null) {
            regions.close();
        }
    }

    /**
     * The sweep after the last try: a request that reached a region after the try that sent it was judged (the last
     * try's included) is judged now, once the journals have stopped growing.
     */
    @AfterProperty
    void judgeLateRequests() {
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(new Settled()::test);
        judgeNewRequests();
    }

    /** What a try may reach: every region, or (RESTRICTED data under a context) only {@code allowed}. */
    record Verdict(String description, Optional<Set<String>> allowed) {
    }

    /**
     * Registers the invocation id of every request a try's client sends, before it is sent: a request in a journal is
     * then known to be this try's even when it arrives after the try ended.
     */
    private record TryStamp(int tryId) implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            context.httpRequest().firstMatchingHeader(INVOCATION_ID).ifPresent(id -> TRY_OF_CALL.put(id, tryId));
        }
    }

    /** True once the journals' total stays the same between two polls. */
    private static final class Settled {
        private int last = -1;

        boolean test() {
            int total = IDS.stream().mapToInt(r -> regions.journal(r).count()).sum();
            boolean same = total == last;
            last = total;
            return same;
        }
    }

    /** Judges each journal entry not judged yet against the allowed regions of the try that sent it. */
    private static synchronized void judgeNewRequests() {
        for (String region : IDS) {
            List<RequestJournal.Entry> entries = regions.journal(region).entries();
            int from = JUDGED.getOrDefault(region, 0);
            JUDGED.put(region, entries.size());
            for (RequestJournal.Entry entry : entries.subList(from, entries.size())) {
                Integer tryId = entry.invocationId().map(TRY_OF_CALL::get).orElse(null);
                assertThat(tryId).as("request %s in %s was sent by no try's client", entry, region).isNotNull();
                Verdict verdict = TRIES.get(tryId);
                verdict.allowed().ifPresent(allowed -> assertThat(allowed)
                        .as("%s reached %s (allowed %s): %s", verdict.description(), region, allowed, entry)
                        .contains(region));
            }
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
        int tryId = NEXT_TRY.incrementAndGet();
        String description = String.format("try %d: %s for a %s %s subject, %s, %s", tryId, call,
                restricted ? "RESTRICTED" : "INTERNAL", country, topology, fault);
        TRIES.put(tryId, new Verdict(description, ctx != null && restricted
                ? Optional.of(allowed(country, topology)) : Optional.empty()));
        inject(fault);
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                AutoCloseable client = client(call, runtime, new TryStamp(tryId))) {
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
        judgeNewRequests();
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
                .firstAttemptTimeout(FIRST_ATTEMPT_TIMEOUT)
                .build();
    }

    private static AutoCloseable client(Call call, MultiRegion runtime, TryStamp stamp) {
        if (call.async()) {
            return MultiRegionDynamoDb.builder().multiRegion(runtime)
                    .asyncClientFactory(r -> asyncClient(r, stamp)).buildAsyncClient();
        }
        if (call.viaWrap()) {
            return runtime.wrapClient(DynamoDbClient.class, r -> syncClient(r, stamp), (m, a) -> null);
        }
        return MultiRegionDynamoDb.builder().multiRegion(runtime)
                .clientFactory(r -> syncClient(r, stamp))
                .table(TableConfig.builder(TABLE).partitionKey("pk").build()).build();
    }

    /** {@link TestRegions#client(LocalRegions, Region, Duration)}'s client, its requests stamped with the try. */
    private static DynamoDbClient syncClient(Region region, TryStamp stamp) {
        return regions.clientBuilder(region.id())
                .overrideConfiguration(o -> RegionalClientDefaults.apply(o, RegionalClientDefaults.MAX_ATTEMPTS,
                        ATTEMPT_TIMEOUT).addExecutionInterceptor(stamp))
                .build();
    }

    /**
     * {@link TestRegions#asyncClient(LocalRegions, Region, Duration)}'s client (on the tests' shared event loops: no
     * two-second Netty quiet period when a try closes it), its requests stamped with the try.
     */
    private static DynamoDbAsyncClient asyncClient(Region region, TryStamp stamp) {
        return TestRegions.asyncClientBuilder(regions, region, ATTEMPT_TIMEOUT)
                .overrideConfiguration(o -> RegionalClientDefaults.apply(o, RegionalClientDefaults.MAX_ATTEMPTS,
                        ATTEMPT_TIMEOUT).addExecutionInterceptor(stamp))
                .build();
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
