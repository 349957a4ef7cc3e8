package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.client.WriteMode;
import dev.meridian.testkit.LocalRegions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * sdk-dynamodb README: {@code WRITE_HOME_BY_KEY} is "single writer per item", and "a batch or transaction with an item
 * of a WRITE_HOME_BY_KEY table (any item, whatever tables the others are in) goes to that key's home". A jqwik
 * property over every write shape, synchronous and asynchronous, for keys homed in every region: the write reaches the
 * key's home and no other region (journals). A PartiQL write, whose key Meridian does not read, is refused before
 * sending (it went to the local region, a second writer of the item, before the fix).
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class HomedWritesIT {
    private static final String HOMED = "hw_homed";
    private static final String PLAIN = "hw_plain";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static DynamoDbClient sync;
    private static DynamoDbAsyncClient async;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(HOMED));
        regions.createGlobalTable(LocalRegions.pkTable(PLAIN));
        List<TableConfig> tables = List.of(
                TableConfig.builder(HOMED).partitionKey("pk").writeMode(WriteMode.WRITE_HOME_BY_KEY).build(),
                TableConfig.builder(PLAIN).partitionKey("pk").build());
        sync = MultiRegionDynamoDb.builder().config(TestRegions.config()).tables(tables)
                .clientFactory(r -> TestRegions.client(regions, r)).buildClient();
        async = MultiRegionDynamoDb.builder().config(TestRegions.config()).tables(tables)
                .asyncClientFactory(r -> TestRegions.asyncClient(regions, r)).buildAsyncClient();
    }

    @AfterContainer
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {sync, async}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** The home of a fresh key: where a plain PutItem of it goes (journals). */
    private static String home(String key) {
        regions.journalsClear();
        sync.putItem(PutItemRequest.builder().tableName(HOMED).item(item(key)).build());
        return servedBy();
    }

    private static String servedBy() {
        List<String> got = new ArrayList<>();
        for (String r : TestRegions.IDS) {
            if (regions.journal(r).entries().stream().anyMatch(e -> !e.operation().equals("DescribeTable"))) {
                got.add(r);
            }
        }
        assertThat(got).hasSize(1);
        return got.get(0);
    }

    private static Map<String, AttributeValue> item(String k) {
        return Map.of("pk", AttributeValue.fromS(k));
    }

    private static String partiql(String k) {
        return "UPDATE \"" + HOMED + "\" SET v = 1 WHERE pk = '" + k + "'";
    }

    private static String partiqlDelete(String k) {
        return "DELETE FROM \"" + HOMED + "\" WHERE pk = '" + k + "'";
    }

    @Provide
    Arbitrary<CallShape> writes() {
        List<CallShape> shapes = new ArrayList<>(
                CallShape.itemWrites(HOMED, PLAIN, () -> "plain-" + KEYS.incrementAndGet()));
        shapes.add(CallShape.executeStatement("UPDATE", HomedWritesIT::partiql));
        shapes.add(CallShape.executeStatement("DELETE", HomedWritesIT::partiqlDelete));
        shapes.add(CallShape.executeTransaction("UPDATE", HomedWritesIT::partiql));
        shapes.add(CallShape.batchExecuteStatement("UPDATE", HomedWritesIT::partiql));
        return Arbitraries.of(shapes);
    }

    @Provide
    Arbitrary<String> homes() {
        return Arbitraries.of(TestRegions.IDS);
    }

    @Property(tries = 54)
    void everyWriteOfAHomedKeyGoesToItsHomeOnly(@ForAll("writes") CallShape write, @ForAll boolean viaAsync,
            @ForAll("homes") String wantedHome) {
        String k;
        do {
            k = "k-" + KEYS.incrementAndGet();
        } while (!home(k).equals(wantedHome));
        regions.journalsClear();
        String what = write + (viaAsync ? " (async)" : "") + " of a key homed in " + wantedHome;
        String key = k;
        Throwable thrown = catchThrowable(() -> {
            if (viaAsync) {
                write.async(async, key);
            } else {
                write.sync(sync, key);
            }
        });
        if (write.partiql()) {
            // Sent to the local region it would make a second writer of the item: refused, nothing sent.
            assertThat(thrown).as(what).isNotNull();
            Throwable refusal = thrown instanceof CompletionException ? thrown.getCause() : thrown;
            assertThat(refusal).as(what).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(HOMED).hasMessageContaining("WRITE_HOME_BY_KEY");
            for (String r : TestRegions.IDS) {
                assertThat(regions.journal(r).count(write.name().split(" ")[0])).as(what + " in " + r).isZero();
            }
        } else {
            assertThat(thrown).as(what).isNull();
            assertThat(servedBy()).as(what).isEqualTo(wantedHome);
        }
    }
}
