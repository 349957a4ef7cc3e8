package dev.meridian.spring;

import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an outgoing HTTP call does with the caller's session token: sends the current one in the session header, and
 * advances the session with the token a downstream service returns after its own write (that write was made on the
 * caller's behalf, so the caller's later reads, and its own response, must account for it). Shared by the
 * {@code RestClient} interceptor and the {@code WebClient} filter. Immutable and thread-safe.
 */
final class SessionTokenForwarding {
    private static final Logger LOG = LoggerFactory.getLogger(SessionTokenForwarding.class);

    private final String header;

    SessionTokenForwarding(String header) {
        this.header = Objects.requireNonNull(header, "header");
    }

    String header() {
        return header;
    }

    /** The token to send under {@code ctx}, in text form. */
    Optional<String> outgoing(RoutingContext ctx) {
        return ctx.session().flatMap(RoutingSession::token).map(SessionToken::format);
    }

    /** Takes a downstream service's returned token (the header's value, or null) into the caller's session. */
    void returned(RoutingContext ctx, @Nullable String value) {
        if (value == null || ctx.session().isEmpty()) {
            return;
        }
        try {
            ctx.session().get().recordWrite(SessionToken.parse(value));
        } catch (IllegalArgumentException e) {
            // Not the caller's fault: the downstream answered; its token is left out and the caller's session stays.
            LOG.warn("Ignored the {} header of a downstream response: it {}", header, e.getMessage());
        }
    }
}
