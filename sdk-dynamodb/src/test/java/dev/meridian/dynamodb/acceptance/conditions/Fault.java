package dev.meridian.dynamodb.acceptance.conditions;

import dev.meridian.testkit.RegionFaults;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The failures sdk-testkit's README says its fault proxy makes and an AWS SDK client really throws, each with what
 * docs/exactly-once.md says it proves: nothing was applied ({@code REGIONAL_NOT_APPLIED}) or the write may have been
 * applied ({@code REGIONAL_MAYBE_APPLIED}). {@link #ANSWER_LOST} forwards the request at once and holds the answer
 * past every attempt budget of the tests' clients ({@link Lost#AFTER}); {@link #CUT_ANSWER} and
 * {@link #CUT_CHUNKED_ANSWER} forward it too (it is applied) and cut its answer cleanly mid-body ({@code CleanCutAnswerIT}).
 */
enum Fault {
    REFUSED(true, RegionFaults::down),
    HTTP_503(true, f -> f.status(503)),
    THROTTLING(true, RegionFaults::throttle),
    PROVISIONED_THROUGHPUT_EXCEEDED(true, f -> f.throttle("ProvisionedThroughputExceededException")),
    REQUEST_LIMIT_EXCEEDED(true, f -> f.throttle("RequestLimitExceeded")),
    HTTP_500(false, f -> f.status(500)),
    HTTP_502(false, f -> f.status(502)),
    RESET_MID_RESPONSE(false, RegionFaults::resetMidResponse),
    CUT_ANSWER(false, RegionFaults::cutAnswer),
    CUT_CHUNKED_ANSWER(false, RegionFaults::cutChunkedAnswer),
    ANSWER_LOST(false, f -> f.latency(Lost.AFTER)),
    BLACK_HOLE(false, RegionFaults::blackhole);

    private final boolean provesNotApplied;
    private final Consumer<RegionFaults> inject;

    Fault(boolean provesNotApplied, Consumer<RegionFaults> inject) {
        this.provesNotApplied = provesNotApplied;
        this.inject = inject;
    }

    /** The faults that prove the call was not applied: a write may move after them. */
    static List<Fault> notApplied() {
        return Arrays.stream(values()).filter(Fault::provesNotApplied).toList();
    }

    /** The faults after which the call may have been applied: a write must not move after them. */
    static List<Fault> maybeApplied() {
        return Arrays.stream(values()).filter(f -> !f.provesNotApplied()).toList();
    }

    /** The faults that apply the call and cut its answer cleanly mid-body. */
    static List<Fault> cuts() {
        return Arrays.stream(values()).filter(Fault::cutsAnAppliedAnswer).toList();
    }

    boolean provesNotApplied() {
        return provesNotApplied;
    }

    /** Whether the call reaches DynamoDB Local and only its answer is cut: a write is applied, and the client told so. */
    boolean cutsAnAppliedAnswer() {
        return this == CUT_ANSWER || this == CUT_CHUNKED_ANSWER;
    }

    /** Whether the client waits out its attempt budget (the call is slow, not refused). */
    boolean waitsOutTheAttempt() {
        return this == ANSWER_LOST || this == BLACK_HOLE;
    }

    /**
     * The testkit's cut answer (200 headers, a malformed chunk, close) is a success with an empty response to the AWS
     * SDK's Netty client: it is no failure Meridian could see ({@code NettyCutAnswerIT}).
     */
    boolean answersNettyWithSuccess(HttpClientKind http) {
        return this == RESET_MID_RESPONSE && http == HttpClientKind.NETTY_ASYNC;
    }

    void inject(RegionFaults faults) {
        inject.accept(faults);
    }

    /** How long a lost answer is held: longer than the attempt budget of every client these tests build. */
    static final class Lost {
        static final Duration AFTER = Duration.ofMillis(2_500);

        private Lost() {
        }
    }
}
