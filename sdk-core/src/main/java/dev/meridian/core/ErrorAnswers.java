package dev.meridian.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * How {@link HeardAtTheWire} reads an error answer for a throttling error. Loaded by the first error answer a
 * listened-to attempt receives, not by a client's first successful call: kept off the first read (cold start).
 */
final class ErrorAnswers {
    /** Error bodies are small; an error code is found within this many bytes or not at all. */
    private static final int BODY_PEEK = 4096;
    /** The header the AWS JSON protocols may name the error in, before the body does. */
    private static final String ERROR_TYPE_HEADER = "x-amzn-ErrorType";

    private ErrorAnswers() {
    }

    /**
     * A synchronous error answer's body, read whole and judged, to be passed on unchanged. An answer that breaks off
     * while it is read is passed on as it came, its failure included: the SDK meets that failure when it reads the
     * body, as it would without this interceptor (and retries or reports it as its own I/O failure), and an answer
     * never whole is judged nothing.
     */
    static InputStream judged(HeardAtTheWire.Listener listener, SdkHttpResponse response, InputStream body) {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        try (InputStream in = body) {
            in.transferTo(read);
        } catch (IOException e) {
            return new BrokenOff(read.toByteArray(), e);
        }
        byte[] bytes = read.toByteArray();
        judge(listener, response, bytes, Math.min(bytes.length, BODY_PEEK));
        return new ByteArrayInputStream(bytes);
    }

    /** The part of an answer that arrived, then the failure that broke it off. */
    private static final class BrokenOff extends InputStream {
        private final ByteArrayInputStream arrived;
        private final IOException failure;

        BrokenOff(byte[] arrived, IOException failure) {
            this.arrived = new ByteArrayInputStream(arrived);
            this.failure = failure;
        }

        @Override
        public int read() throws IOException {
            int b = arrived.read();
            if (b < 0) {
                throw failure;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int n = arrived.read(buffer, offset, length);
            if (n < 0) {
                throw failure;
            }
            return n;
        }
    }

    /** An asynchronous error answer's body, judged when it is complete, passed on unchanged. */
    static Publisher<ByteBuffer> judged(HeardAtTheWire.Listener listener, SdkHttpResponse response,
            Publisher<ByteBuffer> upstream) {
        return subscriber -> upstream.subscribe(new Peek(subscriber, listener, response));
    }

    /** Tells the listener of a throttling answer, by the SDK's rule on the answer's status and error code. */
    static void judge(HeardAtTheWire.Listener listener, SdkHttpResponse response, byte[] body, int length) {
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
        private final HeardAtTheWire.Listener listener;
        private final SdkHttpResponse response;
        private byte[] seen = new byte[256];
        private int length;

        Peek(Subscriber<? super ByteBuffer> downstream, HeardAtTheWire.Listener listener, SdkHttpResponse response) {
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
