package dev.meridian.aurora.datasource;

import java.sql.Connection;
import java.util.Objects;

/**
 * A physical connection bound to a logical one, with where it came from and what it was taken for.
 *
 * @param endpoint the pool it came from
 * @param connection the pooled physical connection
 * @param forRead whether it was taken for a read-only connection (a writer may serve reads as a fallback)
 */
record Binding(Endpoint endpoint, Connection connection, boolean forRead) {
    Binding {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(connection, "connection");
    }

    Role role() {
        return endpoint.role();
    }

    /**
     * Whether this binding can keep serving a connection whose read-only flag is now {@code readOnly}: a binding
     * serves the intent it was taken for, and a writer also serves writes after having served reads. A writer taken
     * for writes is not reused for reads, so that reads move to the local reader.
     */
    boolean serves(boolean readOnly) {
        return readOnly == forRead || (!readOnly && endpoint.role() == Role.WRITER);
    }
}
