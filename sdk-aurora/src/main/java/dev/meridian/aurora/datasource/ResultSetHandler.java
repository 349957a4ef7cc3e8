package dev.meridian.aurora.datasource;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;

/**
 * A result set a {@link LogicalConnection} hands out (a query's, {@code execute}'s, generated keys, a metadata
 * call's): a JDK proxy over the driver's that answers {@code getStatement()} with the Meridian statement that produced
 * it, so that an application reaching the connection through it works on the routed connection, not on the physical
 * one (JDBC: "the Statement object that produced this ResultSet"). A result set it returns in turn (a ref cursor read
 * with {@code getObject}) is handed out the same way; every other call goes to the driver's result set.
 */
final class ResultSetHandler implements InvocationHandler {
    private final ResultSet delegate;
    private final @Nullable Statement statement;

    private ResultSetHandler(ResultSet delegate, @Nullable Statement statement) {
        this.delegate = delegate;
        this.statement = statement;
    }

    /** {@code delegate} as Meridian's, answering {@code statement} (null: produced by no statement) as its producer. */
    static ResultSet wrap(ResultSet delegate, @Nullable Statement statement) {
        return JdbcProxies.create(ResultSet.class, new ResultSetHandler(delegate, statement));
    }

    @Override
    public @Nullable Object invoke(Object self, Method method, Object[] args) throws Throwable {
        Object own = JdbcProxies.ownAnswer(self, delegate, method, args);
        if (own != JdbcProxies.NOT_OWN) {
            return own;
        }
        if (method.getName().equals("getStatement")) {
            return statement;
        }
        Object result = JdbcProxies.invoke(delegate, method, args);
        return result instanceof ResultSet nested ? wrap(nested, statement) : result;
    }
}
