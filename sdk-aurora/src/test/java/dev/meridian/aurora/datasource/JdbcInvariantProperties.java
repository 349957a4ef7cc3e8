package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.residency.CountryJurisdictions;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import software.amazon.awssdk.regions.Region;

/**
 * Invariants I1 and I2 on the JDBC side, property-based, against a real primary (eu-west-1) and hot standbys
 * (eu-central-1, us-east-1): a random local region, a random context (EU/EEA, US, GB, CH and unknown countries in
 * either case, no country, no context at all; RESTRICTED or not), a random call shape (a read-only or read-write
 * connection, a RESTRICTED scope opened after the connection was bound — the Spring {@code @Transactional} shape —,
 * Spring's {@code TransactionTemplate}) and a random fault (a standby down).
 *
 * <p>The witness is PostgreSQL itself: the application user's statements are logged ({@code log_statement = all},
 * {@link LocalAuroraGlobal.Builder#logStatements(boolean)}) and every
 * statement of a try carries the try's marker, so each node's server log shows whether the statement reached it.
 * (I1) no statement of a RESTRICTED call reaches a node outside the subject's jurisdiction; (I2) a row a write inserted
 * exists at most once, and exactly once when the write was acknowledged.
 *
 * <p>60 tries in all, run as two classes of 30 ({@link JdbcInvariantPropertyIT}, {@link
 * JdbcInvariantPropertySecondHalfIT}), each on a cluster of its own, so that two failsafe forks run them side by side:
 * the property takes most of sdk-aurora's integration-test time, and a try mostly waits for servers.
 */
abstract class JdbcInvariantProperties {
    private static final List<String> IDS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    private static LocalAuroraGlobal aurora;

    @BeforeContainer
    static void start() throws SQLException {
        aurora = ItemsCluster.start(LocalAuroraGlobal.builder().primaryRegion("eu-west-1")
                .replicaRegions("eu-central-1", "us-east-1").logStatements(true));
    }

    @AfterContainer
    static void stop() {
        if (aurora != null) {
            aurora.close();
        }
    }

    /** How the application reaches the database. */
    enum Shape {
        /** A read-only connection, the context open before it is taken. */
        READ_ONLY,
        /** An auto-commit write, the context open before the connection is taken. */
        WRITE,
        /** A transaction begun with no context; the RESTRICTED scope opens inside it, before the write. */
        SCOPE_INSIDE_WRITE_TRANSACTION,
        /** A read-only connection taken with no context; the scope opens before the query. */
        SCOPE_INSIDE_READ_ONLY_CONNECTION,
        /** {@code TransactionTemplate} read-only around a {@code JdbcTemplate} query. */
        SPRING_READ_ONLY,
        /** {@code TransactionTemplate} read-write around a {@code JdbcTemplate} insert. */
        SPRING_WRITE;

        boolean writes() {
            return this == WRITE || this == SCOPE_INSIDE_WRITE_TRANSACTION || this == SPRING_WRITE;
        }
    }

    /** A standby stopped for the try, or none. */
    enum Fault {
        NONE(null), EU_CENTRAL_STANDBY_DOWN("eu-central-1"), US_EAST_STANDBY_DOWN("us-east-1");

        final String region;

        Fault(String region) {
            this.region = region;
        }
    }

    @Provide
    Arbitrary<String> countries() {
        List<String> all = new ArrayList<>(List.of("DE", "FR", "IE", "NO", "IS", "LI", "CH", "GB", "US", "PR", "BR",
                "JP", "ZZ"));
        return Arbitraries.of(all).flatMap(c -> Arbitraries.of(c, c.toLowerCase(Locale.ROOT))).injectNull(0.1);
    }

    @Provide
    Arbitrary<String> locals() {
        return Arbitraries.of(IDS);
    }

    @Property(tries = 30)
    void noRestrictedStatementLeavesTheJurisdictionAndNoWriteIsAppliedTwice(@ForAll("locals") String local,
            @ForAll("countries") String country, @ForAll boolean restricted, @ForAll boolean noContext,
            @ForAll Shape shape, @ForAll Fault fault) throws Exception {
        RoutingContext ctx = noContext ? null : RoutingContext.builder().subjectCountry(country)
                .dataClass(restricted ? DataClass.RESTRICTED : DataClass.INTERNAL).build();
        String marker = "inv-" + UUID.randomUUID();
        long[] logSizes = logSizes();
        boolean acknowledged = false;
        if (fault.region != null) {
            aurora.stop(fault.region);
        }
        try (MultiRegion mr = TestRegions.multiRegion(Region.of(local));
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(topology())
                     .poolTemplate(ItemsCluster.poolTemplate(aurora, 1000)).build()) {
            run(ds, shape, ctx, marker);
            acknowledged = true;
        } catch (Exception expected) {
            // Refusals and unavailable nodes are allowed outcomes; the invariants below are what must hold.
        } finally {
            if (fault.region != null) {
                aurora.start(fault.region);
            }
        }

        Statistics.label("outcome").collect(shape.writes() ? "write" : "read",
                acknowledged ? "answered" : "refused or failed");
        // A property whose calls all fail checks nothing (I1 and I2 hold trivially): it must see answers of both kinds.
        Statistics.label("outcome").coverage(coverage -> {
            coverage.check("read", "answered").count(n -> n > 0);
            coverage.check("write", "answered").count(n -> n > 0);
        });
        if (acknowledged) {
            assertThat(IDS.stream().filter(r -> logSince(r, logSizes[IDS.indexOf(r)]).contains(marker)))
                    .as("the witness: an answered %s shows in some node's log", shape).isNotEmpty();
        }
        if (ctx != null && restricted) {
            Set<String> allowed = allowed(country);
            for (int i = 0; i < IDS.size(); i++) {
                String region = IDS.get(i);
                if (!allowed.contains(region)) {
                    assertThat(logSince(region, logSizes[i]))
                            .as("%s for a RESTRICTED %s subject reached %s (allowed %s)", shape, country, region,
                                    allowed)
                            .doesNotContain(marker);
                }
            }
        }
        if (shape.writes()) {
            int rows = rowsOnThePrimary(marker);
            assertThat(rows).as("rows written by %s", shape).isLessThanOrEqualTo(1);
            if (acknowledged) {
                assertThat(rows).as("an acknowledged %s", shape).isEqualTo(1);
            }
        }
    }

    private static void run(RoutingDataSource ds, Shape shape, RoutingContext ctx, String marker) throws SQLException {
        String read = "SELECT count(*) FROM items /* " + marker + " */";
        String insert = "INSERT INTO items VALUES (?, 'x') /* " + marker + " */";
        switch (shape) {
            case READ_ONLY -> within(ctx, () -> {
                try (Connection c = ds.getConnection()) {
                    c.setReadOnly(true);
                    query(c, read);
                }
            });
            case WRITE -> within(ctx, () -> {
                try (Connection c = ds.getConnection()) {
                    insert(c, insert, marker);
                }
            });
            case SCOPE_INSIDE_WRITE_TRANSACTION -> {
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    query(c, "SELECT 1");
                    within(ctx, () -> insert(c, insert, marker));
                    c.commit();
                }
            }
            case SCOPE_INSIDE_READ_ONLY_CONNECTION -> {
                try (Connection c = ds.getConnection()) {
                    c.setReadOnly(true);
                    query(c, "SELECT 1");
                    within(ctx, () -> query(c, read));
                }
            }
            case SPRING_READ_ONLY -> within(ctx, () -> {
                TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
                tx.setReadOnly(true);
                tx.executeWithoutResult(s -> new JdbcTemplate(ds).queryForObject(read, Long.class));
            });
            case SPRING_WRITE -> within(ctx, () -> {
                TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
                tx.executeWithoutResult(s -> new JdbcTemplate(ds).update(insert, marker));
            });
        }
    }

    interface JdbcWork {
        void run() throws SQLException;
    }

    private static void within(RoutingContext ctx, JdbcWork work) throws SQLException {
        if (ctx == null) {
            work.run();
            return;
        }
        try (RoutingContext.Scope s = ctx.open()) {
            work.run();
        }
    }

    private static void query(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    private static void insert(Connection c, String sql, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    /** The regions RESTRICTED data of this subject may reach: the test's own reading of the documented rules. */
    private static Set<String> allowed(String country) {
        Set<String> out = new HashSet<>();
        String c = country == null ? "" : country.toUpperCase(Locale.ROOT);
        if (CountryJurisdictions.EU_EEA_COUNTRIES.contains(c)) {
            out.add("eu-west-1");
            out.add("eu-central-1");
        } else if (CountryJurisdictions.US_COUNTRIES.contains(c)) {
            out.add("us-east-1");
        }
        return out;
    }

    private static StaticTopology topology() {
        StaticTopology.Builder topology = StaticTopology.builder().writerRegion(Region.of(aurora.primaryRegion()));
        aurora.regions().forEach(r -> topology.region(RegionEndpoints.node(Region.of(r), aurora.jdbcUrl(r))));
        return topology.build();
    }

    private static long[] logSizes() throws IOException {
        long[] sizes = new long[IDS.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = Files.size(aurora.logFile(IDS.get(i)));
        }
        return sizes;
    }

    private static String logSince(String region, long offset) {
        byte[] all;
        try {
            all = Files.readAllBytes(aurora.logFile(region));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                StandardCharsets.UTF_8);
    }

    private static int rowsOnThePrimary(String id) throws SQLException {
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM items WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
