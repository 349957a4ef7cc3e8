package dev.meridian.aurora.datasource;

import dev.meridian.core.routing.RoutingContext;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import software.amazon.awssdk.regions.Region;

/** A {@link PhysicalConnections} handing out fake physical connections that record what was done to them. */
class FakePhysicalConnections implements PhysicalConnections {
    static final Region LOCAL = Region.EU_CENTRAL_1;
    static final Region PRIMARY = Region.EU_WEST_1;
    /** What every fake physical connection reports as its client info before anyone changes it. */
    static final Properties DRIVER_CLIENT_INFO = new Properties();
    /** Connection calls a dead connection still answers: they do not talk to the server. */
    private static final Set<String> LOCAL_CALLS = Set.of("hashCode", "equals", "toString", "close", "isClosed");

    static {
        DRIVER_CLIENT_INFO.setProperty("ApplicationName", "driver default");
    }

    /** A fake physical connection and the calls it received. */
    static final class Physical {
        final Endpoint endpoint;
        final List<String> calls = new ArrayList<>();
        final Connection connection;
        boolean readOnlyNode;
        boolean broken;
        /** Its server is gone: every call that talks to it fails as {@link #broken} statements do. */
        boolean dead;
        boolean released;
        boolean evicted;
        /** A connection method that fails with an SQLException from now on, e.g. to refuse a restore. */
        String failing;

        Physical(Endpoint endpoint) {
            this.endpoint = endpoint;
            this.connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{Connection.class}, connectionHandler());
        }

        private InvocationHandler connectionHandler() {
            return (proxy, method, args) -> {
                String name = method.getName();
                calls.add(name + (args == null ? "" : java.util.Arrays.toString(args)));
                if (name.equals(failing)) {
                    throw new SQLException(name + " refused by the fake connection");
                }
                if (dead && !LOCAL_CALLS.contains(name)) {
                    throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                }
                return switch (name) {
                    case "createStatement", "prepareStatement", "prepareCall" -> statement(method.getReturnType());
                    case "getAutoCommit", "isReadOnly", "isValid", "isWrapperFor" -> true;
                    case "isClosed" -> false;
                    case "getTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
                    case "getHoldability" -> ResultSet.HOLD_CURSORS_OVER_COMMIT;
                    case "getTypeMap" -> new HashMap<String, Class<?>>();
                    case "getClientInfo" -> args == null ? DRIVER_CLIENT_INFO : DRIVER_CLIENT_INFO.getProperty((String) args[0]);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "physical@" + endpoint;
                    default -> null;
                };
            };
        }

        private Object statement(Class<?> type) {
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
                String name = method.getName();
                calls.add("stmt." + name + (args == null ? "" : java.util.Arrays.toString(args)));
                if (name.startsWith("execute")) {
                    if (broken || dead) {
                        throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                    }
                    if (readOnlyNode && !name.equals("executeQuery")) {
                        throw new SQLException("cannot execute INSERT in a read-only transaction", "25006");
                    }
                    return switch (name) {
                        case "executeQuery" -> null;
                        case "execute" -> false;
                        case "executeUpdate" -> 1;
                        case "executeBatch" -> new int[]{1};
                        default -> null;
                    };
                }
                return switch (name) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "stmt";
                    default -> method.getReturnType() == boolean.class ? false
                            : method.getReturnType() == int.class ? 0 : null;
                };
            });
        }

        Role role() {
            return endpoint.role();
        }
    }

    final List<Physical> bound = new ArrayList<>();
    final List<RoutingContext> writes = new ArrayList<>();
    Region writerRegion = PRIMARY;
    boolean writerNodeReadOnly;
    /** When set, binding to the writer fails as if its breaker were open. */
    boolean writerUnavailable;
    int writerRefreshes;

    @Override
    public Binding bindRead(RoutingContext context) throws SQLException {
        return bind(new Endpoint(Role.READER, LOCAL, "jdbc:fake://" + LOCAL.id()), true);
    }

    @Override
    public Binding bindWrite(RoutingContext context) throws SQLException {
        if (writerUnavailable) {
            throw new WriterUnavailableException(writerRegion, "writer in " + writerRegion.id() + " unavailable", null);
        }
        return bind(new Endpoint(Role.WRITER, writerRegion, "jdbc:fake://" + writerRegion.id()), false);
    }

    private Binding bind(Endpoint endpoint, boolean forRead) {
        Physical p = new Physical(endpoint);
        p.readOnlyNode = endpoint.role() == Role.WRITER && writerNodeReadOnly;
        bound.add(p);
        return new Binding(endpoint, p.connection, forRead);
    }

    /** The writer moves to {@code region}; the old writer node starts refusing writes. */
    void moveWriterTo(Region region) {
        bound.stream().filter(p -> p.role() == Role.WRITER).forEach(p -> p.readOnlyNode = true);
        writerRegion = region;
    }

    /** The contexts kept bindings were re-checked against, in order. */
    final List<RoutingContext> residencyChecks = new ArrayList<>();

    @Override
    public void checkResidency(Binding binding, boolean readOnly, RoutingContext context) {
        residencyChecks.add(context);
    }

    @Override
    public boolean writerMoved(Binding failed) {
        writerRefreshes++;
        return !failed.endpoint().region().equals(writerRegion);
    }

    @Override
    public void connectionFailed(Binding binding, SQLException failure) {
    }

    @Override
    public void recordWrite(RoutingContext context, Region writerRegion) {
        writes.add(context);
    }

    @Override
    public void release(Binding binding, boolean evict) {
        Physical p = physical(binding.connection());
        p.released = true;
        p.evicted = evict;
    }

    Physical physical(Connection c) {
        return bound.stream().filter(p -> p.connection == c).findFirst().orElseThrow();
    }

    Physical last() {
        return bound.get(bound.size() - 1);
    }
}
