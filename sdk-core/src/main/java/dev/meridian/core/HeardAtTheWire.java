package dev.meridian.core;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
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
 * had it completed. Only error answers are read for their error code (a small body, copied as it passes).
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
    /** Error bodies are small; an error code is found within this many bytes or not at all. */
    private static final int BODY_PEEK = 4096;
    /** The header the AWS JSON protocols may name the error in, before the body does. */
    private static final String ERROR_TYPE_HEADER = "x-amzn-ErrorType";

    /** Told of the answers one attempt's SDK call receives. */
    interface Listener {
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
        byte[] bytes;
        try (InputStream in = body.get()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        judge(listener, response, bytes, Math.min(bytes.length, BODY_PEEK));
        return Optional.of(new ByteArrayInputStream(bytes));
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
        Publisher<ByteBuffer> upstream = body.get();
        return Optional.of(subscriber -> upstream.subscribe(new Peek(subscriber, listener, response)));
    }

    /** Tells the listener of a throttling answer, by the SDK's rule on the answer's status and error code. */
    static void judge(Listener listener, SdkHttpResponse response, byte[] body, int length) {
        String code = errorCode(response, body, length);
        AwsServiceException.Builder error = AwsServiceException.builder().statusCode(response.statusCode())
                .message("Throttled at the wire (" + (code == null ? response.statusCode() : code) + ")");
        if (code != null) {
            error.awsErrorDetails(AwsErrorDetails.builder().errorCode(code).sdkHttpResponse(response).build());
        }
        SdkServiceException throttling = error.build();
        if (throttling.isThrottlingException()) {
            listener.throttled(throttling);
        }
    }

    /** The error code an error answer names (header first, as the SDK's JSON parser reads it), or null. */
    static @Nullable String errorCode(SdkHttpResponse response, byte[] body, int length) {
        Optional<String> header = response.firstMatchingHeader(ERROR_TYPE_HEADER);
        if (header.isPresent()) {
            String h = header.get();
            int colon = h.indexOf(':');
            return colon < 0 ? h : h.substring(0, colon);
        }
        Matcher m = ErrorCodes.PATTERN.matcher(new String(body, 0, length, StandardCharsets.UTF_8));
        if (!m.find()) {
            return null;
        }
        String code = m.group(1) != null ? m.group(1) : m.group(2);
        // DynamoDB's __type is "com.amazonaws.dynamodb.v20120810#ThrottlingException".
        return code.substring(code.lastIndexOf('#') + 1);
    }

    /** Compiled on the first error body read, not when the first client is built (a cold start has no error). */
    private static final class ErrorCodes {
        /** The error code of AWS JSON ({@code __type}, {@code code}) and XML ({@code <Code>}) error bodies. */
        static final Pattern PATTERN = Pattern.compile(
                "\"(?:__type|code)\"\\s*:\\s*\"([^\"]*)\"|<Code>([^<]*)</Code>");
    }

    /** Passes an error answer's body on unchanged, keeping a copy of its start to judge when it is complete. */
    private static final class Peek implements Subscriber<ByteBuffer> {
        private final Subscriber<? super ByteBuffer> downstream;
        private final Listener listener;
        private final SdkHttpResponse response;
        private byte[] seen = new byte[256];
        private int length;

        Peek(Subscriber<? super ByteBuffer> downstream, Listener listener, SdkHttpResponse response) {
            this.downstream = downstream;
            this.listener = listener;
            this.response = response;
        }

        @Override
        public void onSubscribe(Subscription s) {
            downstream.onSubscribe(s);
        }

        @Override
        public void onNext(ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            int n = Math.min(copy.remaining(), BODY_PEEK - length);
            if (n > 0) {
                if (length + n > seen.length) {
                    seen = Arrays.copyOf(seen, Math.min(BODY_PEEK, Math.max(2 * seen.length, length + n)));
                }
                copy.get(seen, length, n);
                length += n;
            }
            downstream.onNext(buffer);
        }

        @Override
        public void onError(Throwable t) {
            downstream.onError(t);
        }

        @Override
        public void onComplete() {
            // Before the SDK sees the end of the body: the attempt knows it was throttled before any back-off starts.
            judge(listener, response, seen, length);
            downstream.onComplete();
        }
    }
}
