package dev.meridian.cli;

/** A failure the CLI reports with its message and a documented {@link ExitCodes exit code}. */
final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
