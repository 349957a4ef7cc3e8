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
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import javax.sql.DataSource;
import software.amazon.awssdk.regions.Region;

/**
 * CPU cost of a prepared statement's own calls that are not executions (the calls every execution makes around it:
 * two parameter setters, {@code getUpdateCount}, {@code getWarnings}) on Meridian's statement proxy beside HikariCP's
 * statement from a plain pool to the same replica. No I/O: the statement is prepared once and never executed, so
 * only the calls' dispatch is measured (for Meridian: recording the parameter for a replay, the route check, the
 * dead-connection handling around the driver's call). CPU time of the measuring thread ({@link ThreadMXBean});
 * variants alternate round by round, the table gives the median round. Arguments: {@code [rounds] [callsPerRound]}.
 */
public final class StatementCallCost {
    private static final int CALLS_PER_LOOP = 4;
    private static final String SELECT = "SELECT v FROM generate_series(?, ?) v";

    private StatementCallCost() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int loops = (args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000) / CALLS_PER_LOOP;
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
             Connection p = readOnly(plain.getConnection());
             Connection m = readOnly(meridian.getConnection());
             PreparedStatement plainStatement = p.prepareStatement(SELECT);
             PreparedStatement meridianStatement = m.prepareStatement(SELECT)) {
            double[] plainNs = new double[rounds];
            double[] meridianNs = new double[rounds];
            for (int warm = 0; warm < 3; warm++) {
                call(plainStatement, loops, threads);
                call(meridianStatement, loops, threads);
            }
            for (int r = 0; r < rounds; r++) {
                boolean plainFirst = r % 2 == 0;
                if (plainFirst) {
                    plainNs[r] = call(plainStatement, loops, threads);
                }
                meridianNs[r] = call(meridianStatement, loops, threads);
                if (!plainFirst) {
                    plainNs[r] = call(plainStatement, loops, threads);
                }
            }
            double base = ReplicaPools.median(plainNs);
            System.out.printf("%n| variant | CPU ns/call (median of %d rounds × %d calls) | min | max | ratio |%n",
                    rounds, loops * CALLS_PER_LOOP);
            System.out.println("|---|---:|---:|---:|---:|");
            row("plain-hikari statement", plainNs, base);
            row("meridian statement", meridianNs, base);
            System.out.printf("%nadded per call: %.1f ns CPU%n", ReplicaPools.median(meridianNs) - base);
        }
    }

    private static void row(String name, double[] ns, double base) {
        double median = ReplicaPools.median(ns);
        System.out.printf("| %s | %.1f | %.1f | %.1f | %.2f |%n", name, median,
                Arrays.stream(ns).min().orElseThrow(), Arrays.stream(ns).max().orElseThrow(), median / base);
    }

    /** {@code loops} times the four calls; CPU nanoseconds per call. */
    private static double call(PreparedStatement s, int loops, ThreadMXBean threads) throws SQLException {
        long sum = 0;
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < loops; i++) {
            s.setInt(1, i);
            s.setInt(2, i + 1);
            sum += s.getUpdateCount();
            sum += s.getWarnings() == null ? 1 : 2;
        }
        long cpu = threads.getCurrentThreadCpuTime() - start;
        if (sum == 42) {
            System.out.print(""); // keeps the loop from being optimised away
        }
        return (double) cpu / loops / CALLS_PER_LOOP;
    }

    private static Connection readOnly(Connection c) throws SQLException {
        c.setReadOnly(true);
        return c;
    }
}
