package dev.meridian.cli.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.cli.MeridianCli;
import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.dynamodb.control.ControlTable;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RequestJournal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * meridian-cli/README.md, read as an operator's contract: each documented command, its flags, output and exit codes,
 * driven through the documented in-process entry point {@code MeridianCli.run(out, err, args...)} against a control
 * table in the testkit's eu-west-1 (the table's schema from docs/fleet-control.md). The request journal of eu-west-1
 * is the witness of what was written, and how.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "us-east-1"})
@ExtendWith(TestkitCredentials.class)
class CliReadmeIT {
    private static final String WEST = "eu-west-1";
    private static final AtomicInteger TABLES = new AtomicInteger();

    static LocalRegions regions;

    private String table;

    /** A fresh control table per test: partition key {@code pk} (S), no sort key. */
    @BeforeEach
    void freshTable() {
        table = "control-" + TABLES.incrementAndGet();
        west().createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build()));
        regions.journalsClear();
    }

    private static DynamoDbClient west() {
        return regions.client(WEST);
    }

    private record Run(int code, String out, String err) {
    }

    /** One command with the connection options first, as the README's usage line has it. */
    private Run cli(String... commandAndConnection) {
        List<String> given = Arrays.asList(commandAndConnection);
        List<String> args = new ArrayList<>(List.of("--region", WEST, "--endpoint-url", regions.endpoint(WEST).toString(),
                "--table", table));
        if (!given.contains("--timeout")) {
            args.addAll(List.of("--timeout", "10"));
        }
        args.addAll(given);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MeridianCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private Map<Region, RegionControlEntry> regionItems() {
        return new ControlTable(table).readAll(west());
    }

    private RequestJournal journal() {
        return regions.journal(WEST);
    }

    private int writes() {
        return journal().count("TransactWriteItems") + journal().count("PutItem") + journal().count("UpdateItem")
                + journal().count("DeleteItem") + journal().count("BatchWriteItem");
    }

    // ---- drain / undrain, writes, --by, --force, --dry-run, the safety rule

    /**
     * "A region without an item counts as ON ...; the first write creates its item"; "every changed item is written in
     * one TransactWriteItems ..., stamped with version + 1, updatedAt, updatedBy"; "--by WHO (stored as updatedBy)".
     */
    @Test
    void drainAndUndrainWriteOneStampedTransactionEach() {
        Run drain = cli("--jurisdiction", "eu-central-1=EU", "drain", WEST, "--by", "alice");
        assertThat(drain.code()).as(drain.err()).isZero();
        assertThat(journal().count("TransactWriteItems")).isEqualTo(1);
        assertThat(writes()).isEqualTo(1);
        RegionControlEntry drained = regionItems().get(Region.EU_WEST_1);
        assertThat(drained.state()).isEqualTo(ControlState.OFF);
        assertThat(drained.version()).isEqualTo(1);
        assertThat(drained.updatedBy()).contains("alice");
        assertThat(drained.updatedAt()).isPresent();

        Run undrain = cli("--jurisdiction", "eu-central-1=EU", "undrain", WEST);
        assertThat(undrain.code()).as(undrain.err()).isZero();
        RegionControlEntry back = regionItems().get(Region.EU_WEST_1);
        assertThat(back.state()).isEqualTo(ControlState.ON);
        assertThat(back.version()).isEqualTo(2);
        assertThat(back.updatedBy()).as("default user@host").hasValueSatisfying(by -> assertThat(by).contains("@"));
        assertThat(journal().count("TransactWriteItems")).isEqualTo(2);
    }

    /**
     * "without it, drain eu-west-1 with only eu-west-1's item in the table is refused even though the fleet also runs
     * in eu-central-1"; exit 3, nothing written, for a dry run too; --force applies it.
     */
    @Test
    void theSafetyRuleRefusesToDarkenAJurisdictionUnlessForced() {
        assertThat(cli("undrain", WEST).code()).isZero();
        regions.journalsClear();

        Run refused = cli("drain", WEST);
        assertThat(refused.code()).isEqualTo(3);
        Run dryRefused = cli("drain", WEST, "--dry-run");
        assertThat(dryRefused.code()).isEqualTo(3);
        assertThat(writes()).as("refused changes write nothing").isZero();

        Run dryAllowed = cli("--jurisdiction", "eu-central-1=EU", "drain", WEST, "--dry-run");
        assertThat(dryAllowed.code()).as(dryAllowed.err()).isZero();
        assertThat(dryAllowed.out()).as("prints the change").contains(WEST).containsIgnoringCase("OFF");
        assertThat(writes()).as("a dry run writes nothing").isZero();
        assertThat(regionItems().get(Region.EU_WEST_1).state()).isEqualTo(ControlState.ON);

        Run forced = cli("drain", WEST, "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(regionItems().get(Region.EU_WEST_1).state()).isEqualTo(ControlState.OFF);
    }

    // ---- weights

    static Stream<Arguments> weights() {
        return Stream.of(
                Arguments.of("eu-west-1=90,eu-central-1=10", 0),
                Arguments.of("eu-west-1=100", 0),
                Arguments.of("eu-west-1=0,eu-central-1=100", 0),
                Arguments.of("eu-west-1=34,eu-central-1=33,us-east-1=33", 0),
                Arguments.of("eu-west-1=60,eu-central-1=30", 2),
                Arguments.of("eu-west-1=60,eu-central-1=50", 2),
                Arguments.of("eu-west-1=101,eu-central-1=-1", 2),
                Arguments.of("eu-west-1=abc", 2),
                Arguments.of("eu-west-1", 2),
                Arguments.of("eu-west-1=50,not-a-region=50", 2));
    }

    /** "each 0..100, adding up to exactly 100 (else exit 2 naming the argument)". */
    @ParameterizedTest
    @MethodSource("weights")
    void weightsAreWrittenOnlyWhenEachIsInRangeAndTheyAddUpToOneHundred(String weights, int exit) {
        Run run = cli("weights", weights);
        assertThat(run.code()).as(run.err()).isEqualTo(exit);
        if (exit == 0) {
            assertThat(journal().count("TransactWriteItems")).isEqualTo(1);
            for (String pair : weights.split(",")) {
                String[] rw = pair.split("=");
                assertThat(regionItems().get(Region.of(rw[0])).weight()).as(pair).hasValue(Integer.parseInt(rw[1]));
            }
        } else {
            assertThat(writes()).isZero();
            assertThat(run.err()).as("names the argument").containsAnyOf("WEIGHT", "weight");
        }
    }

    /** "Regions not named keep their weight". */
    @Test
    void regionsNotNamedKeepTheirWeight() {
        assertThat(cli("weights", "eu-west-1=50,eu-central-1=50").code()).isZero();
        assertThat(cli("weights", "us-east-1=100").code()).isZero();
        Map<Region, RegionControlEntry> items = regionItems();
        assertThat(items.get(Region.EU_WEST_1).weight()).hasValue(50);
        assertThat(items.get(Region.EU_CENTRAL_1).weight()).hasValue(50);
        assertThat(items.get(Region.US_EAST_1).weight()).hasValue(100);
    }

    // ---- status

    /** "status: every region the control plane holds, with state, weight, jurisdiction, version and last change". */
    @Test
    void statusShowsEveryRegionWithStateWeightJurisdictionAndVersion() {
        assertThat(cli("--jurisdiction", "eu-central-1=EU", "drain", WEST, "--by", "bob").code()).isZero();
        assertThat(cli("undrain", "eu-west-2").code()).isZero();
        assertThat(cli("weights", "us-east-1=100").code()).isZero();
        Run status = cli("status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains(WEST, "eu-west-2", "us-east-1", "OFF", "ON", "EU", "GB", "US", "100");
        assertThat(lineOf(status.out(), WEST)).contains("OFF", "EU", "1");
        assertThat(lineOf(status.out(), "eu-west-2")).contains("ON", "GB");
    }

    private static String lineOf(String out, String region) {
        return out.lines().filter(l -> l.contains(region + " ") || l.contains(region + "\t") || l.endsWith(region))
                .findFirst().orElse("");
    }

    // ---- flags

    /**
     * "flag get NAME: the flag item (exit 6 if absent). flag set NAME [--enabled[=true|false]] [--region R=on|off|inherit]...
     * [--rollout PERCENT|none]: changes only what is given (a new flag starts disabled)"; "--region after flag set is the
     * flag's region override".
     */
    @Test
    void flagSetChangesOnlyWhatIsGivenAndANewFlagStartsDisabled() {
        assertThat(cli("flag", "get", "new-checkout").code()).isEqualTo(6);
        assertThat(cli("flag", "set", "new-checkout").code()).isZero();
        assertThat(flag()).containsEntry("enabled", AttributeValue.fromBool(false));

        assertThat(cli("flag", "set", "new-checkout", "--enabled", "--region", "us-east-1=off", "--rollout", "20")
                .code()).isZero();
        assertThat(flag()).containsEntry("enabled", AttributeValue.fromBool(true))
                .containsEntry("rolloutPercent", AttributeValue.fromN("20"));
        assertThat(flag().get("regions").m()).containsEntry("us-east-1", AttributeValue.fromBool(false));

        assertThat(cli("flag", "set", "new-checkout", "--rollout", "none").code()).isZero();
        assertThat(flag()).containsEntry("enabled", AttributeValue.fromBool(true)).doesNotContainKey("rolloutPercent");
        assertThat(flag().get("regions").m()).containsEntry("us-east-1", AttributeValue.fromBool(false));

        assertThat(cli("flag", "set", "new-checkout", "--region", "us-east-1=inherit", "--enabled=false").code())
                .isZero();
        assertThat(flag()).containsEntry("enabled", AttributeValue.fromBool(false));
        assertThat(flag().containsKey("regions") ? flag().get("regions").m() : Map.of()).doesNotContainKey("us-east-1");

        Run get = cli("flag", "get", "new-checkout");
        assertThat(get.code()).isZero();
        assertThat(get.out()).contains("new-checkout");
        assertThat(regions.journal("us-east-1").isEmpty()).as("--region after flag set is no connection option")
                .isTrue();
    }

    private Map<String, AttributeValue> flag() {
        return new ControlTable(table).readFlag(west(), "new-checkout").orElseThrow();
    }

    // ---- exit codes

    /** "2: usage: unknown option, malformed argument, ..., weights on ARC". */
    @Test
    void usageErrorsExitWithTwoAndWriteNothing() {
        assertThat(cli("--bogus", "status").code()).isEqualTo(2);
        assertThat(cli("explode").code()).isEqualTo(2);
        assertThat(cli("drain").code()).isEqualTo(2);
        assertThat(cli("flag", "set", "x", "--rollout", "101").code()).isEqualTo(2);
        assertThat(cli("flag", "set", "x", "--region", "us-east-1=maybe").code()).isEqualTo(2);
        // A mistyped region is a malformed argument, not a region of its own that no instance would ever read.
        Run typo = cli("--jurisdiction", "eu-central-1=EU", "drain", "eu-wset-1");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("eu-wset-1");
        assertThat(cli("undrain", "eu-wset-1").code()).isEqualTo(2);
        assertThat(cli("--jurisdiction", "eu-centrl-1=EU", "drain", WEST).code()).isEqualTo(2);
        assertThat(cli("flag", "set", "x", "--region", "us-est-1=off").code()).isEqualTo(2);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int arcWeights = MeridianCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "--backend", "arc",
                "--arc-endpoint", "us-west-2=http://127.0.0.1:9/v1",
                "--arc-control", "eu-west-1=arn:aws:route53-recovery-control::111122223333:controlpanel/a/routingcontrol/b",
                "weights", "eu-west-1=100");
        assertThat(arcWeights).as(err.toString()).isEqualTo(2);
        assertThat(writes()).isZero();
    }

    /**
     * "4: control plane unreachable (the table's region, or every ARC endpoint); nothing written"; "flags always live in
     * the table" whatever the backend.
     */
    @Test
    void arcWithEveryEndpointUnreachableExitsWithFourAndFlagsStayInTheTable() {
        String[] arc = {"--backend", "arc", "--arc-endpoint", "us-west-2=http://127.0.0.1:9/v1",
            "--arc-endpoint", "eu-west-1=http://127.0.0.1:1/v1",
            "--arc-control", "eu-west-1=arn:aws:route53-recovery-control::111122223333:controlpanel/a/routingcontrol/w",
            "--arc-control", "eu-central-1=arn:aws:route53-recovery-control::111122223333:controlpanel/a/routingcontrol/c",
            "--timeout", "2"};
        Run drain = cli(concat(arc, "--jurisdiction", "eu-central-1=EU", "drain", WEST));
        assertThat(drain.code()).as(drain.err()).isEqualTo(4);
        assertThat(cli(concat(arc, "flag", "get", "absent")).code()).isEqualTo(6);
        assertThat(cli(concat(arc, "flag", "set", "via-arc", "--enabled")).code()).isZero();
        assertThat(new ControlTable(table).readFlag(west(), "via-arc")).isPresent();
    }

    private static String[] concat(String[] first, String... rest) {
        return Stream.concat(Arrays.stream(first), Arrays.stream(rest)).toArray(String[]::new);
    }

    /** "6: not found: the flag, or the control table". */
    @Test
    void aMissingControlTableExitsWithSix() {
        table = "no-such-control-table";
        assertThat(cli("status").code()).isEqualTo(6);
        assertThat(cli("--jurisdiction", "eu-central-1=EU", "drain", WEST).code()).isEqualTo(6);
    }

    /** "4: control plane unreachable (the table's region, or every ARC endpoint); nothing written". */
    @Test
    void anUnreachableTableExitsWithFourAndWritesNothing() {
        regions.faults(WEST).down();
        assertThat(cli("--timeout", "2", "--jurisdiction", "eu-central-1=EU", "drain", WEST).code()).isEqualTo(4);
        assertThat(cli("--timeout", "2", "status").code()).isEqualTo(4);
        regions.faults(WEST).heal();
        assertThat(regionItems()).isEmpty();
    }
}
