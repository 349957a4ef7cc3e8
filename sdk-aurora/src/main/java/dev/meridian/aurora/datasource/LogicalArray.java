package dev.meridian.aurora.datasource;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An {@code Array} a {@link LogicalConnection} hands out (read from a result set or a callable statement, or made by
 * {@code createArrayOf}): the driver's array, whose result sets are handed out as Meridian's ({@link LogicalResultSet},
 * answering {@code statement}, the Meridian statement the array was read with, or null for an array the application
 * made). pgjdbc builds an array's result set on its own statement of the physical connection, which
 * {@code getStatement().getConnection()} would otherwise reach. Hand-written for the same reason as
 * {@link LogicalResultSet}; {@code LogicalResultSetTest} checks every method.
 */
final class LogicalArray implements Array {
    private final Array delegate;
    private final @Nullable Statement statement;

    LogicalArray(Array delegate, @Nullable Statement statement) {
        this.delegate = delegate;
        this.statement = statement;
    }

    @Override
    public String getBaseTypeName() throws SQLException {
        return delegate.getBaseTypeName();
    }

    @Override
    public int getBaseType() throws SQLException {
        return delegate.getBaseType();
    }

    @Override
    public Object getArray() throws SQLException {
        return delegate.getArray();
    }

    @Override
    public Object getArray(Map<String, Class<?>> map) throws SQLException {
        return delegate.getArray(map);
    }

    @Override
    public Object getArray(long index, int count) throws SQLException {
        return delegate.getArray(index, count);
    }

    @Override
    public Object getArray(long index, int count, Map<String, Class<?>> map) throws SQLException {
        return delegate.getArray(index, count, map);
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        return new LogicalResultSet(delegate.getResultSet(), statement);
    }

    @Override
    public ResultSet getResultSet(Map<String, Class<?>> map) throws SQLException {
        return new LogicalResultSet(delegate.getResultSet(map), statement);
    }

    @Override
    public ResultSet getResultSet(long index, int count) throws SQLException {
        return new LogicalResultSet(delegate.getResultSet(index, count), statement);
    }

    @Override
    public ResultSet getResultSet(long index, int count, Map<String, Class<?>> map) throws SQLException {
        return new LogicalResultSet(delegate.getResultSet(index, count, map), statement);
    }

    @Override
    public void free() throws SQLException {
        delegate.free();
    }

    @Override
    public String toString() {
        return "Meridian" + delegate;
    }
}
