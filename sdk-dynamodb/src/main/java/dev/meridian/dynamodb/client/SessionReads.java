package dev.meridian.dynamodb.client;

import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * Where a read under a {@link SessionToken} may be served: the regions where every write the token names
 * ({@link SessionToken#writes()}: per region the session wrote to, its latest stamp) is visible — for each, its
 * written region, or a region the {@link ReplicationLagProbe} has seen replicate the written region's heartbeats past
 * its stamp — bounded on the operation ({@link Operation#within()}), so sdk-core's router still decides
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
     * {@code op} bounded to the regions where every write of the session is visible and one of which can take it now.
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
        Set<Region> serving = op.within().orElse(configured);
        @Nullable NoRegionAvailableException unavailable = null;
        while (true) {
            Set<Region> visible = visible(token, serving, allowed);
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
                throw refusal(op, token, serving, allowed, visible, unavailable);
            }
        }
    }

    private Set<Region> visible(SessionToken token, Set<Region> serving, Set<Region> allowed) {
        Set<Region> visible = new LinkedHashSet<>();
        for (Region r : serving) {
            if (allowed.contains(r) && holdsAll(token, r)) {
                visible.add(r);
            }
        }
        return visible;
    }

    /** Whether every write {@code token} names is visible in {@code r}. */
    private boolean holdsAll(SessionToken token, Region r) {
        if (token.writes().size() == 1) {
            // The common case, without iterating the map: no allocation per read.
            return holds(token.region(), token.stamp(), r);
        }
        for (Map.Entry<Region, Long> write : token.writes().entrySet()) {
            if (!holds(write.getKey(), write.getValue(), r)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the write {@code written} acknowledged at {@code stamp} is visible in {@code r}: it is the written
     * region, or the probe has seen replication from it into {@code r} pass the stamp.
     */
    private boolean holds(Region written, long stamp, Region r) {
        if (r.equals(written)) {
            return true;
        }
        long stampMillis = HybridLogicalClock.physicalMillis(stamp);
        return probe != null && probe.replicatedUpTo(written, r)
                .filter(upTo -> upTo.toEpochMilli() > stampMillis).isPresent();
    }

    /**
     * For a refusal: each write {@code token} names ({@code region@time}) and the regions that may serve the read
     * known to hold it, so the write that is not visible where the others are is named.
     */
    private List<String> whereKnown(SessionToken token, Set<Region> serving, Set<Region> allowed) {
        List<String> known = new ArrayList<>();
        token.writes().forEach((written, stamp) -> {
            List<Region> holding = new ArrayList<>();
            for (Region r : serving) {
                if (allowed.contains(r) && holds(written, stamp, r)) {
                    holding.add(r);
                }
            }
            known.add(written.id() + "@" + SessionToken.of(written, stamp).time()
                    + (holding.isEmpty() ? " known in none of them" : " known only in " + holding));
        });
        return known;
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

    private SessionWriteNotVisibleException refusal(Operation op, SessionToken token, Set<Region> serving,
            Set<Region> allowed, Set<Region> visible, @Nullable NoRegionAvailableException unavailable) {
        String why;
        if (visible.isEmpty()) {
            why = "no region that holds " + op.resource().orElse("the data") + " and may serve it is known to hold "
                    + (token.writes().size() == 1 ? "it" : "all of them: " + whereKnown(token, serving, allowed))
                    + (probe == null ? " (no replication-lag probe: only the written region"
                            + (token.writes().size() == 1 ? " " + token.region() + " is"
                                    : "s " + token.writes().keySet() + " are")
                            + " known to)" : "");
        } else {
            why = "the regions holding " + (token.writes().size() == 1 ? "it " : "all of them ") + visible
                    + " cannot take calls" + (unavailable == null ? "" : " (" + unavailable.getMessage() + ")");
        }
        return new SessionWriteNotVisibleException(op.name() + " under session token " + token.format()
                + " refused after waiting " + wait + ": " + describe(token) + " must be visible to the read, and "
                + why + "; nothing stale was returned. Retry later, or raise MultiRegionDynamoDb.sessionReadWait");
    }

    private static String describe(SessionToken token) {
        if (token.writes().size() == 1) {
            return "the session's last write (to " + token.region() + " at " + token.time() + ")";
        }
        List<String> writes = new ArrayList<>();
        token.writes().forEach((r, stamp) -> writes.add(r.id() + "@" + SessionToken.of(r, stamp).time()));
        return "the session's writes " + writes;
    }
}
