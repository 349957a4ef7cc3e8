package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.flags.Flags;
import dev.meridian.testkit.LocalRegions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * sdk-dynamodb README's "Feature flags" read as a user, on LocalRegions with the routed client (local region
 * eu-west-1): the evaluation rule (the local region's override, else the global {@code enabled}; then the rollout by
 * the documented murmur3 bucket, checked against an independent implementation of the formula), subject-less
 * evaluations, unknown flags, one consistent Scan per refresh in the local region, fail static when no region answers,
 * a malformed item keeping its last good definition, and the evaluation meters.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class FlagsReadmeIT {
    private static final String TABLE = "fr_control";
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static DynamoDbClient routed;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        routed = MultiRegionDynamoDb.builder().config(TestRegions.config())
                .clientFactory(r -> TestRegions.client(regions, r, Duration.ofMillis(500))).build();
    }

    @AfterContainer
    static void stop() {
        if (routed != null) {
            routed.close();
        }
    }

    private static Flags flags(SimpleMeterRegistry registry) {
        return Flags.builder().client(routed).table(TABLE).refreshInterval(Duration.ofHours(1))
                .meterRegistry(registry).build();
    }

    private static void writeFlag(String name, Map<String, AttributeValue> attributes) {
        Map<String, AttributeValue> item = new HashMap<>(attributes);
        item.put("pk", AttributeValue.fromS("flag#" + name));
        for (String r : TestRegions.IDS) {   // every replica at once: the test is not about replication
            regions.client(r).putItem(PutItemRequest.builder().tableName(TABLE).item(item).build());
        }
        // The replicator still carries the earlier versions' copies between regions: a refresh right after this read
        // an older definition in a CI run.
        regions.awaitReplication();
    }

    /** murmur3_x86_32 as published (Austin Appleby), written from the algorithm, not from Meridian's code. */
    static int murmur3(byte[] data, int seed) {
        int h = seed;
        int i = 0;
        for (; i + 4 <= data.length; i += 4) {
            int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16
                    | (data[i + 3] & 0xff) << 24;
            h ^= mixK(k);
            h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
        }
        int k = 0;
        int tail = data.length & 3;
        if (tail == 3) {
            k ^= (data[i + 2] & 0xff) << 16;
        }
        if (tail >= 2) {
            k ^= (data[i + 1] & 0xff) << 8;
        }
        if (tail >= 1) {
            k ^= data[i] & 0xff;
            h ^= mixK(k);
        }
        h ^= data.length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int mixK(int k) {
        return Integer.rotateLeft(k * 0xcc9e2d51, 15) * 0x1b873593;
    }

    /** bucket = murmur3_x86_32(UTF-8 of "feature:subject", seed 0) as unsigned 32 bits, modulo 10,000. */
    static long bucket(String feature, String subject) {
        return Integer.toUnsignedLong(murmur3((feature + ":" + subject).getBytes(StandardCharsets.UTF_8), 0)) % 10_000;
    }

    @Example
    void theIndependentMurmur3MatchesPublishedVectors() {
        assertThat(murmur3(new byte[0], 0)).isZero();
        assertThat(murmur3("hello".getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(0x248bfa47);
        assertThat(murmur3("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8), 0))
                .isEqualTo(0x2e4ff723);
    }

    /** Subject ids: printable ASCII with some non-ASCII letters (UTF-8 of more than one byte). */
    private static String subject(Random random) {
        String alphabet = "abcXYZ0189 -_:@.éß中";
        StringBuilder s = new StringBuilder();
        for (int i = 1 + random.nextInt(20); i > 0; i--) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /**
     * The evaluation rule over the override/enabled combinations and rollout percentages (fractional too: bucket
     * below p x 100): on exactly when the documented formula says, for many subjects; raising p only adds subjects.
     */
    @Property(tries = 12)
    void aFlagIsOnForASubjectExactlyWhenTheDocumentedRuleSaysSo(@ForAll boolean enabled,
            @ForAll("overrides") Boolean localOverride, @ForAll @IntRange(min = 0, max = 10_000) int hundredths) {
        String feature = "feature-" + NAMES.incrementAndGet();
        double percent = hundredths / 100.0;
        Map<String, AttributeValue> item = new HashMap<>(Map.of("enabled", AttributeValue.fromBool(enabled),
                "rolloutPercent", AttributeValue.fromN(Double.toString(percent)),
                "version", AttributeValue.fromN("1")));
        Map<String, AttributeValue> overrides = new HashMap<>(Map.of("us-east-1", AttributeValue.fromBool(!enabled)));
        if (localOverride != null) {
            overrides.put("eu-west-1", AttributeValue.fromBool(localOverride));
        }
        item.put("regions", AttributeValue.fromM(overrides));
        writeFlag(feature, item);
        boolean base = localOverride != null ? localOverride : enabled;
        try (Flags flags = flags(new SimpleMeterRegistry())) {
            Random random = new Random(hundredths);
            for (int n = 0; n < 300; n++) {
                String subject = subject(random);
                boolean expected = base && bucket(feature, subject) < hundredths;
                assertThat(flags.isEnabled(feature, subject)).as("%s for %s (bucket %d, p %s)", feature, subject,
                        bucket(feature, subject), percent).isEqualTo(expected);
            }
            assertThat(flags.isEnabled(feature)).as("without a subject").isEqualTo(base && hundredths == 10_000);
        }
    }

    /**
     * "on for a subject when its bucket is below p x 100" at the exact boundary, for percentages with two decimals
     * whose binary doubles round p x 100 up or down (0.07 x 100 = 7.000000000000001, 0.29 x 100 = 28.999999999999996):
     * a subject whose bucket is p x 100 is off, one below it is on.
     */
    @Example
    void theRolloutBoundaryIsExactForTwoDecimalPercentages() {
        try (Flags flags = flags(new SimpleMeterRegistry())) {
            for (int b : new int[] {1, 7, 14, 28, 29, 57, 58, 113, 1001, 9999}) {
                String feature = "edge-" + b + "-" + NAMES.incrementAndGet();
                String percent = java.math.BigDecimal.valueOf(b, 2).toPlainString();
                writeFlag(feature, Map.of("enabled", AttributeValue.fromBool(true),
                        "rolloutPercent", AttributeValue.fromN(percent)));
                String at = subjectWithBucket(feature, b);
                String below = subjectWithBucket(feature, b - 1);
                flags.refresh();
                assertThat(flags.isEnabled(feature, at)).as("bucket %d at p = %s", b, percent).isFalse();
                assertThat(flags.isEnabled(feature, below)).as("bucket %d at p = %s", b - 1, percent).isTrue();
            }
        }
    }

    private static String subjectWithBucket(String feature, long bucket) {
        for (int i = 0; ; i++) {
            String subject = "s" + i;
            if (bucket(feature, subject) == bucket) {
                return subject;
            }
        }
    }

    @Provide
    Arbitrary<Boolean> overrides() {
        return Arbitraries.of(true, false).injectNull(0.4);
    }

    @Example
    void unknownFlagsAreOffOrTheCallersDefault() {
        try (Flags flags = flags(new SimpleMeterRegistry())) {
            assertThat(flags.isEnabled("never-written")).isFalse();
            assertThat(flags.isEnabled("never-written", "subject-1")).isFalse();
            assertThat(flags.isEnabled("never-written", true)).isTrue();
            assertThat(flags.isEnabled("never-written", "subject-1", true)).isTrue();
        }
    }

    /** "one consistent Scan of the flag items per refresh ... in the local region first"; "The first read in build()". */
    @Example
    void aRefreshIsOneConsistentScanInTheLocalRegion() {
        regions.journalsClear();
        try (Flags flags = flags(new SimpleMeterRegistry())) {
            assertThat(regions.journal("eu-west-1").count("Scan")).isEqualTo(1);
            assertThat(flags.lastGoodRead()).isPresent();
            assertThat(flags.refresh()).isTrue();
            assertThat(regions.journal("eu-west-1").count("Scan")).isEqualTo(2);
            assertThat(regions.journal("eu-central-1").isEmpty()).isTrue();
            assertThat(regions.journal("us-east-1").isEmpty()).isTrue();

            regions.faults("eu-west-1").down();
            assertThat(flags.refresh()).isTrue();
            assertThat(regions.journal("eu-central-1").count("Scan")).isEqualTo(1);
        }
    }

    /** Fail static: "when no region answers, the last known flags stay"; a malformed item keeps its last definition. */
    @Example
    void flagsFailStaticAndAMalformedItemKeepsItsLastGoodDefinition() {
        String feature = "static-" + NAMES.incrementAndGet();
        writeFlag(feature, Map.of("enabled", AttributeValue.fromBool(true), "version", AttributeValue.fromN("1")));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Flags flags = flags(registry)) {
            assertThat(flags.isEnabled(feature)).isTrue();
            for (String r : TestRegions.IDS) {
                regions.faults(r).status(500);
            }
            assertThat(flags.refresh()).isFalse();
            assertThat(flags.isEnabled(feature)).isTrue();
            regions.healAll();

            writeFlag(feature, Map.of("enabled", AttributeValue.fromS("yes please"), "version",
                    AttributeValue.fromN("2")));
            flags.refresh();
            assertThat(flags.isEnabled(feature)).as("malformed enabled").isTrue();
            writeFlag(feature, Map.of("enabled", AttributeValue.fromBool(true), "rolloutPercent",
                    AttributeValue.fromN("150"), "version", AttributeValue.fromN("3")));
            flags.refresh();
            assertThat(flags.isEnabled(feature)).as("rolloutPercent 150").isTrue();
            writeFlag(feature, Map.of("enabled", AttributeValue.fromBool(false), "version", AttributeValue.fromN("4")));
            flags.refresh();
            assertThat(flags.isEnabled(feature)).as("a good definition again").isFalse();

            assertThat(registry.get("meridian.flags.evaluations").tag("flag", feature).tag("outcome", "on")
                    .tag("region", "eu-west-1").counter().count()).isEqualTo(4.0);
            assertThat(registry.get("meridian.flags.evaluations").tag("flag", feature).tag("outcome", "off")
                    .counter().count()).isEqualTo(1.0);
            assertThat(registry.find("meridian.flags.read.age").gauge()).isNotNull();
        }
        assertThat(registry.find("meridian.flags.read.age").gauge()).as("removed by close()").isNull();
    }
}
