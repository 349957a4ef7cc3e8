package dev.meridian.dynamodb.saga;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.internal.SettingRules;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One step of a {@link Saga}: an action, the compensation that undoes it, and optionally a timeout. Immutable.
 *
 * <p>The action runs at most once per saga (keyed {@code <saga>/<id>/<step>/do} through sdk-core's
 * {@code Idempotency}), whichever instance or region runs or resumes the saga; a run that crashed after the action
 * finished replays its recorded result instead of running it again. The compensation likewise (key
 * {@code .../undo}).
 *
 * <p><b>Timeouts.</b> An action still running after {@link Builder#timeout(Duration)} is interrupted and the step is
 * treated as failed: the saga compensates, <em>this step included</em>, because the action may still have been
 * applied (a request it sent may land after the interrupt). So a compensation must be idempotent and cope with an
 * action that never took effect; give the downstream service {@link SagaContext#effectKey(String)} so repeats are
 * harmless there too.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SagaStep {

    /** A step's action: does the work and returns its result (recorded in the saga log; {@code ""} for none). */
    @FunctionalInterface
    @API(status = EXPERIMENTAL, since = "0.1")
    public interface Action {
        /**
         * Runs the step. Throwing fails the step and starts compensation; an {@link Error} is treated as a crash
         * (the run stops and the saga is left for {@link Sagas#resume(String)}).
         */
        String run(SagaContext context);
    }

    /** A step's compensation: undoes what the action did. Must be idempotent (see the class Javadoc). */
    @FunctionalInterface
    @API(status = EXPERIMENTAL, since = "0.1")
    public interface Compensation {
        /** Undoes the step; throwing leaves the saga {@link SagaState#FAILED} for an operator. */
        void compensate(SagaContext context);

        /** A compensation for a step with nothing to undo (a read, a validation). */
        static Compensation none() {
            return context -> { };
        }
    }

    private final String name;
    private final Action action;
    private final Compensation compensation;
    private final @Nullable Duration timeout;

    private SagaStep(Builder b) {
        this.name = Objects.requireNonNull(b.name, "name");
        this.action = Objects.requireNonNull(b.action, "action");
        this.compensation = Objects.requireNonNull(b.compensation, "compensation");
        this.timeout = b.timeout;
    }

    /** A step named {@code name} with this action and compensation, no timeout. */
    public static SagaStep of(String name, Action action, Compensation compensation) {
        return builder(name).action(action).compensation(compensation).build();
    }

    /** A builder of a step named {@code name} (letters, digits, {@code -_.}; unique within its saga). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The step's name. */
    public String name() {
        return name;
    }

    /** The action. */
    public Action action() {
        return action;
    }

    /** The compensation. */
    public Compensation compensation() {
        return compensation;
    }

    /** How long the action may run before the step counts as failed; empty for no limit. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    @Override
    public String toString() {
        return "SagaStep[" + name + (timeout == null ? "" : ", timeout " + timeout) + "]";
    }

    /** Builder of a {@link SagaStep}; action and compensation are required. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private final String name;
        private @Nullable Action action;
        private @Nullable Compensation compensation;
        private @Nullable Duration timeout;

        private Builder(String name) {
            this.name = Saga.checkName(name, "SagaStep name");
        }

        /** What the step does (required). */
        public Builder action(Action action) {
            this.action = Objects.requireNonNull(action, "action");
            return this;
        }

        /** What undoes it (required; {@link Compensation#none()} for nothing). */
        public Builder compensation(Compensation compensation) {
            this.compensation = Objects.requireNonNull(compensation, "compensation");
            return this;
        }

        /** How long the action may run (see the class Javadoc); default no limit. */
        public Builder timeout(Duration timeout) {
            SettingRules.positive(timeout, "SagaStep '" + name + "' timeout", "pass a duration such as 5 s");
            this.timeout = timeout;
            return this;
        }

        /** Builds it. */
        public SagaStep build() {
            SettingRules.check(action != null, "SagaStep '" + name + "' action", "is required", null,
                    "pass what the step does with action(..)");
            SettingRules.check(compensation != null, "SagaStep '" + name + "' compensation", "is required", null,
                    "pass what undoes the step, or Compensation.none() when there is nothing to undo");
            return new SagaStep(this);
        }
    }
}
