package dev.meridian.dynamodb.client;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * Where a read under a {@link SessionToken} may be served: the regions where the token's write is visible — the
 * written region, and each region the {@link ReplicationLagProbe} has seen replicate the written region's heartbeats
 * past the token's stamp — bounded on the operation ({@link Operation#within()}), so sdk-core's router still decides
 * residency, health and order among them. When none of them can take the read it waits, up to the configured bound,
 * for replication to reach one, then refuses with {@link SessionWriteNotVisibleException}. An input to
 * {@link DynamoDbRouting#operationOf} (built by it on the first read under a session token), not a router of its own.
 * Thread-safe.
 */
final class SessionReads {
    /** How often visibility is looked at again while waiting (the probe's rounds are at least 10 ms apart). */
    private static final long POLL_MILLIS = 10;
    private static final Logger log = LoggerFactory.getLogger(SessionReads.class);

    private final MultiRegionSpi spi;
    private final Set<Region> configured;
    private final @Nullable ReplicationLagProbe probe;
    private final Duration wait;

    SessionReads(MultiRegionSpi spi, Set<Region> configured, @Nullable ReplicationLagProbe probe, Duration wait) {
        this.spi = Objects.requireNonNull(spi, "spi");
        this.configured = Set.copyOf(configured);
        this.probe = probe;
        this.wait = Objects.requireNonNull(wait, "wait");
    }

    /**
     * {@code op} bounded to the regions where the session's write is visible and one of which can take it now.
     *
     * @throws SessionWriteNotVisibleException when none could within the wait
     */
    Operation bound(Operation op, RoutingContext ctx) {
        Optional<SessionToken> held = ctx.session().flatMap(RoutingSession::token);
        if (held.isEmpty()) {
            return op;
        }
        SessionToken token = held.get();
        long deadline = System.nanoTime() + wait.toNanos();
        Set<Region> allowed = spi.allowedRegions(ctx);
        @Nullable NoRegionAvailableException unavailable = null;
        while (true) {
            Set<Region> visible = visible(token, op.within().orElse(configured), allowed);
            if (!visible.isEmpty()) {
                Operation bound = op.toBuilder().within(visible).build();
                try {
                    spi.plan(bound, ctx);
                    log.debug("{} under session token {} bounded to {}", op.name(), token, visible);
                    return bound;
                } catch (NoRegionAvailableException e) {
                    unavailable = e;
                }
            }
            if (System.nanoTime() - deadline >= 0 || !pause()) {
                throw refusal(op, token, visible, unavailable);
            }
        }
    }

    private Set<Region> visible(SessionToken token, Set<Region> serving, Set<Region> allowed) {
        Set<Region> visible = new LinkedHashSet<>();
        long stampMillis = token.time().toEpochMilli();
        for (Region r : serving) {
            if (!allowed.contains(r)) {
                continue;
            }
            boolean replicated = probe != null && probe.replicatedUpTo(token.region(), r)
                    .filter(upTo -> upTo.toEpochMilli() > stampMillis).isPresent();
            if (r.equals(token.region()) || replicated) {
                visible.add(r);
            }
        }
        return visible;
    }

    /** Sleeps one poll interval; false when interrupted (the flag is kept and the read refused). */
    private static boolean pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private SessionWriteNotVisibleException refusal(Operation op, SessionToken token, Set<Region> visible,
            @Nullable NoRegionAvailableException unavailable) {
        String why = visible.isEmpty()
                ? "no region that holds " + op.resource().orElse("the data") + " and may serve it is known to hold it"
                        + (probe == null ? " (no replication-lag probe: only the written region " + token.region()
                                + " is known to)" : "")
                : "the regions holding it " + visible + " cannot take calls"
                        + (unavailable == null ? "" : " (" + unavailable.getMessage() + ")");
        return new SessionWriteNotVisibleException(op.name() + " under session token " + token.format()
                + " refused after waiting " + wait + ": the session's last write (to " + token.region() + " at "
                + token.time() + ") must be visible to the read, and " + why
                + "; nothing stale was returned. Retry later, or raise MultiRegionDynamoDb.sessionReadWait");
    }
}
