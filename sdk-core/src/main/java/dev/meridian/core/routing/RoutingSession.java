package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One caller's read-your-writes session as it travels across services: the {@link SessionToken} it arrived with
 * (e.g. a {@code Meridian-Session} request header), advanced by every write made under it. Carried by a
 * {@link RoutingContext} ({@link RoutingContext#session()}), so it follows the request across threads; the data
 * clients record writes into it and route reads by its token. Thread-safe: the only mutable object a context holds.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class RoutingSession {
    private final AtomicReference<@Nullable SessionToken> token;
    private volatile boolean wrote;

    private RoutingSession(@Nullable SessionToken token) {
        this.token = new AtomicReference<>(token);
    }

    /** A session with no write yet. */
    public static RoutingSession start() {
        return new RoutingSession(null);
    }

    /** A session continuing after the write {@code token} names (e.g. from a caller's request header). */
    public static RoutingSession after(SessionToken token) {
        return new RoutingSession(Objects.requireNonNull(token, "token"));
    }

    /**
     * The session's writes: those of the token it arrived with and every one made under it (per region, the latest:
     * {@link SessionToken#writes()}); empty before any.
     */
    public Optional<SessionToken> token() {
        return Optional.ofNullable(token.get());
    }

    /** Whether a write was recorded in this session (so its new token should be handed back to the caller). */
    public boolean wrote() {
        return wrote;
    }

    /**
     * Records an acknowledged write, or the token of writes made elsewhere under this session (e.g. returned by a
     * downstream service): the token {@linkplain SessionToken#merge merges} it with the one held, keeping per region
     * the later stamp, so a later write in one region never hides an earlier one in another.
     */
    public void recordWrite(SessionToken write) {
        Objects.requireNonNull(write, "write");
        token.accumulateAndGet(write, (held, w) -> held == null ? w : held.merge(w));
        wrote = true;
    }

    @Override
    public String toString() {
        return "RoutingSession[" + token().map(SessionToken::format).orElse("no write") + ']';
    }
}
