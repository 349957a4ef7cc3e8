package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.acceptance.conditions.AppClient.Maker;
import dev.meridian.dynamodb.lww.LwwWrites;
import dev.meridian.testkit.LocalRegions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * docs/lww.md: "a Meridian failover re-sent a write whose first attempt was applied but whose answer was lost" is
 * APPLIED, and LWW loses nothing acknowledged. One writer puts versions 1..n of an item through {@code LwwWrites} over
 * the routed client (each sync HTTP client, built or wrapped, cold or warm), each put meeting a fault of its own in
 * eu-west-1 or none, each put right after the previous one was answered, within the replication lag (docs/lww.md, "A
 * failover makes one writer two"; the first version of this property lost acknowledged version 4 of [throttled,
 * throttled, throttled, no fault] to the moved version 3 while sdk-testkit's replicator ordered writes by when it read
 * each stream, so it let each put replicate before the next until the replicator ordered them by write time); once the
 * regions converge, every region holds the last acknowledged version or a later one (a later put that failed may have
 * been applied), never an earlier one.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
@AddLifecycleHook(ClientSourcesPerContainer.class)
class LwwLostAnswersIT {
    private static final String TABLE = "cond_lww";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(Regions3.ALL);
    private static ClientSource clients;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        clients = ClientSource.shortAttempts(regions, Regions3.config().health(Regions3.breakersThatStayClosed()),
                TABLE);
    }

    @Provide
    Arbitrary<HttpClientKind> syncHttp() {
        return Arbitraries.of(HttpClientKind.APACHE, HttpClientKind.URL_CONNECTION, HttpClientKind.APACHE5);
    }

    @Provide
    Arbitrary<List<Optional<Fault>>> faults() {
        // Half the faults a lost answer: the case the property is about.
        return Arbitraries.oneOf(Arbitraries.just(Fault.ANSWER_LOST), Arbitraries.of(Fault.class)).optional(0.6).list()
                .ofMinSize(2).ofMaxSize(4);
    }

    @Property(tries = 6)
    void nothingAcknowledgedIsLostWhenAnswersAreLost(@ForAll("syncHttp") HttpClientKind http, @ForAll Maker maker,
            @ForAll boolean cold, @ForAll("faults") List<Optional<Fault>> faults) {
        assertLastAcknowledgedHeld(clients.client(http, maker, cold), faults);
    }

    @Provide
    Arbitrary<Fault> cuts() {
        return Arbitraries.of(Fault.cuts());
    }

    /**
     * Answers cut cleanly mid-body after the put was applied (a failure to every client: {@code CleanCutAnswerIT}),
     * around an acknowledged put: each sync HTTP client, built or wrapped, under each framing.
     */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void nothingAcknowledgedIsLostWhenAnswersAreCut(@ForAll("syncHttp") HttpClientKind http, @ForAll Maker maker,
            @ForAll("cuts") Fault cut) {
        assertLastAcknowledgedHeld(clients.client(http, maker, false),
                List.of(Optional.of(cut), Optional.empty(), Optional.of(cut)));
    }

    /**
     * Puts versions 1..n of a new item, each meeting its fault in eu-west-1 (or none); once the regions converge,
     * every region holds the last acknowledged version or a later one.
     */
    private static void assertLastAcknowledgedHeld(AppClient client, List<Optional<Fault>> faults) {
        LwwWrites lww = LwwWrites.builder().client(client.syncClient()).clock(client.runtime().clock())
                .region("eu-west-1").build();
        String key = "lww-" + KEYS.incrementAndGet();
        int lastAcknowledged = 0;
        List<String> outcomes = new ArrayList<>();
        for (int version = 1; version <= faults.size(); version++) {
            regions.healAll();
            faults.get(version - 1).ifPresent(f -> f.inject(regions.faults(Regions3.LOCAL)));
            try {
                outcomes.add(version + ": " + lww.put(put(key, version)).outcome());
                lastAcknowledged = version;
            } catch (RuntimeException e) {
                outcomes.add(version + ": " + e.getClass().getSimpleName());
            }
            regions.healAll();
        }
        regions.awaitReplication();

        Set<Integer> held = new HashSet<>();
        for (String region : Regions3.ALL) {
            Map<String, AttributeValue> item = regions.client(region)
                    .getItem(g -> g.tableName(TABLE).key(Shape.key(key)).consistentRead(true)).item();
            held.add(item.isEmpty() ? 0 : Integer.parseInt(item.get("version").n()));
        }
        int acknowledged = lastAcknowledged;
        assertThat(held).as("versions held by the regions after %s (faults %s)", outcomes, faults).hasSize(1)
                .allMatch(v -> v >= acknowledged);
    }

    private static PutItemRequest put(String key, int version) {
        return PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(key),
                "version", AttributeValue.fromN(Integer.toString(version)))).build();
    }
}
