package dev.meridian.cli;

/** The exit codes scripts can rely on (also in the README and in {@code meridian --help}). */
final class ExitCodes {
    /** Done (or, with {@code --dry-run}, the change is allowed and was printed). */
    static final int OK = 0;
    /** An unexpected error (the message says which). */
    static final int ERROR = 1;
    /** Bad command line: unknown option, malformed argument, weights not adding up to 100. */
    static final int USAGE = 2;
    /** Refused by a safety rule (a jurisdiction would be left with no ON region); {@code --force} overrides. */
    static final int REFUSED = 3;
    /** The control plane could not be reached (no region / ARC endpoint answered); nothing was written. */
    static final int UNREACHABLE = 4;
    /** Someone else changed the item since it was read (conditional write on {@code version} failed); re-run. */
    static final int CONFLICT = 5;
    /** The flag (or the control table) does not exist. */
    static final int NOT_FOUND = 6;

    static final String HELP = "Exit codes: 0 ok, 1 error, 2 usage, 3 refused by a safety rule (use --force), "
            + "4 control plane unreachable, 5 concurrent change (re-run), 6 not found.";

    private ExitCodes() {
    }
}
