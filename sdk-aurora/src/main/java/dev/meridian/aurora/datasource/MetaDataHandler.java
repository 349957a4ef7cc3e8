package dev.meridian.aurora.datasource;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link DatabaseMetaData} a {@link LogicalConnection} hands out: a JDK proxy that answers {@code getConnection()}
 * with the logical connection and hands out its result sets as Meridian's ({@link LogicalResultSet}; their statement,
 * when the driver has one, a Meridian statement of the logical connection), so that nothing reached from it is a
 * physical connection. Like a statement it follows the logical connection: each call goes to the metadata of the
 * physical connection the connection's next use takes (fetched again once the connection was re-bound), and a call
 * whose connection died fails as the connection's own calls do ({@link LogicalConnection#onConnection}). So do
 * {@code unwrap}/{@code isWrapperFor} of the driver's interfaces: they answer the driver's metadata of the current
 * route, never that of a connection given up.
 */
final class MetaDataHandler implements InvocationHandler {
    private final LogicalConnection owner;
    private DatabaseMetaData delegate;
    private long generation;

    private MetaDataHandler(LogicalConnection owner, DatabaseMetaData delegate, long generation) {
        this.owner = owner;
        this.delegate = delegate;
        this.generation = generation;
    }

    /** {@code delegate}, the metadata of binding {@code generation} of {@code owner}, as Meridian's. */
    static DatabaseMetaData wrap(LogicalConnection owner, DatabaseMetaData delegate, long generation) {
        return JdbcProxies.create(DatabaseMetaData.class, new MetaDataHandler(owner, delegate, generation));
    }

    @Override
    public @Nullable Object invoke(Object self, Method method, Object[] args) throws Throwable {
        Object own = JdbcProxies.ownAnswer(self, delegate, method, args);
        if (own != JdbcProxies.NOT_OWN) {
            return own;
        }
        if (method.getName().equals("getConnection")) {
            return owner;
        }
        Object result = owner.onConnection(c -> Optional.ofNullable(call(c, method, args))).orElse(null);
        if (result instanceof ResultSet rs) {
            return new LogicalResultSet(rs, owner.statementOver(rs.getStatement()));
        }
        return result;
    }

    private @Nullable Object call(Connection physical, Method method, Object[] args) throws SQLException {
        if (generation != owner.generation()) {
            delegate = physical.getMetaData();
            generation = owner.generation();
        }
        return JdbcProxies.invokeJdbc(delegate, method, args);
    }
}
