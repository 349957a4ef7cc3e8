package dev.meridian.core.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * An asynchronous call handed to {@link MultiRegionSpi#callAsync}: applied to a region, it starts an attempt there and
 * returns the attempt's own future (cancelling it cancels the attempt); the runtime tells it each attempt's outcome
 * and, once, the answer its caller gets, so that no stage is chained per attempt or per call to learn them.
 *
 * @param <T> the result type
 */
@API(status = INTERNAL, since = "0.1")
public interface AnsweredCall<T> extends Function<Region, CompletableFuture<T>> {
    /**
     * The attempt in {@code region} completed, with {@code failure} (as the attempt's future completed with it, maybe
     * wrapped) or successfully (null); told for every attempt, a hedge's loser too, on the thread that completed it,
     * before the runtime acts on it.
     */
    void attempted(Region region, @Nullable Throwable failure);

    /**
     * The call is answered with {@code value}, the result of its attempt in {@code region}: told once, for the attempt
     * whose success completes the call (a hedge's loser that answers later is never told), before the caller's
     * future completes. What it throws fails the call instead.
     */
    void answered(Region region, T value);
}
