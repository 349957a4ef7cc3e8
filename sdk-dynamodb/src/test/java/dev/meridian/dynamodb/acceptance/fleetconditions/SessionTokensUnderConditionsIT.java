package dev.meridian.dynamodb.acceptance.fleetconditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.StaticControlSource;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.SessionWriteNotVisibleException;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * sdk-dynamodb README's "Session tokens: read-your-writes across services" under conditions: the written region failing
 * on the read path (black hole, with hedging on), turned OFF fleet-wide, coming back; tokens carried between runtimes
 * as text; tokens of a newer format, malformed ones and ones naming a region the runtime does not know. The promise
 * held throughout: "a token read never goes to a region the write is not known to have reached" — witnessed by the
 * regions' journals — and a read that cannot be served is refused, never answered stale.
 */
@LocalRegionsConfig
class SessionTokensUnderConditionsIT {
    private static final String TABLE = "stc_items";
    private static final String HEARTBEATS = "stc_heartbeats";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(300);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static LocalRegions regions;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void createTables() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(HEARTBEATS));
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** Three regions, local-first from {@code local}, hedging as configured by default (on for reads). */
    private static MultiRegionConfig config(Region local) {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(local)
                .routing(RoutingStrategy.localFirst())
                .build();
    }

    private MultiRegion runtime(Region local, StaticControlSource control) {
        MultiRegion runtime = MultiRegion.builder(config(local))
                .control(ControlConfig.builder(control).pollInterval(POLL).build()).build();
        closing.add(runtime);
        return runtime;
    }

    private DynamoDbClient client(MultiRegion runtime, boolean probe, Duration sessionReadWait) {
        MultiRegionDynamoDb.Builder builder = MultiRegionDynamoDb.builder().multiRegion(runtime)
                .clientFactory(r -> TestRegions.client(regions, r, ATTEMPT_TIMEOUT)).sessionReadWait(sessionReadWait);
        if (probe) {
            builder.replicationLagProbe(ReplicationLagProbe.config(HEARTBEATS).withInterval(Duration.ofMillis(50)));
        }
        DynamoDbClient client = builder.build();
        closing.add(client);
        return client;
    }

    private static Map<String, AttributeValue> key(String k) {
        return Map.of("pk", AttributeValue.fromS(k));
    }

    /** Puts {@code k} under a new session and returns the session's token. */
    private static SessionToken write(DynamoDbClient client, String k) {
        RoutingSession session = RoutingSession.start();
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open()) {
            client.putItem(PutItemRequest.builder().tableName(TABLE).item(key(k)).build());
        }
        return session.token().orElseThrow();
    }

    private static <T> T under(SessionToken token, Supplier<T> call) {
        try (RoutingContext.Scope s = RoutingContext.builder().session(RoutingSession.after(token)).open()) {
            return call.get();
        }
    }

    private static GetItemResponse read(DynamoDbClient client, SessionToken token, String k) {
        return under(token, () -> client.getItem(GetItemRequest.builder().tableName(TABLE).key(key(k)).build()));
    }

    private static int tableGets(String region) {
        return (int) regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals("GetItem") && e.table().equals(Optional.of(TABLE))).count();
    }

    /**
     * Failover on the read path: the written region black-holes reads while replication from it is paused. With
     * hedging on, the token read still never goes to eu-central-1 or us-east-1 (where the write is not known to be): it
     * ends with eu-west-1's own failure or a refusal. Once replication resumes and the probe has seen it pass the
     * stamp, the same token is served by another region, with the write in the answer.
     */
    @Test
    void aBlackHoledWrittenRegionFailsTheTokenReadRatherThanServeItWhereTheWriteIsNotKnown() {
        StaticControlSource control = StaticControlSource.parse("", "test");
        DynamoDbClient eu = client(runtime(Region.EU_WEST_1, control), true, Duration.ofMillis(300));
        String k = "bh-" + KEYS.incrementAndGet();
        regions.isolate("eu-west-1");
        SessionToken token = write(eu, k);
        assertThat(token.region()).isEqualTo(Region.EU_WEST_1);
        regions.faults("eu-west-1").only("GetItem").blackhole();
        regions.journalsClear();

        for (int n = 0; n < 3; n++) {
            assertThatThrownBy(() -> read(eu, token, k)).isInstanceOfAny(SdkException.class,
                    SessionWriteNotVisibleException.class);
        }
        assertThat(tableGets("eu-central-1")).as("not known in eu-central-1").isZero();
        assertThat(tableGets("us-east-1")).as("not known in us-east-1").isZero();

        regions.resumeReplication();
        // Until the probe has seen replication pass the stamp, the read still ends with eu-west-1's own timeout.
        await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(SdkException.class).untilAsserted(() -> {
            GetItemResponse got = read(eu, token, k);
            assertThat(got.hasItem()).as("the write is in the answer").isTrue();
        });
        assertThat(tableGets("eu-central-1") + tableGets("us-east-1")).as("served where replication is known")
                .isPositive();
    }

    /**
     * The written region turned OFF fleet-wide: a token read waits up to sessionReadWait and is refused with
     * SessionWriteNotVisibleException while replication is not known elsewhere, reaching no region at all; once the
     * probe sees replication it is served elsewhere; when the region comes back ON the token is served there again.
     */
    @Test
    void theWrittenRegionTurnedOffRefusesTokenReadsUntilReplicationIsKnownAndServesThemWhenItComesBack() {
        StaticControlSource control = StaticControlSource.parse("", "test");
        MultiRegion runtime = runtime(Region.EU_WEST_1, control);
        DynamoDbClient eu = client(runtime, true, Duration.ofMillis(300));
        String k = "off-" + KEYS.incrementAndGet();
        regions.isolate("eu-west-1");
        SessionToken token = write(eu, k);
        control.set(StaticControlSource.parseState("eu-west-1=OFF", "test"));
        await().atMost(POLL.multipliedBy(20)).until(() -> !runtime.status(Region.EU_WEST_1).available());
        regions.journalsClear();

        assertThatThrownBy(() -> read(eu, token, k)).isInstanceOf(SessionWriteNotVisibleException.class)
                .hasMessageContaining(token.format());
        for (String r : regions.regions()) {
            assertThat(tableGets(r)).as("nothing stale read in %s", r).isZero();
        }

        regions.resumeReplication();
        // Refused until the probe has seen replication pass the stamp (one 300 ms wait may end before it has).
        await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(SessionWriteNotVisibleException.class)
                .untilAsserted(() -> assertThat(read(eu, token, k).hasItem()).isTrue());
        assertThat(tableGets("eu-west-1")).isZero();

        control.set(StaticControlSource.parseState("eu-west-1=ON", "test"));
        await().atMost(POLL.multipliedBy(20)).until(() -> runtime.status(Region.EU_WEST_1).available());
        regions.journalsClear();
        assertThat(read(eu, token, k).hasItem()).isTrue();
        assertThat(tableGets("eu-west-1")).as("back in the local, written region").isEqualTo(1);
    }

    /**
     * A token carried as text to another runtime (local us-east-1, its own probe): while replication to us-east-1 is
     * paused its reads go to eu-west-1, with the write in the answer; a token whose stamp lies ahead of every clock (a
     * runtime whose clock runs ahead wrote it) is never served where replication has not passed it, however long the
     * probe runs.
     */
    @Test
    void aTokenCarriedToAnotherRuntimeIsServedWhereTheWriteIsEvenWhenItsStampLiesAhead() {
        StaticControlSource control = StaticControlSource.parse("", "test");
        DynamoDbClient eu = client(runtime(Region.EU_WEST_1, control), false, Duration.ofMillis(300));
        DynamoDbClient us = client(runtime(Region.US_EAST_1, control), true, Duration.ofMillis(300));
        String k = "carried-" + KEYS.incrementAndGet();
        regions.pauseReplication("eu-west-1", "us-east-1");
        String text = write(eu, k).format();
        SessionToken carried = SessionToken.parse(text);
        regions.journalsClear();
        for (int n = 0; n < 3; n++) {
            assertThat(read(us, carried, k).hasItem()).isTrue();
        }
        assertThat(tableGets("us-east-1")).isZero();
        assertThat(tableGets("eu-west-1") + tableGets("eu-central-1")).isEqualTo(3);

        regions.resumeReplication();
        regions.awaitReplication();
        long aheadStamp = new HybridLogicalClock(InstantSource.fixed(Instant.now().plus(Duration.ofHours(1)))).now();
        SessionToken ahead = SessionToken.of(Region.EU_WEST_1, aheadStamp);
        assertThat(ahead.time()).as("the stamp lies ahead of now").isAfter(carried.time().plusSeconds(60));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            regions.journalsClear();
            return read(us, carried, k).hasItem() && tableGets("us-east-1") == 1;
        });
        regions.journalsClear();
        for (int n = 0; n < 3; n++) {
            assertThat(read(us, ahead, k).hasItem()).isTrue();
        }
        assertThat(tableGets("us-east-1")).as("replication is not known past a stamp ahead of every clock").isZero();
    }

    /**
     * Documented errors: a malformed token, or one of a newer format version, fails parse with an
     * IllegalArgumentException naming the rule; a token naming a region the runtime is not configured with parses, and
     * a read under it is refused (SessionWriteNotVisibleException) without reaching any region.
     */
    @Test
    void malformedNewerAndForeignTokensAreRefusedAsDocumented() {
        for (String bad : List.of("", "garbage", "1:eu-west-1", "1:eu-west-1:xyz", "1:eu-west-1:-5",
                "1:eu-west-1:1ffffffffffffffffff", "1::18c3a0f2b4e0001")) {
            assertThatThrownBy(() -> SessionToken.parse(bad)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> SessionToken.parse("3:eu-west-1:18c3a0f2b4e0001"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format version 3");

        SessionToken foreign = SessionToken.parse("1:ap-southeast-2:18c3a0f2b4e0001");
        DynamoDbClient eu = client(runtime(Region.EU_WEST_1, StaticControlSource.parse("", "test")), true,
                Duration.ZERO);
        regions.journalsClear();
        assertThatThrownBy(() -> read(eu, foreign, "foreign")).isInstanceOf(SessionWriteNotVisibleException.class)
                .hasMessageContaining("ap-southeast-2");
        for (String r : regions.regions()) {
            assertThat(tableGets(r)).as("%s", r).isZero();
        }
    }

    /**
     * Failover on the write path: eu-west-1 refuses connections (nothing applied), so the write moves on and the
     * token names the region that acknowledged it, eu-central-1. Carried as text to another instance whose local region
     * is eu-west-1 (healed, but replication from eu-central-1 paused), the token read goes to eu-central-1, never to
     * eu-west-1, and finds the write.
     */
    @Test
    void aWriteThatFailedOverRecordsTheAcknowledgingRegionAndReadsFollowItThere() {
        StaticControlSource control = StaticControlSource.parse("", "test");
        DynamoDbClient writer = client(runtime(Region.EU_WEST_1, control), false, Duration.ofMillis(300));
        String k = "fo-" + KEYS.incrementAndGet();
        regions.isolate("eu-central-1");
        regions.faults("eu-west-1").down();
        SessionToken token = write(writer, k);
        assertThat(token.region()).as("the region that acknowledged the write").isEqualTo(Region.EU_CENTRAL_1);
        regions.faults("eu-west-1").heal();

        DynamoDbClient reader = client(runtime(Region.EU_WEST_1, control), true, Duration.ofMillis(300));
        SessionToken carried = SessionToken.parse(token.format());
        regions.journalsClear();
        for (int n = 0; n < 3; n++) {
            assertThat(read(reader, carried, k).hasItem()).isTrue();
        }
        assertThat(tableGets("eu-west-1")).as("the write is not known in eu-west-1").isZero();
        assertThat(tableGets("eu-central-1")).isEqualTo(3);
    }

    /**
     * "Never a stale answer" for a session whose writes went to two regions: the session writes A in eu-west-1, then
     * eu-west-1 is turned OFF and its next write B fails over to eu-central-1 (the token now names eu-central-1, the
     * later stamp). Replication from eu-west-1 is paused, so A is known to be only in eu-west-1: a read of A under
     * the session must not be answered from eu-central-1 without A (stale); it may wait and be refused.
     *
     * <p>Failed before session tokens named every region written to (the session kept only the later write's token, so
     * the read was bounded to eu-central-1 and answered without A).
     */
    @Test
    void aSessionWhoseWritesFailedOverNeverReadsItsEarlierWriteStale() {
        StaticControlSource control = StaticControlSource.parse("", "test");
        MultiRegion runtime = runtime(Region.EU_WEST_1, control);
        DynamoDbClient eu = client(runtime, true, Duration.ofMillis(300));
        String a = "first-" + KEYS.incrementAndGet();
        String b = "second-" + KEYS.incrementAndGet();
        regions.isolate("eu-west-1");
        RoutingSession session = RoutingSession.start();
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open()) {
            eu.putItem(PutItemRequest.builder().tableName(TABLE).item(key(a)).build());
            control.set(StaticControlSource.parseState("eu-west-1=OFF", "test"));
            await().atMost(POLL.multipliedBy(20)).until(() -> !runtime.status(Region.EU_WEST_1).available());
            eu.putItem(PutItemRequest.builder().tableName(TABLE).item(key(b)).build());
        }
        SessionToken token = session.token().orElseThrow();

        GetItemResponse got;
        try {
            got = read(eu, token, a);
        } catch (SessionWriteNotVisibleException refused) {
            assertThat(refused).hasMessageContaining(token.format()).hasMessageContaining("eu-west-1@")
                    .hasMessageContaining("eu-central-1@");
            return;
        }
        assertThat(got.hasItem()).as("the session's first write, read under its token %s", token.format()).isTrue();
    }

    /**
     * A token naming two regions (a write A in eu-west-1, a later write B in us-east-1), read by a runtime local to
     * eu-central-1 while replication from eu-west-1 into eu-central-1 is paused: B alone would be served in
     * eu-central-1 once the probe has seen it replicate there, but A is not known there, so a read of A under the
     * merged token goes elsewhere and finds A; after replication resumes it is served locally again.
     */
    @Test
    void aTokenNamingTwoRegionsIsServedOnlyWhereBothWritesAreVisible() {
        StaticControlSource control = StaticControlSource.parse("", "test");
        DynamoDbClient west = client(runtime(Region.EU_WEST_1, control), false, Duration.ofMillis(300));
        DynamoDbClient east = client(runtime(Region.US_EAST_1, control), false, Duration.ofMillis(300));
        DynamoDbClient central = client(runtime(Region.EU_CENTRAL_1, control), true, Duration.ofSeconds(2));
        String a = "two-a-" + KEYS.incrementAndGet();
        String b = "two-b-" + KEYS.incrementAndGet();
        regions.pauseReplication("eu-west-1", "eu-central-1");
        SessionToken first = write(west, a);
        SessionToken second = write(east, b);
        SessionToken both = first.merge(second);
        assertThat(both.writes().keySet()).containsExactly(Region.EU_WEST_1, Region.US_EAST_1);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(SdkException.class).until(() -> {
            regions.journalsClear();
            return read(central, second, b).hasItem() && tableGets("eu-central-1") == 1;
        });

        regions.journalsClear();
        for (int n = 0; n < 3; n++) {
            assertThat(read(central, both, a).hasItem()).as("the session's write in eu-west-1").isTrue();
        }
        assertThat(tableGets("eu-central-1")).as("A is not known in eu-central-1").isZero();

        regions.resumeReplication();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(SdkException.class).until(() -> {
            regions.journalsClear();
            return read(central, both, a).hasItem() && tableGets("eu-central-1") == 1;
        });
    }
}
