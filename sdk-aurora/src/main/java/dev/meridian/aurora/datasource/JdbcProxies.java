package dev.meridian.aurora.datasource;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Wrapper;
import org.jspecify.annotations.Nullable;

/**
 * The JDK proxies a {@link LogicalConnection} hands out for statements and metadata, and what every one of them
 * answers the same way: identity {@code equals}/{@code hashCode}, and {@code unwrap}/{@code isWrapperFor} giving the
 * proxy itself for an interface it implements (JDBC: "the receiver or a proxy for the receiver"), the driver's object
 * for anything else. Proxy constructors are looked up once per interface.
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
     * methods, {@code unwrap}, {@code isWrapperFor}); {@link #NOT_OWN} for any other method.
     */
    static Object ownAnswer(Object self, Wrapper delegate, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (method.getDeclaringClass() == Object.class) {
            return switch (name) {
                case "equals" -> self == args[0];
                case "hashCode" -> System.identityHashCode(self);
                default -> "Meridian" + delegate;
            };
        }
        if (method.getDeclaringClass() != Wrapper.class) {
            return NOT_OWN;
        }
        Class<?> iface = (Class<?>) args[0];
        if (name.equals("unwrap")) {
            return iface.isInstance(self) ? self : delegate.unwrap(iface);
        }
        return iface.isInstance(self) || delegate.isWrapperFor(iface);
    }

    /** Runs {@code method} on {@code target}, throwing what it threw. */
    static @Nullable Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
