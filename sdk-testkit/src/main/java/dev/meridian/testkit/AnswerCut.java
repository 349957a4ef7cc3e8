package dev.meridian.testkit;

import java.nio.ByteBuffer;
import java.util.Locale;
import wiremock.org.eclipse.jetty.io.EndPoint;
import wiremock.org.eclipse.jetty.server.Connector;
import wiremock.org.eclipse.jetty.server.HttpConfiguration;
import wiremock.org.eclipse.jetty.server.HttpOutput;
import wiremock.org.eclipse.jetty.server.Request;
import wiremock.org.eclipse.jetty.server.Response;
import wiremock.org.eclipse.jetty.util.Callback;

/**
 * Cuts an answer cleanly mid-body: its real status and headers and the first half of its body go out, then the
 * connection is closed with a FIN (no reset, no corrupt byte), as when a connection ends before the whole answer
 * arrived. WireMock has no such fault, so this hooks into its Jetty server (a {@link HttpConfiguration.Customizer}
 * that puts an output interceptor in front of every answer); an answer is cut when its stub marks it with
 * {@link #MARK}, which never leaves the proxy.
 *
 * <p>The body's length is the declared {@code Content-Length}, else the first piece WireMock flushes (its whole body for
 * answers below Jetty's aggregation size, 8 KiB: every DynamoDB answer of the tests).
 */
final class AnswerCut implements HttpConfiguration.Customizer {

    /** The response header by which a stub asks for its answer to be cut; its value is a {@link Framing}. */
    static final String MARK = "X-Meridian-Cut-Answer";

    /** How the cut answer says how long its body is. */
    enum Framing {
        /** {@code Content-Length} of the whole body; fewer bytes arrive. */
        CONTENT_LENGTH,
        /** {@code Transfer-Encoding: chunked}; one chunk with part of the body arrives, never the last (empty) one. */
        CHUNKED;

        String mark() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Override
    public void customize(Connector connector, HttpConfiguration configuration, Request request) {
        HttpOutput output = request.getResponse().getHttpOutput();
        output.setInterceptor(new Cutter(output.getInterceptor(), request));
    }

    /** One answer's output: passes it on unless it is marked, then lets half its body out and closes. */
    private static final class Cutter implements HttpOutput.Interceptor {
        private final HttpOutput.Interceptor next;
        private final Request request;
        /** Bytes of body still to let out before the cut; negative while the answer is not (yet) known to be cut. */
        private long toLetOut = -1;
        private boolean cut;

        Cutter(HttpOutput.Interceptor next, Request request) {
            this.next = next;
            this.request = request;
        }

        @Override
        public HttpOutput.Interceptor getNextInterceptor() {
            return next;
        }

        @Override
        public void write(ByteBuffer content, boolean last, Callback callback) {
            if (cut) {
                callback.succeeded();  // the connection is closed: what the servlet still writes goes nowhere
                return;
            }
            if (toLetOut < 0 && !startCut(content)) {
                next.write(content, last, callback);
                return;
            }
            int part = (int) Math.min(toLetOut, content.remaining());
            ByteBuffer partial = content.slice(content.position(), part);
            content.position(content.limit());
            toLetOut -= part;
            if (toLetOut > 0) {
                next.write(partial, false, callback);
                return;
            }
            cut = true;
            next.write(partial, false, Callback.from(() -> {
                close(request.getHttpChannel().getEndPoint());
                callback.succeeded();
            }, callback::failed));
        }

        /** Whether the answer is marked to be cut; if so sets its framing and how much of its body goes out. */
        private boolean startCut(ByteBuffer firstPiece) {
            Response response = request.getResponse();
            String mark = response.getHeader(MARK);
            if (mark == null) {
                return false;
            }
            response.setHeader(MARK, null);
            long length = response.getLongContentLength() >= 0
                    ? response.getLongContentLength() : firstPiece.remaining();
            if (Framing.CHUNKED.mark().equals(mark)) {
                response.setContentLengthLong(-1);
            } else {
                response.setContentLengthLong(length);
            }
            toLetOut = length / 2;
            return true;
        }

        /** A clean close: FIN after the bytes already written, no reset. */
        private static void close(EndPoint endPoint) {
            endPoint.shutdownOutput();
            endPoint.close();
        }
    }
}
