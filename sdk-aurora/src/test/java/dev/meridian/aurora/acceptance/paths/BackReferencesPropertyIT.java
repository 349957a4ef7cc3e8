package dev.meridian.aurora.acceptance.paths;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.core.MultiRegion;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Wrapper;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

/**
 * JDBC's back-references lead to the objects that produced them: {@code Statement.getConnection()},
 * {@code ResultSet.getStatement()} (of a query, {@code execute}'s result, generated keys, a callable's result), and
 * {@code DatabaseMetaData.getConnection()} and its result sets' statements. An application that reaches a connection
 * that way and works through it must get Meridian's routing (sdk-aurora/README.md, "What the application holds"), not
 * the physical connection of one endpoint.
 *
 * <p>Property over the path × the read-only flag the object was produced under. Witness as in
 * {@link CallShapePropertyIT}: work of the other kind through the connection reached (the flag set on it first) lands
 * where the README's routing says — a read on the local reader (eu-central-1), a write on the writer (eu-west-1),
 * once; and every object on the way is the one Meridian handed out, with {@code unwrap}/{@code isWrapperFor} agreeing.
 * Before the fix the result sets' and metadata's back-references were HikariCP's and pgjdbc's objects of the bound
 * endpoint: a write through them went to the reader and failed (25006), a read stayed on the writer.
 */
class BackReferencesPropertyIT {
    private static LocalAuroraGlobal aurora;
    private static MultiRegion runtime;
    private static RoutingDataSource dataSource;

    @BeforeContainer
    static void start() throws SQLException {
        aurora = PathsCluster.start();
        runtime = PathsCluster.runtime();
        dataSource = PathsCluster.dataSource(aurora, runtime).build();
    }

    @AfterContainer
    static void stop() {
        PathsCluster.stop(dataSource, runtime, aurora);
    }

    /** A way from an object Meridian handed out back to a connection. */
    enum Path {
        STATEMENT, PREPARED_STATEMENT, CALLABLE_STATEMENT, QUERY_RESULT_SET, EXECUTE_RESULT_SET, PREPARED_RESULT_SET,
        CALLABLE_RESULT_SET, MORE_RESULTS, GENERATED_KEYS, ARRAY_RESULT_SET, CREATED_ARRAY_RESULT_SET, METADATA,
        METADATA_TABLES, METADATA_COLUMNS, METADATA_TYPE_INFO, METADATA_TABLE_TYPES, METADATA_CLIENT_INFO_PROPERTIES;

        /** Follows the path from {@code c}; checks each object on the way is the one that produced the next. */
        Connection follow(Connection c, String id) throws SQLException {
            switch (this) {
                case STATEMENT:
                    return consistent(c.createStatement()).getConnection();
                case PREPARED_STATEMENT:
                    return consistent(c.prepareStatement("SELECT 1")).getConnection();
                case CALLABLE_STATEMENT:
                    return consistent(c.prepareCall("{? = call inet_server_port()}")).getConnection();
                case QUERY_RESULT_SET: {
                    Statement s = c.createStatement();
                    return producedBy(s.executeQuery("SELECT 1"), s);
                }
                case EXECUTE_RESULT_SET: {
                    Statement s = c.createStatement();
                    assertThat(s.execute("SELECT 1")).isTrue();
                    return producedBy(s.getResultSet(), s);
                }
                case PREPARED_RESULT_SET: {
                    PreparedStatement p = c.prepareStatement("SELECT ?");
                    p.setInt(1, 1);
                    return producedBy(p.executeQuery(), p);
                }
                case CALLABLE_RESULT_SET: {
                    CallableStatement call = c.prepareCall("SELECT inet_server_port()");
                    return producedBy(call.executeQuery(), call);
                }
                case MORE_RESULTS: {
                    Statement s = c.createStatement();
                    s.execute("SELECT 1; SELECT 2");
                    assertThat(s.getMoreResults()).isTrue();
                    return producedBy(s.getResultSet(), s);
                }
                case GENERATED_KEYS: {
                    PreparedStatement p = c.prepareStatement("INSERT INTO paths VALUES (?, 0, inet_server_port())",
                            Statement.RETURN_GENERATED_KEYS);
                    p.setString(1, id + "-keys");
                    assertThat(p.executeUpdate()).isEqualTo(1);
                    return producedBy(p.getGeneratedKeys(), p);
                }
                case ARRAY_RESULT_SET: {
                    // pgjdbc builds an array's result set on a statement of its own, on the physical connection.
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT ARRAY[1, 2]");
                    assertThat(rs.next()).isTrue();
                    return producedBy(rs.getArray(1).getResultSet(), s);
                }
                case CREATED_ARRAY_RESULT_SET:
                    return ofDriver(c, c.createArrayOf("int4", new Object[] {1, 2}).getResultSet());
                case METADATA:
                    return metaData(c).getConnection();
                case METADATA_TABLES:
                    return ofDriver(c, metaData(c).getTables(null, null, "paths", null));
                case METADATA_COLUMNS:
                    return ofDriver(c, metaData(c).getColumns(null, null, "paths", "%"));
                case METADATA_TYPE_INFO:
                    return ofDriver(c, metaData(c).getTypeInfo());
                case METADATA_TABLE_TYPES:
                    return ofDriver(c, metaData(c).getTableTypes());
                case METADATA_CLIENT_INFO_PROPERTIES:
                    return ofDriver(c, metaData(c).getClientInfoProperties());
                default:
                    throw new AssertionError(this);
            }
        }

        /** Whether following the path writes (generated keys): then only under the read-write flag. */
        boolean writes() {
            return this == GENERATED_KEYS;
        }
    }

    private static DatabaseMetaData metaData(Connection c) throws SQLException {
        DatabaseMetaData md = consistent(c.getMetaData());
        assertThat(md.getConnection()).as("DatabaseMetaData.getConnection()").isSameAs(c);
        return md;
    }

    /** A result set's statement: the statement that produced it; returns that statement's connection. */
    private static Connection producedBy(ResultSet rs, Statement s) throws SQLException {
        consistent(rs);
        assertThat(rs.getStatement()).as("ResultSet.getStatement()").isSameAs(s);
        consistent(s);
        return s.getConnection();
    }

    /**
     * The statement of a result set the driver made (metadata, an array the application created): JDBC lets it be
     * null ("generated some other way"); when there is one, it is Meridian's and belongs to {@code c}.
     */
    private static Connection ofDriver(Connection c, ResultSet rs) throws SQLException {
        consistent(rs);
        Statement s = rs.getStatement();
        if (s == null) {
            return c;
        }
        consistent(s);
        assertThat(s.getConnection()).as("a driver-made result set's statement's connection").isSameAs(c);
        return s.getConnection();
    }

    /**
     * {@code unwrap}/{@code isWrapperFor} agree for the JDBC interfaces and the driver's: an interface the object
     * implements unwraps to the object itself; a driver's interface unwraps only if {@code isWrapperFor} says so.
     */
    private static <T extends Wrapper> T consistent(T w) throws SQLException {
        for (Class<?> iface : List.of(Wrapper.class, Connection.class, Statement.class, PreparedStatement.class,
                CallableStatement.class, ResultSet.class, DatabaseMetaData.class, PGConnection.class,
                PGStatement.class)) {
            boolean wraps = w.isWrapperFor(iface);
            if (iface.isInstance(w)) {
                assertThat(wraps).as("%s isWrapperFor %s", w, iface.getSimpleName()).isTrue();
                assertThat(w.unwrap(iface)).as("%s unwrap %s", w, iface.getSimpleName()).isSameAs(w);
            } else if (wraps) {
                assertThat(w.unwrap(iface)).as("%s unwrap %s", w, iface.getSimpleName()).isInstanceOf(iface);
            }
        }
        return w;
    }

    @Property(tries = 40)
    void whatABackReferenceLeadsToRoutesLikeTheConnectionThatHandedItOut(@ForAll Path path,
            @ForAll boolean producedReadOnly) throws Exception {
        boolean readOnly = producedReadOnly && !path.writes();
        String id = "back-" + UUID.randomUUID();
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(readOnly);
            Connection reached = path.follow(c, id);
            assertThat(reached).as("%s leads back to the application's connection", path).isSameAs(c);

            // Work of the other kind through what was reached, as an application that only holds it would do.
            reached.setReadOnly(!readOnly);
            if (readOnly) {
                try (Statement s = reached.createStatement()) {
                    assertThat(s.executeUpdate("INSERT INTO paths VALUES ('" + id + "', 0, inet_server_port())"))
                            .isEqualTo(1);
                }
                assertThat(PathsCluster.rowPorts(aurora, id)).as("%s: the write reached the writer once", path)
                        .containsExactly(aurora.port(aurora.primaryRegion()));
            } else {
                try (Statement s = reached.createStatement();
                     ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).as("%s: the read was served by the local reader", path)
                            .isEqualTo(aurora.port(PathsCluster.LOCAL));
                }
            }
        }
    }

    /**
     * Metadata follows the connection as statements do ("Statements follow the connection"): held across a re-route
     * (the read-only flag changed), it answers for the connection's current route, not for a physical connection
     * given back to its pool.
     */
    @Example
    void metadataHeldAcrossARerouteAnswersForTheConnectionsCurrentRoute() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getURL()).contains(":" + aurora.port(PathsCluster.LOCAL) + "/");
            c.setReadOnly(false);
            assertThat(md.getURL()).contains(":" + aurora.port(aurora.primaryRegion()) + "/");
            assertThat(md.getConnection()).isSameAs(c);
        }
    }
}
