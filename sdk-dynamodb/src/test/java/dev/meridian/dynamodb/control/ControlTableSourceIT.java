package dev.meridian.dynamodb.control;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.IDS;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.ControlObserver;
import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControl;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.control.StaticControlSource;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** The control table source on LocalRegions: a global table, replication delay, regions down. */
@LocalRegionsConfig(replicationDelayMillis = 300)
class ControlTableSourceIT {
    static final List<Region> FLEET = List.of(EU_WEST_1, EU_CENTRAL_1, US_EAST_1);
    private static LocalRegions regions;
    private static int tables;
    private ControlTable table;

    @BeforeEach
    void freshTable() {
        table = new ControlTable("control_" + (++tables));
        regions.createGlobalTable(LocalRegions.pkTable(table.tableName()));
    }

    static ControlTableSource source(LocalRegions regions, String tableName, Region... readOrder) {
        return ControlTableSource.builder().tableName(tableName).readOrder(List.of(readOrder))
                .controlledRegions(FLEET)
                .clientFactory(r -> TestRegions.client(regions, r, Duration.ofSeconds(2))).build();
    }

    private void write(Region in, Region region, ControlState state, Integer weight, long expected) {
        table.write(regions.client(in.id()), region, state, weight, "test", expected, Instant.now());
    }

    @Test
    void aWriteInTheLocalRegionIsReadAtOnceWithAConsistentRead() {
        try (ControlTableSource source = source(regions, table.tableName(), EU_WEST_1, EU_CENTRAL_1)) {
            assertThat(source.read()).isEqualTo(RegionControlState.empty());
            write(EU_WEST_1, EU_WEST_1, ControlState.OFF, null, 0);
            RegionControlState state = source.read();
            assertThat(state.isOn(EU_WEST_1)).isFalse();
            assertThat(state.entry(EU_WEST_1).orElseThrow().version()).isEqualTo(1);
            assertThat(state.entry(EU_WEST_1).orElseThrow().updatedBy()).contains("test");
            assertThat(regions.journal("eu-west-1").count("BatchGetItem")).isEqualTo(2);
            assertThat(regions.journal("eu-central-1").count("BatchGetItem")).isZero();
        }
    }

    @Test
    void aWriteInAnotherRegionArrivesWithReplication() {
        try (ControlTableSource source = source(regions, table.tableName(), EU_CENTRAL_1, EU_WEST_1)) {
            write(EU_WEST_1, EU_WEST_1, ControlState.ON, 50, 0);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> source.read().weight(EU_WEST_1).orElse(-1) == 50);
        }
    }

    @Test
    void writersAreSerialisedByTheVersion() {
        write(EU_WEST_1, US_EAST_1, ControlState.OFF, null, 0);
        assertThatThrownBy(() -> write(EU_WEST_1, US_EAST_1, ControlState.ON, null, 0))
                .isInstanceOf(ConditionalCheckFailedException.class);
        write(EU_WEST_1, US_EAST_1, ControlState.ON, null, 1);
    }

    /** What an SDK retry sees when its first attempt was applied but answered too late: its own item. */
    @Test
    void aRepeatedWriteThatFindsItsOwnItemSucceedsAndAnotherWritersChangeStillFails() {
        Instant now = Instant.now();
        table.write(regions.client(EU_WEST_1.id()), US_EAST_1, ControlState.OFF, 20, "op-1", 0, now);
        assertThat(table.write(regions.client(EU_WEST_1.id()), US_EAST_1, ControlState.OFF, 20, "op-1", 0, now)
                .version()).isEqualTo(1);
        assertThatThrownBy(() -> table.write(regions.client(EU_WEST_1.id()), US_EAST_1, ControlState.OFF, 20, "op-2",
                0, now)).isInstanceOf(ConditionalCheckFailedException.class);
    }

    @Test
    void theLocalRegionDownFallsBackToTheNextRegion() {
        write(EU_WEST_1, EU_CENTRAL_1, ControlState.OFF, null, 0);
        regions.awaitReplication();
        try (ControlTableSource source = source(regions, table.tableName(), EU_WEST_1, EU_CENTRAL_1)) {
            regions.faults("eu-west-1").down();
            assertThat(source.read().isOn(EU_CENTRAL_1)).isFalse();
            assertThat(regions.journal("eu-central-1").count("BatchGetItem")).isEqualTo(1);
        }
    }

    @Test
    void everyTableRegionDownFailsStaticAndABrokenItemToo() {
        write(EU_WEST_1, US_EAST_1, ControlState.OFF, null, 0);
        regions.awaitReplication();
        ControlTableSource source = source(regions, table.tableName(), EU_WEST_1, EU_CENTRAL_1);
        try (RegionControl control = new RegionControl(ControlConfig.builder(source).build(), FLEET,
                ControlObserver.NONE, Clock.systemUTC())) {
            assertThat(control.refreshNow()).isTrue();
            regions.faults("eu-west-1").down();
            regions.faults("eu-central-1").down();
            assertThatThrownBy(source::read).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot be read in any of");
            assertThat(control.refreshNow()).isFalse();
            assertThat(control.isOn(US_EAST_1)).isFalse();
            assertThat(control.status().outage()).isTrue();
            regions.healAll();
            regions.client("eu-west-1").putItem(p -> p.tableName(table.tableName()).item(Map.of(ControlTable.PK,
                    AttributeValue.fromS("region#us-east-1"), "state", AttributeValue.fromS("MAYBE"))));
            assertThat(control.refreshNow()).isFalse();
            assertThat(control.isOn(US_EAST_1)).isFalse();
            assertThat(control.status().lastFailure()).hasValueSatisfying(f -> assertThat(f)
                    .contains("region#us-east-1").contains("MAYBE"));
        }
    }

    @Test
    void oneMirrorPerRegionCopiesUpstreamIntoTheTableAndTheOthersReadTheTable() {
        StaticControlSource arc = StaticControlSource.parse("eu-west-1=OFF,eu-central-1=ON:100", "arc");
        MirroringControlSource first = new MirroringControlSource(arc, source(regions, table.tableName(), EU_WEST_1),
                EU_WEST_1, Duration.ofSeconds(30), Clock.systemUTC());
        MirroringControlSource second = new MirroringControlSource(arc, source(regions, table.tableName(), EU_WEST_1),
                EU_WEST_1, Duration.ofSeconds(30), Clock.systemUTC());
        try (first; second; ControlTableSource reader = source(regions, table.tableName(), EU_WEST_1)) {
            assertThat(first.read().isOn(EU_WEST_1)).isFalse();
            assertThat(first.holdsLease()).isTrue();
            assertThat(second.read().isOn(EU_WEST_1)).isFalse();
            assertThat(second.holdsLease()).isFalse();
            assertThat(reader.read().weight(EU_CENTRAL_1)).hasValue(100);
            arc.set(StaticControlSource.parseState("eu-west-1=ON", "arc"));
            first.read();
            assertThat(reader.read().isOn(EU_WEST_1)).isTrue();
            assertThat(reader.read().entry(EU_WEST_1).orElseThrow().version()).isEqualTo(2);
            assertThat(second.read().isOn(EU_WEST_1)).isTrue();
        }
    }
}
