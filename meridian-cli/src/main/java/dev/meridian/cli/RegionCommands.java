package dev.meridian.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The region commands: read the states, change them under the safety rule, write them conditionally. */
final class RegionCommands {
    private RegionCommands() {
    }

    /** Common to the region commands: the root's options, the output. */
    abstract static class RegionCommand implements Callable<Integer> {
        @ParentCommand
        @Nullable MeridianCli root;

        @Spec
        @Nullable CommandSpec spec;

        MeridianCli root() {
            if (root == null) {
                throw new IllegalStateException("picocli injects the parent command");
            }
            return root;
        }

        PrintWriter out() {
            return spec().commandLine().getOut();
        }

        PrintWriter err() {
            return spec().commandLine().getErr();
        }

        /** A usage error (exit code 2) of this command, printed with its usage. */
        ParameterException usage(String message) {
            return new ParameterException(spec().commandLine(), message);
        }

        /** {@code regionId} given as {@code argument}, when it is a known AWS region; else a usage error naming both. */
        String known(String regionId, String argument) {
            if (!MeridianCli.isKnownRegion(regionId)) {
                throw usage(MeridianCli.unknownRegion(argument, regionId));
            }
            return regionId;
        }

        private CommandSpec spec() {
            if (spec == null) {
                throw new IllegalStateException("picocli injects the spec");
            }
            return spec;
        }

        /**
         * Reads every region, applies {@code change}, prints what differs, checks the safety rule and, unless a dry
         * run, writes the differing regions (each conditioned on the version read).
         */
        int change(ChangeOptions options, UnaryOperator<Map<String, RegionState>> change) {
            root().jurisdictions.keySet().forEach(r -> known(r, "--jurisdiction"));
            try (ControlPlane plane = root().plane()) {
                Map<String, RegionState> before = plane.regions();
                Map<String, RegionState> after = change.apply(new TreeMap<>(before));
                Map<String, RegionState> changed = new LinkedHashMap<>();
                after.forEach((region, state) -> {
                    RegionState was = before.get(region);
                    if (!state.sameSetting(was)) {
                        changed.put(region, state);
                        out().println(region + ": " + (was == null ? "ON (no item)" : was.describe()) + " -> "
                                + state.describe());
                    }
                });
                if (changed.isEmpty()) {
                    out().println("nothing to change in " + plane.describe());
                    return ExitCodes.OK;
                }
                List<String> violations = JurisdictionRule.violations(before, after,
                        root().jurisdictions.keySet(), root()::jurisdiction);
                if (!violations.isEmpty()) {
                    if (!options.force) {
                        violations.forEach(v -> err().println("refused: " + v));
                        err().println("nothing was written; re-run with --force to apply it anyway");
                        return ExitCodes.REFUSED;
                    }
                    violations.forEach(v -> out().println("forced: " + v));
                }
                if (options.dryRun) {
                    out().println("dry run: nothing written to " + plane.describe());
                    return ExitCodes.OK;
                }
                // Every other region the verdict looked at must be as read when the write lands.
                Map<String, RegionState> judgedOn = new TreeMap<>(before);
                root().jurisdictions.keySet().forEach(r -> judgedOn.putIfAbsent(r, RegionState.unstored(r)));
                changed.keySet().forEach(judgedOn::remove);
                plane.write(changed.values(), judgedOn.values(), options.by);
                out().println("written to " + plane.describe());
                return ExitCodes.OK;
            }
        }

        static RegionState current(Map<String, RegionState> states, String region) {
            RegionState s = states.get(region);
            return s != null ? s : RegionState.unstored(region);
        }
    }

    @Command(name = "status", description = "Print each region's state, weight, jurisdiction and last change.")
    static final class Status extends RegionCommand {
        @Override
        public Integer call() {
            try (ControlPlane plane = root().plane()) {
                Map<String, RegionState> regions = plane.regions();
                out().println(plane.describe() + ": " + regions.size() + " regions");
                out().printf("%-16s %-6s %-6s %-12s %-8s %s%n", "REGION", "STATE", "WEIGHT", "JURISDICTION",
                        "VERSION", "UPDATED");
                regions.values().forEach(s -> out().printf("%-16s %-6s %-6s %-12s %-8d %s%n", s.region(),
                        s.on() ? "ON" : "OFF", s.weight() == null ? "-" : s.weight(),
                        root().jurisdiction(s.region()).name(), s.version(),
                        s.updatedAt() == null ? "-" : s.updatedAt() + " by " + s.updatedBy()));
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "drain", description = "Turn a region OFF fleet-wide (every instance stops sending there).")
    static final class Drain extends RegionCommand {
        @Parameters(paramLabel = "REGION", description = "the region to drain, e.g. eu-west-1")
        String region = "";

        @Mixin
        ChangeOptions options = new ChangeOptions();

        @Override
        public Integer call() {
            known(region, "REGION");
            return change(options, states -> {
                states.put(region, current(states, region).withOn(false));
                return states;
            });
        }
    }

    @Command(name = "undrain", description = "Turn a region ON again fleet-wide.")
    static final class Undrain extends RegionCommand {
        @Parameters(paramLabel = "REGION", description = "the region to bring back, e.g. eu-west-1")
        String region = "";

        @Mixin
        ChangeOptions options = new ChangeOptions();

        @Override
        public Integer call() {
            known(region, "REGION");
            return change(options, states -> {
                states.put(region, current(states, region).withOn(true));
                return states;
            });
        }
    }

    @Command(name = "weights", description = "Set region weights for the weighted strategy, e.g. "
            + "eu-west-1=90,eu-central-1=10 (they must add up to 100; regions not named keep theirs).")
    static final class Weights extends RegionCommand {
        @Parameters(paramLabel = "REGION=WEIGHT[,REGION=WEIGHT...]", split = ",",
                description = "each weight 0..100, adding up to 100")
        Map<String, Integer> weights = new LinkedHashMap<>();

        @Mixin
        ChangeOptions options = new ChangeOptions();

        @Override
        public Integer call() {
            int total = 0;
            for (Map.Entry<String, Integer> w : weights.entrySet()) {
                known(w.getKey(), "REGION=WEIGHT");
                if (w.getValue() < 0 || w.getValue() > 100) {
                    throw usage("weight of " + w.getKey() + " must be in 0..100, was " + w.getValue());
                }
                total += w.getValue();
            }
            if (total != 100) {
                throw usage("REGION=WEIGHT weights must add up to 100, was " + total + " (" + weights
                        + "); adjust them, e.g. eu-west-1=90,eu-central-1=10");
            }
            if (root().backend == MeridianCli.Backend.arc) {
                throw usage("weights need the control table (--backend table): ARC routing controls are ON/OFF only");
            }
            return change(options, states -> {
                weights.forEach((region, weight) -> states.put(region, current(states, region).withWeight(weight)));
                return states;
            });
        }
    }
}
