package dev.meridian.dynamodb.saga;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A saga as its log records it after a run: its state, each step's status and result, and why it failed, if it did.
 * Immutable.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SagaResult {
    private final String id;
    private final String sagaName;
    private final SagaState state;
    private final Map<String, SagaStepStatus> steps;
    private final Map<String, String> results;
    private final @Nullable String failure;

    SagaResult(String id, String sagaName, SagaState state, Map<String, SagaStepStatus> steps,
            Map<String, String> results, @Nullable String failure) {
        this.id = id;
        this.sagaName = sagaName;
        this.state = state;
        this.steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
        this.results = Map.copyOf(results);
        this.failure = failure;
    }

    /** The saga's id. */
    public String id() {
        return id;
    }

    /** The name of its definition. */
    public String sagaName() {
        return sagaName;
    }

    /** Its state. */
    public SagaState state() {
        return state;
    }

    /** Each step's status, in step order. */
    public Map<String, SagaStepStatus> steps() {
        return steps;
    }

    /** The results of the steps whose action ran, by step name. */
    public Map<String, String> results() {
        return results;
    }

    /**
     * Why the saga compensated or failed: the step and the exception's class (never its message, which may carry a
     * payload); empty when it did not.
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String toString() {
        return "SagaResult[" + sagaName + "/" + id + ", " + state + ", " + steps
                + (failure == null ? "" : ", failure: " + failure) + "]";
    }
}
