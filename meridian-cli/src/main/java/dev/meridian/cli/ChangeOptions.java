package dev.meridian.cli;

import picocli.CommandLine.Option;

/** The options of every command that writes. */
final class ChangeOptions {
    @Option(names = "--dry-run", description = "print the change and whether it is allowed; write nothing")
    boolean dryRun;

    @Option(names = "--force", description = "apply a change a safety rule refuses (a jurisdiction left with no ON region)")
    boolean force;

    @Option(names = "--by", description = "who makes the change, stored as updatedBy (default user@host)")
    String by = MeridianCli.operator();
}
