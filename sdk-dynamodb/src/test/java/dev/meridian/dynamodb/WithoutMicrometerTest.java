package dev.meridian.dynamodb;

import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.lww.LwwWrites;
import dev.meridian.dynamodb.saga.Saga;
import dev.meridian.dynamodb.saga.SagaState;
import dev.meridian.dynamodb.saga.SagaStep;
import dev.meridian.dynamodb.saga.Sagas;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.dynamodb.counter.GlobalCounter;
import dev.meridian.dynamodb.merge.MergeableItems;
import dev.meridian.dynamodb.merge.OrSet;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import dev.meridian.dynamodb.flags.Flags;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.idempotency.IdempotencyClaim;
import dev.meridian.testkit.ClassPathWithout;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Micrometer is an optional dependency: the routed client (with its lag probe), LwwWrites, the idempotency store,
 * Sagas, GlobalCounter, MergeableItems, Flags and a standalone ReplicationLagProbe must load and work in a class loader that cannot see it.
 */
class WithoutMicrometerTest {

    /** Runs inside a class loader without Micrometer; in-memory region clients stand in for DynamoDB. */
    public static final class Probe implements Supplier<String> {
        @Override
        public String get() {
            Map<Region, FakeRegionClient> fakes = new ConcurrentHashMap<>();
            MultiRegionConfig config = MultiRegionConfig.builder()
                    .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                    .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                    .localRegion(Region.EU_WEST_1)
                    .build();
            List<String> worked = new ArrayList<>();
            try (MultiRegion runtime = MultiRegion.builder(config).build();
                    DynamoDbClient routed = MultiRegionDynamoDb.builder()
                            .multiRegion(runtime)
                            .clientFactory(r -> fakes.computeIfAbsent(r, FakeRegionClient::new))
                            .table(TableConfig.builder("orders").partitionKey("pk").build())
                            .replicationLagProbe(ReplicationLagProbe.config("heartbeats")
                                    .withInterval(Duration.ofMillis(50)))
                            .build()) {
                routed.putItem(p -> p.tableName("orders").item(Map.of("pk", AttributeValue.fromS("o1"))));
                worked.add("routed client");

                LwwWrites lww = LwwWrites.builder().client(routed).clock(runtime.clock()).region(Region.EU_WEST_1)
                        .build();
                if (lww.put(PutItemRequest.builder().tableName("orders")
                        .item(Map.of("pk", AttributeValue.fromS("o2"))).build()).applied()) {
                    worked.add("lww");
                }

                DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table("idempotency")
                        .client(TestRegions.routed(runtime, r -> fakes.computeIfAbsent(r, FakeRegionClient::new))).build();
                Instant now = Instant.now();
                IdempotencyClaim claim = store.claim("request-1", null, now.plusSeconds(30), now.plusSeconds(3600));
                store.complete(claim, "done".getBytes(StandardCharsets.UTF_8), now.plusSeconds(3600));
                if (claim.acquired()) {
                    worked.add("idempotency store");
                }

                Saga saga = Saga.builder("order").step("reserve", ctx -> "r", SagaStep.Compensation.none()).build();
                try (Sagas sagas = Sagas.builder().client(routed).table("saga_log").idempotencyStore(store)
                        .saga(saga).build()) {
                    if (sagas.start(saga, "order-1", "input").state() == SagaState.COMPLETED) {
                        worked.add("sagas");
                    }
                }

                GlobalCounter counter = GlobalCounter.builder().client(fakes.get(Region.EU_WEST_1)).table("counters")
                        .region(Region.EU_WEST_1).build();
                counter.increment("likes");
                counter.value("likes");
                worked.add("counter");

                MergeableItems<OrSet> carts = MergeableItems.builder(OrSet.TYPE).client(fakes.get(Region.EU_WEST_1))
                        .table("carts").region(Region.EU_WEST_1).build();
                if (carts.update("cart", (cart, stamp) -> cart.add("book", 1, stamp)).value().contains("book")) {
                    worked.add("mergeable items");
                }

                fakes.get(Region.EU_WEST_1).putItem(PutItemRequest.builder().tableName("meridian-control").item(Map.of(
                        "pk", AttributeValue.fromS("flag#f"), "enabled", AttributeValue.fromBool(true))).build());
                try (Flags flags = Flags.builder().client(routed).build()) {
                    if (flags.isEnabled("f")) {
                        worked.add("flags");
                    }
                }
            }

            try (ReplicationLagProbe probe = ReplicationLagProbe.builder()
                    .config(ReplicationLagProbe.config("heartbeats").withInterval(Duration.ofMillis(50)))
                    .client(Region.EU_WEST_1, new FakeRegionClient(Region.EU_WEST_1))
                    .client(Region.EU_CENTRAL_1, new FakeRegionClient(Region.EU_CENTRAL_1))
                    .start()) {
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> probe.lag(Region.EU_WEST_1, Region.EU_CENTRAL_1).isPresent());
                worked.add("lag probe");
            }
            return String.join(", ", worked);
        }
    }

    @Test
    void routedClientLwwIdempotencySagasCounterFlagsAndProbeWorkWithoutMicrometerOnTheClasspath() throws Exception {
        try (URLClassLoader isolated = ClassPathWithout.packages("io.micrometer.")) {
            assertThatThrownBy(() -> isolated.loadClass("io.micrometer.core.instrument.MeterRegistry"))
                    .isInstanceOf(ClassNotFoundException.class);
            @SuppressWarnings("unchecked")
            Supplier<String> probe = (Supplier<String>) ClassPathWithout.newInstance(isolated, Probe.class);
            assertThat(probe.get()).isEqualTo("routed client, lww, idempotency store, sagas, counter, mergeable items, flags, lag probe");
        }
    }
}
