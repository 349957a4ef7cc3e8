package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.aurora.lag.LagProbe;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * Which reader may serve a read under a session token: one that replayed every commit up to the end of the token's
 * millisecond. The token's time is a millisecond and its write was acknowledged somewhere within it, so a reader that
 * replayed up to a moment inside that millisecond may still miss the write. Readers are {@link FakeDriver}
 * connections in real pools; the {@link LagProbe} answers the replayed-up-to time a test sets.
 */
class SessionTokenReplayTest {
    private static final long TOKEN_MILLIS = 1_765_000_000_123L;
    private static final SessionToken TOKEN = SessionToken.of(EU_WEST, HybridLogicalClock.encode(TOKEN_MILLIS, 7));

    private final Map<Region, Instant> replayedUpTo = new ConcurrentHashMap<>();
    private final List<Region> asked = new CopyOnWriteArrayList<>();

    /** Writer in eu-west-1 (its cluster has a reader too), a reader in eu-central-1, the local region. */
    private RoutingDataSource dataSource(MultiRegion mr) {
        return RoutingDataSource.builder().name("tokens").multiRegion(mr)
                .discovery(StaticTopology.builder().writerRegion(EU_WEST)
                        .region(EU_WEST, FakeDriver.url("writer-eu-west-1"), FakeDriver.url("reader-eu-west-1"))
                        .region(EU_CENTRAL, null, FakeDriver.url("reader-eu-central-1"))
                        .build())
                .poolTemplate(FakeDriver.poolTemplate())
                .maxReplicaLag(Duration.ofHours(1))
                .lagCheckInterval(Duration.ofNanos(1))
                .lagProbe(new LagProbe() {
                    @Override
                    public Duration measure(Connection connection, Region region) {
                        return Duration.ZERO;
                    }

                    @Override
                    public Instant replayedUpTo(Connection connection, Region region) {
                        asked.add(region);
                        return replayedUpTo.getOrDefault(region, Instant.MIN);
                    }
                })
                .build();
    }

    /** A read-only connection's first use under the token binds it to a reader (or the writer). */
    private static void readUnderTheToken(RoutingDataSource ds) throws SQLException {
        try (RoutingContext.Scope s = RoutingContext.builder().session(RoutingSession.after(TOKEN)).open();
                Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            c.getCatalog();
        }
    }

    @Test
    void aReaderReplayedToAMomentInsideTheTokensMillisecondIsNotTakenToHaveTheWrite() throws SQLException {
        Instant tokenTime = Instant.ofEpochMilli(TOKEN_MILLIS);
        assertThat(TOKEN.time()).isEqualTo(tokenTime);
        replayedUpTo.put(EU_CENTRAL, tokenTime.plusNanos(500_000));
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL); RoutingDataSource ds = dataSource(mr)) {
            readUnderTheToken(ds);
        }
        assertThat(asked).as("the local reader is skipped, the next one asked").containsExactly(EU_CENTRAL, EU_WEST);
    }

    @Test
    void aReaderReplayedToTheEndOfTheTokensMillisecondServesTheRead() throws SQLException {
        replayedUpTo.put(EU_CENTRAL, Instant.ofEpochMilli(TOKEN_MILLIS + 1));
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL); RoutingDataSource ds = dataSource(mr)) {
            readUnderTheToken(ds);
        }
        assertThat(asked).as("the local reader serves").containsExactly(EU_CENTRAL);
    }
}
