package dev.meridian.aurora.datasource;

import static org.apiguardian.api.API.Status.STABLE;

import java.sql.SQLTransientConnectionException;
import java.util.Objects;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * No connection to the writer was attempted because the writer region's circuit breaker
 * ({@code RegionHealth.circuitBreaker(region, "aurora-writer")}) is open after repeated connection failures: the call
 * fails at once instead of waiting for the pool's {@code connectionTimeout}.
 *
 * <p>Nothing was sent to the database. SQLState {@value #SQL_STATE} (unable to establish a connection), which Spring
 * translates to a transient resource failure. The breaker lets trial connections through after its
 * {@code waitInOpenState}; a writer that moved to another region in the meantime is used as soon as the discovery
 * reports it (background refresh or {@link RoutingDataSource#refreshTopology()}). The cause is Resilience4j's
 * {@code CallNotPermittedException}.
 */
@API(status = STABLE, since = "0.1")
public class WriterUnavailableException extends SQLTransientConnectionException {
    private static final long serialVersionUID = 1L;

    /** The SQLState of this exception. */
    public static final String SQL_STATE = "08001";

    private final transient Region region;

    public WriterUnavailableException(Region region, String reason, Throwable cause) {
        super(reason, SQL_STATE, cause);
        this.region = Objects.requireNonNull(region, "region");
    }

    /** The region of the writer that was not tried. */
    public Region region() {
        return region;
    }
}
