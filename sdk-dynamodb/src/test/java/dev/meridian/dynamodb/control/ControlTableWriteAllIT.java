package dev.meridian.dynamodb.control;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.dynamodb.control.ControlTable.RegionWrite;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link ControlTable#writeAll}: several region items in one {@code TransactWriteItems}, each conditioned on its
 * version, on DynamoDB Local; a concurrent change fails the whole write and leaves nothing half-written.
 */
@LocalRegionsConfig
class ControlTableWriteAllIT {
    private static LocalRegions regions;
    private static int tables;
    private ControlTable table;
    private DynamoDbClient eu;

    @BeforeEach
    void freshTable() {
        table = new ControlTable("writeall_" + (++tables));
        regions.createGlobalTable(LocalRegions.pkTable(table.tableName()));
        eu = regions.client(EU_WEST_1.id());
    }

    @Test
    void everyItemIsWrittenAsItsNextVersion() {
        table.writeAll(eu, List.of(new RegionWrite(EU_WEST_1, ControlState.ON, 90, 0),
                new RegionWrite(US_EAST_1, ControlState.ON, 10, 0)), Map.of(), "op", Instant.now());
        Map<Region, RegionControlEntry> read = table.readAll(eu);
        assertThat(read).containsOnlyKeys(EU_WEST_1, US_EAST_1);
        assertThat(read.get(EU_WEST_1).version()).isEqualTo(1);
        assertThat(read.get(EU_WEST_1).weight()).hasValue(90);
        assertThat(read.get(US_EAST_1).updatedBy()).hasValue("op");

        Map<Region, RegionControlEntry> written = table.writeAll(eu, List.of(
                new RegionWrite(EU_WEST_1, ControlState.OFF, 50, 1), new RegionWrite(US_EAST_1, ControlState.ON, 50, 1)),
                Map.of(), "op", Instant.now());
        assertThat(table.readAll(eu)).isEqualTo(written);
        assertThat(written.get(EU_WEST_1).version()).isEqualTo(2);
        assertThat(written.get(EU_WEST_1).isOn()).isFalse();
    }

    @Test
    void aChangeInBetweenFailsTheWholeWriteAndNothingIsWritten() {
        table.writeAll(eu, List.of(new RegionWrite(EU_WEST_1, ControlState.ON, null, 0),
                new RegionWrite(EU_CENTRAL_1, ControlState.ON, null, 0)), Map.of(), "seed", Instant.now());
        Map<Region, RegionControlEntry> read = table.readAll(eu);
        // another operator changes eu-central-1 after this writer read it
        table.write(eu, EU_CENTRAL_1, ControlState.OFF, null, "other", 1, Instant.now());

        assertThatThrownBy(() -> table.writeAll(eu, List.of(
                new RegionWrite(EU_WEST_1, ControlState.OFF, null, read.get(EU_WEST_1).version()),
                new RegionWrite(EU_CENTRAL_1, ControlState.ON, null, read.get(EU_CENTRAL_1).version())),
                Map.of(), "stale", Instant.now()))
                .isInstanceOf(ConditionalCheckFailedException.class)
                .hasMessageContaining("nothing was written");

        Map<Region, RegionControlEntry> after = table.readAll(eu);
        assertThat(after.get(EU_WEST_1)).as("the item whose condition held is not written either")
                .isEqualTo(read.get(EU_WEST_1));
        assertThat(after.get(EU_CENTRAL_1).updatedBy()).hasValue("other");
    }

    @Test
    void aChangeToAnItemTheWriteWasJudgedOnFailsIt() {
        // The EU has two ON regions; two operators each drain one, each judging the other still ON.
        table.writeAll(eu, List.of(new RegionWrite(EU_WEST_1, ControlState.ON, null, 0),
                new RegionWrite(EU_CENTRAL_1, ControlState.ON, null, 0)), Map.of(), "seed", Instant.now());
        Map<Region, RegionControlEntry> read = table.readAll(eu);
        table.writeAll(eu, List.of(new RegionWrite(EU_CENTRAL_1, ControlState.OFF, null, 1)),
                Map.of(EU_WEST_1, 1L, US_EAST_1, 0L), "first", Instant.now());

        assertThatThrownBy(() -> table.writeAll(eu, List.of(new RegionWrite(EU_WEST_1, ControlState.OFF, null,
                read.get(EU_WEST_1).version())), Map.of(EU_CENTRAL_1, read.get(EU_CENTRAL_1).version(), US_EAST_1, 0L),
                "second", Instant.now())).isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(table.readAll(eu).get(EU_WEST_1).isOn()).as("the EU keeps an ON region").isTrue();
    }

    @Test
    void aRegionJudgedWithoutAnItemMustStillHaveNone() {
        table.write(eu, US_EAST_1, ControlState.OFF, null, "other", 0, Instant.now());
        assertThatThrownBy(() -> table.writeAll(eu, List.of(new RegionWrite(EU_WEST_1, ControlState.OFF, null, 0)),
                Map.of(US_EAST_1, 0L), "late", Instant.now())).isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(table.readAll(eu)).containsOnlyKeys(US_EAST_1);
    }

    @Test
    void aFirstWriteRacingAnotherCreationFailsWithoutCreatingTheOtherItem() {
        table.write(eu, US_EAST_1, ControlState.OFF, null, "other", 0, Instant.now());
        assertThatThrownBy(() -> table.writeAll(eu, List.of(new RegionWrite(EU_WEST_1, ControlState.ON, 50, 0),
                new RegionWrite(US_EAST_1, ControlState.ON, 50, 0)), Map.of(), "late", Instant.now()))
                .isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(table.readAll(eu)).containsOnlyKeys(US_EAST_1);
    }

    @Test
    void ofTwoConcurrentWritersOfTheSameVersionsExactlyOneWinsWhole() throws Exception {
        table.writeAll(eu, List.of(new RegionWrite(EU_WEST_1, ControlState.ON, 50, 0),
                new RegionWrite(US_EAST_1, ControlState.ON, 50, 0)), Map.of(), "seed", Instant.now());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                Map<Region, RegionControlEntry> read = table.readAll(eu);
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Boolean>> writers = new ArrayList<>();
                for (String writer : List.of("a", "b")) {
                    int weight = writer.equals("a") ? 90 : 10;
                    writers.add(pool.submit(() -> {
                        start.await();
                        try {
                            table.writeAll(eu, List.of(
                                    new RegionWrite(EU_WEST_1, ControlState.ON, weight, read.get(EU_WEST_1).version()),
                                    new RegionWrite(US_EAST_1, ControlState.ON, 100 - weight,
                                            read.get(US_EAST_1).version())), Map.of(), writer, Instant.now());
                            return true;
                        } catch (ConditionalCheckFailedException e) {
                            return false;
                        }
                    }));
                }
                int won = 0;
                for (Future<Boolean> w : writers) {
                    won += w.get() ? 1 : 0;
                }
                assertThat(won).as("round %d: exactly one writer wins", round).isEqualTo(1);
                Map<Region, RegionControlEntry> after = table.readAll(eu);
                assertThat(after.get(EU_WEST_1).updatedBy()).as("both items from the same writer")
                        .isEqualTo(after.get(US_EAST_1).updatedBy());
                assertThat(after.get(EU_WEST_1).weight().getAsInt() + after.get(US_EAST_1).weight().getAsInt())
                        .isEqualTo(100);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFlagIsWrittenUnderItsVersion() {
        assertThat(table.readFlag(eu, "checkout")).isEmpty();
        table.writeFlag(eu, "checkout", Map.of("enabled", AttributeValue.fromBool(true)), 0, "op", Instant.now());
        Map<String, AttributeValue> flag = table.readFlag(eu, "checkout").orElseThrow();
        assertThat(ControlTable.version(flag)).isEqualTo(1);
        assertThat(flag).containsEntry("pk", AttributeValue.fromS("flag#checkout"))
                .containsEntry("enabled", AttributeValue.fromBool(true));
        assertThatThrownBy(() -> table.writeFlag(eu, "checkout", Map.of("enabled", AttributeValue.fromBool(false)), 0,
                "late", Instant.now())).isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(table.readFlag(eu, "checkout").orElseThrow()).isEqualTo(flag);
    }
}
