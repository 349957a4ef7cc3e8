package dev.meridian.core;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Tells a region's breaker that the region answered as soon as any HTTP response of an attempt arrives (200, a 400
 * throttling, a 500: a region that answers is alive), inside the SDK's own retries, not only when the whole attempt
 * completes. That is what keeps a hedged read's loser from counting as a stall while the SDK backs off after a
 * throttled answer ({@link WatchedBreaker#heardSince}); a black-holed region sends nothing back and is still one.
 *
 * <p>It also tells the attempt whether the answer was a throttling error, judged by the SDK's own rule
 * ({@link SdkServiceException#isThrottlingException()} of the error the answer's status and error code make): an
 * attempt cancelled while the SDK backs off after such an answer is then recorded as throttled, as it would have been
 * had it completed. Only error answers are read for their error code (a small body, copied as it passes). It tells
 * the listener of each request about to be sent, too (the SDK's last hook before the bytes leave), which is how a
 * {@link ThrottleFence} knows what is in flight and refuses a resend once Meridian moved the write.
 *
 * <p>The executor names the {@link Listener} (an attempt, or a region's breaker) on the thread that calls the client
 * ({@link #listen}); this interceptor carries it from the request's start (which runs on that thread, for
 * asynchronous clients too) in the request's execution attributes to its responses, which may arrive on any thread.
 * It is stateless and shared by every client; {@link RegionalClientDefaults} installs it. A request made outside
 * Meridian's executor carries no listener and is left alone. A client built without it still works: its region is
 * heard only when an attempt completes.
 */
final class HeardAtTheWire implements ExecutionInterceptor {
    static final HeardAtTheWire INSTANCE = new HeardAtTheWire();

    private static final ExecutionAttribute<Listener> LISTENER = new ExecutionAttribute<>("MeridianHeardListener");
    private static final ThreadLocal<@Nullable Listener> CALLING = new ThreadLocal<>();

    /** Told of the answers one attempt's SDK call receives. */
    interface Listener {
        /**
         * A request of the call is about to be transmitted (each of the SDK's retries too); a listener that fenced
         * the call throws here, before anything leaves ({@link ThrottleFence}).
         */
        default void sending() {
        }

        /** An HTTP response arrived; whether it throttled is told next, if it did. */
        void heard();

        /** The last response was a throttling error: the SDK may back off and retry. */
        default void throttled(SdkServiceException throttling) {
        }
    }

    private HeardAtTheWire() {
    }

    /**
     * Names the listener of the current thread's next client calls (null: none), returning the one named before,
     * which the caller restores when its call returns.
     */
    static @Nullable Listener listen(@Nullable Listener listener) {
        Listener before = CALLING.get();
        CALLING.set(listener);
        return before;
    }

    /** The listener named on the current thread, to carry to the thread that will make the call. */
    static @Nullable Listener listening() {
        return CALLING.get();
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        Listener listener = CALLING.get();
        if (listener != null) {
            attributes.putAttribute(LISTENER, listener);
        }
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        Listener listener = attributes.getAttribute(LISTENER);
        if (listener != null) {
            listener.sending();
        }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        Listener listener = attributes.getAttribute(LISTENER);
        if (listener != null) {
            listener.heard();
        }
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
            ExecutionAttributes attributes) {
        Listener listener = attributes.getAttribute(LISTENER);
        Optional<InputStream> body = context.responseBody();
        SdkHttpResponse response = context.httpResponse();
        if (listener == null || response.isSuccessful() || body.isEmpty()) {
            return body;
        }
        return Optional.of(ErrorAnswers.judged(listener, response, body.get()));
    }

    @Override
    public Optional<Publisher<ByteBuffer>> modifyAsyncHttpResponseContent(Context.ModifyHttpResponse context,
            ExecutionAttributes attributes) {
        Listener listener = attributes.getAttribute(LISTENER);
        Optional<Publisher<ByteBuffer>> body = context.responsePublisher();
        SdkHttpResponse response = context.httpResponse();
        if (listener == null || response.isSuccessful() || body.isEmpty()) {
            return body;
        }
        return Optional.of(ErrorAnswers.judged(listener, response, body.get()));
    }

    /** Tells the listener of a throttling answer, by the SDK's rule on the answer's status and error code. */
    static void judge(Listener listener, SdkHttpResponse response, byte[] body, int length) {
        ErrorAnswers.judge(listener, response, body, length);
    }
}
