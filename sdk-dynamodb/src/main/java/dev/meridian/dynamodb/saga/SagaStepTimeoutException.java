package dev.meridian.dynamodb.saga;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.exception.MeridianException;
import java.time.Duration;
import org.apiguardian.api.API;

/**
 * A step's action ran longer than its {@link SagaStep.Builder#timeout(Duration) timeout} and was interrupted. The
 * saga treats the step as failed and compensates it too: the action may still have been applied. Recorded (by
 * class name) as the saga's {@link SagaResult#failure() failure}.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SagaStepTimeoutException extends MeridianException {
    private static final long serialVersionUID = 1L;

    SagaStepTimeoutException(String message) {
        super(message);
    }
}
