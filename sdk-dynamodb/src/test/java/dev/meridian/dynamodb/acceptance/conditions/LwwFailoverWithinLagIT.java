package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.acceptance.conditions.AppClient.Maker;
import dev.meridian.dynamodb.lww.LwwWrites;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * docs/lww.md, "A failover makes one writer two": a write Meridian moved to eu-central-1 (eu-west-1 refused it,
 * throttled it, answered 503, or lost the answer to a guarded {@code LwwWrites} write) and the same writer's next write of the key, back in eu-west-1 within
 * the replication lag, are both applied, and replication keeps the later one. Three writers, one key each, go through a
 * timeline of phases together, each phase a fault of eu-west-1 or none; in every phase each writer puts its key's next
 * version as soon as its previous put was answered, and a phase lasts less than the replication lag (or the lag is the
 * replicator's own), with or without other traffic on the global table (writes in us-east-1 that keep the replicator
 * busy, as other writers do, so that it reads a moved write and the next one in the same pass). Once the regions
 * converge, every region holds each key's last acknowledged version, or a later one whose answer was lost: nothing
 * acknowledged is lost, for the routed client's plain puts and for {@code LwwWrites}. (Against sdk-testkit's replicator
 * that ordered writes by when it read each stream, this failed in both of two runs, shrunk to plain puts [503, no
 * fault] and [refused, no fault] with other traffic: every region held version 1, acknowledged version 2 was lost.)
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
@AddLifecycleHook(ClientSourcesPerContainer.class)
class LwwFailoverWithinLagIT {
    private static final String TABLE = "cond_lww_failover";
    private static final String OTHER_TRAFFIC = "cond_lww_other";
    /** At most this many other writes per try, over this many items: the table stays small to scan. */
    private static final int OTHER_WRITES = 300;
    private static final int OTHER_ITEMS = 30;
    private static final int WRITERS = 3;
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(Regions3.ALL);
    private static ClientSource clients;

    /** How a writer puts: the routed client's own put, or {@code LwwWrites} (HLC-stamped, guarded) over it. */
    enum Writes { PLAIN, LWW }

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(OTHER_TRAFFIC));
        clients = ClientSource.shortAttempts(regions, Regions3.config().health(Regions3.breakersThatStayClosed()),
                TABLE);
    }

    @Provide
    Arbitrary<HttpClientKind> syncHttp() {
        return Arbitraries.of(HttpClientKind.APACHE, HttpClientKind.URL_CONNECTION);
    }

    /** The faults after which Meridian moves a write, and a lost answer (it moves a guarded write after one too). */
    @Provide
    Arbitrary<List<Optional<Fault>>> phases() {
        List<Fault> moving = Stream.concat(Fault.notApplied().stream(), Stream.of(Fault.ANSWER_LOST)).toList();
        return Arbitraries.of(moving).optional(0.6).list().ofMinSize(2).ofMaxSize(5)
                .filter(phases -> phases.stream().anyMatch(Optional::isPresent));
    }

    @Provide
    Arbitrary<Duration> lag() {
        return Arbitraries.of(Duration.ZERO, Duration.ofSeconds(3));
    }

    @Property(tries = 12)
    void theLaterOfAMovedWriteAndTheNextOneSurvivesEverywhere(@ForAll Writes writes,
            @ForAll("syncHttp") HttpClientKind http, @ForAll Maker maker, @ForAll("phases") List<Optional<Fault>> phases,
            @ForAll("lag") Duration lag, @ForAll boolean otherTraffic) {
        regions.replicationDelay(lag);
        AppClient client = clients.client(http, maker, false);
        List<Writer> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writers.add(new Writer("lww-failover-" + KEYS.incrementAndGet(), writes, client));
        }
        ExecutorService threads = Executors.newFixedThreadPool(WRITERS + 1);
        AtomicBoolean phasesDone = new AtomicBoolean();
        try (DynamoDbClient usDirect = regions.clientBuilder(Regions3.OUTSIDE)
                .endpointOverride(regions.directEndpoint(Regions3.OUTSIDE)).build()) {
            CompletableFuture<Void> other = otherTraffic
                    ? CompletableFuture.runAsync(() -> writeOtherTraffic(usDirect, phasesDone), threads)
                    : CompletableFuture.completedFuture(null);
            for (int version = 1; version <= phases.size(); version++) {
                regions.healAll();
                phases.get(version - 1).ifPresent(f -> f.inject(regions.faults(Regions3.LOCAL)));
                int v = version;
                CompletableFuture.allOf(writers.stream()
                        .map(writer -> CompletableFuture.runAsync(() -> writer.put(v), threads))
                        .toArray(CompletableFuture[]::new)).join();
            }
            phasesDone.set(true);
            other.join();
        } finally {
            threads.shutdownNow();
        }
        regions.healAll();
        regions.awaitReplication();

        for (Writer writer : writers) {
            List<Integer> held = new ArrayList<>();
            for (String region : Regions3.ALL) {
                Map<String, AttributeValue> item = regions.client(region).getItem(g -> g.tableName(TABLE)
                        .key(Shape.key(writer.key)).consistentRead(true)).item();
                held.add(item.isEmpty() ? 0 : Integer.parseInt(item.get("version").n()));
            }
            assertThat(held).as("versions of %s held by %s after %s (phases %s, lag %s, other traffic %s)",
                    writer.key, List.of(Regions3.ALL), writer.outcomes, phases, lag, otherTraffic)
                    .containsOnly(held.get(0)).allMatch(v -> v >= writer.lastAcknowledged);
        }
    }

    /**
     * The same path ending in a delete, the moved put not yet replicated (3 s lag). {@code LwwWrites}' delete writes a
     * tombstone, a write like any other, made after the moved put: every region ends with the tombstone. A plain
     * {@code DeleteItem} of an item eu-west-1 does not hold yet deletes nothing and writes no change, so nothing orders
     * it after the put: the moved put reaches eu-west-1 and stays everywhere, and the acknowledged delete is lost
     * (docs/lww.md).
     */
    @Property(tries = 6)
    void aDeleteAfterAMovedPutWinsOnlyAsATombstone(@ForAll Writes writes, @ForAll("refusals") Fault fault) {
        regions.replicationDelay(Duration.ofSeconds(3));
        Writer writer = new Writer("lww-failover-delete-" + KEYS.incrementAndGet(), writes,
                clients.client(HttpClientKind.APACHE, Maker.BUILT, false));
        fault.inject(regions.faults(Regions3.LOCAL));
        writer.put(1);
        regions.healAll();
        // The path is a put that moved: on a busy machine a throttled put's SDK retry can still be on its way when the
        // 2 s call timeout ends the call, which is ambiguous, so the put is rethrown, not moved (docs/exactly-once.md;
        // a call timeout during the back-off itself moves it): not this path.
        Assume.that(!writer.outcomes.get(0).endsWith("Exception"));
        writer.delete();
        assertThat(writer.outcomes).as("both acknowledged").hasSize(2).allMatch(o -> !o.endsWith("Exception"));
        regions.awaitReplication();

        for (String region : Regions3.ALL) {
            Map<String, AttributeValue> item = regions.client(region).getItem(g -> g.tableName(TABLE)
                    .key(Shape.key(writer.key)).consistentRead(true)).item();
            if (writes == Writes.LWW) {
                assertThat(item).as("item in %s after %s", region, writer.outcomes)
                        .containsEntry("_mr_deleted", AttributeValue.fromBool(true)).doesNotContainKey("version");
            } else {
                assertThat(item).as("item in %s after %s", region, writer.outcomes)
                        .containsEntry("version", AttributeValue.fromN("1"));
            }
        }
    }

    @Provide
    Arbitrary<Fault> refusals() {
        return Arbitraries.of(Fault.notApplied());
    }

    /** Writes other items through us-east-1's direct endpoint until the phases are done (or enough were written). */
    private static void writeOtherTraffic(DynamoDbClient usDirect, AtomicBoolean phasesDone) {
        for (int i = 0; i < OTHER_WRITES && !phasesDone.get(); i++) {
            int n = i;
            usDirect.putItem(p -> p.tableName(OTHER_TRAFFIC).item(Map.of(
                    "pk", AttributeValue.fromS("other-" + n % OTHER_ITEMS), "n", AttributeValue.fromN(Integer.toString(n)))));
        }
    }

    /** One sequential writer of one key: each put starts after the previous one was answered. */
    private static final class Writer {
        private final String key;
        private final Writes writes;
        private final DynamoDbClient routed;
        private final LwwWrites lww;
        private final List<String> outcomes = new ArrayList<>();
        private volatile int lastAcknowledged;

        Writer(String key, Writes writes, AppClient client) {
            this.key = key;
            this.writes = writes;
            this.routed = client.syncClient();
            this.lww = LwwWrites.builder().client(routed).clock(client.runtime().clock()).region(Regions3.LOCAL)
                    .build();
        }

        synchronized void delete() {
            try {
                if (writes == Writes.LWW) {
                    outcomes.add("delete: " + lww.delete(TABLE, Shape.key(key)).outcome());
                } else {
                    routed.deleteItem(d -> d.tableName(TABLE).key(Shape.key(key)));
                    outcomes.add("delete: acknowledged");
                }
            } catch (RuntimeException e) {
                outcomes.add("delete: " + e.getClass().getSimpleName());
            }
        }

        synchronized void put(int version) {
            PutItemRequest request = PutItemRequest.builder().tableName(TABLE).item(Map.of(
                    "pk", AttributeValue.fromS(key), "version", AttributeValue.fromN(Integer.toString(version)))).build();
            try {
                if (writes == Writes.LWW) {
                    outcomes.add(version + ": " + lww.put(request).outcome());
                } else {
                    routed.putItem(request);
                    outcomes.add(version + ": acknowledged");
                }
                lastAcknowledged = version;
            } catch (RuntimeException e) {
                outcomes.add(version + ": " + e.getClass().getSimpleName());
            }
        }
    }
}
