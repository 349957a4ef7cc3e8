package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * docs/exactly-once.md's refused region, through an async client built the documented way (no client factory: the
 * per-region clients are Meridian's, on the SDK's default Netty HTTP client): eu-west-1, the local region, refuses
 * connections from the start, and every write must be acknowledged from eu-central-1, applied there once and nowhere
 * else, without any attempt ending in an attempt or call timeout. The Netty client (2.54.13) sometimes loses a refused
 * connect of a pool that has never connected (its {@code HttpOrHttp2ChannelPool} adds the waiting acquire to the
 * protocol promise that replaced the failed one) and the acquire waits for the pool's acquire timeout; such a write
 * used to end in the attempt timeout, which may have applied it, so it was not moved and the caller got the error.
 */
class RefusedRegionAsyncWritesIT {
    private static final String TABLE = "refused_async";
    /** Each write reaches the refused region at least once (two SDK attempts): hundreds of chances to lose one. */
    private static final int WRITES = 240;
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static DynamoDbAsyncClient client;

    @BeforeAll
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.faults("eu-west-1").down();
        // The default per-region clients use the default credentials: the testkit's key (DynamoDB Local keeps one
        // database per key and region).
        System.setProperty("aws.accessKeyId", "meridiantestkit");
        System.setProperty("aws.secretAccessKey", "meridiantestkit");
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").endpoint(regions.endpoint("eu-west-1")))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU")
                        .endpoint(regions.endpoint("eu-central-1")))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").endpoint(regions.endpoint("us-east-1")))
                .localRegion(Region.EU_WEST_1).routing(RoutingStrategy.localFirst())
                // Breakers never open: every write is sent to the refused region first, so each is a chance to lose
                // a refusal. The refused region's client never answers, so it stays cold: its first-attempt budget
                // is the attempt timeout here (2 s, the default ceiling), not 10 s, so that a lost refusal costs 2 s.
                .health(HealthConfig.builder().slidingWindowSize(10_000).minimumNumberOfCalls(10_000)
                        .ejectAfterStalls(0).build())
                .firstAttemptTimeout(Duration.ofSeconds(2))
                .build();
        client = MultiRegionDynamoDb.builder().config(config)
                .table(TableConfig.builder(TABLE).partitionKey("pk").build())
                .buildAsyncClient();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        regions.close();
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    private static Map<String, AttributeValue> item(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    /** Write shapes none of which is guarded: they move only after a failure that proves nothing was applied. */
    enum Shape {
        PUT("PutItem", (c, k) -> c.putItem(p -> p.tableName(TABLE).item(item(k)))),
        BATCH_WRITE("BatchWriteItem", (c, k) -> c.batchWriteItem(b -> b.requestItems(Map.of(TABLE, List.of(
                WriteRequest.builder().putRequest(PutRequest.builder().item(item(k)).build()).build()))))),
        TRANSACTION("TransactWriteItems", (c, k) -> c.transactWriteItems(t -> t.clientRequestToken("tok-" + k)
                .transactItems(TransactWriteItem.builder().put(Put.builder().tableName(TABLE).item(item(k)).build())
                        .build())));

        final String operation;
        final BiFunction<DynamoDbAsyncClient, String, CompletableFuture<?>> call;

        Shape(String operation, BiFunction<DynamoDbAsyncClient, String, CompletableFuture<?>> call) {
            this.operation = operation;
            this.call = call;
        }
    }

    @Test
    void everyWriteToARefusedRegionIsAcknowledgedOnceFromTheNextRegionWithoutAnAttemptTimeout() {
        regions.journalsClear();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < WRITES; i++) {
            Shape shape = Shape.values()[i % Shape.values().length];
            try {
                shape.call.apply(client, "k-" + i).join();
            } catch (CompletionException e) {
                failures.add(shape + " k-" + i + ": " + e.getCause());
            }
        }
        assertThat(failures).as("writes not acknowledged (an attempt or call timeout: a lost refusal)").isEmpty();
        for (Shape shape : Shape.values()) {
            int each = WRITES / Shape.values().length;
            assertThat(regions.journal("eu-central-1").count(shape.operation)).as(shape + " applied in eu-central-1")
                    .isEqualTo(each);
            assertThat(regions.journal("us-east-1").count(shape.operation)).as(shape + " never applied twice")
                    .isZero();
        }
    }

    /** Reads are hedged: one whose refusal is lost is answered by its hedge, the others fail over at once. */
    @Test
    void everyReadOfARefusedRegionIsAnsweredFromAnotherRegion() {
        client.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("read"),
                "v", AttributeValue.fromS("x")))).join();
        List<String> unanswered = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            Map<String, AttributeValue> got = client.getItem(g -> g.tableName(TABLE).key(item("read"))).join().item();
            if (!got.containsKey("v")) {
                unanswered.add("read " + i + ": " + got);
            }
        }
        assertThat(unanswered).isEmpty();
    }
}
