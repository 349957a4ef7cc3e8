package dev.meridian.dynamodb.flags;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Flags read from a control table on LocalRegions (a global table in three regions): the issue's acceptance. */
@LocalRegionsConfig
class FlagsIT {
    private static final String TABLE = "meridian-control";
    private static final int SUBJECTS = 10_000;

    private static LocalRegions regions;

    @BeforeAll
    static void createTables() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    /** An application instance: its own runtime in {@code local}, its routed client, and Flags on it. */
    private record Instance(MultiRegion runtime, DynamoDbClient dynamo, Flags flags) implements AutoCloseable {
        static Instance start(Region local, SimpleMeterRegistry meters) {
            MultiRegionConfig config = MultiRegionConfig.builder()
                    .region(RegionSpec.of(EU_WEST_1).jurisdiction("EU"))
                    .region(RegionSpec.of(EU_CENTRAL_1).jurisdiction("EU"))
                    .region(RegionSpec.of(US_EAST_1).jurisdiction("US"))
                    .localRegion(local)
                    .build();
            MultiRegion runtime = MultiRegion.builder(config).meterRegistry(meters).build();
            DynamoDbClient dynamo = TestRegions.routed(runtime,
                    r -> TestRegions.client(regions, r, Duration.ofMillis(500)));
            Flags flags = Flags.builder().client(dynamo).refreshInterval(Duration.ofMillis(100)).build();
            return new Instance(runtime, dynamo, flags);
        }

        static Instance start(Region local) {
            return start(local, new SimpleMeterRegistry());
        }

        @Override
        public void close() {
            flags.close();
            dynamo.close();
            runtime.close();
        }
    }

    private static void putFlag(String name, boolean enabled, Map<String, Boolean> overrides, Double rollout) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS("flag#" + name));
        item.put("enabled", AttributeValue.fromBool(enabled));
        if (!overrides.isEmpty()) {
            item.put("regions", AttributeValue.fromM(overrides.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> AttributeValue.fromBool(e.getValue())))));
        }
        if (rollout != null) {
            item.put("rolloutPercent", AttributeValue.fromN(rollout.toString()));
        }
        item.put("updatedBy", AttributeValue.fromS("FlagsIT"));
        item.put("version", AttributeValue.fromN("1"));
        regions.client(EU_WEST_1.id()).putItem(p -> p.tableName(TABLE).item(item));
        regions.awaitReplication();
    }

    private static BitSet answers(Flags flags, String feature) {
        BitSet on = new BitSet(SUBJECTS);
        for (int i = 0; i < SUBJECTS; i++) {
            on.set(i, flags.isEnabled(feature, "customer-" + i));
        }
        return on;
    }

    @Test
    void aRegionOverrideAndATwentyPercentRolloutStableAcrossInstancesAndRestarts() {
        putFlag("accept-override", true, Map.of("us-east-1", false), null);
        putFlag("accept-rollout", true, Map.of(), 20.0);

        BitSet first;
        try (Instance eu = Instance.start(EU_WEST_1); Instance us = Instance.start(US_EAST_1)) {
            assertThat(eu.flags().isEnabled("accept-override")).as("global default in eu-west-1").isTrue();
            assertThat(us.flags().isEnabled("accept-override")).as("override in us-east-1").isFalse();

            first = answers(eu.flags(), "accept-rollout");
            assertThat(first.cardinality()).as("subjects enabled of %d", SUBJECTS).isBetween(1_900, 2_100);
            assertThat(answers(us.flags(), "accept-rollout")).as("another instance").isEqualTo(first);
        }
        try (Instance restarted = Instance.start(EU_CENTRAL_1)) {
            assertThat(answers(restarted.flags(), "accept-rollout")).as("after a restart").isEqualTo(first);
        }
    }

    @Test
    void anUnknownFlagIsOffOrTheCallersDefault() {
        try (Instance eu = Instance.start(EU_WEST_1)) {
            assertThat(eu.flags().isEnabled("never-written")).isFalse();
            assertThat(eu.flags().isEnabled("never-written", "s1")).isFalse();
            assertThat(eu.flags().isEnabled("never-written", true)).isTrue();
            assertThat(eu.flags().isEnabled("never-written", "s1", true)).isTrue();
        }
    }

    @Test
    void aChangeReachesARunningInstanceThroughTheBackgroundRefresh() {
        putFlag("refreshed", false, Map.of(), null);
        try (Instance eu = Instance.start(EU_WEST_1)) {
            assertThat(eu.flags().isEnabled("refreshed")).isFalse();
            putFlag("refreshed", true, Map.of(), null);
            await().atMost(Duration.ofSeconds(10)).until(() -> eu.flags().isEnabled("refreshed"));
        }
    }

    @Test
    void theNextRegionServesWhenTheLocalRegionIsDown() {
        putFlag("fallback", true, Map.of("eu-west-1", true), null);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Instance eu = Instance.start(EU_WEST_1, meters)) {
            regions.faults(EU_WEST_1.id()).down();
            regions.journalsClear();
            assertThat(eu.flags().refresh()).isTrue();
            assertThat(eu.flags().isEnabled("fallback")).isTrue();
            assertThat(regions.journal(EU_CENTRAL_1.id()).count("Scan")).isPositive();
            assertThat(regions.journal(US_EAST_1.id()).count("Scan")).as("eu-central-1 answered first").isZero();
            assertThat(meters.get("meridian.flags.read.failures").tag("region", "eu-west-1").counter().count())
                    .isPositive();
            assertThat(meters.get("meridian.flags.reads").tag("region", "eu-central-1").counter().count())
                    .isPositive();
        }
    }

    @Test
    void failStaticWhenNoRegionAnswersAndCatchesUpAfterwards() {
        putFlag("static", true, Map.of(), null);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Instance eu = Instance.start(EU_WEST_1, meters)) {
            assertThat(eu.flags().isEnabled("static")).isTrue();
            var lastGood = eu.flags().lastGoodRead().orElseThrow();
            for (String id : IDS) {
                regions.faults(id).down();
            }
            assertThat(eu.flags().refresh()).as("no region answers").isFalse();
            assertThat(eu.flags().isEnabled("static")).as("the last known value stays").isTrue();
            assertThat(eu.flags().lastGoodRead()).contains(lastGood);
            assertThat(meters.get("meridian.flags.read.age").gauge().value()).isGreaterThanOrEqualTo(0);

            regions.healAll();
            putFlag("static", false, Map.of(), null);
            await().atMost(Duration.ofSeconds(10)).until(() -> !eu.flags().isEnabled("static"));
        }
    }

    @Test
    void aMalformedItemKeepsTheFlagsLastGoodDefinition() {
        putFlag("malformed", true, Map.of(), null);
        try (Instance eu = Instance.start(EU_WEST_1)) {
            regions.client(EU_WEST_1.id()).putItem(p -> p.tableName(TABLE).item(Map.of(
                    "pk", AttributeValue.fromS("flag#malformed"), "enabled", AttributeValue.fromS("yes"))));
            assertThat(eu.flags().refresh()).isTrue();
            assertThat(eu.flags().isEnabled("malformed")).isTrue();
        }
    }

    @Test
    void closeStopsTheRefreshThreadAndRemovesTheMeters() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Instance eu = Instance.start(EU_WEST_1, meters);
        Flags flags = eu.flags();
        assertThat(meters.find("meridian.flags.read.age").gauge()).isNotNull();
        eu.close();
        assertThat(meters.find("meridian.flags.read.age").gauge()).isNull();
        Set<String> threads = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).collect(Collectors.toSet());
        // other tests of this class have closed theirs; each test closes its instances
        assertThat(threads).doesNotContain("meridian-flags");
        assertThat(flags.toString()).contains(TABLE);
    }
}
