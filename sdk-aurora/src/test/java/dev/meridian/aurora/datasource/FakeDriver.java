package dev.meridian.aurora.datasource;

import com.zaxxer.hikari.HikariConfig;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A JDBC driver for {@code jdbc:fake:} URLs whose connections answer every call with a neutral value, so that unit
 * tests can take pooled connections from the data source's real HikariCP pools without a database. HikariCP
 * instantiates it by class name ({@link #poolTemplate()}).
 */
public final class FakeDriver implements Driver {
    static final String PREFIX = "jdbc:fake:";

    /** A URL of this driver naming {@code node}. */
    static String url(String node) {
        return PREFIX + "//" + node + "/db";
    }

    /** A pool template connecting through this driver, one connection per pool, none kept idle. */
    static HikariConfig poolTemplate() {
        HikariConfig c = new HikariConfig();
        c.setDriverClassName(FakeDriver.class.getName());
        c.setMaximumPoolSize(1);
        c.setMinimumIdle(0);
        c.setConnectionTimeout(1_000);
        return c;
    }

    @Override
    public Connection connect(String url, Properties info) {
        if (!acceptsURL(url)) {
            return null;
        }
        return (Connection) Proxy.newProxyInstance(FakeDriver.class.getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isValid", "getAutoCommit" -> true;
                    case "getTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "fake connection to " + url;
                    default -> method.getReturnType() == boolean.class ? false
                            : method.getReturnType() == int.class ? 0 : null;
                });
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
