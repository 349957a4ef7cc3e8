package dev.meridian.core.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.residency.CountryJurisdictions;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.SessionToken;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** sdk-core/README.md's claims about the façade's shape and its value types, as a user reads them. */
class CoreReadmeFacadeTest {

    /**
     * "the composition root, at most 15 public methods: builder, wrap/wrapClient, execute/executeAsync,
     * regions()/status(), drain/undrain, resetHealth, clock(), config(), close()".
     */
    @Test
    void theFacadeHasAtMostFifteenPublicMethodsAllNamedInTheReadme() {
        List<Method> methods = Arrays.stream(MultiRegion.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()).toList();
        assertThat(methods).hasSizeLessThanOrEqualTo(15);
        assertThat(methods.stream().map(Method::getName).collect(Collectors.toSet())).isSubsetOf(Set.of(
                "builder", "wrap", "wrapClient", "execute", "executeAsync", "regions", "status", "drain", "undrain",
                "resetHealth", "clock", "config", "close"));
    }

    /**
     * "No hedging thread starts before the first read"; "every executor closed by close()" (docs: hedge workers and
     * timer, trial threads, the stall meter are stopped by close()).
     */
    @Test
    void noHedgingThreadBeforeTheFirstReadAndNoneAfterClose() {
        Set<Thread> before = meridianThreads();
        MultiRegion runtime = MultiRegion.builder(MultiRegionConfig.builder().region(RegionSpec.of(Region.EU_WEST_1))
                .region(RegionSpec.of(Region.EU_CENTRAL_1)).localRegion(Region.EU_WEST_1).build()).build();
        assertThat(difference(meridianThreads(), before)).as("before the first read").isEmpty();
        for (int i = 0; i < 20; i++) {
            runtime.execute(Operation.of("get", OperationKind.READ), region -> region);
        }
        runtime.close();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(difference(meridianThreads(), before)).as("after close()").isEmpty());
    }

    private static Set<Thread> meridianThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("meridian-")
                        && !t.getName().startsWith("meridian-sdk-timeouts")) // shared, ended when idle (README)
                .collect(Collectors.toSet());
    }

    private static Set<String> difference(Set<Thread> now, Set<Thread> before) {
        return now.stream().filter(t -> !before.contains(t)).map(Thread::getName).collect(Collectors.toSet());
    }

    /** "all 30 EU/EEA countries map to EU". */
    @Test
    void everyEuAndEeaCountryMapsToTheEu() {
        CountryJurisdictions table = CountryJurisdictions.defaults();
        assertThat(EuEea.COUNTRIES).hasSize(30).allSatisfy(c -> {
            assertThat(table.jurisdictionOf(c)).as(c).contains(Jurisdiction.EU);
            assertThat(table.jurisdictionOf(c.toLowerCase(java.util.Locale.ROOT))).as(c.toLowerCase(java.util.Locale.ROOT))
                    .contains(Jurisdiction.EU);
        });
        assertThat(table.jurisdictionOf("GB")).isNotEqualTo(java.util.Optional.of(Jurisdiction.EU));
        assertThat(table.jurisdictionOf("CH")).isNotEqualTo(java.util.Optional.of(Jurisdiction.EU));
    }

    /** "sortable 64-bit stamps, monotonic across clock jumps". */
    @Property(tries = 200)
    void clockStampsStrictlyIncreaseWhateverTheWallClockDoes(
            @ForAll @Size(min = 1, max = 60) List<@LongRange(min = -5_000, max = 5_000) Long> jumps) {
        long[] wall = {1_700_000_000_000L};
        AtomicInteger step = new AtomicInteger();
        HybridLogicalClock clock = new HybridLogicalClock(() -> wall[0]);
        long last = Long.MIN_VALUE;
        for (long jump : jumps) {
            wall[0] += jump;
            long stamp = step.getAndIncrement() % 3 == 2 ? clock.observe(last) : clock.now();
            assertThat(stamp).isGreaterThan(last);
            assertThat(HybridLogicalClock.parse(HybridLogicalClock.toString(stamp))).isEqualTo(stamp);
            last = stamp;
        }
    }

    @Property(tries = 200)
    void stampsSortAsPhysicalTimeThenLogicalCounter(@ForAll("physical") long p1, @ForAll @IntRange(max = 65_535) int l1,
            @ForAll("physical") long p2, @ForAll @IntRange(max = 65_535) int l2) {
        long a = HybridLogicalClock.encode(p1, l1);
        long b = HybridLogicalClock.encode(p2, l2);
        int expected = p1 != p2 ? Long.compare(p1, p2) : Integer.compare(l1, l2);
        assertThat(Integer.signum(Long.compare(a, b))).isEqualTo(Integer.signum(expected));
        assertThat(HybridLogicalClock.physicalMillis(a)).isEqualTo(p1);
        assertThat(HybridLogicalClock.logical(a)).isEqualTo(l1);
    }

    @Provide
    Arbitrary<Long> physical() {
        return Arbitraries.longs().between(0, HybridLogicalClock.MAX_PHYSICAL_MILLIS);
    }

    /** Session tokens: a formatted token parses back to itself, and merge() keeps both regions' later stamps. */
    @Property(tries = 100)
    void sessionTokensRoundTripAndMergeKeepsTheLaterStampPerRegion(@ForAll("regionIds") String r1, @ForAll("stamps") long s1,
            @ForAll("regionIds") String r2, @ForAll("stamps") long s2) {
        SessionToken a = SessionToken.of(Region.of(r1), s1);
        SessionToken b = SessionToken.of(Region.of(r2), s2);
        assertThat(SessionToken.parse(a.format())).isEqualTo(a);
        SessionToken both = a.merge(b);
        assertThat(SessionToken.parse(both.format())).isEqualTo(both);
        assertThat(both.stamp()).isEqualTo(Math.max(s1, s2));
        assertThat(both.writes()).containsKeys(Region.of(r1), Region.of(r2));
        assertThat(both.writes().get(Region.of(r1))).isEqualTo(r1.equals(r2) ? Math.max(s1, s2) : s1);
    }

    @Provide
    Arbitrary<String> regionIds() {
        return Arbitraries.of("eu-west-1", "eu-central-1", "us-east-1", "ap-southeast-2");
    }

    @Provide
    Arbitrary<Long> stamps() {
        return Arbitraries.longs().between(1, HybridLogicalClock.MAX_PHYSICAL_MILLIS)
                .map(p -> HybridLogicalClock.encode(p, 0));
    }

    /**
     * The README's documented defaults: hedging on for reads ("adaptive, 50 ms floor"), a hedge budget of 10 % with a
     * burst of 10, at most 128 workers, maxRegionsPerCall 3, firstAttemptTimeout 10 s, ejectAfterStalls 5; and
     * "MERIDIAN_HEDGE_MODE=off turns it off".
     */
    @Test
    void theDocumentedDefaultsHold() {
        MultiRegionConfig config = MultiRegionConfig.builder().region(RegionSpec.of(Region.EU_WEST_1))
                .localRegion(Region.EU_WEST_1).build();
        HedgingConfig hedging = config.hedging();
        assertThat(hedging.enabled()).isTrue();
        assertThat(hedging.adaptive()).isTrue();
        assertThat(hedging.delay()).contains(Duration.ofMillis(50));
        assertThat(hedging.budgetShare()).isEqualTo(0.10);
        assertThat(hedging.budgetBurst()).isEqualTo(10);
        assertThat(hedging.maxWorkers()).isEqualTo(128);
        assertThat(config.maxRegionsPerCall()).isEqualTo(3);
        assertThat(config.firstAttemptTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.health().ejectAfterStalls()).isEqualTo(5);
        assertThat(HedgingConfig.disabled().enabled()).isFalse();

        MultiRegionConfig off = MultiRegionConfig.fromEnvironment(
                Map.of("MERIDIAN_REGIONS", "eu-west-1,us-east-1", "MERIDIAN_HEDGE_MODE", "off"), new Properties());
        assertThat(off.hedging().enabled()).isFalse();
    }

    /** "every documented setting's error on bad input names the setting and value" (MultiRegionConfig.fromEnvironment). */
    @Property(tries = 10)
    void aBadSettingNamesTheVariableAndTheValue(@ForAll("badSettings") Map.Entry<String, String> bad) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("MERIDIAN_REGIONS", "eu-west-1,us-east-1"));
        env.put(bad.getKey(), bad.getValue());
        assertThatThrownBy(() -> MultiRegionConfig.fromEnvironment(env, new Properties()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad.getKey()).hasMessageContaining(bad.getValue());
    }

    @Provide
    Arbitrary<Map.Entry<String, String>> badSettings() {
        return Arbitraries.of(
                Map.entry("MERIDIAN_ROUTING", "nearest-first"),
                Map.entry("MERIDIAN_MAX_REGIONS_PER_CALL", "0"),
                Map.entry("MERIDIAN_MAX_REGIONS_PER_CALL", "many"),
                Map.entry("MERIDIAN_HEDGE_MODE", "sometimes"),
                Map.entry("MERIDIAN_HEDGE_DELAY", "soon"),
                Map.entry("MERIDIAN_HEDGE_BUDGET_PERCENT", "150"),
                Map.entry("MERIDIAN_FIRST_ATTEMPT_TIMEOUT", "-5s"),
                Map.entry("MERIDIAN_LOCAL_REGION", "ap-south-1"),
                Map.entry("MERIDIAN_REGION_EU_WEST_1_WEIGHT", "101"),
                Map.entry("MERIDIAN_BREAKER_MINIMUM_CALLS", "0"),
                Map.entry("MERIDIAN_REQUIRE_CONTEXT", "perhaps"));
    }

    /** "RegionalClientDefaults.overrideConfiguration() (2 attempts, 2 s attempt timeout)". */
    @Test
    void theRegionalDefaultsAreTwoAttemptsAndATwoSecondAttemptTimeout() {
        ClientOverrideConfiguration c = RegionalClientDefaults.overrideConfiguration();
        assertThat(c.retryStrategy()).hasValueSatisfying(s -> assertThat(s.maxAttempts()).isEqualTo(2));
        assertThat(c.apiCallAttemptTimeout()).contains(Duration.ofSeconds(2));
    }

    /**
     * overrideConfigurationLike(existing): what the application set (headers) is kept; the retry strategy is replaced
     * by the 2-attempt cap or its own smaller number (one stays one); the attempt timeout kept when shorter than 2 s
     * and cut to 2 s when longer, the call timeout kept when shorter than that attempt timeout, else cut to it (one
     * region never holds a call longer than one attempt timeout).
     */
    @Property(tries = 20)
    void aClientMadeLikeAnExistingOneKeepsItsSettingsUnderMeridiansCeilings(
            @ForAll @IntRange(min = 1, max = 10) int attempts, @ForAll("timeouts") Duration callTimeout,
            @ForAll("timeouts") Duration attemptTimeout) {
        try (DynamoDbClient existing = DynamoDbClient.builder().region(Region.EU_WEST_1)
                .endpointOverride(URI.create("http://localhost:1"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .overrideConfiguration(o -> o.putHeader("x-app", "checkout")
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(attempts).build())
                        .apiCallTimeout(callTimeout).apiCallAttemptTimeout(attemptTimeout))
                .build()) {
            ClientOverrideConfiguration like = RegionalClientDefaults.overrideConfigurationLike(existing);
            assertThat(like.headers()).containsEntry("x-app", List.of("checkout"));
            assertThat(like.retryStrategy()).hasValueSatisfying(
                    s -> assertThat(s.maxAttempts()).isEqualTo(Math.min(attempts, RegionalClientDefaults.MAX_ATTEMPTS)));
            Duration attempt = min(attemptTimeout, RegionalClientDefaults.ATTEMPT_TIMEOUT);
            assertThat(like.apiCallAttemptTimeout()).contains(attempt);
            assertThat(like.apiCallTimeout()).contains(min(callTimeout, attempt));
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Provide
    Arbitrary<Duration> timeouts() {
        return Arbitraries.of(Duration.ofMillis(300), Duration.ofMillis(1_500), Duration.ofSeconds(2),
                Duration.ofSeconds(5), Duration.ofSeconds(30));
    }
}
