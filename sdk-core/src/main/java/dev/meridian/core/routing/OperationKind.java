package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * What an operation does to data, which decides whether it may move to another region after a failure that may
 * already have been applied (a timeout after the request was sent).
 */
@API(status = STABLE, since = "0.1")
public enum OperationKind {
    /** Reads: safe to repeat anywhere, may be hedged. */
    READ,
    /** Writes that are not safe to repeat: fail over only when the failed attempt was certainly not applied. */
    WRITE,
    /** Writes carrying an idempotency key or a condition: safe to repeat, fail over like reads (never hedged). */
    IDEMPOTENT_WRITE
}
