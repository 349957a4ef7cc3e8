package dev.meridian.spring;

import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * A servlet response that carries the request's session token ({@code meridian.web.session-header}) once the request
 * wrote: added when the body is about to be written (headers cannot change after that), and after the handler
 * returned for a response without a body. Nothing is added when the request made no write.
 */
final class SessionTokenResponse extends HttpServletResponseWrapper {
    private final String header;
    private final Optional<RoutingSession> session;

    SessionTokenResponse(HttpServletResponse response, String header, RoutingContext ctx) {
        super(response);
        this.header = header;
        this.session = ctx.session();
    }

    /** Sets the header when the session wrote and the response is not committed yet. */
    void addTokenIfWritten() {
        if (isCommitted()) {
            return;
        }
        session.filter(RoutingSession::wrote).flatMap(RoutingSession::token)
                .map(SessionToken::format).ifPresent(t -> setHeader(header, t));
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        addTokenIfWritten();
        return super.getOutputStream();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        addTokenIfWritten();
        return super.getWriter();
    }

    @Override
    public void flushBuffer() throws IOException {
        addTokenIfWritten();
        super.flushBuffer();
    }
}
