package dev.meridian.dynamodb.saga;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * What a step's action or compensation sees: the saga's id, its input and the results of the steps that ran before
 * (a compensation also sees its own step's result, when the action returned one). Results and input are strings:
 * keep them small (ids, references, a short JSON document) — they live in one DynamoDB item of at most 400 KB.
 * Immutable.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SagaContext {
    private final String sagaId;
    private final String sagaName;
    private final String stepName;
    private final String input;
    private final Map<String, String> results;

    SagaContext(String sagaId, String sagaName, String stepName, String input, Map<String, String> results) {
        this.sagaId = sagaId;
        this.sagaName = sagaName;
        this.stepName = stepName;
        this.input = input;
        this.results = Map.copyOf(results);
    }

    /** The saga's id (one saga log item, homed by this id). */
    public String sagaId() {
        return sagaId;
    }

    /** The name of the saga definition. */
    public String sagaName() {
        return sagaName;
    }

    /** The step this action or compensation belongs to. */
    public String stepName() {
        return stepName;
    }

    /** The input the saga was started with. */
    public String input() {
        return input;
    }

    /** The result of step {@code step}, if it ran and returned one. */
    public Optional<String> result(String step) {
        return Optional.ofNullable(results.get(Objects.requireNonNull(step, "step")));
    }

    /** The results of the steps that ran, by step name. */
    public Map<String, String> results() {
        return results;
    }

    /**
     * A key for this step's own side effect, unique per saga, step and direction ({@code do} / {@code undo}): give it
     * to the downstream service (an idempotency key, a conditional write's id) so that an action or compensation
     * repeated after a timeout cannot apply twice there.
     */
    public String effectKey(String direction) {
        return sagaName + "/" + sagaId + "/" + stepName + "/" + Objects.requireNonNull(direction, "direction");
    }

    @Override
    public String toString() {
        // No input or results: they may be payloads.
        return "SagaContext[" + sagaName + "/" + sagaId + ", step " + stepName + "]";
    }
}
