package dev.meridian.cli;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.Jurisdiction;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * {@code meridian}, the operator command line: where the control plane is (options before the command) and the
 * commands ({@code status}, {@code drain}, {@code undrain}, {@code weights}, {@code flag get|set}). Exit codes are in
 * {@link ExitCodes} and the README.
 */
@API(status = EXPERIMENTAL, since = "0.1")
@Command(name = "meridian", mixinStandardHelpOptions = true, version = "meridian 0.1",
        description = "Region states, weights and feature flags of a Meridian fleet, in the control table or ARC.",
        footer = ExitCodes.HELP,
        subcommands = {RegionCommands.Status.class, RegionCommands.Drain.class, RegionCommands.Undrain.class,
                RegionCommands.Weights.class, FlagCommands.class})
public final class MeridianCli {
    /** Where region states are kept. */
    enum Backend { table, arc }

    @Spec
    @Nullable CommandSpec spec;

    @Option(names = "--backend", defaultValue = "table",
            description = "table (the control table, default) or arc (ARC routing controls; no weights, no flags)")
    Backend backend = Backend.table;

    @Option(names = "--table", defaultValue = "meridian-control", description = "the control table (default ${DEFAULT-VALUE})")
    String table = "meridian-control";

    @Option(names = "--region", description = "the AWS region of the control table to use (default: the AWS SDK's region chain, e.g. AWS_REGION)")
    @Nullable String region;

    @Option(names = "--endpoint-url", description = "the DynamoDB endpoint (default: the region's)")
    @Nullable URI endpointUrl;

    @Option(names = "--arc-endpoint", paramLabel = "REGION=URL",
            description = "an ARC cluster endpoint and its region (repeat for each; tried in random order)")
    Map<String, URI> arcEndpoints = new LinkedHashMap<>();

    @Option(names = "--arc-control", paramLabel = "REGION=ARN",
            description = "the routing control ARN of a Meridian region (repeat for each)")
    Map<String, String> arcControls = new LinkedHashMap<>();

    @Option(names = "--jurisdiction", paramLabel = "REGION=JURISDICTION",
            description = "a region's jurisdiction for the safety rule (default: Meridian's, e.g. eu-west-1=EU)")
    Map<String, String> jurisdictions = new LinkedHashMap<>();

    @Option(names = "--timeout", defaultValue = "5", paramLabel = "SECONDS",
            description = "per call (and per ARC endpoint), default ${DEFAULT-VALUE}")
    int timeoutSeconds = 5;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * Runs one command in this JVM (a drill, a test, a tool embedding the CLI) and returns its exit code instead of
     * exiting.
     *
     * @param out  where the command's output goes
     * @param err  where refusals and errors go
     * @param args the command line, as {@link #main} takes it
     * @return the exit code ({@code ExitCodes}, as documented in the README)
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    /** The command line with the CLI's exit codes for failures. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new MeridianCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            int code;
            if (e instanceof CliFailure failure) {
                code = failure.exitCode();
            } else if (e instanceof SdkClientException) {
                code = ExitCodes.UNREACHABLE;
            } else {
                code = ExitCodes.ERROR;
            }
            commandLine.getErr().println("meridian: " + e.getMessage());
            return code;
        });
        return cli;
    }

    /** The control plane the options name. */
    ControlPlane plane() {
        if (backend == Backend.arc) {
            if (arcEndpoints.isEmpty() || arcControls.isEmpty()) {
                throw usage("--backend arc needs --arc-endpoint REGION=URL and --arc-control REGION=ARN, was "
                        + arcEndpoints.size() + " endpoints and " + arcControls.size() + " controls");
            }
            return new ArcRoutingControls(arcEndpoints, arcControls, timeout());
        }
        return table();
    }

    /** The control table the options name (flags live there whatever the backend). */
    TableControlPlane table() {
        DynamoDbClientBuilder builder = DynamoDbClient.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout()))
                .overrideConfiguration(o -> o.apiCallTimeout(timeout()));
        if (region != null) {
            builder.region(Region.of(region));
        }
        if (endpointUrl != null) {
            builder.endpointOverride(endpointUrl);
        }
        try {
            return new TableControlPlane(builder.build(), table);
        } catch (SdkClientException e) {
            throw usage("cannot build the DynamoDB client (" + e.getMessage() + "); pass --region or set AWS_REGION");
        }
    }

    /** A region's jurisdiction: {@code --jurisdiction}, else sdk-core's inference from the region's country. */
    Jurisdiction jurisdiction(String regionId) {
        String named = jurisdictions.get(regionId);
        return named != null ? Jurisdiction.of(named) : Jurisdiction.inferredFor(Region.of(regionId));
    }

    /**
     * Whether {@code regionId} names an AWS region the SDK knows (as a fleet's configuration must): a typo such as
     * {@code eu-wset-1} would otherwise be written as a region of its own, and the command would report a change that
     * no instance ever applies.
     */
    static boolean isKnownRegion(String regionId) {
        try {
            return SettingRules.isKnownRegion(Region.of(regionId));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The usage error for {@code argument}'s region id that {@link #isKnownRegion} refuses. */
    static String unknownRegion(String argument, String regionId) {
        return argument + ": '" + regionId + "' is not a known AWS region id (e.g. eu-west-1)";
    }

    ParameterException usage(String message) {
        if (spec == null) {
            throw new IllegalStateException("picocli injects the spec");
        }
        return new ParameterException(spec.commandLine(), message);
    }

    private Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    /** Who makes a change, for {@code updatedBy}: {@code user@host}. */
    static String operator() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return System.getProperty("user.name", "unknown") + "@" + host;
    }
}
