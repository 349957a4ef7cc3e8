package dev.meridian.benchmarks.aurora;

import com.zaxxer.hikari.HikariDataSource;
import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import javax.sql.DataSource;
import software.amazon.awssdk.regions.Region;

/**
 * CPU cost per row of iterating a result set handed out by Meridian's {@code RoutingDataSource} (its own proxy over
 * HikariCP's, so that {@code getStatement()} leads back to Meridian's statement) beside HikariCP's result set from a
 * plain pool to the same replica. The rows are fetched once into a scrollable result set, then iterated again and
 * again ({@code beforeFirst}, {@code next}, {@code getInt}, {@code getString}): no I/O is measured, only the calls.
 * CPU time of the measuring thread ({@link ThreadMXBean}), so that a loaded machine's waiting is left out; the two
 * variants alternate round by round, the table gives the median round. Arguments: {@code [rounds] [passesPerRound]
 * [rows]}.
 */
public final class ResultSetRowCost {
    private ResultSetRowCost() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();

        try (LocalAuroraGlobal aurora = LocalAuroraGlobal.start("eu-west-1", "eu-central-1");
             HikariDataSource plain = new HikariDataSource(ReplicaPools.config(aurora, "plain"));
             MultiRegion multiRegion = MultiRegion.builder(MultiRegionConfig.builder()
                     .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
                     .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
                     .localRegion(Region.EU_CENTRAL_1)
                     .routing(RoutingStrategy.localFirst())
                     .build()).build();
             RoutingDataSource meridian = RoutingDataSource.builder()
                     .multiRegion(multiRegion)
                     .discovery(StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                             .region(RegionEndpoints.node(Region.EU_WEST_1, aurora.writerJdbcUrl()))
                             .region(RegionEndpoints.node(Region.EU_CENTRAL_1, aurora.readerJdbcUrl("eu-central-1")))
                             .build())
                     .poolTemplate(ReplicaPools.config(aurora, "meridian"))
                     .build();
             Connection p = plain.getConnection();
             Connection m = connection(meridian);
             Statement ps = scrollable(p);
             Statement ms = scrollable(m);
             ResultSet plainRows = ps.executeQuery(query(rows));
             ResultSet meridianRows = ms.executeQuery(query(rows))) {
            System.out.printf("plain: %s%nmeridian: %s%n", plainRows.getClass().getName(),
                    meridianRows.getClass().getName());
            double[] plainNs = new double[rounds];
            double[] meridianNs = new double[rounds];
            for (int warm = 0; warm < 3; warm++) {
                iterate(plainRows, passes, threads, rows);
                iterate(meridianRows, passes, threads, rows);
            }
            for (int r = 0; r < rounds; r++) {
                boolean plainFirst = r % 2 == 0;
                if (plainFirst) {
                    plainNs[r] = iterate(plainRows, passes, threads, rows);
                }
                meridianNs[r] = iterate(meridianRows, passes, threads, rows);
                if (!plainFirst) {
                    plainNs[r] = iterate(plainRows, passes, threads, rows);
                }
            }
            double base = ReplicaPools.median(plainNs);
            double ours = ReplicaPools.median(meridianNs);
            System.out.printf("%n| variant | CPU ns/row (median of %d rounds × %d passes × %d rows) | min | max | ratio |%n",
                    rounds, passes, rows);
            System.out.println("|---|---:|---:|---:|---:|");
            row("plain-hikari result set", plainNs, base);
            row("meridian result set", meridianNs, base);
            System.out.printf("%nadded per row: %.1f ns CPU%n", ours - base);
        }
    }

    private static void row(String name, double[] ns, double base) {
        double median = ReplicaPools.median(ns);
        System.out.printf("| %s | %.1f | %.1f | %.1f | %.2f |%n", name, median,
                Arrays.stream(ns).min().orElseThrow(), Arrays.stream(ns).max().orElseThrow(), median / base);
    }

    /** Iterates {@code rs} {@code passes} times; CPU nanoseconds per row. */
    private static double iterate(ResultSet rs, int passes, ThreadMXBean threads, int rows) throws SQLException {
        long sum = 0;
        long start = threads.getCurrentThreadCpuTime();
        for (int pass = 0; pass < passes; pass++) {
            rs.beforeFirst();
            while (rs.next()) {
                sum += rs.getInt(1) + rs.getString(2).length();
            }
        }
        long cpu = threads.getCurrentThreadCpuTime() - start;
        if (sum == 42) {
            System.out.print(""); // keeps the loop from being optimised away
        }
        return (double) cpu / passes / rows;
    }

    private static String query(int rows) {
        return "SELECT g, md5(g::text) FROM generate_series(1, " + rows + ") g";
    }

    private static Statement scrollable(Connection c) throws SQLException {
        return c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
    }

    private static Connection connection(DataSource ds) throws SQLException {
        Connection c = ds.getConnection();
        c.setReadOnly(true);
        return c;
    }
}
