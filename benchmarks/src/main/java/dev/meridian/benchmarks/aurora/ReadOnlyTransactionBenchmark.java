package dev.meridian.benchmarks.aurora;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import software.amazon.awssdk.regions.Region;

/**
 * Side-by-side cost of one read-only transaction done the way Spring's DataSourceTransactionManager does it
 * ({@code getConnection, setReadOnly(true), setAutoCommit(false)}, a primary-key SELECT, {@code commit,
 * setAutoCommit(true), setReadOnly(false), close}) against the same local primary (eu-west-1) and streaming replica
 * (eu-central-1) started by the testkit:
 * <ul>
 *   <li>{@code plain-hikari}: HikariCP straight to the replica (the baseline, 1.00);</li>
 *   <li>{@code meridian}: {@code RoutingDataSource} with eu-central-1 local (reads routed to the replica);</li>
 *   <li>{@code aws-wrapper-srw}: HikariCP over the AWS Advanced JDBC Wrapper with the Simple Read/Write Splitting
 *       plugin ({@code wrapperPlugins=srw}, {@code srwWriteEndpoint}=primary, {@code srwReadEndpoint}=replica).</li>
 * </ul>
 * One thread, variants interleaved in rotating order for {@code rounds} rounds of {@code roundMillis} each, so JIT
 * state and machine noise hit every variant alike; the table reports the median round. A harness rather than JMH
 * because all variants must share one running cluster. Arguments: {@code [rounds] [roundMillis] [warmupMillis]
 * [rowsPerRead]}: with {@code rowsPerRead} above 1 (default 1) the SELECT reads that many consecutive rows, all
 * iterated, so that the cost per row of a result set (Meridian hands out its own over the driver's) shows.
 */
public final class ReadOnlyTransactionBenchmark {
    private static final int ROWS = 10_000;
    private static final String SELECT = "SELECT v FROM kv WHERE id BETWEEN ? AND ?";
    private static int rowsPerRead = 1;

    private ReadOnlyTransactionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        long roundMillis = args.length > 1 ? Long.parseLong(args[1]) : 2_000;
        long warmupMillis = args.length > 2 ? Long.parseLong(args[2]) : 5_000;
        rowsPerRead = args.length > 3 ? Integer.parseInt(args[3]) : 1;

        try (LocalAuroraGlobal aurora = LocalAuroraGlobal.start("eu-west-1", "eu-central-1")) {
            seed(aurora);
            String writerHost = "127.0.0.1:" + aurora.port("eu-west-1");
            String readerHost = "127.0.0.1:" + aurora.port("eu-central-1");

            HikariDataSource plain = pool(aurora, "plain", aurora.readerJdbcUrl("eu-central-1"));
            MultiRegion multiRegion = MultiRegion.builder(MultiRegionConfig.builder()
                    .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
                    .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
                    .localRegion(Region.EU_CENTRAL_1)
                    .routing(RoutingStrategy.localFirst())
                    .build()).build();
            HikariConfig template = template(aurora, "meridian");
            RoutingDataSource meridian = RoutingDataSource.builder()
                    .multiRegion(multiRegion)
                    .discovery(StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                            .region(RegionEndpoints.node(Region.EU_WEST_1, aurora.writerJdbcUrl()))
                            .region(RegionEndpoints.node(Region.EU_CENTRAL_1, aurora.readerJdbcUrl("eu-central-1")))
                            .build())
                    .poolTemplate(template)
                    .build();
            HikariConfig wrapperConfig = template(aurora, "aws-wrapper");
            wrapperConfig.setJdbcUrl("jdbc:aws-wrapper:postgresql://" + writerHost + "/" + aurora.database());
            wrapperConfig.addDataSourceProperty("wrapperPlugins", "srw");
            wrapperConfig.addDataSourceProperty("srwWriteEndpoint", writerHost);
            wrapperConfig.addDataSourceProperty("srwReadEndpoint", readerHost);
            // Role verification only works against RDS/Aurora; the docs require it off for other PostgreSQL servers.
            wrapperConfig.addDataSourceProperty("verifyNewSrwConnections", "false");
            HikariDataSource wrapper = new HikariDataSource(wrapperConfig);

            Map<String, DataSource> variants = new LinkedHashMap<>();
            variants.put("plain-hikari (replica)", plain);
            variants.put("meridian RoutingDataSource", meridian);
            variants.put("aws-wrapper 4.3.0 srw", wrapper);
            try {
                int replicaPort = aurora.port("eu-central-1");
                for (Map.Entry<String, DataSource> v : variants.entrySet()) {
                    int served = servedBy(v.getValue());
                    if (served != replicaPort) {
                        throw new IllegalStateException(v.getKey() + " served the read from port " + served
                                + ", not the replica on " + replicaPort);
                    }
                }
                run(variants, rounds, roundMillis, warmupMillis);
            } finally {
                wrapper.close();
                meridian.close();
                multiRegion.close();
                plain.close();
            }
        }
    }

    private static void run(Map<String, DataSource> variants, int rounds, long roundMillis, long warmupMillis)
            throws SQLException {
        List<String> names = new ArrayList<>(variants.keySet());
        for (String name : names) {
            measure(variants.get(name), warmupMillis);
        }
        Map<String, double[]> results = new LinkedHashMap<>();
        names.forEach(n -> results.put(n, new double[rounds]));
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get((round + i) % names.size());
                results.get(name)[round] = measure(variants.get(name), roundMillis);
            }
        }
        double baseline = median(results.get(names.get(0)));
        System.out.printf("%n| variant | µs/op, %d row(s) (median of %d × %d ms) | min | max | ratio |%n", rowsPerRead,
                rounds, roundMillis);
        System.out.println("|---|---:|---:|---:|---:|");
        for (String name : names) {
            double[] r = results.get(name);
            System.out.printf("| %s | %.1f | %.1f | %.1f | %.2f |%n", name, median(r),
                    Arrays.stream(r).min().orElseThrow(), Arrays.stream(r).max().orElseThrow(), median(r) / baseline);
        }
    }

    /** Runs the Spring-style read-only transaction for {@code millis}; returns µs per transaction. */
    private static double measure(DataSource ds, long millis) throws SQLException {
        long ops = 0;
        long start = System.nanoTime();
        long end = start + millis * 1_000_000;
        long now;
        String sink = null;
        do {
            sink = readOnlyTransaction(ds, 1 + ThreadLocalRandom.current().nextInt(ROWS - rowsPerRead + 1));
            ops++;
            now = System.nanoTime();
        } while (now < end);
        if (sink == null) {
            throw new IllegalStateException("row not found");
        }
        return (now - start) / 1_000.0 / ops;
    }

    static String readOnlyTransaction(DataSource ds, int id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            String value;
            try (PreparedStatement ps = c.prepareStatement(SELECT)) {
                ps.setInt(1, id);
                ps.setInt(2, id + rowsPerRead - 1);
                try (ResultSet rs = ps.executeQuery()) {
                    value = null;
                    while (rs.next()) {
                        value = rs.getString(1);
                    }
                }
            }
            c.commit();
            c.setAutoCommit(true);
            c.setReadOnly(false);
            return value;
        }
    }

    private static int servedBy(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            int port;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
                rs.next();
                port = rs.getInt(1);
            }
            c.commit();
            c.setAutoCommit(true);
            c.setReadOnly(false);
            return port;
        }
    }

    private static void seed(LocalAuroraGlobal aurora) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kv (id int PRIMARY KEY, v text NOT NULL)");
            s.execute("INSERT INTO kv SELECT g, md5(g::text) FROM generate_series(1, " + ROWS + ") g");
            s.execute("ANALYZE kv");
        }
        aurora.awaitReplicasCaughtUp();
    }

    private static HikariConfig template(LocalAuroraGlobal aurora, String name) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(name);
        c.setUsername(aurora.user());
        c.setPassword(aurora.password());
        c.setMaximumPoolSize(2);
        c.setMinimumIdle(2);
        return c;
    }

    private static HikariDataSource pool(LocalAuroraGlobal aurora, String name, String url) {
        HikariConfig c = template(aurora, name);
        c.setJdbcUrl(url);
        return new HikariDataSource(c);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
