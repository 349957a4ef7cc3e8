package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link LogicalResultSet} is the driver's result set but for its back-reference: every method of {@code ResultSet}
 * (enumerated by reflection, so a method missed by hand shows) reaches the driver's with the same arguments and
 * answers what it answered; {@code getStatement()} is Meridian's statement, {@code unwrap}/{@code isWrapperFor} agree,
 * and a ref cursor read from it is Meridian's too.
 */
class LogicalResultSetTest {
    private static final Set<String> OWN = Set.of("getStatement", "unwrap", "isWrapperFor");

    /** A driver's result set that records each call and answers a recognisable value of the method's return type. */
    private static final class Driver {
        final List<String> calls = new ArrayList<>();
        Object nestedAnswer;
        final ResultSet resultSet = (ResultSet) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ResultSet.class}, (p, m, a) -> {
                    calls.add(m.getName() + Arrays.toString(m.getParameterTypes())
                            + (a == null ? "[]" : Arrays.deepToString(a)));
                    if (m.getName().equals("isWrapperFor")) {
                        return false;
                    }
                    if (m.getName().equals("getObject") && nestedAnswer != null) {
                        return nestedAnswer;
                    }
                    return answer(m.getReturnType());
                });
    }

    private static Object answer(Class<?> type) {
        if (type == boolean.class) {
            return true;
        } else if (type == int.class) {
            return 42;
        } else if (type == long.class) {
            return 42L;
        } else if (type == short.class) {
            return (short) 42;
        } else if (type == byte.class) {
            return (byte) 42;
        } else if (type == double.class) {
            return 42.5d;
        } else if (type == float.class) {
            return 42.5f;
        } else if (type == String.class || type == Object.class) {
            return "answer";
        }
        return null;
    }

    private static Object argument(Class<?> type, int position) {
        if (type == boolean.class) {
            return true;
        } else if (type == int.class) {
            return 3 + position;
        } else if (type == long.class) {
            return 30L + position;
        } else if (type == short.class) {
            return (short) 5;
        } else if (type == byte.class) {
            return (byte) 6;
        } else if (type == double.class) {
            return 7.5d;
        } else if (type == float.class) {
            return 8.5f;
        } else if (type == String.class || type == Object.class) {
            return "arg" + position;
        } else if (type == Class.class) {
            return Integer.class;
        }
        return null;
    }

    @Test
    void everyOtherMethodReachesTheDriversResultSetWithItsArgumentsAndAnswersWhatItAnswered() throws Exception {
        int checked = 0;
        for (Method m : ResultSet.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || OWN.contains(m.getName())) {
                continue;
            }
            Driver driver = new Driver();
            LogicalResultSet rs = new LogicalResultSet(driver.resultSet, null);
            Class<?>[] types = m.getParameterTypes();
            Object[] args = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                args[i] = argument(types[i], i);
            }
            Object result;
            try {
                result = m.invoke(rs, args);
            } catch (InvocationTargetException e) {
                throw new AssertionError(m + " threw", e.getCause());
            }
            assertThat(driver.calls).as("%s reaches the driver's result set once, with its arguments", m)
                    .containsExactly(m.getName() + Arrays.toString(types) + Arrays.deepToString(args));
            assertThat(result).as("%s answers the driver's answer", m).isEqualTo(answer(m.getReturnType()));
            checked++;
        }
        assertThat(checked).isGreaterThan(180);
    }

    @Test
    void itsStatementIsMeridiansAndItUnwrapsToItselfForResultSet() throws SQLException {
        Driver driver = new Driver();
        Statement statement = (Statement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Statement.class}, (p, m, a) -> null);
        LogicalResultSet rs = new LogicalResultSet(driver.resultSet, statement);

        assertThat(rs.getStatement()).isSameAs(statement);
        assertThat(rs.unwrap(ResultSet.class)).isSameAs(rs);
        assertThat(rs.isWrapperFor(ResultSet.class)).isTrue();
        assertThat(rs.isWrapperFor(Statement.class)).isFalse();
        assertThat(driver.calls).singleElement().asString().startsWith("isWrapperFor");
    }

    @Test
    void aRefCursorReadFromItAnswersTheSameStatement() throws SQLException {
        Driver driver = new Driver();
        Driver cursor = new Driver();
        driver.nestedAnswer = cursor.resultSet;
        Statement statement = (Statement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Statement.class}, (p, m, a) -> null);
        LogicalResultSet rs = new LogicalResultSet(driver.resultSet, statement);

        for (Object nested : List.of(rs.getObject(1), rs.getObject("c"), rs.getObject(1, ResultSet.class))) {
            assertThat(nested).isInstanceOf(LogicalResultSet.class);
            assertThat(((ResultSet) nested).getStatement()).isSameAs(statement);
        }
    }

    @Test
    void anArrayReadFromItHandsOutItsResultSetsAnsweringTheSameStatement() throws SQLException {
        Driver driver = new Driver();
        Driver arrayRows = new Driver();
        Array array = (Array) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Array.class},
                (p, m, a) -> m.getName().equals("getResultSet") ? arrayRows.resultSet : null);
        driver.nestedAnswer = array;
        Statement statement = (Statement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Statement.class}, (p, m, a) -> null);
        LogicalResultSet rs = new LogicalResultSet(driver.resultSet, statement);

        Array read = (Array) rs.getObject(1);
        assertThat(read).isInstanceOf(LogicalArray.class);
        assertThat(read.getResultSet().getStatement()).isSameAs(statement);
        assertThat(read.getResultSet(1, 2).getStatement()).isSameAs(statement);
        assertThat(new LogicalArray(array, null).getResultSet().getStatement()).isNull();
    }

    @Test
    void aValueAskedForAsADriverTypeIsNotReplacedByAWrapperOfAnotherType() throws SQLException {
        Driver driver = new Driver();
        Driver cursor = new Driver();
        driver.nestedAnswer = cursor.resultSet;
        LogicalResultSet rs = new LogicalResultSet(driver.resultSet, null);

        // Asked for as the driver's own class (here the proxy's), the driver's object is what fits.
        Class<? extends ResultSet> driverType = cursor.resultSet.getClass();
        assertThat(rs.getObject(1, driverType)).isSameAs(cursor.resultSet);
    }
}
