package dev.meridian.spring;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.exception.MeridianException;
import org.apiguardian.api.API;

/**
 * A session could not be read or saved without risking a stale or lost version: its region is unavailable and no
 * other allowed region showed its last acknowledged version within the read wait, or a concurrent save got there
 * first. Nothing stale was returned and nothing was overwritten; the caller may retry.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class SessionNotReadableException extends MeridianException {
    private static final long serialVersionUID = 1L;

    public SessionNotReadableException(String message) {
        super(message);
    }

    /** With the regional failure or outage that kept the session from being read or saved. */
    public SessionNotReadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
