package dev.meridian.cli;

import dev.meridian.dynamodb.control.ControlTable;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@code flag get|set}: feature flag items of the control table (read by sdk-dynamodb's {@code Flags}). */
@Command(name = "flag", description = "Read or change a feature flag in the control table.",
        subcommands = {FlagCommands.Get.class, FlagCommands.Set.class})
final class FlagCommands {
    @ParentCommand
    @Nullable MeridianCli root;

    MeridianCli root() {
        if (root == null) {
            throw new IllegalStateException("picocli injects the parent command");
        }
        return root;
    }

    /** One line describing a flag item. */
    static String describe(String name, Map<String, AttributeValue> item) {
        AttributeValue enabled = item.get("enabled");
        StringBuilder line = new StringBuilder("flag ").append(name).append(": enabled=")
                .append(enabled == null ? "-" : enabled.bool());
        AttributeValue regions = item.get("regions");
        if (regions != null && regions.hasM()) {
            Map<String, Boolean> overrides = new TreeMap<>();
            regions.m().forEach((r, v) -> overrides.put(r, v.bool()));
            line.append(" regions=").append(overrides);
        }
        AttributeValue rollout = item.get("rolloutPercent");
        line.append(" rollout=").append(rollout == null ? "-" : rollout.n() + "%");
        line.append(" version=").append(ControlTable.version(item));
        AttributeValue at = item.get("updatedAt");
        AttributeValue by = item.get("updatedBy");
        if (at != null) {
            line.append(" updated=").append(at.s()).append(" by ").append(by == null ? "-" : by.s());
        }
        return line.toString();
    }

    abstract static class FlagCommand implements Callable<Integer> {
        @ParentCommand
        @Nullable FlagCommands parent;

        @Spec
        @Nullable CommandSpec spec;

        MeridianCli root() {
            if (parent == null) {
                throw new IllegalStateException("picocli injects the parent command");
            }
            return parent.root();
        }

        PrintWriter out() {
            return spec().commandLine().getOut();
        }

        /** A usage error (exit code 2) of this command, printed with its usage. */
        ParameterException usage(String message) {
            return new ParameterException(spec().commandLine(), message);
        }

        private CommandSpec spec() {
            if (spec == null) {
                throw new IllegalStateException("picocli injects the spec");
            }
            return spec;
        }
    }

    @Command(name = "get", description = "Print a flag (exit code 6 when the table holds no such flag).")
    static final class Get extends FlagCommand {
        @Parameters(paramLabel = "NAME")
        String name = "";

        @Override
        public Integer call() {
            try (TableControlPlane table = root().table()) {
                Optional<Map<String, AttributeValue>> item = table.flag(name);
                if (item.isEmpty()) {
                    throw new CliFailure(ExitCodes.NOT_FOUND, "no flag " + name + " in " + table.describe());
                }
                out().println(describe(name, item.get()));
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "set", description = "Create or change a flag; only what is given changes.")
    static final class Set extends FlagCommand {
        @Parameters(paramLabel = "NAME")
        String name = "";

        @Option(names = "--enabled", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
                description = "the global default (--enabled alone: true)")
        @Nullable Boolean enabled;

        @Option(names = "--region", paramLabel = "REGION=on|off|inherit",
                description = "a region's override (inherit removes it); repeatable")
        Map<String, String> regions = new LinkedHashMap<>();

        @Option(names = "--rollout", paramLabel = "PERCENT",
                description = "the share of subjects (0..100) the flag is on for; 'none' removes the rollout")
        @Nullable String rollout;

        @Mixin
        ChangeOptions options = new ChangeOptions();

        @Override
        public Integer call() {
            try (TableControlPlane table = root().table()) {
                Optional<Map<String, AttributeValue>> previous = table.flag(name);
                Map<String, AttributeValue> next = new HashMap<>();
                previous.ifPresent(p -> p.forEach((k, v) -> {
                    if (k.equals("enabled") || k.equals("regions") || k.equals("rolloutPercent")) {
                        next.put(k, v);
                    }
                }));
                if (enabled != null) {
                    next.put("enabled", AttributeValue.fromBool(enabled));
                }
                next.putIfAbsent("enabled", AttributeValue.fromBool(false));
                applyRegions(next);
                applyRollout(next);
                out().println("before: " + previous.map(p -> describe(name, p)).orElse("flag " + name + ": absent"));
                out().println("after:  " + describe(name, next));
                if (options.dryRun) {
                    out().println("dry run: nothing written to " + table.describe());
                    return ExitCodes.OK;
                }
                table.putFlag(name, next, previous.orElse(null), options.by);
                out().println("written to " + table.describe());
                return ExitCodes.OK;
            }
        }

        private void applyRegions(Map<String, AttributeValue> next) {
            if (regions.isEmpty()) {
                return;
            }
            AttributeValue current = next.get("regions");
            Map<String, AttributeValue> overrides = new HashMap<>(current == null || !current.hasM() ? Map.of()
                    : current.m());
            regions.forEach((region, value) -> {
                String setting = value.toLowerCase(Locale.ROOT);
                // An override is set for a known region only (a typo would never match an instance's region);
                // "inherit" removes any, a stray one included.
                if (!setting.equals("inherit") && !MeridianCli.isKnownRegion(region)) {
                    throw usage(MeridianCli.unknownRegion("--region", region));
                }
                switch (setting) {
                    case "on" -> overrides.put(region, AttributeValue.fromBool(true));
                    case "off" -> overrides.put(region, AttributeValue.fromBool(false));
                    case "inherit" -> overrides.remove(region);
                    default -> throw usage("--region " + region + "=" + value
                            + " must be on, off or inherit");
                }
            });
            if (overrides.isEmpty()) {
                next.remove("regions");
            } else {
                next.put("regions", AttributeValue.fromM(overrides));
            }
        }

        private void applyRollout(Map<String, AttributeValue> next) {
            if (rollout == null) {
                return;
            }
            if (rollout.equalsIgnoreCase("none")) {
                next.remove("rolloutPercent");
                return;
            }
            BigDecimal percent;
            try {
                percent = new BigDecimal(rollout);
            } catch (NumberFormatException e) {
                throw usage("--rollout must be a percentage 0..100 or none, was " + rollout);
            }
            if (percent.signum() < 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
                throw usage("--rollout must be a percentage 0..100 or none, was " + rollout);
            }
            next.put("rolloutPercent", AttributeValue.fromN(percent.toPlainString()));
        }
    }
}
