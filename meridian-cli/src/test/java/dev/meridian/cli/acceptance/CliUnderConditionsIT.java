package dev.meridian.cli.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.cli.MeridianCli;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.control.ControlTable;
import dev.meridian.dynamodb.control.ControlTableSource;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * meridian-cli/README.md's exit codes and writes under the conditions an operator meets during an incident: the
 * table's region refusing connections, throttling, or losing the answer to the write itself; and a CLI drain reaching
 * a running instance that reads another replica of the global control table (docs/fleet-control.md's bound: one poll
 * interval after the change reaches the replica it reads, plus the read's own time). The README's promise checked
 * here: exit 4 and 5 say "nothing written", so they must only be given when nothing was.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "us-east-1"})
@ExtendWith(TestkitCredentials.class)
class CliUnderConditionsIT {
    private static final String WEST = "eu-west-1";
    private static final AtomicInteger TABLES = new AtomicInteger();
    static LocalRegions regions;

    private String table;

    /** A fresh global control table per test (both regions). */
    @BeforeEach
    void freshTable() {
        table = "cuc-control-" + TABLES.incrementAndGet();
        regions.createGlobalTable(CreateTableRequest.builder().tableName(table)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .build());
        regions.journalsClear();
    }

    private record Run(int code, String out, String err) {
    }

    private Run cli(String timeoutSeconds, String... command) {
        List<String> args = new ArrayList<>(List.of("--region", WEST, "--endpoint-url", regions.endpoint(WEST).toString(),
                "--table", table, "--timeout", timeoutSeconds, "--jurisdiction", "eu-central-1=EU"));
        args.addAll(List.of(command));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MeridianCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private Map<Region, RegionControlEntry> items() {
        return new ControlTable(table).readAll(regions.client(WEST));
    }

    /** Whatever the exit code, a "nothing written" message must be true. */
    private void assertHonest(Run run) {
        if (run.err().contains("nothing was written")) {
            assertThat(items()).as("exit %s said nothing was written: %s", run.code(), run.err()).isEmpty();
        }
    }

    /** "4: control plane unreachable ...; nothing written" — refused connections and throttling. */
    @Test
    void aRefusingOrThrottlingTableExitsWithFourAndWritesNothing() {
        regions.faults(WEST).down();
        Run refused = cli("2", "drain", WEST);
        assertThat(refused.code()).as(refused.err()).isEqualTo(4);
        regions.faults(WEST).heal();
        assertThat(items()).isEmpty();

        regions.faults(WEST).only("TransactWriteItems").throttle();
        Run throttled = cli("2", "drain", WEST);
        assertThat(throttled.code()).as(throttled.err()).isEqualTo(4);
        regions.faults(WEST).only("TransactWriteItems").heal();
        assertThat(items()).isEmpty();
        assertHonest(throttled);
    }

    /**
     * The write reaches the table, which applies it, but its answer is lost (held past --timeout): the drain is in the
     * table, so the CLI must not report "nothing written" (exit 4) — an operator would re-run, or worse, believe the
     * region still ON. It reads the items back and reports the drain applied (exit 0).
     */
    @Test
    void aDrainWhoseAnswerIsLostIsReportedAppliedNotAsNothingWritten() {
        regions.faults(WEST).only("TransactWriteItems").latency(Duration.ofMillis(2500));
        Run drain = cli("1", "drain", WEST, "--by", "ops");
        regions.faults(WEST).only("TransactWriteItems").heal();
        await().atMost(Duration.ofSeconds(10)).until(() -> !items().isEmpty());
        RegionControlEntry west = items().get(Region.EU_WEST_1);
        assertThat(west.state()).isEqualTo(ControlState.OFF);
        assertThat(west.version()).as("applied once").isEqualTo(1);
        assertHonest(drain);
        assertThat(drain.code()).as(drain.err()).isZero();

        Run undrain = cli("5", "undrain", WEST);
        assertThat(undrain.code()).as(undrain.err()).isZero();
        assertThat(items().get(Region.EU_WEST_1).version()).isEqualTo(2);
    }

    /** The same for "flag set": a flag write whose answer is lost is reported as written, and written once. */
    @Test
    void aFlagSetWhoseAnswerIsLostIsReportedAsWritten() {
        regions.faults(WEST).only("TransactWriteItems").latency(Duration.ofMillis(2500));
        Run set = cli("1", "flag", "set", "lost-answer", "--enabled");
        regions.faults(WEST).only("TransactWriteItems").heal();
        assertThat(set.code()).as(set.err()).isZero();
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> flag =
                new ControlTable(table).readFlag(regions.client(WEST), "lost-answer").orElseThrow();
        assertThat(ControlTable.version(flag)).isEqualTo(1);
        assertThat(flag.get("enabled").bool()).isTrue();
    }

    /**
     * A genuine concurrent change still exits 5 with nothing of this command written: a competing writer moves the
     * item's version between the CLI's read (its answer held back) and its transaction.
     */
    @Test
    void aGenuineConcurrentChangeStillExitsWithFiveAndNothingOfItsOwnWritten() throws Exception {
        ControlTable control = new ControlTable(table);
        control.write(regions.client(WEST), Region.EU_WEST_1, ControlState.ON, null, "other", 0, Instant.now());
        regions.faults(WEST).only("Scan").latency(Duration.ofMillis(1500));
        CompletableFuture<Run> drain = CompletableFuture.supplyAsync(() -> cli("5", "drain", WEST, "--by", "ops"));
        await().atMost(Duration.ofSeconds(10)).until(() -> regions.journal(WEST).count("Scan") >= 1);
        control.write(regions.client(WEST), Region.EU_WEST_1, ControlState.ON, 50, "other", 1, Instant.now());
        Run stale = drain.get(30, TimeUnit.SECONDS);
        regions.faults(WEST).only("Scan").heal();

        assertThat(stale.code()).as(stale.err()).isEqualTo(5);
        RegionControlEntry west = items().get(Region.EU_WEST_1);
        assertThat(west.version()).isEqualTo(2);
        assertThat(west.updatedBy()).contains("other");
        assertThat(west.isOn()).isTrue();
    }

    /**
     * A CLI drain written in eu-west-1 reaches a running instance that reads the us-east-1 replica, within one poll
     * interval plus the read's time and replication, while the instance's first control region (eu-west-1) refuses
     * its reads; once it shows eu-west-1 OFF its calls go elsewhere.
     */
    @Test
    void aCliDrainReachesAnInstanceReadingAnotherReplicaWhileItsFirstControlRegionFails() {
        Duration poll = Duration.ofMillis(500);
        Duration readTimeout = Duration.ofMillis(250);
        ControlTableSource source = ControlTableSource.builder().tableName(table)
                .readOrder(List.of(Region.EU_WEST_1, Region.US_EAST_1))
                .controlledRegions(List.of(Region.EU_WEST_1, Region.US_EAST_1))
                .clientFactory(r -> regions.clientBuilder(r.id()).overrideConfiguration(o -> o
                        .apiCallTimeout(readTimeout)).build())
                .build();
        MultiRegionConfig config = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(Region.EU_WEST_1).routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.disabled()).build();
        try (MultiRegion runtime = MultiRegion.builder(config)
                .control(ControlConfig.builder(source).pollInterval(poll).build()).build()) {
            Operation read = Operation.of("read", OperationKind.READ);
            Region first = runtime.execute(read, r -> r);
            assertThat(first).isEqualTo(Region.EU_WEST_1);
            regions.faults(WEST).only("BatchGetItem").status(503);

            Run drain = cli("5", "drain", WEST, "--force");
            assertThat(drain.code()).as(drain.err()).isZero();
            await().atMost(poll.plus(readTimeout.multipliedBy(2)).plusMillis(750)).pollInterval(Duration.ofMillis(10))
                    .until(() -> !runtime.status(Region.EU_WEST_1).available());
            for (int n = 0; n < 5; n++) {
                Region served = runtime.execute(read, r -> r);
                assertThat(served).isEqualTo(Region.US_EAST_1);
            }
        }
    }
}
