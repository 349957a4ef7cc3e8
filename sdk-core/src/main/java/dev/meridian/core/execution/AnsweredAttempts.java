package dev.meridian.core.execution;

import static org.apiguardian.api.API.Status.INTERNAL;

import org.apiguardian.api.API;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Keeps an SDK call's retry from hiding that an earlier attempt of it may have been applied. The SDK retries inside a
 * region and throws only the last attempt's failure: an answer cut short after the service applied the write (its
 * status and headers arrived, then the connection closed), retried and then throttled or answered HTTP 503, ends as the
 * throttling or the 503, which alone proves the call was not applied ({@code REGIONAL_NOT_APPLIED}) and would move an
 * unguarded write to another region: applied twice. This interceptor remembers that an attempt was answered with a
 * status after which the request may have been applied (2xx, 408, 5xx but 503) and, when a later attempt fails the
 * call, adds a note ({@code MayHaveBeenApplied}) to the failure's suppressed exceptions; {@link FailureClassifier#aws()} then
 * takes a failure it would have called {@code REGIONAL_NOT_APPLIED} as {@code REGIONAL_MAYBE_APPLIED}. The failure the
 * application sees keeps its type and message.
 *
 * <p>Stateless and shared; {@code RegionalClientDefaults} installs it beside its response interceptor. A call whose
 * attempts were not answered (timeouts, resets before any status: indistinguishable here from a refused connect) is
 * left to the classifier as it is. One execution attribute is set per call answered with a 2xx, another per retry
 * after such an answer.
 */
@API(status = INTERNAL, since = "0.1")
public final class AnsweredAttempts implements ExecutionInterceptor {
    /** The one instance, for {@code RegionalClientDefaults}. */
    public static final AnsweredAttempts INSTANCE = new AnsweredAttempts();

    private static final ExecutionAttribute<Boolean> ANSWERED = new ExecutionAttribute<>("MeridianAnsweredAttempt");
    private static final ExecutionAttribute<Boolean> RETRIED_AFTER_ANSWER =
            new ExecutionAttribute<>("MeridianRetriedAfterAnswer");

    private AnsweredAttempts() {
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (attributes.getAttribute(ANSWERED) != null && attributes.getAttribute(RETRIED_AFTER_ANSWER) == null) {
            attributes.putAttribute(RETRIED_AFTER_ANSWER, Boolean.TRUE);
        }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        if (mayHaveApplied(context.httpResponse().statusCode()) && attributes.getAttribute(ANSWERED) == null) {
            attributes.putAttribute(ANSWERED, Boolean.TRUE);
        }
    }

    @Override
    public Throwable modifyException(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable failure = context.exception();
        if (attributes.getAttribute(RETRIED_AFTER_ANSWER) != null && !marked(failure)) {
            failure.addSuppressed(new MayHaveBeenApplied());
        }
        return failure;
    }

    /** Whether an earlier attempt of the SDK call that failed with {@code failure} was answered as possibly applied. */
    static boolean marked(Throwable failure) {
        for (Throwable suppressed : failure.getSuppressed()) {
            if (suppressed instanceof MayHaveBeenApplied) {
                return true;
            }
        }
        return false;
    }

    /** The statuses {@link AwsFailureRules} does not take as proof that nothing was applied. */
    private static boolean mayHaveApplied(int status) {
        return (status >= 200 && status < 300) || status == 408 || (status >= 500 && status != 503);
    }

    /** The note on a failure that an earlier attempt of its call may have been applied. */
    private static final class MayHaveBeenApplied extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MayHaveBeenApplied() {
            super("An earlier attempt of this call was answered and may have been applied; the SDK retried it", null,
                    false, false);
        }
    }
}
