package dev.meridian.aurora.datasource;

import dev.meridian.core.routing.RoutingContext;
import java.sql.SQLException;
import software.amazon.awssdk.regions.Region;

/** What a {@link LogicalConnection} needs from the data source: where to get physical connections and where to return them. */
interface PhysicalConnections {

    /** A connection for a read-only logical connection: a reader by plan, else the writer (residency permitting). */
    Binding bindRead(RoutingContext context) throws SQLException;

    /** A connection to the current writer (RESTRICTED writes need the whole footprint inside the jurisdiction). */
    Binding bindWrite(RoutingContext context) throws SQLException;

    /**
     * Re-checks residency for a binding kept across statements, against {@code context}, the context current when the
     * next statement runs (it may differ from the one the binding was chosen under): for a write, the global cluster's
     * footprint; for a read, the bound region. Sends nothing.
     *
     * @throws dev.meridian.core.residency.ResidencyViolationException when residency forbids the binding for
     *         {@code context}
     */
    void checkResidency(Binding binding, boolean readOnly, RoutingContext context);

    /**
     * Looks the writer up again after {@code failed} refused a write or failed.
     *
     * @return whether the writer is now a different endpoint than the one {@code failed} is bound to
     */
    boolean writerMoved(Binding failed);

    /**
     * A statement's connection failed: counts against the endpoint's breaker, retires the pool's idle connections and,
     * for the writer, refreshes the topology.
     */
    void connectionFailed(Binding binding, SQLException failure);

    /**
     * Remembers a write committed on the writer in {@code writerRegion}, for read-your-writes routing and in the
     * context's session (its token).
     */
    void recordWrite(RoutingContext context, Region writerRegion);

    /** Returns a physical connection to its pool, or evicts it when it must not be reused. Never throws. */
    void release(Binding binding, boolean evict);
}
