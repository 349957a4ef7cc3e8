package dev.meridian.dynamodb.lww;

import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.Tables;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

@LocalRegionsConfig
class LwwWritesIT {

    private static final String TABLE = "lww_items";
    private static final String EU = "eu-west-1";
    private static final String DE = "eu-central-1";
    private static final String US = "us-east-1";
    private static final List<String> REGIONS = List.of(EU, DE, US);

    private static LocalRegions regions;

    @BeforeAll
    static void createTables() {
        Tables.create(regions, TABLE, "pk", null);
    }

    /** A writer in {@code region}, writing through {@code client}, whose wall clock is {@code skewMillis} off. */
    private static LwwWrites writer(String region, DynamoDbClient client, long skewMillis) {
        HybridLogicalClock clock = new HybridLogicalClock(() -> System.currentTimeMillis() + skewMillis);
        return LwwWrites.builder().client(client).clock(clock).region(region).build();
    }

    private static LwwWrites writer(String region, long skewMillis) {
        return writer(region, regions.client(region), skewMillis);
    }

    private static PutItemRequest put(String key, String value) {
        return PutItemRequest.builder().tableName(TABLE)
                .item(Map.of("pk", AttributeValue.fromS(key), "value", AttributeValue.fromS(value))).build();
    }

    private static Map<String, AttributeValue> key(String key) {
        return Map.of("pk", AttributeValue.fromS(key));
    }

    private static Optional<String> valueIn(String region, String key) {
        return writer(region, 0).get(TABLE, key(key), true).map(item -> item.get("value").s());
    }

    @Test
    void staleStampIsSupersededInOneCallAndReportsTheWinner() {
        String key = "k-" + UUID.randomUUID();
        LwwWrites newer = writer(EU, 0);
        LwwWrites delayed = writer(EU, -20_000);
        newer.put(put(key, "new"));
        regions.journalsClear();

        LwwResult result = delayed.put(put(key, "old"));

        assertThat(result.outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
        assertThat(result.winner()).hasValueSatisfying(w -> assertThat(w.get("value").s()).isEqualTo("new"));
        assertThat(regions.journal(EU).count("PutItem")).isEqualTo(1);
        assertThat(regions.journal(EU).count("GetItem")).isZero();
        assertThat(valueIn(EU, key)).contains("new");
    }

    @Test
    void deleteLeavesATombstoneThatALateOlderWriteCannotResurrect() {
        String key = "k-" + UUID.randomUUID();
        LwwWrites writer = writer(EU, 0);
        writer.put(put(key, "v1"));

        assertThat(writer.delete(TABLE, key(key)).applied()).isTrue();
        LwwResult late = writer(EU, -20_000).put(put(key, "late"));

        assertThat(late.applied()).isFalse();
        assertThat(valueIn(EU, key)).isEmpty();
        assertThat(writer.put(put(key, "v2")).applied()).isTrue();
        assertThat(valueIn(EU, key)).contains("v2");
    }

    @Test
    void updateKeepsTheCallersConditionAndPlaceholders() {
        String key = "k-" + UUID.randomUUID();
        LwwWrites writer = writer(EU, 0);
        writer.put(put(key, "v1"));
        UpdateItemRequest guarded = UpdateItemRequest.builder().tableName(TABLE).key(key(key))
                .updateExpression("SET #v = :v")
                .conditionExpression("#v = :expected")
                .expressionAttributeNames(Map.of("#v", "value"))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("v2"),
                        ":expected", AttributeValue.fromS("v1")))
                .build();

        assertThat(writer.update(guarded).applied()).isTrue();
        assertThatThrownBy(() -> writer.update(guarded)).isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(valueIn(EU, key)).contains("v2");
    }

    @Test
    void regionWhoseClockIsBehindStillConvergesAfterReadingTheItem() {
        String key = "k-" + UUID.randomUUID();
        writer(EU, 0).put(put(key, "from-eu"));
        regions.awaitReplication();
        LwwWrites usBehind = writer(US, -30_000);

        // Thirty seconds behind (within the default one-minute drift bound), a blind write would be older than the
        // replicated item and lose.
        assertThat(writer(US, -30_000).put(put(key, "blind")).applied()).isFalse();
        usBehind.get(TABLE, key(key), true);
        LwwResult afterRead = usBehind.put(put(key, "from-us"));
        regions.awaitReplication();

        assertThat(afterRead.applied()).isTrue();
        REGIONS.forEach(r -> assertThat(valueIn(r, key)).as(r).contains("from-us"));
    }

    @Test
    void writeHomeGivesOneWinnerWhereMultiActiveAcknowledgesTwoWritesAndKeepsOne() {
        pauseAllLinks();
        try {
            // Multi-active: each region writes its own replica; neither guard can see the other write.
            String multi = "multi-" + UUID.randomUUID();
            LwwResult euWrite = writer(EU, 0).put(put(multi, "eu"));
            LwwResult usWrite = writer(US, -5_000).put(put(multi, "us"));
            // Write-home: both writers send the key to its home region (EU), whose guard orders them.
            String home = "home-" + UUID.randomUUID();
            LwwResult euHome = writer(EU, 0).put(put(home, "eu"));
            LwwResult usHome = writer(US, regions.client(EU), -5_000).put(put(home, "us"));
            resumeAllLinks();
            regions.awaitReplication();

            assertThat(List.of(euWrite.applied(), usWrite.applied())).containsOnly(true);
            List<Optional<String>> multiValues = REGIONS.stream().map(r -> valueIn(r, multi)).toList();
            assertThat(multiValues).as("replicas converge on one of the two acknowledged writes").hasSize(3)
                    .allSatisfy(v -> assertThat(v).isEqualTo(multiValues.get(0)));
            assertThat(multiValues.get(0)).get().isIn("eu", "us");

            assertThat(euHome.applied()).isTrue();
            assertThat(usHome.outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
            REGIONS.forEach(r -> assertThat(valueIn(r, home)).as(r).contains("eu"));
        } finally {
            resumeAllLinks();
        }
    }

    private static void pauseAllLinks() {
        for (String from : REGIONS) {
            for (String to : REGIONS) {
                if (!from.equals(to)) {
                    regions.pauseReplication(from, to);
                }
            }
        }
    }

    private static void resumeAllLinks() {
        for (String from : REGIONS) {
            for (String to : REGIONS) {
                if (!from.equals(to)) {
                    regions.resumeReplication(from, to);
                }
            }
        }
    }

    @Test
    void stampsAreObservedSoTheWriterClockAdvances() {
        String key = "k-" + UUID.randomUUID();
        AtomicLong frozen = new AtomicLong(System.currentTimeMillis() - 30_000);
        HybridLogicalClock clock = new HybridLogicalClock(frozen::get);
        writer(EU, 0).put(put(key, "recent"));
        LwwWrites lagging = LwwWrites.builder().client(regions.client(EU)).clock(clock).region(EU).build();

        lagging.get(TABLE, key(key), true);

        assertThat(HybridLogicalClock.physicalMillis(clock.latest())).isGreaterThan(frozen.get());
    }

    @Test
    void supersededWritesAreCountedPerRegionAndTable() {
        String key = "k-" + UUID.randomUUID();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        assertThat(metered(registry, -20_000).put(put(key, "first")).applied()).isTrue();
        assertThat(registry.find("meridian.lww.superseded").counter()).as("applied writes are not counted").isNull();
        writer(EU, 0).put(put(key, "newer"));

        // Fresh writers: a superseded write makes its own clock observe the winner, so it would not lose again.
        assertThat(metered(registry, -20_000).put(put(key, "late")).applied()).isFalse();
        assertThat(metered(registry, -10_000).put(put(key, "later")).applied()).isFalse();

        Counter superseded = registry.get("meridian.lww.superseded").tag("region", EU).tag("table", TABLE).counter();
        assertThat(superseded.count()).isEqualTo(2.0);
    }

    private static LwwWrites metered(SimpleMeterRegistry registry, long skewMillis) {
        return LwwWrites.builder().client(regions.client(EU)).region(EU).meterRegistry(registry)
                .clock(new HybridLogicalClock(() -> System.currentTimeMillis() + skewMillis)).build();
    }

    @Test
    void itemStampedFarInTheFutureIsReadButOnlyAdvancesAClampingClockByTheMaxDrift() {
        String key = "k-" + UUID.randomUUID();
        long wallNow = System.currentTimeMillis();
        long futureStamp = HybridLogicalClock.encode(wallNow + Duration.ofDays(1).toMillis(), 0);
        storeStamped(key, futureStamp);
        HybridLogicalClock clock = HybridLogicalClock.builder().millis(() -> wallNow)
                .maxDrift(Duration.ofMinutes(1), HybridLogicalClock.DriftPolicy.CLAMP).build();
        LwwWrites reader = LwwWrites.builder().client(regions.client(EU)).clock(clock).region(EU).build();

        Optional<Map<String, AttributeValue>> item = reader.get(TABLE, key(key), true);

        assertThat(item).hasValueSatisfying(i -> assertThat(i.get("value").s()).isEqualTo("corrupt"));
        assertThat(clock.latest()).isLessThan(futureStamp);
        assertThat(HybridLogicalClock.physicalMillis(clock.latest()))
                .isBetween(wallNow + 60_000, wallNow + 60_001);
    }

    @Test
    void itemStampedFarInTheFutureIsReadAndLeavesARejectingClockUntouched() {
        String key = "k-" + UUID.randomUUID();
        long wallNow = System.currentTimeMillis();
        long futureStamp = HybridLogicalClock.encode(wallNow + Duration.ofDays(1).toMillis(), 0);
        storeStamped(key, futureStamp);
        HybridLogicalClock clock = HybridLogicalClock.builder().millis(() -> wallNow)
                .maxDrift(Duration.ofMinutes(1), HybridLogicalClock.DriftPolicy.REJECT).build();
        long before = clock.now();
        LwwWrites reader = LwwWrites.builder().client(regions.client(EU)).clock(clock).region(EU).build();

        assertThat(reader.get(TABLE, key(key), true)).isPresent();
        assertThat(clock.latest()).isEqualTo(before);
    }

    @Test
    void aWriteResentByAnSdkRetryAfterItWasAppliedIsAppliedNotSupersededByItself() throws Exception {
        String key = "k-" + UUID.randomUUID();
        // PutItem answers are held back 1.5 s; the request itself reaches DynamoDB Local at once and is applied.
        regions.faults(EU).only("PutItem").latency(Duration.ofMillis(1_500));
        try (DynamoDbClient retrying = regions.clientBuilder(EU).overrideConfiguration(o -> o
                .apiCallAttemptTimeout(Duration.ofMillis(600)).apiCallTimeout(Duration.ofSeconds(10))
                .retryStrategy(RegionalClientDefaults.retryStrategy(3))).build()) {
            LwwWrites writer = writer(EU, retrying, 0);
            Thread healer = healOnceAPutArrived(EU);

            LwwResult result = writer.put(put(key, "mine"));
            healer.join();

            assertThat(regions.journal(EU).count("PutItem")).as("the first attempt timed out and was retried")
                    .isGreaterThanOrEqualTo(2);
            assertThat(result.outcome()).isEqualTo(LwwResult.Outcome.APPLIED);
            assertThat(result.winner()).isEmpty();
            assertThat(valueIn(EU, key)).contains("mine");
        } finally {
            regions.faults(EU).heal();
        }
    }

    @Test
    void aWriteThatFailsOverAfterItWasAppliedIsAppliedNotSupersededByItself() {
        String key = "k-" + UUID.randomUUID();
        regions.journalsClear();
        regions.faults(EU).only("PutItem").latency(Duration.ofMillis(2_500));
        try (MultiRegion runtime = MultiRegion.builder(TestRegions.config()).build()) {
            DynamoDbClient multiRegion = MultiRegionDynamoDb.builder().multiRegion(runtime)
                    .clientFactory(r -> regions.clientBuilder(r.id())
                            .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(1,
                                    Duration.ofSeconds(1))).build())
                    .build();
            // Warm eu-west-1's client (its first attempt would get the longer first-attempt budget): this is a warm
            // region whose answer comes after the attempt timeout.
            multiRegion.getItem(g -> g.tableName(TABLE).key(key(key)));
            LwwWrites writer = writer(EU, multiRegion, 0);

            // eu-west-1 applies the write and times out; by the time the write fails over to eu-central-1 the
            // replicator has copied it there, so eu-central-1's guard sees this very write.
            LwwResult result = writer.put(put(key, "mine"));

            assertThat(regions.journal(EU).count("PutItem")).isEqualTo(1);
            assertThat(regions.journal(DE).count("PutItem")).as("the write failed over").isEqualTo(1);
            assertThat(result.outcome()).isEqualTo(LwwResult.Outcome.APPLIED);
            regions.awaitReplication();
            REGIONS.forEach(r -> assertThat(valueIn(r, key)).as(r).contains("mine"));
        } finally {
            regions.faults(EU).heal();
        }
    }

    @Test
    void twoProcessesWithEqualStampsInOneRegionAreOrderedByNodeIdNotByArrival() {
        String key = "k-" + UUID.randomUUID();
        long frozen = System.currentTimeMillis();
        LwwWrites low = LwwWrites.builder().client(regions.client(EU)).region(EU)
                .clock(HybridLogicalClock.builder().millis(() -> frozen).nodeId("node-a").build()).build();
        LwwWrites high = LwwWrites.builder().client(regions.client(EU)).region(EU)
                .clock(HybridLogicalClock.builder().millis(() -> frozen).nodeId("node-b").build()).build();

        LwwResult fromHigh = high.put(put(key, "b"));
        LwwResult fromLow = low.put(put(key, "a"));

        assertThat(fromLow.stamp()).as("same stamp, same region").isEqualTo(fromHigh.stamp());
        assertThat(fromHigh.applied()).isTrue();
        assertThat(fromLow.outcome()).as("arrived last, but the smaller node id loses the tie")
                .isEqualTo(LwwResult.Outcome.SUPERSEDED);
        assertThat(fromLow.winner()).hasValueSatisfying(w -> assertThat(w.get("_mr_node").s()).isEqualTo("node-b"));
        assertThat(valueIn(EU, key)).contains("b");
    }

    @Test
    void anItemStampedLongMaxValueIsReadWithoutPoisoningTheClockAndCanBeRewritten() {
        String key = "k-" + UUID.randomUUID();
        storeStamped(key, Long.MAX_VALUE);
        HybridLogicalClock clock = HybridLogicalClock.system();
        long before = clock.now();
        LwwWrites writer = LwwWrites.builder().client(regions.client(EU)).clock(clock).region(EU).build();

        assertThat(writer.get(TABLE, key(key), true)).isPresent();
        assertThat(clock.latest()).as("the bogus stamp is not adopted").isEqualTo(before);
        LwwResult rewrite = writer.put(put(key, "repaired"));

        assertThat(rewrite.applied()).as("a write wins over a stamp beyond the drift bound").isTrue();
        assertThat(valueIn(EU, key)).contains("repaired");
        assertThat(writer(EU, 0).put(put(key, "next")).applied()).isTrue();
    }

    @Test
    void anItemStampedWithinTheDriftBoundStillWins() {
        String key = "k-" + UUID.randomUUID();
        long thirtySecondsAhead = HybridLogicalClock.encode(System.currentTimeMillis() + 30_000, 0);
        storeStamped(key, thirtySecondsAhead);

        LwwResult blind = writer(EU, 0).put(put(key, "older"));

        assertThat(blind.outcome()).isEqualTo(LwwResult.Outcome.SUPERSEDED);
        assertThat(valueIn(EU, key)).contains("corrupt");
    }

    private static Thread healOnceAPutArrived(String region) {
        Thread healer = new Thread(() -> {
            while (regions.journal(region).count("PutItem") == 0) {
                Thread.onSpinWait();
            }
            regions.faults(region).heal();
        }, "healer");
        healer.setDaemon(true);
        healer.start();
        return healer;
    }

    /** Writes an item carrying {@code stamp} directly, as a peer with a broken clock (or a corrupted item) would. */
    private static void storeStamped(String key, long stamp) {
        regions.client(EU).putItem(PutItemRequest.builder().tableName(TABLE).item(Map.of(
                "pk", AttributeValue.fromS(key), "value", AttributeValue.fromS("corrupt"),
                "_mr_stamp", AttributeValue.fromN(Long.toString(stamp)),
                "_mr_region", AttributeValue.fromS(US))).build());
    }
}
