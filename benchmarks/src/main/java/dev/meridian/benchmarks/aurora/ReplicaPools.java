package dev.meridian.benchmarks.aurora;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.util.Arrays;

/** What the JDBC cost harnesses ({@link ResultSetRowCost}, {@link StatementCallCost}) set up and report alike. */
final class ReplicaPools {
    private ReplicaPools() {
    }

    /** One connection to the replica (the plain pool's URL; Meridian's pools take their endpoints' URLs). */
    static HikariConfig config(LocalAuroraGlobal aurora, String name) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(name);
        c.setUsername(aurora.user());
        c.setPassword(aurora.password());
        c.setMaximumPoolSize(1);
        if (name.equals("plain")) {
            c.setJdbcUrl(aurora.readerJdbcUrl("eu-central-1"));
        }
        return c;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
