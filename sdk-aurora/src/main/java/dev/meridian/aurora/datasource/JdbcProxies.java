package dev.meridian.aurora.datasource;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.sql.Wrapper;
import org.jspecify.annotations.Nullable;

/**
 * The JDK proxies a {@link LogicalConnection} hands out for statements and metadata, and what every one of them
 * answers the same way: identity {@code equals}/{@code hashCode}, and {@code unwrap}/{@code isWrapperFor} giving the
 * proxy itself for an interface it implements (JDBC: "the receiver or a proxy for the receiver"); for anything else the
 * handler asks the driver's object of the connection's current route. Proxy constructors are looked up once per
 * interface.
 */
final class JdbcProxies {
    /** What {@link #ownAnswer} returns for a method the proxy's handler must answer (or pass on) itself. */
    static final Object NOT_OWN = new Object();

    private static final ClassValue<MethodHandle> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                Class<?> proxyClass = Proxy.newProxyInstance(JdbcProxies.class.getClassLoader(), new Class<?>[]{type},
                        (p, m, a) -> null).getClass();
                return MethodHandles.publicLookup()
                        .findConstructor(proxyClass, MethodType.methodType(void.class, InvocationHandler.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create a proxy class for " + type.getSimpleName(), e);
            }
        }
    };

    private JdbcProxies() {
    }

    /** A proxy implementing {@code type} whose calls go to {@code handler}. */
    static <T> T create(Class<T> type, InvocationHandler handler) {
        try {
            return type.cast(CONSTRUCTORS.get(type).invoke(handler));
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create a proxy for " + type.getSimpleName(), e);
        }
    }

    /**
     * The answer of proxy {@code self} over {@code delegate} to a method every proxy answers alike ({@code Object}'s
     * methods, and {@code unwrap}/{@code isWrapperFor} of an interface the proxy implements); {@link #NOT_OWN} for any
     * other method, {@code unwrap}/{@code isWrapperFor} of the driver's interfaces included: the handler passes those
     * on like any call, to the driver's object of the current route (not one given up since).
     */
    static Object ownAnswer(Object self, Wrapper delegate, Method method, Object[] args) {
        String name = method.getName();
        if (method.getDeclaringClass() == Object.class) {
            return switch (name) {
                case "equals" -> self == args[0];
                case "hashCode" -> System.identityHashCode(self);
                default -> "Meridian" + delegate;
            };
        }
        if (method.getDeclaringClass() != Wrapper.class || !((Class<?>) args[0]).isInstance(self)) {
            return NOT_OWN;
        }
        return name.equals("unwrap") ? self : Boolean.TRUE;
    }

    /** Runs {@code method} on {@code target}, throwing what it threw. */
    static @Nullable Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * {@link #invoke} of a JDBC method, which throws only {@link SQLException} besides unchecked failures; anything
     * else is wrapped in one naming the method.
     */
    static @Nullable Object invokeJdbc(Object target, Method method, Object[] args) throws SQLException {
        try {
            return invoke(target, method, args);
        } catch (SQLException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new SQLException(method.getDeclaringClass().getSimpleName() + "." + method.getName() + " failed", e);
        }
    }
}
