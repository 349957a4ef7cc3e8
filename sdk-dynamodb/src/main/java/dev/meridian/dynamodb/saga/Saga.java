package dev.meridian.dynamodb.saga;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * The definition of a saga: a name, ordered {@link SagaStep steps} (each an action and a compensation) and optionally
 * the data class of what it handles. Immutable; register it with {@link Sagas.Builder#saga(Saga)} on every instance
 * that may run or resume it (the log names the definition, not its code).
 *
 * <pre>{@code
 * Saga order = Saga.builder("order")
 *         .dataClass(DataClass.RESTRICTED)
 *         .step("reserve", ctx -> inventory.reserve(ctx.input()), ctx -> inventory.release(ctx.result("reserve").orElseThrow()))
 *         .step(SagaStep.builder("charge").action(ctx -> payments.charge(ctx.input(), ctx.effectKey("do")))
 *                 .compensation(ctx -> payments.refund(ctx.input(), ctx.effectKey("undo")))
 *                 .timeout(Duration.ofSeconds(10)).build())
 *         .build();
 * }</pre>
 *
 * <p><b>Data class.</b> When set, every run of the saga — its log writes, its idempotency records and the steps'
 * own routed calls — runs under a {@code RoutingContext} with this data class (and the subject of the context that
 * started it), so residency decides where its log may be written: a RESTRICTED saga's log is refused in a table that
 * replicates outside the subject's jurisdiction. When not set, the context current at start applies.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Saga {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private final String name;
    private final List<SagaStep> steps;
    private final @Nullable DataClass dataClass;

    private Saga(Builder b) {
        this.name = b.name;
        this.steps = List.copyOf(b.steps);
        this.dataClass = b.dataClass;
    }

    /** A builder of the saga named {@code name} (letters, digits, {@code -_.}, at most 64). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The saga's name, recorded in its log. */
    public String name() {
        return name;
    }

    /** The steps, in the order they run. */
    public List<SagaStep> steps() {
        return steps;
    }

    /** The data class its runs use, if declared. */
    public Optional<DataClass> dataClass() {
        return Optional.ofNullable(dataClass);
    }

    @Override
    public String toString() {
        return "Saga[" + name + ", steps " + steps.stream().map(SagaStep::name).toList() + "]";
    }

    static String checkName(@Nullable String name, String setting) {
        String checked = SettingRules.required(name, setting, "name it with letters, digits, '-', '_' or '.'");
        SettingRules.check(NAME.matcher(checked).matches(), setting, "must be 1 to 64 letters, digits, '-', '_' or '.'",
                SettingRules.quoted(checked), "rename it, e.g. 'reserve-stock'");
        return checked;
    }

    /** Builder of a {@link Saga}; at least one step is required. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private final String name;
        private final List<SagaStep> steps = new ArrayList<>();
        private final Set<String> stepNames = new HashSet<>();
        private @Nullable DataClass dataClass;

        private Builder(String name) {
            this.name = checkName(name, "Saga name");
        }

        /** Appends a step. */
        public Builder step(SagaStep step) {
            Objects.requireNonNull(step, "step");
            SettingRules.check(stepNames.add(step.name()), "Saga '" + name + "' step name", "must be unique",
                    SettingRules.quoted(step.name()), "give each step of the saga its own name");
            steps.add(step);
            return this;
        }

        /** Appends a step with this action and compensation, no timeout. */
        public Builder step(String stepName, SagaStep.Action action, SagaStep.Compensation compensation) {
            return step(SagaStep.of(stepName, action, compensation));
        }

        /** The data class of what the saga handles (see the class Javadoc). */
        public Builder dataClass(DataClass dataClass) {
            this.dataClass = Objects.requireNonNull(dataClass, "dataClass");
            return this;
        }

        /**
         * Builds it.
         *
         * @throws IllegalArgumentException when there is no step, or the steps would not fit in the saga's log item
         *         (one DynamoDB item, 400 KB) beside the largest id and input
         */
        public Saga build() {
            SettingRules.check(!steps.isEmpty(), "Saga '" + name + "' steps", "must have at least one step", 0,
                    "add steps with step(..)");
            Saga saga = new Saga(this);
            // The id and input are strings of the item, counted by their UTF-8 bytes: added at their largest, not built.
            int bound = SagaLog.itemBytesBound(SagaRecord.started("", saga, "", DataClass.RESTRICTED.name(), "XX",
                    Instant.EPOCH)) + Sagas.MAX_ID_BYTES + Sagas.MAX_INPUT_BYTES;
            // Refused here, not at start: a definition too large for the log item could never log a single run.
            SettingRules.check(bound <= SagaLog.MAX_ITEM_BYTES, "Saga '" + name + "' steps",
                    "must fit in the saga's log item (DynamoDB's " + SagaLog.MAX_ITEM_BYTES + " bytes) beside the"
                            + " largest id and input, with every step at its longest status",
                    steps.size() + " steps needing up to " + bound + " bytes",
                    "use fewer steps or shorter step names, or split the saga into sagas that start each other");
            return saga;
        }
    }
}
