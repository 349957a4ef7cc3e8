package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.routing.RoutingContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;
import software.amazon.awssdk.regions.Region;

/**
 * Opens a {@link RoutingContext} for each request from its headers (names from {@code meridian.web.*}): the data
 * subject's country, the data class, the correlation id (generated when absent, echoed in the response and in the
 * MDC under {@value RoutingContext#MDC_KEY} while the request runs), the IETF {@code Idempotency-Key} and the
 * session's region ({@link RoutingContext#preferredRegion()}: tried first when residency and health allow, for sticky
 * sessions) and the caller's session token ({@code Meridian-Session}: per region it wrote to, the HLC stamp of its
 * latest write there; reads under it are served where all those writes are visible, and the response carries the new token after a write,
 * {@link dev.meridian.core.routing.RoutingSession}). A malformed value, or a region that is not configured, is answered with 400 and an
 * {@code application/problem+json} body naming the header: never a silent default. A request that names neither a
 * data class nor a subject country gets a context that is not declared ({@link RoutingContext#isDeclared()}): it
 * carries the correlation id, idempotency key and region, and its calls are routed as calls without a context, so
 * {@code meridian.default-data-class}, a table's default data class and {@code meridian.require-context} apply. The
 * async dispatch of a {@code Callable} or {@code DeferredResult} runs under the same context. The WebFlux counterpart is
 * {@link ReactiveRoutingContextFilter}; both read the headers the same way.
 */
@API(status = STABLE, since = "0.1")
public class RoutingContextFilter extends OncePerRequestFilter {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingContextFilter.class);

    /** The request attribute holding the request's context, for its async dispatches. */
    static final String CONTEXT_ATTRIBUTE = RoutingContextFilter.class.getName() + ".context";

    private final RoutingHeaders headers;

    /** A filter reading the headers named in {@code headers}; a region header must name one of {@code regions}. */
    public RoutingContextFilter(MeridianProperties.Web headers, Collection<Region> regions) {
        this.headers = new RoutingHeaders(headers, regions);
    }

    /** The async dispatch of a {@code Callable} or {@code DeferredResult} result runs under the request's context too. */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (isAsyncDispatch(request) && request.getAttribute(CONTEXT_ATTRIBUTE) instanceof RoutingContext ctx) {
            SessionTokenResponse withToken = new SessionTokenResponse(response, headers.names().getSessionHeader(), ctx);
            try (RoutingContext.Scope s = ctx.open()) {
                chain.doFilter(request, withToken);
            }
            withToken.addTokenIfWritten();
            return;
        }
        RoutingHeaders.Parsed parsed = headers.parse(request::getHeader);
        if (parsed.correlationId() != null) {
            response.setHeader(headers.names().getCorrelationIdHeader(), parsed.correlationId());
        }
        if (parsed.isRejected()) {
            reject(request, response, parsed.problem());
            return;
        }
        request.setAttribute(CONTEXT_ATTRIBUTE, parsed.context());
        SessionTokenResponse withToken =
                new SessionTokenResponse(response, headers.names().getSessionHeader(), parsed.context());
        try (RoutingContext.Scope s = parsed.context().open()) {
            chain.doFilter(request, withToken);
        }
        withToken.addTokenIfWritten();
    }

    private static void reject(HttpServletRequest request, HttpServletResponse response, String detail)
            throws IOException {
        LOG.debug("Rejected {} {}: {}", request.getMethod(), request.getRequestURI(), detail);
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(RoutingHeaders.problemJson(detail, request.getRequestURI()));
    }
}
