package dev.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.dynamodb.flags.Flags;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The real commands, parsed by picocli, against a control table on LocalRegions (a global table). */
@LocalRegionsConfig
class MeridianCliIT {
    private static final String TABLE = "meridian-control";
    private static LocalRegions regions;
    private static DynamoDbClient eu;

    @BeforeAll
    static void start() {
        // The SDK's default chain reads these first: DynamoDB Local keeps one database per access key.
        System.setProperty("aws.accessKeyId", "meridiantestkit");
        System.setProperty("aws.secretAccessKey", "meridiantestkit");
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        eu = regions.client("eu-west-1");
    }

    /** eu-west-1 ON (the EU's only ON region), eu-central-1 OFF, us-east-1 ON. */
    @BeforeEach
    void seed() {
        putRegion("eu-west-1", "ON", 1);
        putRegion("eu-central-1", "OFF", 1);
        putRegion("us-east-1", "ON", 1);
    }

    private static void putRegion(String region, String state, long version) {
        eu.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("region#" + region),
                "state", AttributeValue.fromS(state), "version", AttributeValue.fromN(Long.toString(version)))));
    }

    private static Map<String, AttributeValue> item(String pk) {
        return eu.getItem(g -> g.tableName(TABLE).consistentRead(true).key(Map.of("pk", AttributeValue.fromS(pk))))
                .item();
    }

    /** Exit code, stdout and stderr of one run. */
    private record Run(int code, String out, String err) {
    }

    private static Run meridian(String... args) {
        List<String> all = new ArrayList<>(List.of("--region", "eu-west-1", "--endpoint-url",
                regions.endpoint("eu-west-1").toString(), "--timeout", "10"));
        all.addAll(Arrays.asList(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = MeridianCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void statusListsEveryRegionWithItsJurisdiction() {
        Run run = meridian("status");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("eu-central-1\\s+OFF\\s+-\\s+EU")
                .containsPattern("eu-west-1\\s+ON\\s+-\\s+EU")
                .containsPattern("us-east-1\\s+ON\\s+-\\s+US");
    }

    @Test
    void drainingTheLastOnRegionOfTheEuIsRefusedUnlessForced() {
        Run refused = meridian("drain", "eu-west-1", "--by", "test");
        assertThat(refused.code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.err()).contains("refused: EU would have no ON region").contains("--force");
        assertThat(item("region#eu-west-1")).containsEntry("state", AttributeValue.fromS("ON"))
                .containsEntry("version", AttributeValue.fromN("1"));

        Run forced = meridian("drain", "eu-west-1", "--force", "--by", "test");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("forced: EU would have no ON region");
        assertThat(item("region#eu-west-1")).containsEntry("state", AttributeValue.fromS("OFF"))
                .containsEntry("version", AttributeValue.fromN("2"))
                .containsEntry("updatedBy", AttributeValue.fromS("test"));
    }

    @Test
    void aRegionNamedByJurisdictionCountsAsOnWithoutAnItem() {
        // The fleet also runs in eu-north-1, which has no item (ON): draining eu-west-1 leaves the EU an ON region.
        Run run = meridian("--jurisdiction", "eu-north-1=EU", "drain", "eu-west-1", "--by", "test");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(item("region#eu-west-1")).containsEntry("state", AttributeValue.fromS("OFF"));
    }

    @Test
    void drainingARegionWithAnotherOnInItsJurisdictionIsAllowed() {
        assertThat(meridian("undrain", "eu-central-1").code()).isZero();
        assertThat(meridian("drain", "eu-west-1").code()).isZero();
        assertThat(item("region#eu-west-1")).containsEntry("state", AttributeValue.fromS("OFF"));
        assertThat(item("region#eu-central-1")).containsEntry("state", AttributeValue.fromS("ON"));
    }

    @Test
    void aDryRunPrintsTheChangeAndWritesNothing() {
        Map<String, AttributeValue> before = item("region#eu-central-1");
        Run run = meridian("undrain", "eu-central-1", "--dry-run");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("eu-central-1: OFF -> ON").contains("dry run: nothing written");
        assertThat(item("region#eu-central-1")).isEqualTo(before);

        Run flag = meridian("flag", "set", "dry-flag", "--enabled", "--dry-run");
        assertThat(flag.code()).isZero();
        assertThat(item("flag#dry-flag")).isEmpty();

        Run refusedDryRun = meridian("drain", "eu-west-1", "--dry-run");
        assertThat(refusedDryRun.code()).as("a dry run still reports the refusal").isEqualTo(ExitCodes.REFUSED);
    }

    @Test
    void weightsMustAddUpToOneHundred() {
        Run wrong = meridian("weights", "eu-west-1=90,us-east-1=5");
        assertThat(wrong.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(wrong.err()).contains("REGION=WEIGHT weights must add up to 100, was 95");
        assertThat(item("region#eu-west-1")).doesNotContainKey("weight");

        Run right = meridian("weights", "eu-west-1=90,us-east-1=10");
        assertThat(right.code()).isZero();
        assertThat(item("region#eu-west-1")).containsEntry("weight", AttributeValue.fromN("90"))
                .containsEntry("state", AttributeValue.fromS("ON"));
        assertThat(item("region#us-east-1")).containsEntry("weight", AttributeValue.fromN("10"));
        assertThat(meridian("status").out()).containsPattern("eu-west-1\\s+ON\\s+90");
    }

    @Test
    void aWriteBasedOnAStaleReadIsAConflict() {
        try (TableControlPlane table = table()) {
            RegionState read = table.regions().get("us-east-1");
            putRegion("us-east-1", "ON", 2);   // another operator, in between
            assertThatThrownBy(() -> table.write(List.of(read.withOn(false)), List.of(), "test"))
                    .isInstanceOfSatisfying(CliFailure.class, f -> assertThat(f.exitCode()).isEqualTo(ExitCodes.CONFLICT));
        }
        assertThat(item("region#us-east-1")).containsEntry("state", AttributeValue.fromS("ON"));
    }

    @Test
    void aDrainJudgedOnARegionAnotherOperatorDrainedMeanwhileIsAConflict() {
        assertThat(meridian("undrain", "eu-central-1").code()).isZero();   // the EU has two ON regions
        try (TableControlPlane table = table()) {
            Map<String, RegionState> read = table.regions();
            // another operator drains eu-central-1 after this one read it ON
            assertThat(meridian("drain", "eu-central-1", "--by", "other").code()).isZero();
            assertThatThrownBy(() -> table.write(List.of(read.get("eu-west-1").withOn(false)),
                    List.of(read.get("eu-central-1"), read.get("us-east-1")), "test"))
                    .isInstanceOfSatisfying(CliFailure.class, f -> assertThat(f.exitCode()).isEqualTo(ExitCodes.CONFLICT));
        }
        assertThat(item("region#eu-west-1")).as("the EU keeps an ON region")
                .containsEntry("state", AttributeValue.fromS("ON"));
    }

    @Test
    void anUnreachableTableExitsWithFour() {
        regions.faults("eu-west-1").down();
        Run run = meridian("drain", "us-east-1");
        assertThat(run.code()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(run.err()).contains("unreachable");
    }

    @Test
    void unknownOptionsAreUsageErrors() {
        assertThat(meridian("drain").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(meridian("drain", "eu-west-1", "--no-such-option").code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void flagSetAndGetAndWhatFlagsReads() {
        assertThat(meridian("flag", "get", "cli-flag").code()).isEqualTo(ExitCodes.NOT_FOUND);

        Run set = meridian("flag", "set", "cli-flag", "--enabled", "--region", "us-east-1=off", "--rollout", "20");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(meridian("flag", "get", "cli-flag").out())
                .contains("flag cli-flag: enabled=true regions={us-east-1=false} rollout=20% version=1");

        assertThat(meridian("flag", "set", "cli-flag", "--rollout", "none", "--region", "us-east-1=inherit").code())
                .isZero();
        assertThat(item("flag#cli-flag")).doesNotContainKeys("rolloutPercent", "regions")
                .containsEntry("enabled", AttributeValue.fromBool(true))
                .containsEntry("version", AttributeValue.fromN("2"));

        assertThat(meridian("flag", "set", "cli-flag", "--rollout", "150").code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void sdkDynamodbFlagsReadsWhatTheCliWrites() {
        assertThat(meridian("flag", "set", "shared-flag", "--enabled", "--region", "us-east-1=off", "--rollout", "20")
                .code()).isZero();
        try (Flags flags = Flags.builder().client(Region.EU_WEST_1, eu).localRegion(Region.EU_WEST_1).build();
                Flags us = Flags.builder().client(Region.US_EAST_1, regions.client("us-east-1"))
                        .localRegion(Region.US_EAST_1).build()) {
            long on = IntStream.range(0, 10_000).filter(i -> flags.isEnabled("shared-flag", "s" + i)).count();
            assertThat(on).isBetween(1_900L, 2_100L);
            regions.awaitReplication();
            us.refresh();
            assertThat(us.definitions()).containsKey("shared-flag");
            assertThat(us.isEnabled("shared-flag", "s1")).isFalse();
        }
    }

    /** The control table as the commands open it with the tests' options. */
    private static TableControlPlane table() {
        MeridianCli cli = new MeridianCli();
        cli.region = "eu-west-1";
        cli.endpointUrl = regions.endpoint("eu-west-1");
        cli.timeoutSeconds = 10;
        return cli.table();
    }
}
