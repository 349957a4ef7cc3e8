package dev.meridian.dynamodb.saga;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One saga log item in memory: what a run read or last wrote. Mutable, owned by one run (not thread-safe); every
 * change reaches the log through one conditional write that advances {@link #version}.
 */
final class SagaRecord {
    final String id;
    final String sagaName;
    final String input;
    final @Nullable String dataClass;
    final @Nullable String subjectCountry;
    final Instant created;
    /** Step names in order, with their status and result. */
    final List<String> stepNames;
    final Map<String, SagaStepStatus> statuses;
    final Map<String, String> results;
    SagaState state;
    @Nullable String failure;
    @Nullable String owner;
    @Nullable Instant leaseUntil;
    long version;
    Instant updated;

    SagaRecord(String id, String sagaName, String input, @Nullable String dataClass, @Nullable String subjectCountry,
            Instant created, List<String> stepNames, Map<String, SagaStepStatus> statuses, Map<String, String> results,
            SagaState state, long version, Instant updated) {
        this.id = id;
        this.sagaName = sagaName;
        this.input = input;
        this.dataClass = dataClass;
        this.subjectCountry = subjectCountry;
        this.created = created;
        this.stepNames = List.copyOf(stepNames);
        this.statuses = new HashMap<>(statuses);
        this.results = new HashMap<>(results);
        this.state = state;
        this.version = version;
        this.updated = updated;
    }

    /** A new saga of {@code saga}, every step pending, version 1. */
    static SagaRecord started(String id, Saga saga, String input, @Nullable String dataClass,
            @Nullable String subjectCountry, Instant now) {
        List<String> names = saga.steps().stream().map(SagaStep::name).toList();
        Map<String, SagaStepStatus> statuses = new HashMap<>();
        names.forEach(n -> statuses.put(n, SagaStepStatus.PENDING));
        return new SagaRecord(id, saga.name(), input, dataClass, subjectCountry, now, names, statuses, Map.of(),
                SagaState.RUNNING, 1, now);
    }

    SagaStepStatus status(String step) {
        return Objects.requireNonNull(statuses.get(step), step);
    }

    /** The index of the first step still pending, or -1. */
    int firstPending() {
        for (int i = 0; i < stepNames.size(); i++) {
            if (status(stepNames.get(i)) == SagaStepStatus.PENDING) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the last step whose effect must still be compensated, or -1. */
    int lastToCompensate() {
        for (int i = stepNames.size() - 1; i >= 0; i--) {
            if (status(stepNames.get(i)).needsCompensation()) {
                return i;
            }
        }
        return -1;
    }

    void leasedTo(@Nullable String owner, @Nullable Instant leaseUntil) {
        this.owner = owner;
        this.leaseUntil = leaseUntil;
    }

    boolean leaseLive(Instant now) {
        Instant until = leaseUntil;
        return owner != null && until != null && until.isAfter(now);
    }

    SagaResult toResult() {
        Map<String, SagaStepStatus> ordered = new LinkedHashMap<>();
        stepNames.forEach(n -> ordered.put(n, status(n)));
        return new SagaResult(id, sagaName, state, ordered, results, failure);
    }

    /** Whether the stored steps are the definition's (a definition changed under a running saga is not resumed). */
    boolean matches(Saga saga) {
        return saga.name().equals(sagaName)
                && new ArrayList<>(stepNames).equals(saga.steps().stream().map(SagaStep::name).toList());
    }
}
