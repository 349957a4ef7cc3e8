package dev.meridian.dynamodb.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import com.amazonaws.services.lambda.runtime.Context;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.ResultCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.apiguardian.api.API;

/**
 * Idempotency inside an AWS Lambda invocation: the in-progress claim lasts exactly as long as the invocation may
 * still run ({@link Context#getRemainingTimeInMillis()}), so a retry after a timed-out or crashed invocation can take
 * the key over as soon as the first one is certainly dead — no guessed timeout. Needs
 * {@code com.amazonaws:aws-lambda-java-core} (an optional dependency of this module) on the classpath.
 *
 * <p>Stateless and thread-safe; everything {@link Idempotency#execute} throws (the supplier's failure, an
 * in-progress, key-reuse or result-not-stored refusal) propagates unchanged. A failure that may have applied the
 * operation (e.g. a downstream timeout) keeps the claim for the rest of the invocation's time, so a retry inside it is
 * refused rather than run twice.
 */
@API(status = STABLE, since = "0.1")
public final class LambdaIdempotency {

    private LambdaIdempotency() {
    }

    /** The invocation's remaining time (at least 1 ms), the in-progress timeout to use. */
    public static Duration remainingTime(Context context) {
        Objects.requireNonNull(context, "context");
        return Duration.ofMillis(Math.max(1, context.getRemainingTimeInMillis()));
    }

    /** {@link Idempotency#execute(String, byte[], Duration, Supplier, ResultCodec)} with the invocation's time. */
    public static <T> T execute(Idempotency idempotency, Context context, String key, byte[] payload,
            Supplier<T> supplier, ResultCodec<T> codec) {
        Objects.requireNonNull(idempotency, "idempotency");
        return idempotency.execute(key, payload, remainingTime(context), supplier, codec);
    }

    /** Like {@link #execute(Idempotency, Context, String, byte[], Supplier, ResultCodec)} for a String payload. */
    public static <T> T execute(Idempotency idempotency, Context context, String key, String payload,
            Supplier<T> supplier, ResultCodec<T> codec) {
        Objects.requireNonNull(payload, "payload");
        return execute(idempotency, context, key, payload.getBytes(StandardCharsets.UTF_8),
                supplier, codec);
    }
}
