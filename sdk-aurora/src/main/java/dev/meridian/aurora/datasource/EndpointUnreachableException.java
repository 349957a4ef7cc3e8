package dev.meridian.aurora.datasource;

import java.net.ConnectException;
import java.sql.SQLException;

/**
 * What a reader or writer breaker records when an endpoint could not give a working connection.
 *
 * <p>The breakers of {@code RegionHealth} count only failures the runtime's {@code FailureClassifier} calls regional,
 * and the default AWS classifier calls every {@link SQLException} a caller error (so recording the driver's exception
 * as is would count as a success). A refused or broken connection is regional by nature; recording it as a
 * {@link ConnectException}, with the driver's exception as cause, makes every classifier that treats a refused
 * connection as regional (as {@code FailureClassifier.aws()} does) count it. Never thrown to callers.
 */
final class EndpointUnreachableException extends ConnectException {
    private static final long serialVersionUID = 1L;

    EndpointUnreachableException(Endpoint endpoint, SQLException cause) {
        super(endpoint + " unreachable: " + cause.getMessage());
        initCause(cause);
    }
}
